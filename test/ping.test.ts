// `mayus ping` as a user runs it, against the lab's Python pinger server and `mayus serve`, and
// the Pinger class against a hand-made server that duplicates, delays, reorders and garbles echoes.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createSocket, type Socket as DatagramSocket } from "node:dgram";
import { after, before, describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import { formatLossPercent } from "../src/ping/ping-statistics.js";
import { Pinger, type PingResult } from "../src/ping/pinger.js";
import {
  MAYUS,
  type MayusServer,
  peerAvailable,
  runMayus,
  start,
  startMayusServer,
  startPythonServer,
  waitForOutput,
} from "./support/processes.js";

const FAST = ["--count", "20", "--interval", "0.05", "--timeout", "0.2"];

interface PingOutput {
  header: string;
  /** Sequence numbers of the reply lines and of the timeout lines, in the order printed. */
  replies: number[];
  timeouts: number[];
  /** Every per-ping line's sequence number, in the order printed. */
  order: number[];
  times: number[];
  transmitted: number;
  received: number;
  loss: string;
  rtt?: { min: number; avg: number; max: number; mdev: number };
}

/** Reads what `mayus ping` printed in English, checking its shape line by line. */
function parsePing(stdout: string): PingOutput {
  const lines = stdout.split("\n");
  assert.equal(lines.pop(), "", "output ends with a newline");
  const header = lines.shift() ?? "";
  assert.match(header, /^PING \S+(?: \(\S+\))?: \d+ pings?$/);
  const output: PingOutput = {
    header,
    replies: [],
    timeouts: [],
    order: [],
    times: [],
    transmitted: -1,
    received: -1,
    loss: "",
  };
  let line = lines.shift();
  for (; line !== undefined && line !== ""; line = lines.shift()) {
    const reply = /^Reply from \S+: seq=(\d+) time=(\d+(?:\.\d+)?) ms$/.exec(line);
    const timeout = /^Request timed out: seq=(\d+)$/.exec(line);
    assert.ok(reply || timeout, `unexpected line: ${JSON.stringify(line)}`);
    if (reply) {
      output.replies.push(Number(reply[1]));
      output.times.push(Number(reply[2]));
    }
    if (timeout) output.timeouts.push(Number(timeout[1]));
    output.order.push(Number((reply ?? timeout)?.[1]));
  }
  assert.equal(line, "", "a blank line before the statistics");
  assert.match(lines.shift() ?? "", /^--- \S+ ping statistics ---$/);
  const packets = /^(\d+) packets transmitted, (\d+) received(?:, \+\d+ \w+)*, (\d+(?:\.\d+)?)% packet loss$/.exec(
    lines.shift() ?? "",
  );
  assert.ok(packets, `packets line in ${stdout}`);
  output.transmitted = Number(packets[1]);
  output.received = Number(packets[2]);
  output.loss = packets[3];
  const rttLine = lines.shift();
  if (rttLine !== undefined) {
    const rtt = /^rtt min\/avg\/max\/mdev = (\d+\.\d{3})\/(\d+\.\d{3})\/(\d+\.\d{3})\/(\d+\.\d{3}) ms$/.exec(rttLine);
    assert.ok(rtt, `rtt line: ${rttLine}`);
    output.rtt = { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]), mdev: Number(rtt[4]) };
  }
  assert.deepEqual(lines, [], "nothing after the statistics");
  return output;
}

/** The summary agrees with the lines: counts, loss %, and an rtt line exactly when something came back. */
function assertSummaryMatchesLines(output: PingOutput): void {
  assert.equal(output.transmitted, output.order.length);
  assert.equal(output.received, output.replies.length);
  const lost = output.timeouts.length;
  assert.equal(output.loss, formatLossPercent((lost * 100) / output.transmitted));
  assert.equal(output.rtt !== undefined, output.received > 0);
  if (output.rtt) {
    assert.ok(output.rtt.min <= output.rtt.avg && output.rtt.avg <= output.rtt.max, JSON.stringify(output.rtt));
    // The printed times are rounded the way ping rounds them; the extremes agree to the rounding.
    assert.ok(Math.abs(Math.min(...output.times) - output.rtt.min) < 0.0051);
    assert.ok(Math.abs(Math.max(...output.times) - output.rtt.max) < 0.51);
  }
}

function oneToN(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}

