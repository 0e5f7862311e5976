// `mayus bench` as a user runs it, against `mayus serve` and against a server that answers wrongly.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { after, before, describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import { BENCH_DEFAULTS, type BenchResult } from "../src/load/options.js";
import {
  MAYUS,
  type MayusServer,
  runMayus,
  start,
  startMayusServer,
  startPythonServer,
  waitForOutput,
} from "./support/processes.js";
import { waitFor } from "./support/wait.js";

/** Runs `mayus bench ... --json` and returns its exit code, parsed result and wall time. */
async function bench(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; result: BenchResult; wallMs: number }> {
  const startedMs = Date.now();
  const finished = await runMayus(["bench", ...args, "--json"], "", { timeoutMs: 15_000, env });
  const wallMs = Date.now() - startedMs;
  assert.equal(finished.signal, null, `killed: ${finished.stderr}`);
  return { code: finished.code, result: JSON.parse(finished.stdout.toString()) as BenchResult, wallMs };
}

describe("mayus bench against mayus serve", () => {
  let server: MayusServer;
  before(async () => {
    server = await startMayusServer();
  });
  after(async () => {
    await server.stop();
  });

  test("TCP ping-pong, 4 connections, 1 s: answers counted and checked, no errors, stops by itself", async () => {
    const { code, result, wallMs } = await bench([
      "127.0.0.1",
      String(server.tcpPort),
      "--connections",
      "4",
      "--duration",
      "1",
    ]);
    assert.equal(code, EXIT_CODES.ok);
    assert.equal(result.protocol, "tcp");
    assert.equal(result.connections, 4);
    assert.ok(result.messages > 0, `messages: ${result.messages}`);
    assert.equal(result.errors.total, 0);
    assert.ok(result.elapsedSeconds >= 0.9 && result.elapsedSeconds < 1.5, `elapsed ${result.elapsedSeconds}`);
    assert.ok(wallMs < 8000, `took ${wallMs} ms`);
    const { latency } = result;
    assert.equal(latency.recordedIn, "nanoseconds");
    assert.ok(latency.p50 > 0 && latency.p50 <= latency.p90 && latency.p90 <= latency.p99, JSON.stringify(latency));
    assert.ok(latency.p99 <= latency.p999 && latency.p999 <= latency.max, JSON.stringify(latency));
    assert.ok(result.messagesPerSecond > 0 && result.megabytesPerSecond > 0);
  });

  for (const workers of ["1", "2"]) {
    test(`the progress lines (not a terminal: one a second) stop with the measured time (workers ${workers})`, async () => {
      // A server that never answers: after its 2.5 s the bench waits its least for the answers
      // in flight (1 s), long enough for a progress line to come, if any came, past 2.5 s (at 3 s).
      // Lines come at 1 s and 2 s: one of them even if the bench is not run for a second.
      const silent = await startPythonServer("bench_misbehaving_server.py", ["--behaviour", "silent"]);
      try {
        const finished = await runMayus(
          ["bench", "127.0.0.1", String(silent.port), "--pattern", "stream", "--connections", "2"].concat([
            "--workers",
            workers,
            "--duration",
            "2.5",
          ]),
          "",
          { timeoutMs: 15_000 },
        );
        assert.equal(finished.code, EXIT_CODES.timeout, finished.stderr);
        const lines = finished.stderr.split("\n").filter((line) => / s of 2\.5 s /.test(line));
        assert.ok(lines.length > 0, `no progress line: ${finished.stderr}`);
        for (const line of lines) {
          assert.doesNotMatch(line, / -\d/, `a negative figure: ${line}`);
          assert.ok(Number(line.match(/^([\d.]+) s/)?.[1]) <= 2.5, `past the measured time: ${line}`);
        }
      } finally {
        await silent.stop();
      }
    });
  }

  test("TCP stream of Spanish text in unicode mode, with two worker threads", async () => {
    const { code, result } = await bench([
      "127.0.0.1",
      String(server.tcpPort),
      "--pattern",
      "stream",
      "--size",
      "4096",
      "--text",
      "spanish",
      "--connections",
      "2",
      "--workers",
      "2",
      "--duration",
      "1",
    ]);
    assert.equal(code, EXIT_CODES.ok);
    assert.equal(result.workers, 2);
    assert.ok(result.messages > 0);
    assert.equal(result.errors.total, 0);
  });

  test("--total-bytes stops the run once that many bytes were answered", async () => {
    const { code, result } = await bench([
      "127.0.0.1",
      String(server.tcpPort),
      "--pattern",
      "stream",
      "--size",
      "1000",
      "--total-bytes",
      "100000",
      "--duration",
      "10",
    ]);
    assert.equal(code, EXIT_CODES.ok);
    assert.equal(result.messages, 100);
    assert.equal(result.bytesReceived, 100_000);
    assert.ok(result.elapsedSeconds < 5);
  });

  test("UDP, open loop under the server's per-source rate limit: every datagram answered", async () => {
    const { code, result } = await bench([
      "127.0.0.1",
      String(server.udpPort),
      "--udp",
      "--size",
      "64",
      "--rate",
      "500",
      "--duration",
      "1",
    ]);
    assert.equal(code, EXIT_CODES.ok);
    assert.equal(result.protocol, "udp");
    assert.equal(result.ratePerSecond, 500);
    assert.ok(result.messages > 300, `messages: ${result.messages}`);
    assert.equal(result.errors.total, 0);
  });

  test("UDP stop-and-wait, 2 sockets, no rate limit: each answer checked, the next request sent from it", async () => {
    const unlimited = await startMayusServer(["--udp", "--udp-rate", "0", "--udp-byte-rate", "0"]);
    try {
      const args = ["127.0.0.1", String(unlimited.udpPort), "--udp", "--connections", "2", "--size", "64"];
      // With the native module (sendto from the answer's call) and without it (dgram's send).
      for (const env of [{}, { MAYUS_NATIVE: "0" }]) {
        const { code, result } = await bench([...args, "--duration", "0.5"], env);
        assert.equal(code, EXIT_CODES.ok);
        // Far more than one per timeout (a second): each answer sends the next request.
        assert.ok(result.messages > 100, `messages: ${result.messages} (${JSON.stringify(env)})`);
        assert.equal(result.errors.total, 0);
        assert.equal(result.bytesReceived, result.messages * 64);
      }
    } finally {
      await unlimited.stop();
    }
  });

  test("a new connection per message (connect pattern)", async () => {
    const { code, result } = await bench([
      "127.0.0.1",
      String(server.tcpPort),
      "--pattern",
      "connect",
      "--size",
      "64",
      "--connections",
      "2",
      "--duration",
      "0.5",
    ]);
    assert.equal(code, EXIT_CODES.ok);
    assert.ok(result.messages > 0);
    assert.equal(result.errors.total, 0);
  });

  test("the report for people, in Spanish", async () => {
    const finished = await runMayus([
      "bench",
      "127.0.0.1",
      String(server.tcpPort),
      "--duration",
      "0.3",
      "--lang",
      "es",
    ]);
    assert.equal(finished.code, EXIT_CODES.ok, finished.stderr);
    const report = finished.stdout.toString();
    assert.match(report, /^mayus bench: TCP 127\.0\.0\.1:\d+, pingpong, conexiones 1,/);
    assert.match(report, /mensajes/);
    assert.match(report, /latencia +p50 [\d.,]+ +p90/);
    assert.match(report, /errores +0 /);
  });
});

