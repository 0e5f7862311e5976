// `mayus serve`'s life as an operator sees it: every stderr line a JSON object with
// --log-format json (start, serve, signal, drain, exit; one process and --workers 2), startup
// all or nothing when any listener's port is taken, and signals that must not harm it.

import assert from "node:assert/strict";
import { createSocket, type Socket as DatagramSocket } from "node:dgram";
import { connect, createServer, type Server } from "node:net";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { EXIT_CODES } from "../src/errors.js";
import { MAYUS, PEERS, runMayus, start, startMayusServer, waitForOutput, waitForStderr } from "./support/processes.js";
import { tcpExchange, udpExchange } from "./support/sockets.js";

type LogEvent = Record<string, unknown> & { event?: string; level: number; msg: string };

/** Every stderr line parsed as JSON: fails on the first one that is not. */
function jsonLines(stderr: string): LogEvent[] {
  const events: LogEvent[] = [];
  for (const line of stderr.split("\n")) {
    if (line.length === 0) continue;
    try {
      events.push(JSON.parse(line) as LogEvent);
    } catch {
      assert.fail(`a stderr line is not JSON: ${line}`);
    }
  }
  return events;
}

const BOUNDED = { timeout: 60_000 };

for (const mode of [
  { name: "one process", args: [] as string[] },
  { name: "--workers 2", args: ["--workers", "2"] },
]) {
  describe(`--log-format json, ${mode.name}`, () => {
    test("every stderr line is a JSON object: listening, signal, drain, exit", BOUNDED, async () => {
      const server = await startMayusServer(["--log-format", "json", ...mode.args]);
      assert.equal((await tcpExchange(server.tcpPort, [Buffer.from("hola")])).toString(), "HOLA");
      assert.equal((await udpExchange(server.udpPort, Buffer.from("udp")))?.toString(), "UDP");
      // The ready lines stay on stdout, as documented, for scripts.
      assert.match(server.stdout().toString(), /listening on tcp .*\n.*listening on udp/);
      server.child.kill("SIGTERM");
      const finished = await server.exited;
      assert.equal(finished.code, 0, finished.stderr);
      const events = jsonLines(finished.stderr);
      const named = (name: string) => events.filter((event) => event.event === name);
      const listening = named("listening");
      assert.deepEqual(listening.map((event) => event.protocol).sort(), ["tcp", "udp"]);
      for (const event of listening) assert.ok(Number(event.port) > 0, JSON.stringify(event));
      assert.equal(named("signal")[0]?.signal, "SIGTERM");
      const ioPaths = named("io-path").map((event) => `${event.protocol}:${event.ioPath}`);
      assert.deepEqual(ioPaths.sort(), ["tcp:native", "udp:native"], "the I/O path of each protocol, once");
      assert.ok(named("drain-started").length >= 1, finished.stderr);
      const drained = named("drain-finished").at(-1);
      assert.equal(drained?.connectionsReset, 0, finished.stderr);
      assert.equal(typeof drained?.connectionsFinished, "number");
      assert.equal(typeof drained?.bytesDiscarded, "number");
      const exit = named("exit");
      assert.equal(exit.length, 1, finished.stderr);
      assert.equal(exit[0]?.code, 0);
    });
  });
}

describe("the I/O path, said once at start", () => {
  test("text: one line naming each protocol's path", BOUNDED, async () => {
    const server = await startMayusServer([]);
    const finished = await server.stop();
    const lines = finished.stderr.split("\n").filter((line) => line.startsWith("mayus: I/O: "));
    assert.deepEqual(lines, ["mayus: I/O: tcp native syscalls, udp native syscalls"], finished.stderr);
  });

  test("MAYUS_NATIVE=0: Node's own I/O, said as asked for (no advice to rebuild)", BOUNDED, async () => {
    const server = await startMayusServer(["--udp"], { MAYUS_NATIVE: "0" });
    const finished = await server.stop();
    const line = finished.stderr.split("\n").find((candidate) => candidate.startsWith("mayus: I/O: "));
    assert.equal(line, "mayus: I/O: udp Node's own I/O (native modules switched off (MAYUS_NATIVE=0))");
  });
});

