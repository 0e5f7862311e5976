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
/** Runs whose client a loaded machine left unscheduled for the quiet time (it was quiet) before one counts. */
const ATTEMPTS = 3;

/** What test/peers/steady_sender.py prints at the end. */
interface SenderOutcome {
  fin_while_sending: boolean;
  sent: number;
  answered: number;
  error: string | null;
  /** At least the longest time between two of its sends: as long as QUIET_MS, it was quiet for real. */
  longest_gap_ms: number;
}

test("a client sending through a stall longer than the quiet time is not taken for quiet", {
  skip: !peerAvailable("python3"),
  timeout: 60_000 * ATTEMPTS,
}, async (t) => {
  for (let attempt = 1; ; attempt++) {
    const server = new TcpServer({ host: "127.0.0.1", port: 0 });
    const { port } = await server.listen();
    try {
      const accepted = once(server, "connection");
      const peer = start("python3", ["-u", `${PEERS}steady_sender.py`, "127.0.0.1", String(port), "1.5"]);
      const [connection] = (await accepted) as [TcpConnection];
      while (connection.bytesReceived === 0) await delay(5);
      // The drain begins, then the event loop stalls for twice the quiet time while the client
      // goes on sending. In the check phase (setImmediate), as the stall of a busy server may be:
      // the next turn of the loop then begins with its timers, before any read. Blocked, not
      // busy: the client needs a CPU to go on sending, and CI has two.
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          connection.drain(QUIET_MS);
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2 * QUIET_MS);
          resolve();
        }),
      );
      const finished = await peer.exited;
      const outcome = JSON.parse(finished.stdout.toString().trim()) as SenderOutcome;
      assert.equal(finished.code, 0, finished.stderr);
      const cut = outcome.fin_while_sending || outcome.error !== null || outcome.answered !== outcome.sent;
      // Ended after the client itself went unscheduled for the quiet time: rightly, and nothing
      // tested. Ended while it kept sending (the stall's bytes not counted) fails below.
      if (cut && outcome.longest_gap_ms >= QUIET_MS && attempt < ATTEMPTS) {
        t.diagnostic(`attempt ${attempt}: the client paused ${outcome.longest_gap_ms} ms, again`);
        continue;
      }
      const paused = `its longest pause between sends: ${outcome.longest_gap_ms} ms`;
      assert.equal(outcome.fin_while_sending, false, `our FIN came while the client was still sending (${paused})`);
      assert.equal(outcome.error, null, paused);
      assert.equal(outcome.answered, outcome.sent, `every byte answered (${paused})`);
      return;
    } finally {
      await server.close(1000);
    }
  }
});
