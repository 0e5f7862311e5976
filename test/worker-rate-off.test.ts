// `mayus serve --workers 2` with the UDP rate limits off (0): every worker answers, as one
// process does; a limit that is off is not divided into 1 datagram and 1 byte a second.

import assert from "node:assert/strict";
import { test } from "node:test";
import { startMayusServer } from "./support/processes.js";
import { udpExchange } from "./support/sockets.js";

test("--udp-rate 0 --udp-byte-rate 0 --workers 2: ten 100-byte datagrams in a row, ten answers", async () => {
  const server = await startMayusServer(["--udp", "--workers", "2", "--udp-rate", "0", "--udp-byte-rate", "0"]);
  try {
    const payload = Buffer.from("x".repeat(100));
    for (let index = 0; index < 10; index++) {
      const reply = await udpExchange(server.udpPort, payload);
      assert.equal(reply?.toString(), "X".repeat(100), `datagram ${index + 1}`);
    }
  } finally {
    await server.stop();
  }
});
