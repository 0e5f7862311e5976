// UDP made survivable: the client against a lossy, duplicating, reordering server gets every answer, in order.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import { NetworkSimulator } from "../src/udp/network-simulator.js";
import { type MayusServer, runMayus, startMayusServer, waitForStderr } from "./support/processes.js";

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
    const first = await linesLost(await startMayusServer(["--udp", "--drop", "0.5", "--seed", "42"]));
    const second = await linesLost(await startMayusServer(["--udp", "--drop", "0.5", "--seed", "42"]));
    assert.ok(first.length > 0);
    assert.equal(first, second);
  });

  test("with --workers 2 and no --seed, the primary draws the seed, prints it once, and the workers use it", async () => {
    // Which worker gets a datagram is the kernel's choice, but every worker starts from the
    // printed seed, so the first datagram's fate (lost, answered once or twice) is the seed's
    // first decision. A worker on a seed of its own would match by chance (3 in 8): two servers.
    for (let server = 0; server < 2; server++) {
      const clustered = await startMayusServer(["--udp", "--drop", "0.5", "--duplicate", "0.5", "--workers", "2"]);
      try {
        const seedLine = await waitForStderr(clustered, /simulated network: seed (\d+) \(pass --seed \1 to repeat/);
        const expected = new NetworkSimulator({
          dropProbability: 0.5,
          duplicateProbability: 0.5,
          seed: Number(seedLine[1]),
        }).decide();
        const client = createSocket("udp4");
        const replies: Buffer[] = [];
        client.on("message", (reply) => replies.push(reply));
        client.send("primero", clustered.udpPort, "127.0.0.1");
        await new Promise((resolve) => setTimeout(resolve, 500));
        client.close();
        assert.equal(replies.length, expected.delaysMs.length, `seed ${seedLine[1]}`);
        assert.equal(clustered.stderr().match(/simulated network: seed/g)?.length, 1, clustered.stderr());
      } finally {
        await clustered.stop();
      }
    }
  });
});

/** Which of 30 lines a server lost (one try each), as the client reports them; stops the server. */
async function linesLost(server: MayusServer): Promise<string> {
  try {
    const input = `${Array.from({ length: 30 }, (_, index) => `seq ${index}`).join("\n")}\n`;
    const result = await runMayus(
      ["client", "--udp", "--timeout", "30", "--retries", "0", "--window", "1", "127.0.0.1", String(server.udpPort)],
      input,
    );
    assert.equal(result.code, EXIT_CODES.timeout, result.stderr);
    return result.stderr.replace(/127\.0\.0\.1:\d+/g, "ADDRESS");
  } finally {
    await server.stop();
  }
}
