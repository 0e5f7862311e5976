// `mayus client` over TCP against servers that close before answering everything: it must
// say so (exit 7), never exit 0 with the answer missing, and never loop reconnecting.

import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, before, describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import {
  MAYUS,
  peerAvailable,
  runMayus,
  start,
  startMayusServer,
  startPythonServer,
  waitForOutput,
} from "./support/processes.js";

const hasPython = peerAvailable("python3");

describe("mayus client against a server that closes early", () => {
  let closer: Server;
  let closerPort = 0;
  before(async () => {
    // Closes every connection as soon as it is accepted, as a refusing server does.
    closer = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => closer.listen(0, "127.0.0.1", resolve));
    closerPort = (closer.address() as { port: number }).port;
  });
  after(() => new Promise<void>((resolve) => closer.close(() => resolve())));

  test("a server that closes at accept: exit 7 with the reason, not exit 0 with nothing", async () => {
    const lines = `${Array.from({ length: 1000 }, (_, index) => index + 1).join("\n")}\n`;
    const result = await runMayus(["client", "127.0.0.1", String(closerPort)], lines, { timeoutMs: 20_000 });
    assert.equal(result.code, EXIT_CODES["connection-failed"], result.stderr);
    // A FIN, or a reset when the client's bytes were already there unread: either is said.
    assert.match(
      result.stderr,
      /closed the connection before answering everything|cut the connection \(ECONNRESET\) after answering 0 bytes/,
    );
  });

  test("the lesson's server (one recv, then close) with a line longer than its recv: exit 7, no endless reconnecting", {
    skip: !hasPython && "python3 not installed",
  }, async () => {
    const server = await startPythonServer("tcp_server.py");
    try {
      const line = `${"y".repeat(1500)}\n`;
      const result = await runMayus(["client", "127.0.0.1", String(server.port)], line, { timeoutMs: 20_000 });
      assert.equal(result.code, EXIT_CODES["connection-failed"], `exit ${result.code}: ${result.stderr}`);
      // What did come back is printed once, not once per connection.
      assert.equal(result.stdout.toString(), "Y".repeat(1024));
      // And short lines still come back whole through the same server, reconnecting.
      const many = `${Array.from({ length: 300 }, (_, index) => `line ${index}`).join("\n")}\n`;
      const whole = await runMayus(["client", "127.0.0.1", String(server.port)], many, { timeoutMs: 20_000 });
      assert.equal(whole.code, 0, whole.stderr);
      assert.equal(whole.stdout.toString(), many.toUpperCase());
    } finally {
      await server.stop();
    }
  });
});

describe("mayus client when a draining server resets its connection", () => {
  test("a reset after connect is a cut answer (exit 7, bytes answered), not 'connection refused'", async () => {
    // Never quiet enough to be ended gently: the drain resets it at --drain-timeout.
    const server = await startMayusServer(["--tcp", "--drain-timeout", "200", "--drain-quiet", "600000"]);
    const client = start(process.execPath, [MAYUS, "client", "127.0.0.1", String(server.tcpPort)]);
    // A client still typing: a line now and then until it exits.
    const typing = setInterval(() => client.child.stdin?.write("hello\n"), 10);
    try {
      client.child.stdin?.write("hello\n");
      await waitForOutput(client, /HELLO\n/);
      server.child.kill("SIGTERM");
      const finished = await client.exited;
      assert.equal(finished.code, EXIT_CODES["connection-failed"], finished.stderr);
      // Reset, or (when its reconnection slipped into the closing listener's backlog) answered,
      // closed with the process and then refused: either way the bytes answered, never exit 3.
      const cut = finished.stderr.match(
        /(cut the connection \((?:ECONNRESET|EPIPE)\)|closed the connection) after answering (\d+) bytes/,
      );
      assert.ok(cut, finished.stderr);
      assert.equal(Number(cut[2]), finished.stdout.length, "the count is what was printed");
      assert.doesNotMatch(finished.stderr, /is the server running/);
      assert.equal((await server.exited).code, EXIT_CODES["drain-timeout"]);
    } finally {
      clearInterval(typing);
      await client.stop();
      await server.stop();
    }
  });
});

describe("mayus client after a whole answer, when the server is gone", {
  skip: !hasPython && "python3 not installed",
}, () => {
  test("the lesson's server answered and closed, then stopped: the next line says it is gone (exit 7)", async () => {
    const server = await startPythonServer("tcp_server.py");
    const client = start(process.execPath, [MAYUS, "client", "127.0.0.1", String(server.port)]);
    try {
      client.child.stdin?.write("uno\n");
      await waitForOutput(client, /UNO\n/);
      await server.stop();
      // Nothing sent is unanswered: not a cut answer, but not "is the server running?" either,
      // since it was: the server is gone after its answer, and the new line is refused.
      client.child.stdin?.end("dos\n");
      const finished = await client.exited;
      assert.equal(finished.code, EXIT_CODES["connection-failed"], finished.stderr);
      assert.match(
        finished.stderr,
        /closed the connection after answering 4 bytes, and refuses a new one \(ECONNREFUSED\): is it still running\?/,
      );
    } finally {
      await client.stop();
      await server.stop();
    }
  });
});

describe("mayus client: a last line without a newline whose answer is shorter in bytes", () => {
  for (const [mode, input, expected] of [
    ["unicode", "abc\nxıx", "ABC\nXIX"], // ı (2 bytes) gives I (1)
    ["unicode", "ſ", "S"],
    ["lower", "\u212a", "k"], // the Kelvin sign (3 bytes) gives k (1)
  ] as const) {
    test(`--mode ${mode}, ${JSON.stringify(input)}: printed once, exit 0, sent on one connection only`, async () => {
      const server = await startMayusServer(["--tcp", "--mode", mode, "--metrics-port", "0"]);
      try {
        const result = await runMayus(["client", "127.0.0.1", String(server.tcpPort)], input, { timeoutMs: 20_000 });
        assert.equal(result.code, EXIT_CODES.ok, result.stderr);
        assert.equal(result.stdout.toString(), expected);
        const metricsPort = (await waitForOutput(server, /metrics on http port (\d+)/))[1];
        const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        // Not connected to again to send the line once more, as if its answer were cut.
        assert.match(metrics, /^mayus_tcp_connections_accepted_total 1$/m);
      } finally {
        await server.stop();
      }
    });
  }
});
