// Interoperability of the real `mayus` command with the lesson's Python peers, nc, socat, and over IPv6.

import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { after, before, describe, test } from "node:test";
import {
  type Finished,
  MAYUS,
  type MayusServer,
  PEERS,
  peerAvailable,
  run,
  runMayus,
  type Started,
  start,
  startMayusServer,
  startPythonServer,
  waitForOutput,
} from "./support/processes.js";
import { tcpExchange, udpExchange } from "./support/sockets.js";

const hasPython = peerAvailable("python3");
const hasNc = peerAvailable("nc");
const hasSocat = peerAvailable("socat");
const hasIpv6Loopback = Object.values(networkInterfaces()).some((addresses) =>
  addresses?.some((address) => address.family === "IPv6" && address.address === "::1"),
);

const SPANISH = "ñandú, pingüino y cigüeña: árbol éxito índice ópera último straße";

/** Lines whose uppercase is as long as they are in UTF-8 (a UDP reply never grows). */
const UDP_LINES = ["hello world", "ñandú y pingüino", "árbol éxito índice ópera último", "line 4: 1234 ¡sí!"];

/** Runs a Python lesson client script with stdin. */
function runPython(script: string, args: readonly string[], input: string): Promise<Finished> {
  return run("python3", ["-u", `${PEERS}${script}`, ...args], input, { timeoutMs: 10_000 });
}