/** One line on stderr, starting with "mayus: ", and no stack trace. */
function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line, got: ${stderr}`);
  assert.match(lines[0], /^mayus: /);
  assert.match(lines[0], pattern);
}

/** A UDP socket bound on loopback; `onMessage` decides what (if anything) to answer. */
async function udpPeer(onMessage: (message: Buffer, reply: (text: string) => void) => void): Promise<DatagramSocket> {
  const socket = createSocket("udp4");
  socket.on("message", (message, from) => {
    onMessage(message, (text) => socket.send(text, from.port, from.address));
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return socket;
}

/** A UDP port nothing listens on: bind one, note it, close it. */
async function closedUdpPort(): Promise<number> {
  const probe = await udpPeer(() => {});
  const { port } = probe.address();
  await new Promise<void>((resolve) => probe.close(resolve));
  return port;
}

describe("mayus ping against the lab's Python pinger server (drops when randint(0, 10) < 4)", () => {
  const seed = 11;
  let server: Awaited<ReturnType<typeof startPythonServer>> | undefined;
  const skip = !peerAvailable("python3");
  before(async () => {
    if (!skip) server = await startPythonServer("udp_pinger_server.py", ["--seed", String(seed)]);
  });
  after(async () => {
    await server?.stop();
  });

  test("20 lines in order and a summary whose received count and loss % match them", { skip }, async () => {
    assert.ok(server);
    const result = await runMayus(["ping", ...FAST, "127.0.0.1", String(server.port)]);
    const output = parsePing(result.stdout.toString());
    assert.equal(output.header, `PING 127.0.0.1:${server.port}: 20 pings`);
    assert.deepEqual(output.order, oneToN(20));
    assertSummaryMatchesLines(output);
    // The server draws one number per datagram: the pings it dropped are exactly known, and
    // each of them must be a timeout (a reply for one would be another ping's echo taken for it).
    const dropped = JSON.parse(
      execFileSync("python3", [
        "-c",
        `import random; random.seed(${seed}); print([i + 1 for i in range(20) if random.randint(0, 10) < 4])`,
      ]).toString(),
    ) as number[];
    assert.ok(dropped.length > 0 && dropped.length < 20, `seed ${seed} should drop some, not all: ${dropped}`);
    for (const sequence of dropped) assert.ok(output.timeouts.includes(sequence), `seq=${sequence} was dropped`);
    assert.equal(result.code, EXIT_CODES.ok, result.stderr);
    assert.equal(result.stderr, "");
  });
});

describe("mayus ping against mayus serve --udp", () => {
  let server: MayusServer;
  before(async () => {
    server = await startMayusServer(["--udp"]);
  });
  after(async () => {
    await server.stop();
  });

  test("all 20 are answered; the rtt line parses with min <= avg <= max", async () => {
    const result = await runMayus(["ping", ...FAST, "127.0.0.1", String(server.udpPort)]);
    assert.equal(result.code, EXIT_CODES.ok, result.stderr);
    const output = parsePing(result.stdout.toString());
    assert.deepEqual(output.replies, oneToN(20));
    assert.deepEqual(output.timeouts, []);
    assert.equal(output.transmitted, 20);
    assert.equal(output.received, 20);
    assert.equal(output.loss, "0");
    assertSummaryMatchesLines(output);
    assert.ok(output.rtt && output.rtt.mdev <= (output.rtt.max - output.rtt.min) / 2 + 0.001);
  });

  test("a host name is shown with its address, and the flags can come from the environment", async () => {
    const result = await runMayus(["ping", "localhost", String(server.udpPort)], "", {
      env: { MAYUS_PING_COUNT: "3", MAYUS_PING_INTERVAL: "0.05", MAYUS_PING_TIMEOUT: "0.5" },
    });
    assert.equal(result.code, EXIT_CODES.ok, result.stderr);
    const output = parsePing(result.stdout.toString());
    assert.match(output.header, new RegExp(`^PING localhost:${server.udpPort} \\(\\S+:${server.udpPort}\\): 3 pings$`));
    assert.deepEqual(output.replies, [1, 2, 3]);
    assert.match(result.stdout.toString(), new RegExp(`^--- localhost:${server.udpPort} ping statistics ---$`, "m"));
  });

  test("Spanish under LANG=es_ES.UTF-8", async () => {
    const args = [
      "ping",
      "--count",
      "2",
      "--interval",
      "0.05",
      "--timeout",
      "0.5",
      "127.0.0.1",
      String(server.udpPort),
    ];
    const result = await runMayus(args, "", { env: { LANG: "es_ES.UTF-8" } });
    assert.equal(result.code, EXIT_CODES.ok, result.stderr);
    const lines = result.stdout.toString().split("\n");
    const address = `127.0.0.1:${server.udpPort}`;
    assert.equal(lines[0], `PING ${address}: 2 pings`);
    // Decimals with a comma, as bench and heartbeat write them in Spanish.
    assert.match(lines[1], new RegExp(`^Respuesta de ${address}: seq=1 tiempo=\\d+(?:,\\d+)? ms$`));
    assert.match(lines[2], /^Respuesta de \S+: seq=2 tiempo=/);
    assert.equal(lines[3], "");
    assert.equal(lines[4], `--- estadísticas de ping de ${address} ---`);
    assert.equal(lines[5], "2 paquetes transmitidos, 2 recibidos, 0% de paquetes perdidos");
    assert.match(lines[6], /^rtt mín\/media\/máx\/desv = \d+,\d{3}\/\d+,\d{3}\/\d+,\d{3}\/\d+,\d{3} ms$/);
    // --lang es under an English locale: the same comma.
    const chosen = await runMayus([...args, "--lang", "es"], "", { env: { LANG: "C" } });
    assert.equal(chosen.code, EXIT_CODES.ok, chosen.stderr);
    assert.match(
      chosen.stdout.toString(),
      /^rtt mín\/media\/máx\/desv = \d+,\d{3}\/\d+,\d{3}\/\d+,\d{3}\/\d+,\d{3} ms$/m,
    );
    assert.match(chosen.stdout.toString(), /: seq=1 tiempo=\d+(?:,\d+)? ms$/m);
    const help = await runMayus(["ping", "--help"], "", { env: { LANG: "es_ES.UTF-8" } });
    assert.match(help.stdout.toString(), /segundos de un ping al siguiente/);
  });

  test("Ctrl-C ends the run early with the statistics so far, as ping does", async () => {
    const args = ["ping", "--count", "1000", "--interval", "0.05", "127.0.0.1", String(server.udpPort)];
    const pinging = start(process.execPath, [MAYUS, ...args]);
    await waitForOutput(pinging, /seq=5 /);
    pinging.child.kill("SIGINT");
    const finished = await pinging.exited;
    assert.equal(finished.code, EXIT_CODES.ok, finished.stderr);
    const output = parsePing(finished.stdout.toString());
    assert.ok(output.replies.length >= 5 && output.replies.length < 1000);
    assert.equal(output.received, output.replies.length);
    // A ping still in flight when the signal came counts as transmitted, with no line (as in ping).
    assert.ok(
      output.transmitted - output.order.length <= 1,
      `${output.transmitted} sent, ${output.order.length} lines`,
    );
  });
});

describe("mayus ping against mayus serve --udp --drop 0.5 --seed 3 (the simulated network)", () => {
  test("20 lines and a summary whose loss % matches them", async () => {
    const server = await startMayusServer(["--udp", "--drop", "0.5", "--seed", "3"]);
    try {
      const result = await runMayus(["ping", ...FAST, "127.0.0.1", String(server.udpPort)]);
      const output = parsePing(result.stdout.toString());
      assert.deepEqual(output.order, oneToN(20));
      assertSummaryMatchesLines(output);
      assert.ok(output.timeouts.length > 0, "half the datagrams are dropped: some pings must time out");
      assert.equal(result.code, output.received > 0 ? EXIT_CODES.ok : EXIT_CODES.timeout, result.stderr);
    } finally {
      await server.stop();
    }
  });
});

describe("mayus ping errors: one line, a distinct exit code", () => {
  test("nothing listens on the port: exit 3, connection refused", async () => {
    const port = await closedUdpPort();
    const result = await runMayus(["ping", ...FAST, "127.0.0.1", String(port)], "", { timeoutMs: 10_000 });
    assert.equal(result.code, EXIT_CODES["connection-refused"]);
    assertOneLineError(
      result.stderr,
      new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}: is the server running\\?`),
    );
  });

  test("a server that never answers: every ping times out, 100% loss, no rtt line, exit 5", async () => {
    const silent = await udpPeer(() => {});
    try {
      const { port } = silent.address();
      const args = ["ping", "--count", "3", "--interval", "0.05", "--timeout", "0.1", "127.0.0.1", String(port)];
      const result = await runMayus(args);
      assert.equal(result.code, EXIT_CODES.timeout);
      const output = parsePing(result.stdout.toString());
      assert.deepEqual(output.timeouts, [1, 2, 3]);
      assert.equal(output.loss, "100");
      assert.equal(output.rtt, undefined);
      assertOneLineError(result.stderr, /no reply from 127\.0\.0\.1:\d+ to any of 3 pings/);
    } finally {
      silent.close();
    }
  });

  test("bad flag values are usage errors: exit 2", async () => {
    for (const args of [
      ["--count", "0"],
      ["--count", "2.5"],
      ["--interval", "abc"],
      ["--interval", "0"],
      ["--timeout", "-1"],
      ["--timeout", "1e3"],
    ]) {
      const result = await runMayus(["ping", ...args, "127.0.0.1", "9"]);
      assert.equal(result.code, EXIT_CODES.usage, `${args.join(" ")}: ${result.stderr}`);
      assertOneLineError(result.stderr, /./);
    }
  });
});