describe("--log-format json with --trace and with a failure", () => {
  test("trace steps are JSON too", BOUNDED, async () => {
    const server = await startMayusServer(["--log-format", "json", "--trace", "--tcp"]);
    await tcpExchange(server.tcpPort, [Buffer.from("abc")]);
    server.child.kill("SIGTERM");
    const finished = await server.exited;
    const steps = jsonLines(finished.stderr)
      .filter((event) => event.event === "trace")
      .map((event) => event.step);
    for (const step of ["listen", "accept", "recv", "send", "close"]) assert.ok(steps.includes(step), `no ${step}`);
  });

  test("a port in use: exit 8, and the error is a JSON event", BOUNDED, async () => {
    const holder = await holdTcpPort();
    try {
      const plain = await runMayus([
        "serve",
        "--tcp",
        "--log-format",
        "json",
        "--host",
        "127.0.0.1",
        "--port",
        String(port(holder)),
      ]);
      assert.equal(plain.code, EXIT_CODES["listen-failed"]);
      const [event] = jsonLines(plain.stderr);
      assert.equal(event.event, "exit");
      assert.equal(event.code, EXIT_CODES["listen-failed"]);
      assert.match(event.msg, /port \d+ is already in use/);
    } finally {
      holder.close();
    }
  });
});

function port(server: Server): number {
  return (server.address() as { port: number }).port;
}

async function holdTcpPort(portNumber = 0): Promise<Server> {
  const holder = createServer();
  await new Promise<void>((resolve, reject) => {
    holder.once("error", reject);
    holder.listen(portNumber, "127.0.0.1", resolve);
  });
  return holder;
}

/** A UDP port taken (on 127.0.0.1) whose TCP twin is free. */
async function holdUdpPortOnly(): Promise<DatagramSocket> {
  for (;;) {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    try {
      (await holdTcpPort(socket.address().port)).close();
      return socket;
    } catch {
      socket.close();
    }
  }
}

/** Exit 8 with one line naming what is taken; nothing printed as ready; the process is gone. */
async function assertStartRefused(args: string[], what: RegExp): Promise<void> {
  const result = await runMayus(["serve", "--host", "127.0.0.1", ...args], "", { timeoutMs: 30_000 });
  assert.equal(result.code, EXIT_CODES["listen-failed"], `exit ${result.code}, stderr: ${result.stderr}`);
  assert.doesNotMatch(result.stdout.toString(), /listening on (tcp|udp)|metrics on/, "it said it was ready");
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^mayus: /);
  assert.match(lines[0], what);
  assert.doesNotMatch(result.stderr, /internal error|\n\s+at /);
}

for (const mode of [
  { name: "one process", args: [] as string[] },
  { name: "--workers 2", args: ["--workers", "2"] },
]) {
  describe(`startup is all or nothing, ${mode.name}`, () => {
    test("TCP port taken: exit 8", BOUNDED, async () => {
      const holder = await holdTcpPort();
      try {
        await assertStartRefused(["--port", String(port(holder)), ...mode.args], /TCP port \d+ is already in use/);
      } finally {
        holder.close();
      }
    });

    test("UDP port taken (TCP free): exit 8, and TCP is not left listening", BOUNDED, async () => {
      const holder = await holdUdpPortOnly();
      try {
        await assertStartRefused(
          ["--port", String(holder.address().port), ...mode.args],
          /UDP port \d+ is already in use/,
        );
      } finally {
        holder.close();
      }
    });

    test("metrics port taken: exit 8, nothing else left serving", BOUNDED, async () => {
      const holder = await holdTcpPort();
      try {
        await assertStartRefused(
          ["--port", "0", "--metrics-port", String(port(holder)), "--metrics-host", "127.0.0.1", ...mode.args],
          /metrics port \d+ is already in use/i,
        );
      } finally {
        holder.close();
      }
    });
  });
}

