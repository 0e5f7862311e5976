// A stopping listener empties its queue before it closes: the kernel first stops beginning
// handshakes (refuseHandshakes drops SYNs), so a connection already queued is still accepted
// and answered while a new client's connect does not complete (its SYN goes unanswered)
// instead of being completed and then reset by the close.

import assert from "node:assert/strict";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { closeAfterBacklog, refuseHandshakes } from "./listener-close.js";

async function listening(server: Server, host = "127.0.0.1"): Promise<number> {
  server.listen(0, host);
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

function answerOf(client: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  client.on("data", (chunk: Buffer) => chunks.push(chunk));
  return once(client, "end").then(() => Buffer.concat(chunks).toString());
}

for (const host of ["127.0.0.1", "::1"]) {
  test(`refuseHandshakes on ${host}: a queued connection is still served; a new client's handshake does not complete`, async (t) => {
    const server = createServer((socket) => socket.end("served"));
    const port = await listening(server, host);
    const first = connect(port, host);
    const firstAnswer = answerOf(first);
    await once(first, "connect");
    if (!refuseHandshakes(server)) {
      t.skip("the listener cannot refuse handshakes here (no native module, or not Linux)");
      await firstAnswer;
      server.close();
      return;
    }
    const second = connect(port, host);
    second.on("error", () => {}); // destroyed below, unanswered
    try {
      // On loopback a handshake the kernel answers completes at once; this one gets no SYN-ACK.
      const outcome = await Promise.race([
        once(second, "connect").then(() => "connected"),
        delay(500).then(() => "no handshake"),
      ]);
      assert.equal(outcome, "no handshake");
      assert.equal(await firstAnswer, "served");
    } finally {
      second.destroy();
      server.close();
    }
  });
}

test("closeAfterBacklog stops handshakes first, then closes the listener; also where it cannot stop them", async () => {
  for (const canRefuse of [true, false]) {
    const server = createServer();
    await listening(server);
    const listeningWhenAsked: boolean[] = [];
    await closeAfterBacklog(
      server,
      () => 0,
      10,
      (asked) => {
        listeningWhenAsked.push(asked.listening);
        return canRefuse;
      },
    );
    assert.deepEqual(listeningWhenAsked, [true]);
    assert.equal(server.listening, false);
  }
});