/** Waits for a started process to end, killing it after `timeoutMs`. */
async function finished(started: Started, timeoutMs = 10_000): Promise<Finished> {
  const timer = setTimeout(() => started.child.kill("SIGKILL"), timeoutMs);
  try {
    return await started.exited;
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Says how a process ended, to make failures readable. */
function describeEnd(end: Finished): string {
  return `code ${end.code} signal ${end.signal} stdout ${JSON.stringify(end.stdout.toString())} stderr ${end.stderr}`;
}

describe("peers as clients of `mayus serve`", () => {
  let server: MayusServer;

  before(async () => {
    server = await startMayusServer();
  });
  after(async () => {
    await server.stop();
  });

  test("Python tcp_client.py (one send, one recv) gets 'hello world' uppercased", { skip: !hasPython }, async () => {
    const end = await runPython("tcp_client.py", ["127.0.0.1", String(server.tcpPort)], "hello world\n");
    assert.equal(end.code, 0, describeEnd(end));
    assert.equal(end.stdout.toString(), "HELLO WORLD\n");
  });

  test("Python tcp_client.py gets a Spanish line (ñ, ü, ß) uppercased", { skip: !hasPython }, async () => {
    const end = await runPython("tcp_client.py", ["127.0.0.1", String(server.tcpPort)], `${SPANISH}\n`);
    assert.equal(end.code, 0, describeEnd(end));
    assert.equal(end.stdout.toString(), `${SPANISH.toUpperCase()}\n`);
  });

  test("Python udp_client.py (sendto, recvfrom) gets every line uppercased", { skip: !hasPython }, async () => {
    const input = UDP_LINES.map((line) => `${line}\n`).join("");
    const end = await runPython("udp_client.py", ["127.0.0.1", String(server.udpPort)], input);
    assert.equal(end.code, 0, describeEnd(end));
    assert.equal(end.stdout.toString(), input.toUpperCase());
  });

  test("nc over TCP: `printf 'abc ñ' | nc -N` prints 'ABC Ñ'", { skip: !hasNc }, async () => {
    const end = await run("nc", ["-N", "127.0.0.1", String(server.tcpPort)], "abc ñ", { timeoutMs: 10_000 });
    assert.equal(end.code, 0, describeEnd(end));
    assert.equal(end.stdout.toString(), "ABC Ñ");
  });

  test("nc over UDP: `nc -u -w1` with 'hola' gets 'HOLA'", { skip: !hasNc }, async () => {
    const end = await run("nc", ["-u", "-w1", "127.0.0.1", String(server.udpPort)], "hola", { timeoutMs: 10_000 });
    assert.equal(end.stdout.toString(), "HOLA", describeEnd(end));
  });

  test("socat over TCP: `socat - TCP:...` with 'socat tcp' gets 'SOCAT TCP'", { skip: !hasSocat }, async () => {
    const end = await run("socat", ["-", `TCP:127.0.0.1:${server.tcpPort}`], "socat tcp", { timeoutMs: 10_000 });
    assert.equal(end.code, 0, describeEnd(end));
    assert.equal(end.stdout.toString(), "SOCAT TCP");
  });

  test("socat over UDP: `socat -t 1 - UDP:...` with 'socat udp' gets 'SOCAT UDP'", { skip: !hasSocat }, async () => {
    const end = await run("socat", ["-t", "1", "-", `UDP:127.0.0.1:${server.udpPort}`], "socat udp", {
      timeoutMs: 10_000,
    });
    assert.equal(end.code, 0, describeEnd(end));
    assert.equal(end.stdout.toString(), "SOCAT UDP");
  });

  test("the server exits 0 on SIGTERM", async () => {
    const end = await server.stop();
    assert.equal(end.signal, null, describeEnd(end));
    assert.equal(end.code, 0, describeEnd(end));
  });
});

describe("`mayus client` against the Python lesson TCP server (one recv(1024), reply, close)", {
  skip: !hasPython,
}, () => {
  let server: Started & { port: number };

  before(async () => {
    server = await startPythonServer("tcp_server.py");
  });
  after(async () => {
    await server.stop();
  });

  test("one line is answered", async () => {
    const end = await runMayus(["client", "127.0.0.1", String(server.port)], "hello world\n", { timeoutMs: 10_000 });
    assert.equal(end.code, 0, describeEnd(end));
    assert.equal(end.stdout.toString(), "HELLO WORLD\n");
  });

  test("5 lines fed slowly (one connection each) are all answered, in order", async () => {
    const lines = ["first line", "segunda línea", "third line", "cuarta: ñandú", "fifth and last"];
    const client = start(process.execPath, [MAYUS, "client", "127.0.0.1", String(server.port)]);
    for (const line of lines) {
      client.child.stdin?.write(`${line}\n`);
      await sleep(100);
    }
    client.child.stdin?.end();
    const end = await finished(client);
    assert.equal(end.code, 0, describeEnd(end));
    assert.equal(end.stdout.toString(), lines.map((line) => `${line.toUpperCase()}\n`).join(""));
  });

  test("5,000 bytes in many lines written at once (more than one recv) come back exactly", async () => {
    const lines = Array.from({ length: 50 }, (_, index) => `line ${String(index).padStart(2, "0")} `.padEnd(99, "x"));
    const input = lines.map((line) => `${line}\n`).join("");
    assert.equal(Buffer.byteLength(input), 5000);
    const end = await runMayus(["client", "127.0.0.1", String(server.port)], input, { timeoutMs: 15_000 });
    assert.equal(end.code, 0, describeEnd(end));
    assert.equal(end.stdout.toString(), input.toUpperCase());
  });
});

describe("`mayus client --udp` against the Python lesson UDP server", { skip: !hasPython }, () => {
  let server: Started & { port: number };
  let lossy: Started & { port: number };

  before(async () => {
    server = await startPythonServer("udp_server.py");
    lossy = await startPythonServer("udp_server.py", ["--drop-every", "3"]);
  });
  after(async () => {
    await Promise.all([server.stop(), lossy.stop()]);
  });

  test("every line is answered, in order", async () => {
    const input = UDP_LINES.map((line) => `${line}\n`).join("");
    const end = await runMayus(["client", "--udp", "127.0.0.1", String(server.port)], input, { timeoutMs: 10_000 });
    assert.equal(end.code, 0, describeEnd(end));
    assert.equal(end.stdout.toString(), input.toUpperCase());
  });

  test("with every third datagram dropped, the client retries and all 6 answers are right, in order", async () => {
    const lines = ["uno", "dos", "tres", "cuatro", "cinco", "seis"];
    const input = lines.map((line) => `${line}\n`).join("");
    const args = ["client", "--udp", "--timeout", "200", "127.0.0.1", String(lossy.port)];
    const end = await runMayus(args, input, { timeoutMs: 15_000 });
    assert.equal(end.code, 0, describeEnd(end));
    assert.equal(end.stdout.toString(), input.toUpperCase());
  });
});

describe("IPv6", { skip: hasIpv6Loopback ? false : "no ::1 on this host" }, () => {
  test("`mayus serve --host ::1` answers `mayus client ::1 PORT` over TCP and UDP", async () => {
    const server = await startMayusServer(["--host", "::1"]);
    try {
      const port = String(server.tcpPort);
      const tcp = await runMayus(["client", "::1", port], "sobre ipv6 ñ\n", { timeoutMs: 10_000 });
      assert.equal(tcp.code, 0, describeEnd(tcp));
      assert.equal(tcp.stdout.toString(), "SOBRE IPV6 Ñ\n");
      const udpPort = String(server.udpPort);
      const udp = await runMayus(["client", "--udp", "::1", udpPort], "datagrama ipv6\n", { timeoutMs: 10_000 });
      assert.equal(udp.code, 0, describeEnd(udp));
      assert.equal(udp.stdout.toString(), "DATAGRAMA IPV6\n");
    } finally {
      await server.stop();
    }
  });

  test("`mayus serve --host ::` is dual stack: reached from 127.0.0.1 and ::1 over TCP and UDP", async () => {
    const server = await startMayusServer(["--host", "::"]);
    try {
      await assertDualStack(server.tcpPort, server.udpPort);
    } finally {
      const end = await server.stop();
      assert.equal(end.code, 0, describeEnd(end));
    }
  });

  test("`mayus serve` with no --host is dual stack too", async () => {
    const server = start(process.execPath, [MAYUS, "serve", "--port", "0"]);
    try {
      const tcpPort = Number((await waitForOutput(server, /tcp \S*:(\d+)/))[1]);
      const udpPort = Number((await waitForOutput(server, /udp \S*:(\d+)/))[1]);
      await assertDualStack(tcpPort, udpPort);
    } finally {
      const end = await server.stop();
      assert.equal(end.code, 0, describeEnd(end));
    }
  });
});

async function assertDualStack(tcpPort: number, udpPort: number): Promise<void> {
  for (const host of ["127.0.0.1", "::1"]) {
    const tcp = await tcpExchange(tcpPort, [Buffer.from(`tcp via ${host} ñ`)], { host });
    assert.equal(tcp.toString(), `TCP VIA ${host} Ñ`);
    const udp = await udpExchange(udpPort, Buffer.from(`udp via ${host} ü`), { host });
    assert.equal(udp?.toString(), `UDP VIA ${host} Ü`);
  }
}