describe("Pinger (library): matching echoes to pings", () => {
  test("duplicates, late, reordered, garbled and lowercase echoes", async () => {
    const held: Array<() => void> = [];
    const peer = await udpPeer((message, reply) => {
      const text = message.toString();
      const [, sequenceText, time] = text.split(" ");
      const sequence = Number(sequenceText);
      if (sequence === 1) {
        reply(text.toUpperCase());
        reply(text.toUpperCase()); // duplicate
      } else if (sequence === 2) {
        setTimeout(() => reply(text.toUpperCase()), 300); // late: after its 150 ms timeout
      } else if (sequence === 3) {
        reply(`PING 3 ${Number(time) - 1}`); // the right sequence with another time: not this ping's echo
        reply("hello"); // not an echo at all
      } else if (sequence === 4) {
        reply(text); // an echo that kept its case still matches
      } else if (sequence === 5) {
        held.push(() => reply(text.toUpperCase())); // answered only after 6
      } else if (sequence === 6) {
        reply(text.toUpperCase());
        for (const release of held.splice(0)) release();
      }
    });
    try {
      const pinger = new Pinger({
        host: "127.0.0.1",
        port: peer.address().port,
        count: 6,
        intervalMs: 20,
        timeoutMs: 150,
      });
      const seen: PingResult[] = [];
      pinger.on("result", (result) => seen.push(result));
      const started = Date.now();
      const summary = await pinger.run();
      assert.ok(Date.now() - started < 2000);
      assert.deepEqual(
        seen.map((result) => `${result.sequence}:${result.status}`),
        ["1:reply", "2:timeout", "3:timeout", "4:reply", "5:reply", "6:reply"],
      );
      assert.deepEqual(summary.results, seen);
      assert.equal(summary.transmitted, 6);
      assert.equal(summary.received, 4);
      assert.equal(summary.duplicates, 1);
      assert.equal(summary.stray, 2);
      assert.equal(summary.stopped, false);
      assert.ok(summary.rtt && summary.rtt.minMs > 0);
      // The late echo of ping 2 arrives after run() resolved and the socket closed: nothing breaks.
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      peer.close();
    }
  });

  test("a late echo before the run ends is counted as late, not as a reply", async () => {
    const peer = await udpPeer((message, reply) => {
      const text = message.toString().toUpperCase();
      if (text.startsWith("PING 1 ")) setTimeout(() => reply(text), 80);
      else reply(text);
    });
    try {
      const pinger = new Pinger({
        host: "127.0.0.1",
        port: peer.address().port,
        count: 3,
        intervalMs: 100,
        timeoutMs: 50,
      });
      const summary = await pinger.run();
      assert.deepEqual(
        summary.results.map((result) => result.status),
        ["timeout", "reply", "reply"],
      );
      assert.equal(summary.late, 1);
      assert.equal(summary.received, 2);
      assert.equal(summary.lossPercent, 100 / 3);
    } finally {
      peer.close();
    }
  });

  test("connection refused rejects run() with a MayusError of that kind", async () => {
    const pinger = new Pinger({ host: "127.0.0.1", port: await closedUdpPort(), count: 5, intervalMs: 20 });
    await assert.rejects(pinger.run(), { name: "MayusError", kind: "connection-refused" });
  });

  test("bad options are refused when the Pinger is made", () => {
    assert.throws(() => new Pinger({ host: "localhost", port: 12000, count: 0 }), RangeError);
    assert.throws(() => new Pinger({ host: "localhost", port: 12000, timeoutMs: 0 }), RangeError);
    assert.throws(() => new Pinger({ host: "localhost", port: 70_000 }), RangeError);
  });
});
