// UDP made survivable: the client against a lossy, duplicating, reordering server gets every answer, in order.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import { runMayus, startMayusServer } from "./support/processes.js";

describe("mayus client --udp over a simulated unreliable network", () => {
  test("1,000 distinct lines through --drop 0.3 --duplicate 0.2 --delay 5±5 --seed 7 come back exactly, in order", async () => {
    const server = await startMayusServer([
      "--udp",
      ...["--drop", "0.3", "--duplicate", "0.2", "--delay", "5±5", "--seed", "7", "--trace"],
    ]);
    try {
      const lines = Array.from({ length: 1000 }, (_, index) => `línea ${index} ñandú ${"x".repeat(index % 17)}`);
      const input = `${lines.join("\n")}\n`;
      const result = await runMayus(
        [
          "client",
          "--udp",
          "--timeout",
          "100",
          "--retries",
          "10",
          "--window",
          "32",
          "127.0.0.1",
          String(server.udpPort),
        ],
        input,
        { timeoutMs: 120_000 },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.toString(), input.toUpperCase());
      // The network really was unreliable: the trace shows drops and duplicates.
      const trace = server.stderr();
      assert.match(trace, /udp drop +127\.0\.0\.1:\d+ \(lost by the simulated network\)/);
      assert.match(trace, /udp duplicate/);
    } finally {
      await server.stop();
    }
  });

  test("with --drop 1 every line fails with a clear error naming it, exit 5, within the time the retries allow", async () => {
    const server = await startMayusServer(["--udp", "--drop", "1"]);
    try {
      const lines = Array.from({ length: 20 }, (_, index) => `lost ${index}`);
      const started = Date.now();
      const result = await runMayus(
        ["client", "--udp", "--timeout", "50", "--retries", "2", "--window", "8", "127.0.0.1", String(server.udpPort)],
        `${lines.join("\n")}\n`,
      );
      const elapsedMs = Date.now() - started;
      assert.equal(result.code, EXIT_CODES.timeout);
      assert.equal(result.stdout.length, 0);
      const errors = result.stderr.trimEnd().split("\n");
      assert.equal(errors.length, 20);
      errors.forEach((line, index) => {
        assert.match(
          line,
          new RegExp(`^mayus: line ${index + 1} failed: no reply from 127\\.0\\.0\\.1:\\d+ \\(tries: 3\\)$`),
        );
      });
      // Each line waits 50 + 100 + 200 ms; 8 at a time: 3 rounds, about 1 s. Allow a loaded machine plenty.
      assert.ok(elapsedMs < 20_000, `took ${elapsedMs} ms`);
    } finally {
      await server.stop();
    }
  });

  test("the simulated network is repeatable: the same seed drops the same datagrams", async () => {
    const drops: string[] = [];
    for (let run = 0; run < 2; run++) {
      const server = await startMayusServer(["--udp", "--drop", "0.5", "--seed", "42"]);
      try {
        const input = `${Array.from({ length: 30 }, (_, index) => `seq ${index}`).join("\n")}\n`;
        const result = await runMayus(
          [
            "client",
            "--udp",
            "--timeout",
            "30",
            "--retries",
            "0",
            "--window",
            "1",
            "127.0.0.1",
            String(server.udpPort),
          ],
          input,
        );
        drops.push(result.stderr.replace(/127\.0\.0\.1:\d+/g, "ADDRESS"));
        assert.equal(result.code, EXIT_CODES.timeout);
      } finally {
        await server.stop();
      }
    }
    assert.ok(drops[0].length > 0);
    assert.equal(drops[0], drops[1]);
  });
});
