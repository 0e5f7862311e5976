// What drain-finished's bytesDiscarded counts, with a Python peer: bytes the server read after
// its FIN to a client that had gone quiet (never answered; the connection is then reset), in one
// process and with --workers 2. A reset at --drain-timeout cuts answers, but discards no byte
// read: it counts in connectionsReset only.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MAYUS, PEERS, peerAvailable, run, start, startMayusServer, waitForOutput } from "./support/processes.js";
import { tcpConnect } from "./support/sockets.js";

const hasPython = peerAvailable("python3");

interface DrainEvent {
  event: string;
  worker?: number;
  connectionsFinished: number;
  connectionsReset: number;
  bytesDiscarded: number;
}

function drainFinished(stderr: string): DrainEvent {
  const events = stderr
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as DrainEvent);
  // With --workers each worker reports its own drain; the primary's (no `worker`) adds them up.
  const drained = events.find((event) => event.event === "drain-finished" && event.worker === undefined);
  assert.ok(drained, stderr);
  return drained;
}

const LATE_BYTES = 1000;

for (const mode of [
  { name: "one process", args: [] as string[] },
  { name: "--workers 2", args: ["--workers", "2"] },
]) {
  describe(`bytesDiscarded, ${mode.name}`, { skip: !hasPython && "python3 not installed" }, () => {
    test("a quiet client gets our FIN, then sends 1000 bytes: they are counted, the connection reset", async () => {
      // The deadline far above the quiet time: only the quiet rule ends the connection.
      const server = await startMayusServer([
        "--tcp",
        "--log-format",
        "json",
        "--drain-quiet",
        "1000",
        "--drain-timeout",
        "60000",
        ...mode.args,
      ]);
      try {
        const args = [`${PEERS}quiet_then_late.py`, String(server.tcpPort), String(LATE_BYTES)];
        const peer = await run("python3", [...args, "--signal-pid", String(server.child.pid)], "", {
          timeoutMs: 60_000,
        });
        assert.equal(peer.code, 0, peer.stderr);
        const result = JSON.parse(peer.stdout.toString()) as { answered: string; fin: boolean; late_answered: number };
        assert.equal(result.answered, "HOLA\n");
        assert.equal(result.fin, true, "the server's FIN came first");
        assert.equal(result.late_answered, 0);
        const finished = await server.exited;
        assert.equal(finished.code, 9, finished.stderr);
        const drained = drainFinished(finished.stderr);
        assert.equal(drained.connectionsReset, 1);
        // Read in one chunk or a few before the reset: never more than was sent, never none.
        assert.ok(drained.bytesDiscarded > 0 && drained.bytesDiscarded <= LATE_BYTES, JSON.stringify(drained));
      } finally {
        await server.stop();
      }
    });
  });
}

describe("bytesDiscarded at the drain deadline", () => {
  test("a client still typing at --drain-timeout is reset: connectionsReset 1, bytesDiscarded 0", async () => {
    const server = await startMayusServer([
      "--tcp",
      "--log-format",
      "json",
      "--drain-timeout",
      "300",
      "--drain-quiet",
      "600000",
    ]);
    const client = start(process.execPath, [MAYUS, "client", "127.0.0.1", String(server.tcpPort)]);
    const typing = setInterval(() => client.child.stdin?.write("hola\n"), 10);
    try {
      client.child.stdin?.write("hola\n");
      await waitForOutput(client, /HOLA\n/);
      server.child.kill("SIGTERM");
      const finished = await server.exited;
      assert.equal(finished.code, 9, finished.stderr);
      const drained = drainFinished(finished.stderr);
      assert.deepEqual(
        { reset: drained.connectionsReset, discarded: drained.bytesDiscarded },
        { reset: 1, discarded: 0 },
      );
    } finally {
      clearInterval(typing);
      await client.stop();
      await server.stop();
    }
  });
});

describe("bytesDiscarded when the reset cuts what the transform holds", () => {
  test("--locale lt holds the last word; a reset at the deadline counts it as read, never answered", async () => {
    const server = await startMayusServer([
      "--tcp",
      "--locale",
      "lt",
      "--log-format",
      "json",
      "--drain-timeout",
      "300",
      "--drain-quiet",
      "600000",
    ]);
    const socket = await tcpConnect(server.tcpPort);
    socket.on("error", () => {}); // the reset is expected
    let sent = 0;
    const send = (text: string) => {
      if (socket.destroyed) return;
      socket.write(text);
      sent += text.length;
    };
    let answered = "";
    socket.on("data", (chunk: Buffer) => {
      answered += chunk.toString();
    });
    // "hola " is answered; "mund" waits for the rest of its word, and each "a" makes it longer.
    const typing = setInterval(() => send("a"), 10);
    try {
      send("hola mund");
      while (answered.length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
      server.child.kill("SIGTERM");
      const finished = await server.exited;
      assert.equal(finished.code, 9, finished.stderr);
      const drained = drainFinished(finished.stderr);
      assert.equal(drained.connectionsReset, 1);
      assert.equal(answered, "HOLA ");
      // All held bytes the server read: at least "mund", at most what was sent and not answered.
      const unanswered = sent - answered.length;
      assert.ok(
        drained.bytesDiscarded >= 4 && drained.bytesDiscarded <= unanswered,
        `${drained.bytesDiscarded} of ${unanswered}`,
      );
    } finally {
      clearInterval(typing);
      socket.destroy();
      await server.stop();
    }
  });
});