describe("signals that must not harm a running server", () => {
  test("SIGUSR1 opens no inspector (port 9229 stays closed) and the server keeps serving", BOUNDED, async () => {
    const server = await startMayusServer(["--tcp"]);
    try {
      server.child.kill("SIGUSR1");
      await waitForStderr(server, /SIGUSR1 ignored/);
      await sleep(300);
      const inspector = await new Promise<string>((resolve) => {
        const probe = connect({ host: "127.0.0.1", port: 9229 }, () => {
          probe.destroy();
          resolve("open");
        });
        probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      });
      assert.equal(inspector, "ECONNREFUSED", "Node's inspector is listening on 127.0.0.1:9229");
      assert.equal((await tcpExchange(server.tcpPort, [Buffer.from("sigue")])).toString(), "SIGUE");
    } finally {
      const finished = await server.stop();
      assert.equal(finished.code, 0, finished.stderr);
    }
  });

  test(
    "one SIGTERM delivered twice at once (timeout(1) signals the child, then its group) drains",
    BOUNDED,
    async () => {
      const server = await startMayusServer(["--tcp", "--workers", "2", "--drain-timeout", "1000"]);
      const client = connect({ host: "127.0.0.1", port: server.tcpPort });
      client.on("error", () => {});
      client.pause(); // never reads
      await new Promise((resolve) => client.once("connect", resolve));
      client.write(Buffer.alloc(4 * 1024 * 1024, 0x61));
      await sleep(300);
      server.child.kill("SIGTERM");
      server.child.kill("SIGTERM");
      const finished = await server.exited;
      client.destroy();
      // Not 143 (a second signal: exit at once, no drain): the drain ran. Its end depends on
      // where the answers wait: all in the kernel (the server's FIN queued behind them), exit 0;
      // some still in the server, reset at the drain timeout, exit 9.
      assert.ok(finished.code === 0 || finished.code === 9, `exit ${finished.code}: ${finished.stderr}`);
      assert.match(finished.stderr, /^mayus: (closed|drain: 1 connections reset)/m);
    },
  );

  test("a client that sent a burst and never reads, then idles: the drain ends (no hang)", BOUNDED, async () => {
    // Its answers fill the kernel's buffers, so the server's quiet-time FIN waits behind them; a
    // reset is refused then (libuv: EINVAL) and the drain used to wait for ever at full CPU.
    for (const workers of [[], ["--workers", "2"]]) {
      const server = await startMayusServer(["--tcp", "--drain-timeout", "1500", "--drain-quiet", "1000", ...workers]);
      const client = start("python3", ["-u", `${PEERS}burst_then_idle.py`, String(server.tcpPort), "30"]);
      try {
        await waitForOutput(client, /sent \d+/);
        await sleep(300);
        server.child.kill("SIGTERM");
        const finished = await server.exited;
        assert.ok(finished.code === 0 || finished.code === 9, `exit ${finished.code}: ${finished.stderr}`);
      } finally {
        client.child.kill("SIGKILL");
        await server.stop(500);
      }
    }
  });

  test("a signal during startup: no ready line is printed, and nothing is left running", BOUNDED, async () => {
    const started = start(process.execPath, [MAYUS, "serve", "--port", "0", "--host", "127.0.0.1", "--workers", "2"]);
    // Workers take a while to start: the signal lands while they do (or, very early, before
    // the handlers exist, when Node's default ends the process: nothing was listening then).
    await sleep(250);
    started.child.kill("SIGTERM");
    const finished = await started.exited;
    assert.ok(finished.code === 0 || finished.signal === "SIGTERM", `exit ${finished.code}: ${finished.stderr}`);
    assert.doesNotMatch(finished.stdout.toString(), /listening on/, "a ready line after the signal");
  });
});
