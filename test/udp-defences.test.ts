// The UDP server's defences on loopback: reflection sources get no reply, floods stay within bounds, no amplification.

import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { get } from "node:http";
import { describe, type TestContext, test } from "node:test";
import { UdpServer, uppercase } from "../src/index.js";
import {
  type MayusServer,
  PEERS,
  peerAvailable,
  run,
  runMayus,
  type Started,
  startMayusServer,
  startPythonServer,
  waitForOutput,
} from "./support/processes.js";
import { udpExchange } from "./support/sockets.js";

async function listening(server: UdpServer): Promise<number> {
  return (await server.listen()).port;
}

function bindSocket(address: string, port = 0): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ address, port }, () => resolve(socket));
  });
}

/** Sends from a socket bound to `port`, waits for a reply for `waitMs`. */
async function exchangeFrom(
  port: number,
  serverPort: number,
  payload: string,
  waitMs = 300,
): Promise<Buffer | undefined> {
  const socket = await bindSocket("127.0.0.1", port);
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), waitMs);
      socket.once("message", (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      socket.send(payload, serverPort, "127.0.0.1");
    });
  } finally {
    socket.close();
  }
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("reflection (CERT CA-1996-01)", () => {
  test("a datagram from source port 1000 gets no reply and is counted", async (t) => {
    if (process.getuid?.() !== 0) return t.skip("binding port 1000 needs root");
    const server = new UdpServer({ host: "127.0.0.1", port: 0 });
    const port = await listening(server);
    try {
      assert.equal(await exchangeFrom(1000, port, "echo loop?"), undefined);
      assert.equal(server.statistics().dropped["privileged-port"], 1);
      assert.equal(server.statistics().datagramsSent, 0);
    } finally {
      await server.close();
    }
  });

  test("no reply to port 2049 (NFS), nor to a port mayus itself listens on", async () => {
    const server = new UdpServer({ host: "127.0.0.1", port: 0 });
    const port = await listening(server);
    const sibling = await bindSocket("127.0.0.1");
    const siblingPort = sibling.address().port;
    sibling.close();
    server.addOwnPort(siblingPort); // as the TCP listener's port would be
    try {
      assert.equal(await exchangeFrom(2049, port, "nfs"), undefined);
      assert.equal(await exchangeFrom(siblingPort, port, "mayus to mayus"), undefined);
      const { dropped } = server.statistics();
      assert.equal(dropped["nfs-port"], 1);
      assert.equal(dropped["own-port"], 1);
      // An ordinary client still gets its answer.
      assert.equal((await udpExchange(port, Buffer.from("ok")))?.toString(), "OK");
    } finally {
      await server.close();
    }
  });
});

