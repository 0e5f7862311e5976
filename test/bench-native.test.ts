// `mayus bench` TCP ping-pong and connect as a user runs them, once with the native load loop
// (src/load/load-loop.c) and once with MAYUS_NATIVE=0 (the TypeScript generator): the same
// counts from both, against mayus serve, a Python server that answers wrongly, one that closes
// or resets, one that tells how each connection ended, and a port nothing listens on.

import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import type { BenchResult } from "../src/load/options.js";
import { type MayusServer, runMayus, type Started, startMayusServer, startPythonServer } from "./support/processes.js";
import { waitFor } from "./support/wait.js";

const ENGINES = [
  { engine: "native", env: {} },
  { engine: "node", env: { MAYUS_NATIVE: "0" } },
] as const;
const SIZE_BYTES = 512;

async function bench(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; result: BenchResult }> {
  const finished = await runMayus(["bench", ...args, "--size", String(SIZE_BYTES), "--json"], "", {
    timeoutMs: 20_000,
    env,
  });
  assert.equal(finished.signal, null, `killed: ${finished.stderr}`);
  return { code: finished.code, result: JSON.parse(finished.stdout.toString()) as BenchResult };
}

for (const { engine, env } of ENGINES) {
  describe(`mayus bench, ${engine} engine, against mayus serve`, () => {
    const servers: Record<string, MayusServer> = {};
    before(async () => {
      servers["127.0.0.1"] = await startMayusServer(["--tcp"]);
      servers["::1"] = await startMayusServer(["--tcp", "--host", "::1"]);
    });
    after(async () => {
      await Promise.all(Object.values(servers).map((server) => server.stop()));
    });

    for (const address of ["127.0.0.1", "::1"]) {
      for (const [pattern, connections, messages] of [
        ["pingpong", 8, 2000],
        ["connect", 4, 200],
      ] as const) {
        test(`${pattern} over ${address}: exactly the budget's ${messages} messages, each answer checked`, async () => {
          const port = String(servers[address]?.tcpPort);
          const { code, result } = await bench(
            [address, port, "--pattern", pattern, "--connections", String(connections)].concat([
              "--total-bytes",
              String(messages * SIZE_BYTES),
              "--duration",
              "15",
            ]),
            env,
          );
          assert.equal(code, EXIT_CODES.ok, JSON.stringify(result.errors));
          assert.equal(result.engine, engine);
          assert.equal(result.messages, messages);
          assert.equal(result.bytesSent, messages * SIZE_BYTES);
          assert.equal(result.bytesReceived, messages * SIZE_BYTES);
          assert.equal(result.unanswered, 0);
          assert.equal(result.errors.total, 0);
          assert.equal(result.latency.samples, messages);
          assert.ok(result.latency.min > 0 && result.latency.p50 <= result.latency.max, JSON.stringify(result.latency));
        });
      }
    }

    test("Spanish text in unicode mode, two worker threads, a warm-up: the budget counts from its end", async () => {
      const { code, result } = await bench(
        ["127.0.0.1", String(servers["127.0.0.1"]?.tcpPort), "--connections", "4", "--workers", "2"].concat([
          "--text",
          "spanish",
          "--warmup",
          "0.2",
          "--total-bytes",
          String(1000 * SIZE_BYTES),
          "--duration",
          "15",
        ]),
        env,
      );
      assert.equal(code, EXIT_CODES.ok, JSON.stringify(result.errors));
      assert.equal(result.engine, engine);
      assert.equal(result.workers, 2);
      // The budget's 1000, plus the answers to the (at most 4) messages in flight when the warm-up ended.
      assert.ok(result.messages >= 1000 && result.messages <= 1004, `messages: ${result.messages}`);
      assert.equal(result.bytesReceived, result.messages * SIZE_BYTES);
      assert.equal(result.errors.total, 0);
    });
  });

  describe(`mayus bench, ${engine} engine, against servers that misbehave`, () => {
    const peers: Record<string, Started & { port: number }> = {};
    before(async () => {
      for (const behaviour of ["echo", "close", "reset", "silent"]) {
        peers[behaviour] = await startPythonServer("bench_misbehaving_server.py", ["--behaviour", behaviour]);
      }
    });
    after(async () => {
      await Promise.all(Object.values(peers).map((peer) => peer.stop()));
    });
    const portOf = (behaviour: string) => String(peers[behaviour]?.port);

    for (const [pattern, connections] of [
      ["pingpong", 2],
      ["connect", 2],
    ] as const) {
      test(`${pattern}: a server that echoes without uppercasing: every answer wrong, exit 1`, async () => {
        const { code, result } = await bench(
          ["127.0.0.1", portOf("echo"), "--pattern", pattern, "--connections", String(connections)].concat([
            "--total-bytes",
            String(100 * SIZE_BYTES),
            "--duration",
            "15",
          ]),
          env,
        );
        assert.equal(code, EXIT_CODES.failure);
        assert.equal(result.engine, engine);
        assert.equal(result.messages, 100);
        assert.equal(result.errors.wrongAnswers, 100);
        assert.equal(result.errors.total, 100);
      });
    }

    for (const behaviour of ["close", "reset"]) {
      test(`pingpong: a server that ${behaviour}s each connection: one connection error each, then the run ends`, async () => {
        const { code, result } = await bench(
          ["127.0.0.1", portOf(behaviour), "--connections", "3", "--duration", "15"],
          env,
        );
        assert.equal(code, EXIT_CODES.failure);
        assert.equal(result.engine, engine);
        assert.equal(result.messages, 0);
        assert.equal(result.errors.connection, 3);
        assert.equal(result.errors.total, 3);
        assert.equal(result.bytesSent, 3 * SIZE_BYTES);
        assert.equal(result.unanswered, 0);
        // Every connection gone: the run ends early instead of waiting out its 15 s.
        assert.ok(result.elapsedSeconds < result.durationSeconds, `elapsed ${result.elapsedSeconds}`);
      });

      test(`connect: a server that ${behaviour}s before answering: each attempt a connection error, no answer`, async () => {
        const { code, result } = await bench(
          ["127.0.0.1", portOf(behaviour), "--pattern", "connect", "--connections", "2", "--duration", "0.5"],
          env,
        );
        assert.equal(code, EXIT_CODES.failure);
        assert.equal(result.engine, engine);
        assert.equal(result.messages, 0);
        assert.ok(result.errors.connection > 0, JSON.stringify(result.errors));
        assert.equal(result.errors.total, result.errors.connection);
        // Every attempt sent its message and ended in an error, but those still under way at the end.
        assert.equal(result.bytesSent, (result.errors.connection + result.unanswered) * SIZE_BYTES);
      });
    }

    for (const pattern of ["pingpong", "connect"]) {
      test(`${pattern}: a server that reads and never answers: the report, then "no answer", exit 5`, async () => {
        const args = ["127.0.0.1", portOf("silent"), "--pattern", pattern, "--connections", "2", "--duration", "0.5"];
        const finished = await runMayus(["bench", ...args, "--size", String(SIZE_BYTES), "--json"], "", {
          timeoutMs: 20_000,
          env,
        });
        assert.equal(finished.signal, null, `killed: ${finished.stderr}`);
        const result = JSON.parse(finished.stdout.toString()) as BenchResult;
        assert.equal(result.engine, engine);
        assert.equal(result.messages, 0);
        assert.equal(result.errors.total, 0);
        // Each connection sent its message and was still waiting for the answer when the run ended.
        assert.equal(result.unanswered, 2);
        assert.equal(result.bytesSent, 2 * SIZE_BYTES);
        assert.equal(finished.code, EXIT_CODES.timeout, finished.stderr);
        assert.match(finished.stderr, new RegExp(`^mayus: no answer from 127\\.0\\.0\\.1:${portOf("silent")} `, "m"));
      });
    }
  });

  describe(`mayus bench, ${engine} engine: how a run ends, seen by the server`, () => {
    // test/peers/bench_counting_server.py prints "accepted", then "ended fin" or "ended reset".
    // The native loop runs ping-pong and connect; a stream goes to the TypeScript generator.
    const runs = [
      ["pingpong", "127.0.0.1", 8],
      ...(engine === "node"
        ? ([
            ["stream", "127.0.0.1", 8],
            ["stream", "::1", 8],
          ] as const)
        : []),
    ] as const;
    for (const [pattern, address, connections] of runs) {
      test(`${pattern} over ${address}: the answers in flight are awaited, every connection ends with a FIN`, async () => {
        const peer = await startPythonServer("bench_counting_server.py", ["--host", address]);
        try {
          const { code, result } = await bench(
            [address, String(peer.port), "--pattern", pattern, "--connections", String(connections), "--duration", "1"],
            env,
          );
          assert.equal(code, EXIT_CODES.ok, JSON.stringify(result.errors));
          assert.equal(result.engine, engine);
          const lines = () => peer.stdout().toString();
          const count = (word: RegExp) => lines().match(word)?.length ?? 0;
          // Every connection accepted (a loaded server may accept one late) and every one ended.
          await waitFor(
            "every connection to be accepted and to end",
            () => count(/^accepted$/gm) >= connections && count(/^ended /gm) >= count(/^accepted$/gm),
          ).catch((error: Error) => assert.fail(`${error.message}: ${lines()}`));
          assert.equal(count(/^ended reset$/gm), 0, "connections the bench reset while answers were on their way");
        } finally {
          await peer.stop();
        }
      });
    }
  });

  describe(`mayus bench, ${engine} engine, against a port nothing listens on`, () => {
    for (const pattern of ["pingpong", "connect"]) {
      test(`${pattern}: connection refused, exit 3`, async () => {
        const probe = createServer();
        await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
        const { port } = probe.address() as { port: number };
        await new Promise((resolve) => probe.close(resolve));
        const finished = await runMayus(
          ["bench", "127.0.0.1", String(port), "--pattern", pattern, "--duration", "1"],
          "",
          {
            env,
          },
        );
        assert.equal(finished.code, EXIT_CODES["connection-refused"]);
        assert.match(finished.stderr, /^mayus: connection refused/m);
      });
    }
  });
}
