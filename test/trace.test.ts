// `mayus serve --trace`: one line per socket step, in the lesson's words and in order, with the
// payload escaped; the words around the steps follow the language, the step names do not.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { es } from "../src/i18n/messages/index.js";
import { type MayusServer, runMayus, startMayusServer } from "./support/processes.js";
import { tcpExchange } from "./support/sockets.js";

interface TraceLine {
  protocol: "tcp" | "udp";
  step: string;
  /** The rest of the line after the step name: peer, bytes, payload, note. */
  rest: string;
  line: string;
}

/** The trace lines in a server's stderr: `+0.004s tcp accept   127.0.0.1:51234 (...)`. */
function traceLines(stderr: string): TraceLine[] {
  const lines: TraceLine[] = [];
  for (const line of stderr.split("\n")) {
    const match = line.match(/^\+\d+\.\d{3}s (tcp|udp) (\S+) *(.*)$/);
    if (match) lines.push({ protocol: match[1] as "tcp" | "udp", step: match[2], rest: match[3], line });
  }
  return lines;
}

/** Waits until the server has traced `count` lines (the trace is written as the steps happen). */
async function untilTraced(server: MayusServer, count: number, timeoutMs = 10_000): Promise<TraceLine[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = traceLines(server.stderr());
    if (lines.length >= count || Date.now() > deadline) return lines;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const steps = (lines: readonly TraceLine[]) => lines.map(({ protocol, step }) => `${protocol} ${step}`);

const AT_START = ["tcp socket", "tcp bind", "tcp listen", "udp socket", "udp bind"];
// After the client's FIN, with every answer sent, close() alone sends the server's FIN: no shutdown.
const TCP_CLIENT = ["tcp accept", "tcp recv", "tcp send", "tcp recv", "tcp close"];
const UDP_CLIENT = ["udp recvfrom", "udp sendto"];

describe("mayus serve --trace", () => {
  let server: MayusServer;
  before(async () => {
    server = await startMayusServer(["--trace"]);
  });
  after(async () => {
    await server.stop();
  });

  test("socket, bind, listen at start; then a TCP client, then a UDP client, each step in order", async () => {
    assert.deepEqual(steps(await untilTraced(server, AT_START.length)), AT_START, server.stderr());
    const listening = `127.0.0.1:${server.tcpPort}`;
    for (const line of traceLines(server.stderr()).slice(0, 3)) assert.equal(line.rest, listening, line.line);

    const tcp = await runMayus(["client", "127.0.0.1", String(server.tcpPort)], "hola\n", { timeoutMs: 10_000 });
    assert.equal(tcp.code, 0, tcp.stderr);
    assert.equal(tcp.stdout.toString(), "HOLA\n");
    const afterTcp = await untilTraced(server, AT_START.length + TCP_CLIENT.length);
    assert.deepEqual(steps(afterTcp), [...AT_START, ...TCP_CLIENT], server.stderr());

    const udp = await runMayus(["client", "--udp", "127.0.0.1", String(server.udpPort)], "hola\n", {
      timeoutMs: 10_000,
    });
    assert.equal(udp.code, 0, udp.stderr);
    assert.equal(udp.stdout.toString(), "HOLA\n");
    const all = await untilTraced(server, AT_START.length + TCP_CLIENT.length + UDP_CLIENT.length);
    assert.deepEqual(steps(all), [...AT_START, ...TCP_CLIENT, ...UDP_CLIENT], server.stderr());

    // The TCP client's connection: one peer for all its steps, the payload escaped ("hola\n" as "hola\\n").
    const [accept, recv, send, finished, close] = all.slice(AT_START.length, AT_START.length + 5);
    const peer = accept.rest.split(" ")[0];
    assert.match(peer, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(peer, listening, "accept shows the new socket's peer, not the listening address");
    assert.equal(accept.rest, `${peer} (new socket for this client)`);
    assert.equal(recv.rest, `${peer} 5 bytes "hola\\n"`);
    assert.equal(send.rest, `${peer} 5 bytes "HOLA\\n"`);
    assert.equal(finished.rest, `${peer} 0 bytes (the client finished sending)`);
    assert.equal(close.rest, `${peer} (our FIN goes with it)`);

    // The UDP client: the datagram without its newline (the client sends one line per datagram), from and to one address.
    const [recvfrom, sendto] = all.slice(AT_START.length + 5);
    const sender = recvfrom.rest.split(" ")[0];
    assert.match(sender, /^127\.0\.0\.1:\d+$/);
    assert.equal(recvfrom.rest, `${sender} 4 bytes "hola"`);
    assert.equal(sendto.rest, `${sender} 4 bytes "HOLA"`);
  });
});

describe("mayus serve --trace with LANG=es_ES.UTF-8", () => {
  test("the words around the steps are Spanish; the step names stay the lesson's", async () => {
    const server = await startMayusServer(["--trace", "--tcp"], { LANG: "es_ES.UTF-8" });
    try {
      const tcp = await runMayus(["client", "127.0.0.1", String(server.tcpPort)], "señal\n", {
        env: { LANG: "es_ES.UTF-8" },
        timeoutMs: 10_000,
      });
      assert.equal(tcp.stdout.toString(), "SEÑAL\n", tcp.stderr);
      const lines = await untilTraced(server, 3 + TCP_CLIENT.length);
      assert.deepEqual(steps(lines), ["tcp socket", "tcp bind", "tcp listen", ...TCP_CLIENT], server.stderr());
      const [accept, recv, send, finished] = lines.slice(3);
      assert.ok(accept.rest.endsWith(`(${es["trace.newSocket"]})`), accept.line);
      assert.ok(accept.line.includes("(socket nuevo para este cliente)"), accept.line);
      assert.ok(recv.rest.endsWith('7 bytes "señal\\n"'), recv.line); // printable characters as they are
      assert.ok(send.rest.endsWith('7 bytes "SEÑAL\\n"'), send.line);
      assert.ok(finished.rest.endsWith(`0 bytes (${es["trace.clientFinished"]})`), finished.line);
      assert.doesNotMatch(server.stderr(), /new socket for this client|the client finished sending/);
    } finally {
      await server.stop();
    }
  });
});

describe("mayus serve --workers 2 --trace", () => {
  test("the primary, which accepts, traces the TCP socket, bind and listen once; workers the clients", async () => {
    const server = await startMayusServer(["--workers", "2", "--trace", "--tcp"]);
    try {
      for (let client = 0; client < 2; client++) {
        const tcp = await runMayus(["client", "127.0.0.1", String(server.tcpPort)], "hola\n", { timeoutMs: 10_000 });
        assert.equal(tcp.stdout.toString(), "HOLA\n", tcp.stderr);
      }
      // Both clients' connections traced to their close: every start step is in by then.
      const lines = await untilTraced(server, 3 + 2 * TCP_CLIENT.length);
      const started = lines.filter((line) => ["socket", "bind", "listen"].includes(line.step));
      assert.deepEqual(steps(started), ["tcp socket", "tcp bind", "tcp listen"], server.stderr());
      for (const line of started) assert.equal(line.rest, `127.0.0.1:${server.tcpPort}`, line.line);
      assert.equal(lines.filter((line) => line.step === "accept").length, 2, server.stderr());
    } finally {
      await server.stop();
    }
  });
});

describe("mayus serve --proxy-protocol --trace", () => {
  test("accept and refuse name the client the PROXY header names, its address and its port", async () => {
    const server = await startMayusServer(["--tcp", "--proxy-protocol", "--deny", "203.0.113.7", "--trace"]);
    try {
      const header = (source: string, port: number) =>
        Buffer.from(`PROXY TCP4 ${source} 127.0.0.1 ${port} ${server.tcpPort}\r\n`);
      const served = await tcpExchange(server.tcpPort, [header("203.0.113.8", 40001), Buffer.from("hola")]);
      assert.equal(served.toString(), "HOLA");
      // Refused: closed at once, maybe with a reset (its bytes were read by nobody).
      await tcpExchange(server.tcpPort, [header("203.0.113.7", 40002), Buffer.from("hola")]).catch(() => {});
      const lines = await untilTraced(server, 3 + TCP_CLIENT.length + 1);
      const accept = lines.find((line) => line.step === "accept");
      const refuse = lines.find((line) => line.step === "refuse");
      assert.ok(accept?.rest.startsWith("203.0.113.8:40001 "), server.stderr());
      // Not the balancer's port: the header's client never used that one.
      assert.ok(refuse?.rest.startsWith("203.0.113.7:40002 "), server.stderr());
    } finally {
      await server.stop();
    }
  });
});
