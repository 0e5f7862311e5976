// UDP made survivable: the client against a lossy, duplicating, reordering server gets every answer, in order.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import { NetworkSimulator } from "../src/udp/network-simulator.js";
import {
  type MayusServer,
  peerAvailable,
  runMayus,
  startMayusServer,
  startPythonServer,
  waitForStderr,
} from "./support/processes.js";

const hasPython = peerAvailable("python3");

describe("mayus client --udp over a simulated unreliable network, at the client's defaults", () => {
  test("300 numbered lines through --drop 0.3 --duplicate 0.2 --delay 5±5 --seed 7 come back exactly, in order", async () => {
    const server = await startMayusServer([
      "--udp",
      ...["--drop", "0.3", "--duplicate", "0.2", "--delay", "5±5", "--seed", "7", "--trace"],
    ]);
    try {
      // Distinct lines: a late or duplicated reply shown as another line's answer would show.
      const lines = Array.from({ length: 300 }, (_, index) => `línea ${index} ñandú ${"x".repeat(index % 17)}`);
      const input = `${lines.join("\n")}\n`;
      const result = await runMayus(["client", "--udp", "127.0.0.1", String(server.udpPort)], input, {
        timeoutMs: 60_000,
      });
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

  test("1,000 lines through --drop 0.5 come back exactly, in order, exit 0", async () => {
    const server = await startMayusServer(["--udp", "--drop", "0.5", "--seed", "15"]);
    try {
      const input = `${Array.from({ length: 1000 }, (_, index) => `half lost ${index}`).join("\n")}\n`;
      const result = await runMayus(["client", "--udp", "127.0.0.1", String(server.udpPort)], input, {
        timeoutMs: 90_000,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.toString(), input.toUpperCase());
    } finally {
      await server.stop();
    }
  });

  test("with --drop 1 every line fails at its --deadline with a clear error naming it, exit 5", async () => {
    const server = await startMayusServer(["--udp", "--drop", "1"]);
    try {
      const lines = Array.from({ length: 20 }, (_, index) => `lost ${index}`);
      const args = ["client", "--udp", "--timeout", "50", "--deadline", "400", "127.0.0.1", String(server.udpPort)];
      const result = await runMayus(args, `${lines.join("\n")}\n`);
      assert.equal(result.code, EXIT_CODES.timeout);
      assert.equal(result.stdout.length, 0);
      const errors = result.stderr.trimEnd().split("\n");
      assert.equal(errors.length, 20);
      errors.forEach((line, index) => {
        const match = line.match(
          new RegExp(
            `^mayus: line ${index + 1} failed: no reply from 127\\.0\\.0\\.1:\\d+ in (\\d+) ms \\(tries: (\\d+)\\): is the server up\\? --deadline gives a line longer$`,
          ),
        );
        assert.ok(match, line);
        assert.ok(Number(match[1]) >= 400, `a line gave up before its deadline: ${line}`);
        // The first lines wait 50, 100, 200 ms, then to the deadline: 4 tries. Lines sent after
        // them start on the backed-off RTO (Karn), so fewer (a stalled machine too): never flooded.
        const tries = Number(match[2]);
        assert.ok(tries >= (index === 0 ? 2 : 1) && tries <= 4, line);
      });
    } finally {
      await server.stop();
    }
  });

  test("--retries caps the tries as well: --retries 2 fails each line after 3 tries, before its deadline", async () => {
    const server = await startMayusServer(["--udp", "--drop", "1"]);
    try {
      const args = ["client", "--udp", "--timeout", "20", "--retries", "2", "127.0.0.1", String(server.udpPort)];
      const result = await runMayus(args, "uno\ndos\n");
      assert.equal(result.code, EXIT_CODES.timeout);
      const errors = result.stderr.trimEnd().split("\n");
      assert.equal(errors.length, 2, result.stderr);
      errors.forEach((line, index) => {
        const pattern = `^mayus: line ${index + 1} failed: no reply from \\S+ in \\d+ ms \\(tries: 3, all that --retries allows\\)$`;
        assert.match(line, new RegExp(pattern));
      });
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
      // A floor far above the loopback round trip, so a slow reply on a busy machine (a cold
      // first datagram under a full test run) is not a loss; all 30 lines in flight at once, in
      // order, so the run waits out one timeout, not one per lost line.
      [
        ...["client", "--udp", "--timeout", "2s", "--min-rto", "2s", "--retries", "0", "--window", "30"],
        ...["127.0.0.1", String(server.udpPort)],
      ],
      input,
    );
    assert.equal(result.code, EXIT_CODES.timeout, result.stderr);
    return result.stderr.replace(/127\.0\.0\.1:\d+/g, "ADDRESS").replace(/ in \d+ ms/g, "");
  } finally {
    await server.stop();
  }
}

describe("mayus client --udp against a server that is not there or not answering", () => {
  test("a bound UDP socket that never answers: each line fails at its deadline, after several tries, exit 5", async () => {
    const silent = createSocket("udp4");
    const received: string[] = [];
    silent.on("message", (datagram) => received.push(datagram.toString()));
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    try {
      const args = ["client", "--udp", "--deadline", "1500", "127.0.0.1", String(silent.address().port)];
      const result = await runMayus(args, "uno\ndos\n");
      assert.equal(result.code, EXIT_CODES.timeout, result.stderr);
      assert.equal(result.stdout.length, 0);
      const errors = result.stderr.trimEnd().split("\n");
      assert.equal(errors.length, 2, result.stderr);
      errors.forEach((line, index) => {
        const match = line.match(
          /^mayus: line (\d) failed: no reply from 127\.0\.0\.1:\d+ in (\d+) ms \(tries: (\d+)\)/,
        );
        assert.ok(match, line);
        assert.equal(Number(match[1]), index + 1);
        assert.ok(Number(match[2]) >= 1500, line);
        // The lesson's 1 s, then the deadline: a second try was sent, and no flood.
        assert.equal(Number(match[3]), 2, line);
      });
      assert.deepEqual(received.sort(), ["dos", "dos", "uno", "uno"]);
    } finally {
      silent.close();
    }
  });

  test("a closed port: connection refused at once, exit 3", async () => {
    const probe = createSocket("udp4");
    await new Promise<void>((resolve) => probe.bind(0, "127.0.0.1", resolve));
    const port = probe.address().port;
    probe.close();
    const result = await runMayus(["client", "--udp", "127.0.0.1", String(port)], "uno\ndos\n");
    assert.equal(result.code, EXIT_CODES["connection-refused"], result.stderr);
    assert.match(result.stderr, /^mayus: connection refused by 127\.0\.0\.1:\d+: is the server running\?\n$/);
  });

  test("--min-rto above --max-rto is a usage error", async () => {
    const result = await runMayus(["client", "--udp", "--min-rto", "500", "--max-rto", "100", "127.0.0.1", "9"], "");
    assert.equal(result.code, EXIT_CODES.usage);
    assert.match(result.stderr, /--min-rto \(500\) is above --max-rto \(100\)/);
  });
});

describe("mayus client --udp against the Python lesson UDP server", { skip: !hasPython }, () => {
  test("dropping every 3rd datagram: at the defaults every one of 200 lines is answered, in order", async () => {
    const server = await startPythonServer("udp_server.py", ["--drop-every", "3"]);
    try {
      const input = `${Array.from({ length: 200 }, (_, index) => `cada tercero ${index}`).join("\n")}\n`;
      const result = await runMayus(["client", "--udp", "127.0.0.1", String(server.port)], input, {
        timeoutMs: 60_000,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.toString(), input.toUpperCase());
    } finally {
      await server.stop();
    }
  });

  test("while one line is retried to its deadline the rest keep moving, up to --hold-bytes read ahead", async () => {
    // The server never answers "stuck": line 1 is retried until its deadline. Meanwhile the
    // window keeps sending the lines after it, and their replies wait to be printed after it,
    // until the bytes read and not printed would pass --hold-bytes.
    const server = await startPythonServer("udp_server.py", ["--ignore", "stuck"]);
    try {
      const lines = Array.from({ length: 300 }, (_, index) => `line ${String(index).padStart(5, "0")}`);
      const input = `stuck\n${lines.join("\n")}\n`;
      const args = ["client", "--udp", "--trace", "--deadline", "1500", "--hold-bytes", "1000", "--window", "4"];
      const result = await runMayus([...args, "127.0.0.1", String(server.port)], input, { timeoutMs: 60_000 });
      assert.equal(result.code, EXIT_CODES.timeout, result.stderr);
      assert.equal(result.stdout.toString(), `${lines.join("\n")}\n`.toUpperCase());
      const stderr = result.stderr;
      const failure = stderr.indexOf("mayus: line 1 failed");
      assert.ok(failure > 0, stderr);
      const sentBefore = new Set(stderr.slice(0, failure).match(/send .*"line \d+"/g));
      // 1,000 bytes hold "stuck" (5) and 99 lines of 10 bytes: the rest waited for line 1.
      assert.equal(sentBefore.size, 99, [...sentBefore].join("\n"));
    } finally {
      await server.stop();
    }
  });
});