describe("rate limit per source", () => {
  test("a source over its datagrams/s gets no more replies, counted; others are still served", async () => {
    const server = new UdpServer({ host: "127.0.0.1", port: 0, rateLimit: { datagramsPerSecond: 10 } });
    const port = await listening(server);
    const flooder = await bindSocket("127.0.0.2");
    try {
      let replies = 0;
      flooder.on("message", () => replies++);
      for (let index = 0; index < 100; index++) flooder.send("flood", port, "127.0.0.1");
      await until(() => server.statistics().datagramsReceived === 100);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(replies >= 10 && replies <= 12, `${replies} replies`);
      assert.equal(server.statistics().dropped["rate-limited"], 100 - server.statistics().datagramsSent);
      assert.equal((await udpExchange(port, Buffer.from("me too")))?.toString(), "ME TOO");
    } finally {
      flooder.close();
      await server.close();
    }
  });

  test("100,000 datagrams from 2,000 source addresses leave the table within its bound", async () => {
    const maxSources = 500;
    const server = new UdpServer({ host: "127.0.0.1", port: 0, rateLimit: { maxSources, datagramsPerSecond: 5 } });
    const port = await listening(server);
    const bound = await Promise.allSettled(
      Array.from({ length: 2000 }, (_, index) => bindSocket(`127.1.${(index + 1) >> 8}.${(index + 1) & 0xff}`)),
    );
    const sockets = bound.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    try {
      assert.equal(sockets.length, 2000, "could not bind every source address");
      const payload = Buffer.from("spoofed?");
      let sent = 0;
      for (let round = 0; round < 50; round++) {
        for (const [index, socket] of sockets.entries()) {
          socket.send(payload, port, "127.0.0.1");
          sent++;
          // Pace the flood a little, so the kernel's receive buffer is not the only thing tested.
          if (index % 250 === 249) {
            const deadline = Date.now() + 100;
            while (server.statistics().datagramsReceived < sent - 500 && Date.now() < deadline) {
              await new Promise((resolve) => setImmediate(resolve));
            }
          }
        }
        assert.ok(server.statistics().rateLimitSources <= maxSources);
      }
      assert.equal(sent, 100_000);
      // Replies are counted when their send completes: wait until every datagram read is accounted for.
      // (A source socket may even get the server's port number on its own address: own-port.)
      const droppedInAll = () => Object.values(server.statistics().dropped).reduce((sum, count) => sum + count, 0);
      const accounted = () =>
        droppedInAll() + server.statistics().datagramsSent === server.statistics().datagramsReceived;
      await new Promise((resolve) => setTimeout(resolve, 200));
      await until(accounted, 10_000);
      const statistics = server.statistics();
      assert.ok(statistics.rateLimitSources <= maxSources, `${statistics.rateLimitSources} sources remembered`);
      assert.ok(statistics.datagramsReceived > 50_000, `only ${statistics.datagramsReceived} received`);
      assert.equal(droppedInAll() + statistics.datagramsSent, statistics.datagramsReceived);
      assert.equal((await udpExchange(port, Buffer.from("after the flood")))?.toString(), "AFTER THE FLOOD");
    } finally {
      for (const socket of sockets) socket.close();
      await server.close();
    }
  });
});

describe("amplification", () => {
  test("ΐ repeated gets a reply no larger than the request, the growing characters kept, counted", async () => {
    const server = new UdpServer({ host: "127.0.0.1", port: 0 });
    const port = await listening(server);
    try {
      const request = Buffer.from(`${"ΐ".repeat(100)} ŉ abc ß ñ`);
      const reply = await udpExchange(port, request);
      assert.ok(reply !== undefined);
      assert.ok(reply.length <= request.length, `${reply.length} > ${request.length}`);
      assert.equal(reply.toString(), `${"ΐ".repeat(100)} ŉ ABC SS Ñ`);
      assert.equal(server.statistics().growthLimited, 1);
    } finally {
      await server.close();
    }
  });

  test("--udp-max-growth 3 allows the full mapping; between, the full mapping only where it fits", async () => {
    const generous = new UdpServer({ host: "127.0.0.1", port: 0, maxGrowth: 3 });
    const middle = new UdpServer({ host: "127.0.0.1", port: 0, maxGrowth: 1.5 });
    const [generousPort, middlePort] = [await listening(generous), await listening(middle)];
    try {
      const request = Buffer.from("ΐΐ abc");
      assert.deepEqual(await udpExchange(generousPort, request), uppercase(request));
      assert.equal((await udpExchange(middlePort, request))?.toString(), "ΐΐ ABC"); // 18 bytes > 1.5 x 8
      const fits = Buffer.from("ΐ abcdefgh"); // 15 bytes full, 11 in: 1.36x
      assert.deepEqual(await udpExchange(middlePort, fits), uppercase(fits));
    } finally {
      await Promise.all([generous.close(), middle.close()]);
    }
  });
});

/** One mayus with its metrics endpoint, whose counters are the server's own view of what it sent. */
async function startMayusWithMetrics(): Promise<MayusServer & { metricsPort: number }> {
  const server = await startMayusServer(["--udp", "--metrics-port", "0", "--metrics-host", "127.0.0.1"]);
  const metricsPort = Number((await waitForOutput(server, /metrics on http port (\d+)/))[1]);
  return { ...server, metricsPort };
}

