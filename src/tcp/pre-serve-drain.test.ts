// A socket still in a step before it is served (its PROXY header, its TLS handshake) is closed
// by a drain only when its client has really been quiet, as a served connection is: after a
// stall of the event loop as long as the quiet time, a client that never stopped sending has
// bytes waiting unread, and they must count. Once its header or handshake is done, during the
// drain, it is served to the end of its stream.

import assert from "node:assert/strict";
import { type EventEmitter, once } from "node:events";
import { connect } from "node:net";
import { before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { PEERS, peerAvailable, start, waitForOutput } from "../../test/support/processes.js";
import { TcpServer } from "./tcp-server.js";
import { generateSelfSigned, type TlsIdentity } from "./tls/self-signed.js";

const QUIET_MS = 200;
let identity: TlsIdentity;

before(async () => {
  identity = await generateSelfSigned(["localhost", "127.0.0.1", "::1"]);
});

const STEPS = {
  proxy: {
    what: "its PROXY header",
    options: () => ({ proxyProtocol: true }),
    pending: (server: TcpServer) => server.statistics().connectionsAwaitingHeader,
  },
  tls: {
    what: "its TLS ClientHello",
    options: () => ({ tls: { cert: identity.certPem, key: identity.keyPem } }),
    pending: (server: TcpServer) => server.statistics().tls?.connectionsHandshaking ?? 0,
  },
} as const;

/** What test/peers/slow_opener.py prints at the end. */
interface OpenerOutcome {
  opening_bytes: number;
  sent: number;
  answered: number;
  uppercase: boolean;
  error: string | null;
  /** At least the longest time between two of its sends: as long as QUIET_MS, it was quiet for real. */
  longest_gap_ms: number;
}

/** Runs whose client a loaded machine left unscheduled for the quiet time (it was quiet) before one counts. */
const ATTEMPTS = 3;

/** Blocks this thread (the event loop with it) for `ms`, leaving the CPU to the client. */
function stallEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

for (const [kind, step] of Object.entries(STEPS)) {
  for (const host of ["127.0.0.1", "::1"]) {
    test(`a client sending ${step.what} through a stall longer than the quiet time is served (${host})`, {
      skip: !peerAvailable("python3"),
      timeout: 60_000 * ATTEMPTS,
    }, async (t) => {
      for (let attempt = 1; ; attempt++) {
        const server = new TcpServer({ host, port: 0, drainQuietMs: QUIET_MS, ...step.options() });
        const { port } = await server.listen();
        // test/peers/slow_opener.py: its opening a byte at a time over 1.5 s, then 4 KiB and its FIN.
        const peer = start("python3", ["-u", `${PEERS}slow_opener.py`, host, String(port), kind, "1.5"]);
        try {
          await waitForOutput(peer, /^opening$/m);
          while (step.pending(server) === 0) await delay(5);
          // The drain waits for "idle" once it has told every socket to drain: the event loop
          // stalls there for twice the quiet time, before any poll, while the client goes on
          // sending. The next turn of the loop then begins with its timers, before any read.
          let stalled = false;
          (server as unknown as EventEmitter).on("newListener", (event) => {
            if (event !== "idle" || stalled) return;
            stalled = true;
            stallEventLoop(2 * QUIET_MS);
          });
          const report = await server.close(30_000);
          assert.ok(stalled, "the drain did not wait for idle: no stall, nothing tested");
          const finished = await peer.exited;
          assert.equal(finished.code, 0, finished.stderr);
          const outcome = JSON.parse(finished.stdout.toString().trim().split("\n").at(-1) ?? "") as OpenerOutcome;
          const cut = outcome.error !== null || outcome.answered !== outcome.sent;
          // Cut after the client itself went unscheduled for the quiet time: rightly, and nothing
          // tested. A cut while it kept sending (the stall's bytes not counted) fails below.
          if (cut && outcome.longest_gap_ms >= QUIET_MS && attempt < ATTEMPTS) {
            t.diagnostic(`attempt ${attempt}: the client paused ${outcome.longest_gap_ms} ms, again`);
            continue;
          }
          const paused = `its longest pause between sends: ${outcome.longest_gap_ms} ms`;
          assert.equal(
            outcome.error,
            null,
            `the client was cut after ${outcome.opening_bytes} bytes of its opening (${paused})`,
          );
          assert.equal(outcome.answered, outcome.sent, `every byte answered (${paused})`);
          assert.ok(outcome.uppercase);
          assert.equal(report.connectionsReset, 0);
          assert.equal(report.connectionsFinished, 1);
          assert.equal(server.statistics().refused.draining, 0);
          return;
        } finally {
          peer.child.kill();
          await server.close(0);
        }
      }
    });
  }
}

// Under --proxy-protocol --tls, a header that comes during the drain starts its handshake
// after the drain has told every socket to drain: that handshake is checked for quiet too, so
// a client that then says nothing is closed once quiet, not held to the deadline and reset.
for (const host of ["127.0.0.1", "::1"]) {
  test(`a PROXY header done during the drain, then silence: its handshake is closed once quiet (${host})`, {
    timeout: 60_000,
  }, async () => {
    const server = new TcpServer({
      host,
      port: 0,
      drainQuietMs: QUIET_MS,
      proxyProtocol: true,
      tls: { cert: identity.certPem, key: identity.keyPem },
    });
    const { port } = await server.listen();
    const client = connect({ host, port });
    try {
      await once(client, "connect");
      const header = host.includes(":")
        ? "PROXY TCP6 2001:db8::7 ::1 40000 443\r\n"
        : "PROXY TCP4 192.0.2.7 127.0.0.1 40000 443\r\n";
      client.write(header.slice(0, 10));
      while (server.statistics().connectionsAwaitingHeader === 0) await delay(5);
      const closed = server.close(10_000);
      // The rest of the header once the drain has begun; then nothing, not even a ClientHello.
      await delay(QUIET_MS / 4);
      client.write(header.slice(10));
      while ((server.statistics().tls?.connectionsHandshaking ?? 0) === 0) await delay(5);
      const clientClosed = once(client, "close");
      const report = await closed;
      await clientClosed;
      assert.equal(report.connectionsReset, 0, "held to the drain deadline and reset");
      assert.equal(server.statistics().tls?.handshakeFailures.closed, 0, "counted as the client's failure");
    } finally {
      client.destroy();
      await server.close(0);
    }
  });
}