describe("mayus bench against a server that answers wrongly", () => {
  // Echoes without uppercasing: every answer differs from what mayus would send.
  let echo: Server;
  let port: number;
  before(async () => {
    echo = createServer((socket) => {
      socket.on("error", () => {});
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    port = (echo.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise((resolve) => echo.close(resolve));
  });

  test("every wrong answer counts as an error, and the exit code is 1", async () => {
    const { code, result } = await bench(["127.0.0.1", String(port), "--connections", "2", "--duration", "0.5"]);
    assert.equal(code, EXIT_CODES.failure);
    assert.ok(result.messages > 0);
    assert.equal(result.errors.wrongAnswers, result.messages);
    assert.equal(result.errors.total, result.errors.wrongAnswers);
  });

  test("over UDP too: every wrong answer counts, the loop goes on, exit 1", async () => {
    const udpEcho = createSocket("udp4");
    udpEcho.on("message", (message, remote) => udpEcho.send(message, remote.port, remote.address));
    await new Promise<void>((resolve) => udpEcho.bind(0, "127.0.0.1", resolve));
    try {
      // The probe is answered, then each wrong answer sends the next request: many, all wrong.
      const { code, result } = await bench(["127.0.0.1", String(udpEcho.address().port), "--udp", "--duration", "0.5"]);
      assert.equal(code, EXIT_CODES.failure);
      assert.ok(result.messages > 100, `messages: ${result.messages}`);
      assert.equal(result.errors.wrongAnswers, result.messages);
      assert.equal(result.errors.total, result.errors.wrongAnswers);
    } finally {
      await new Promise<void>((resolve) => udpEcho.close(resolve));
    }
  });
});

describe("mayus bench usage and connection errors", () => {
  test("--pattern stream over UDP is a usage error", async () => {
    const finished = await runMayus(["bench", "--udp", "--pattern", "stream", "--duration", "0.1"]);
    assert.equal(finished.code, EXIT_CODES.usage);
    assert.match(finished.stderr, /^mayus: --pattern stream is for TCP only/);
  });

  test("a port nothing listens on: connection refused, exit 3", async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const finished = await runMayus(["bench", "127.0.0.1", String(port), "--duration", "0.1"]);
    assert.equal(finished.code, EXIT_CODES["connection-refused"]);
    assert.match(finished.stderr, /connection refused/);
  });
});

describe("Ctrl-C during mayus bench", () => {
  let server: MayusServer;
  let metricsPort: string;
  before(async () => {
    server = await startMayusServer(["--tcp", "--metrics-port", "0"]);
    metricsPort = (await waitForOutput(server, /metrics on http port (\d+)/))[1] ?? "";
  });
  after(async () => {
    await server.stop();
  });

  /** The server's TCP bytes received so far: above what it was, the bench is measuring (no warm-up). */
  const bytesReceived = async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return Number(text.match(/^mayus_bytes_received_total\{protocol="tcp"\} (\d+)/m)?.[1] ?? 0);
  };

  for (const [name, connections, args, env] of [
    ["native engine, one thread", 2, [], {}],
    ["TypeScript engine, two worker threads", 4, ["--workers", "2"], { MAYUS_NATIVE: "0" }],
  ] as const) {
    test(`${name}: the measurement ends there, its report is printed, exit 0`, async () => {
      const before = await bytesReceived();
      const bench = start(
        process.execPath,
        [
          ...[MAYUS, "bench", "127.0.0.1", String(server.tcpPort), "--duration", "60", "--json"],
          ...["--connections", String(connections), ...args],
        ],
        { env },
      );
      try {
        // One message in flight per connection (pingpong): past one message each (512 bytes), some
        // connection has sent its second, so its first answer was counted before the Ctrl-C. (A
        // Ctrl-C right after the first bytes can come before any answer: exit 130, as it should.)
        const firstMessagesBytes = connections * BENCH_DEFAULTS.sizeBytes;
        await waitFor("an answer to be counted", async () => (await bytesReceived()) > before + firstMessagesBytes);
        bench.child.kill("SIGINT");
        const finished = await bench.exited;
        assert.equal(finished.code, EXIT_CODES.ok, finished.stderr);
        const result = JSON.parse(finished.stdout.toString()) as BenchResult;
        assert.ok(result.messages > 0, `messages: ${result.messages}`);
        assert.ok(result.elapsedSeconds < 60, `measured ${result.elapsedSeconds} s`);
        assert.equal(result.errors.total, 0);
      } finally {
        bench.child.kill("SIGKILL");
      }
    });
  }

  test("during the warm-up: nothing measured, the report, exit 130", async () => {
    const before = await bytesReceived();
    const bench = start(process.execPath, [
      MAYUS,
      "bench",
      "127.0.0.1",
      String(server.tcpPort),
      "--warmup",
      "60",
      "--duration",
      "60",
      "--json",
    ]);
    try {
      await waitFor("the bench to send", async () => (await bytesReceived()) > before);
      bench.child.kill("SIGINT");
      const finished = await bench.exited;
      assert.equal(finished.code, 130, finished.stderr);
      assert.equal((JSON.parse(finished.stdout.toString()) as BenchResult).messages, 0);
    } finally {
      bench.child.kill("SIGKILL");
    }
  });
});