/** A counter of /metrics (summed over its labels, or the one with `label`), 0 when absent. */
async function counter(metricsPort: number, name: string, label = ""): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    get({ host: "127.0.0.1", port: metricsPort, path: "/metrics", agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve(body));
    }).on("error", reject);
  });
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name} `) || (line.startsWith(`${name}{`) && line.includes(label))) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}

/** The machine's UDP datagrams sent so far (/proc/net/snmp): other tests running at once add to it. */
function udpOutDatagrams(): number {
  const lines = readFileSync("/proc/net/snmp", "utf8")
    .split("\n")
    .filter((line) => line.startsWith("Udp: "));
  const [names, values] = lines.map((line) => line.split(/\s+/));
  return Number(values[names.indexOf("OutDatagrams")]);
}

/** One datagram to 127.0.0.1:targetPort that seems to come from 127.0.0.1:sourcePort (a raw socket, as root). */
async function spoof(sourcePort: number, targetPort: number, payload: string): Promise<void> {
  const sent = await run("python3", [
    `${PEERS}udp_spoof.py`,
    "--source-port",
    String(sourcePort),
    "--target-port",
    String(targetPort),
    "--payload",
    payload,
  ]);
  assert.equal(sent.code, 0, sent.stderr);
}

/** `mayus client --udp` with one line: its answer, as a user would see it. */
async function clientAnswer(port: number, line: string): Promise<string> {
  const result = await runMayus(["client", "--udp", "127.0.0.1", String(port)], `${line}\n`);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.toString();
}

function spoofingUnavailable(t: TestContext): boolean {
  if (process.getuid?.() !== 0) {
    t.skip("a raw socket to spoof a source needs root");
    return true;
  }
  if (!peerAvailable("python3")) {
    t.skip("python3 is not installed");
    return true;
  }
  return false;
}

/** Fewer datagrams than this in all, after one spoofed each way: the loop died within a handful of exchanges. */
const LOOP_DATAGRAMS_BOUND = 50;

describe("reflection loops between instances (CERT CA-1996-01, any ports)", () => {
  test("two mayus servers, one spoofed datagram each way: fewer than 50 datagrams, clients still answered", async (t) => {
    if (spoofingUnavailable(t)) return;
    const a = await startMayusWithMetrics();
    const b = await startMayusWithMetrics();
    try {
      const snmpBefore = udpOutDatagrams();
      await spoof(b.udpPort, a.udpPort, "loop from b to a");
      await spoof(a.udpPort, b.udpPort, "loop from a to b");
      // Each datagram circulating dies where one side takes the other for a loop: one drop each.
      const loopDrops = async () =>
        (await counter(a.metricsPort, "mayus_udp_datagrams_dropped_total", 'reason="reflection-loop"')) +
        (await counter(b.metricsPort, "mayus_udp_datagrams_dropped_total", 'reason="reflection-loop"'));
      const sentBy = (server: { metricsPort: number }) => counter(server.metricsPort, "mayus_udp_datagrams_sent_total");
      // Until both are dead, or so many went round that the assertion below fails.
      await untilAsync(
        async () => (await loopDrops()) >= 2 || (await sentBy(a)) + (await sentBy(b)) >= LOOP_DATAGRAMS_BOUND,
      );
      const sentByA = await sentBy(a);
      const sentByB = await sentBy(b);
      t.diagnostic(`sent by A ${sentByA}, by B ${sentByB}; machine-wide UDP out ${udpOutDatagrams() - snmpBefore}`);
      assert.ok(sentByA + sentByB < LOOP_DATAGRAMS_BOUND, `${sentByA} + ${sentByB} datagrams`);
      assert.equal(await clientAnswer(a.udpPort, "still served by a"), "STILL SERVED BY A\n");
      assert.equal(await clientAnswer(b.udpPort, "still served by b"), "STILL SERVED BY B\n");
      // Nothing more went round meanwhile.
      assert.equal(await counter(a.metricsPort, "mayus_udp_datagrams_sent_total"), sentByA + 1);
      assert.equal(await counter(b.metricsPort, "mayus_udp_datagrams_sent_total"), sentByB + 1);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  for (const peer of ["udp_server.py", "udp_echo.py"]) {
    const kind = peer === "udp_echo.py" ? "an RFC 862 echo (Python)" : "the lesson's Python server";
    test(`mayus and ${kind}, one spoofed datagram each way: fewer than 50 datagrams, clients still answered`, async (t) => {
      if (spoofingUnavailable(t)) return;
      const mayus = await startMayusWithMetrics();
      let python: (Started & { port: number }) | undefined;
      try {
        python = await startPythonServer(peer);
        await spoof(python.port, mayus.udpPort, "loop from python to mayus");
        await spoof(mayus.udpPort, python.port, "loop from mayus to python");
        const sent = () => counter(mayus.metricsPort, "mayus_udp_datagrams_sent_total");
        const loopDrops = () =>
          counter(mayus.metricsPort, "mayus_udp_datagrams_dropped_total", 'reason="reflection-loop"');
        await untilAsync(async () => (await loopDrops()) >= 2 || 2 * (await sent()) >= LOOP_DATAGRAMS_BOUND);
        const sentByMayus = await sent();
        // The peer answers each datagram it gets: mayus's, and the one spoofed to it.
        const inAll = 2 * sentByMayus + 1;
        t.diagnostic(`sent by mayus ${sentByMayus}, about ${inAll} in all`);
        assert.ok(inAll < LOOP_DATAGRAMS_BOUND, `${inAll} datagrams`);
        assert.equal(await clientAnswer(mayus.udpPort, "still served"), "STILL SERVED\n");
        const pythonAnswer = peer === "udp_echo.py" ? "python too\n" : "PYTHON TOO\n";
        assert.equal(await clientAnswer(python.port, "python too"), pythonAnswer);
        assert.equal(await counter(mayus.metricsPort, "mayus_udp_datagrams_sent_total"), sentByMayus + 1);
      } finally {
        await Promise.all([mayus.stop(), python?.stop()]);
      }
    });
  }
});

async function untilAsync(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the loop breaker leaves clients alone", () => {
  test("mayus bench --udp (ping-pong, 1, 10 and 64 bytes) and mayus ping: every answer, no source taken for a loop", async () => {
    const server = await startMayusServer([
      "--udp",
      "--udp-rate",
      "0",
      "--metrics-port",
      "0",
      "--metrics-host",
      "127.0.0.1",
    ]);
    try {
      const metricsPort = Number((await waitForOutput(server, /metrics on http port (\d+)/))[1]);
      // 10 bytes is the bench's sequence number alone: digits, which uppercase leaves as they are.
      for (const size of ["1", "10", "64"]) {
        const args = ["bench", "127.0.0.1", String(server.udpPort), "--udp", "--size", size, "--duration", "0.5"];
        const finished = await runMayus([...args, "--json"], "", { timeoutMs: 15_000 });
        assert.equal(finished.code, 0, finished.stderr);
        const result = JSON.parse(finished.stdout.toString()) as { messages: number; errors: { total: number } };
        assert.equal(result.errors.total, 0, `size ${size}`);
        assert.ok(result.messages > 100, `size ${size}: ${result.messages} messages`);
      }
      const ping = await runMayus(["ping", "--count", "20", "--interval", "0.01", "127.0.0.1", String(server.udpPort)]);
      assert.equal(ping.code, 0, ping.stderr);
      assert.match(ping.stdout.toString(), / 0(\.0+)?% (packet )?loss/);
      assert.equal(await counter(metricsPort, "mayus_udp_datagrams_dropped_total", 'reason="reflection-loop"'), 0);
    } finally {
      await server.stop();
    }
  });

  test("a piped client sending the same upper-case line 20 times gets all 20 answers", async () => {
    const server = await startMayusServer(["--udp"]);
    try {
      const result = await runMayus(["client", "--udp", "127.0.0.1", String(server.udpPort)], "SAME LINE\n".repeat(20));
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.toString(), "SAME LINE\n".repeat(20));
    } finally {
      await server.stop();
    }
  });
});
