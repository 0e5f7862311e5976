// A draining connection is ended (our FIN) only when its client has really been quiet. Node
// runs timers before the poll that reads what has arrived, so after a stall as long as the
// quiet time (a busy machine, a long garbage collection) a client that never stopped sending
// has bytes waiting unread: they must count before the connection is taken for quiet.

import assert from "node:assert/strict";
import { once } from "node:events";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { PEERS, peerAvailable, start } from "../../test/support/processes.js";
import type { TcpConnection } from "./tcp-connection.js";
import { TcpServer } from "./tcp-server.js";

const QUIET_MS = 200;

test("a client sending through a stall longer than the quiet time is not taken for quiet", {
  skip: !peerAvailable("python3"),
  timeout: 60_000,
}, async () => {
  const server = new TcpServer({ host: "127.0.0.1", port: 0 });
  const { port } = await server.listen();
  try {
    const accepted = once(server, "connection");
    const peer = start("python3", ["-u", `${PEERS}steady_sender.py`, "127.0.0.1", String(port), "1.5"]);
    const [connection] = (await accepted) as [TcpConnection];
    while (connection.bytesReceived === 0) await delay(5);
    // The drain begins, then the event loop stalls for twice the quiet time while the client
    // goes on sending. In the check phase (setImmediate), as the stall of a busy server may be:
    // the next turn of the loop then begins with its timers, before any read.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        connection.drain(QUIET_MS);
        const stallEndsAt = Date.now() + 2 * QUIET_MS;
        while (Date.now() < stallEndsAt) {
          // busy, as a loaded server is
        }
        resolve();
      }),
    );
    const finished = await peer.exited;
    const outcome = JSON.parse(finished.stdout.toString().trim()) as {
      fin_while_sending: boolean;
      sent: number;
      answered: number;
      error: string | null;
    };
    assert.equal(finished.code, 0, finished.stderr);
    assert.equal(outcome.fin_while_sending, false, "our FIN came while the client was still sending");
    assert.equal(outcome.error, null);
    assert.equal(outcome.answered, outcome.sent, "every byte answered");
  } finally {
    await server.close(1000);
  }
});
