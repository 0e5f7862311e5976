// Shutdown with clients in every state: streams that end just as the signal lands (a Python
// peer that signals the server the moment its sendall returns), many at once, idle ones, one
// that never lets the drain finish, second signals; in one process and with --workers 2.
// `mayus serve` as a process. What a drain promises: every byte of every stream a client
// finishes is answered, exit 0; a connection still busy at --drain-timeout is reset (the client
// sees a reset, not an end) and the exit code is 9.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type MayusServer, PEERS, peerAvailable, run, startMayusServer, waitForStderr } from "../support/processes.js";
import { tcpConnect, tcpExchange } from "../support/sockets.js";
import { assertNoLeaks, type ResourceBaseline, resourceBaseline } from "./leaks.js";

const MB = 1_000_000;
const CLOSING = /SIGTERM received, closing/;
const CLOSED = /^mayus: closed$/m;
const RESET_LINE = /drain: (\d+) connections reset unfinished/;
const hasPython = peerAvailable("python3");

interface DrainClientResult {
  client: number;
  sent: number;
  received: number;
  exact: boolean;
  end: string;
}

/**
 * test/peers/drain_client.py: `clients` connections each send `bytes` and FIN while reading;
 * the server gets SIGTERM once `signalAfter` of them have sent everything.
 */
async function pythonDrainClients(
  server: MayusServer,
  options: { bytes: number; clients: number; signalAfter: number },
): Promise<DrainClientResult[]> {
  const args = [`${PEERS}drain_client.py`, String(server.tcpPort), String(options.bytes)];
  args.push("--clients", String(options.clients), "--signal-after-clients", String(options.signalAfter));
  args.push("--signal-pid", String(server.child.pid));
  const finished = await run("python3", args, "", { timeoutMs: 60_000 });
  assert.equal(finished.code, 0, `drain_client.py: ${finished.stderr}`);
  return finished.stdout
    .toString()
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as DrainClientResult);
}

/** Every client got its whole answer, exactly, and then an end (FIN), not a reset. */
function assertEveryByteAnswered(results: DrainClientResult[], bytes: number): void {
  const short = results.filter((result) => !(result.exact && result.end === "eof" && result.received === bytes));
  assert.deepEqual(short.slice(0, 5), [], `${short.length} of ${results.length} clients were not answered in full`);
}

/** `length` bytes of lowercase ASCII letters in a pseudo-random order (seeded, so repeatable). */
function lowercaseText(length: number, seed = 12000): Buffer {
  const text = Buffer.allocUnsafe(length);
  let state = seed >>> 0;
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    text[index] = 0x61 + ((state >>> 24) % 26);
  }
  return text;
}

/** Connects without half-open: like most clients (nc, the lesson's), it closes when the server does. */
function plainConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once("close", () => resolve());
  });
}

/** A client that writes until the server stops reading it, and never reads: the drain cannot finish it. */
async function neverReader(port: number): Promise<Socket> {
  const socket = await tcpConnect(port);
  socket.pause();
  socket.on("error", () => {}); // the drain timeout resets it
  const chunk = Buffer.alloc(1 << 20, 0x61);
  for (;;) {
    if (socket.write(chunk)) continue;
    const drained = await Promise.race([
      new Promise<boolean>((resolve) => socket.once("drain", () => resolve(true))),
      sleep(500, false),
    ]);
    if (!drained) return socket; // the server has stopped reading it: it is paused for good
  }
}

/** During the drain: a new TCP connection is refused and a datagram gets no answer. */
async function assertNotAccepting(server: MayusServer): Promise<void> {
  await assert.rejects(tcpConnect(server.tcpPort), { code: "ECONNREFUSED" });
  if (server.udpPort === 0) return;
  const socket = createSocket("udp4");
  socket.on("error", () => {});
  try {
    const reply = await new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 300);
      socket.once("message", (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      socket.send("udp during drain", server.udpPort, "127.0.0.1");
    });
    assert.equal(reply, undefined, "a datagram was answered during the drain");
  } finally {
    socket.close();
  }
}

/** Every test stops by itself. */
const BOUNDED = { timeout: 90_000 };
/** 20 rounds of a server start and a 20 MB stream: seconds alone, more on a busy machine. */
const TWENTY_ROUNDS = { timeout: 300_000 };

for (const mode of [
  { name: "one process", args: [] as string[] },
  { name: "--workers 2", args: ["--workers", "2"] },
]) {
  describe(`shutdown under load, ${mode.name} (mayus serve as a process)`, () => {
    let baseline: ResourceBaseline;
    const servers: MayusServer[] = [];
    const sockets: Socket[] = [];

    before(() => {
      baseline = resourceBaseline();
    });
    after(async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => server.stop(1000)));
      await assertNoLeaks(baseline);
    });

    async function serve(args: string[]): Promise<MayusServer> {
      const server = await startMayusServer([...mode.args, ...args]);
      servers.push(server);
      return server;
    }

    test("20 MB and FIN, SIGTERM the moment sendall returns, 20 times: every byte answered every time, exit 0", {
      ...TWENTY_ROUNDS,
      skip: !hasPython && "python3 not installed",
    }, async () => {
      for (let round = 0; round < 20; round++) {
        const server = await serve(["--tcp"]);
        const results = await pythonDrainClients(server, { bytes: 20 * MB, clients: 1, signalAfter: 1 });
        assertEveryByteAnswered(results, 20 * MB);
        const finished = await server.exited;
        assert.equal(finished.code, 0, `round ${round}: ${finished.stderr}`);
        assert.match(finished.stderr, CLOSED);
      }
    });

    test("200 clients each sending 1 MB and FIN, SIGTERM once half have sent: every byte to every client, exit 0", {
      ...BOUNDED,
      skip: !hasPython && "python3 not installed",
    }, async () => {
      const server = await serve(["--tcp"]);
      const results = await pythonDrainClients(server, { bytes: MB, clients: 200, signalAfter: 100 });
      assert.equal(results.length, 200);
      assertEveryByteAnswered(results, MB);
      const finished = await server.exited;
      assert.equal(finished.code, 0, `stderr: ${finished.stderr}`);
    });

    test("a client still sending at --drain-timeout 1000 sees a reset, not an end; exit 9", BOUNDED, async () => {
      const server = await serve(["--tcp", "--drain-timeout", "1000"]);
      const socket = await tcpConnect(server.tcpPort);
      sockets.push(socket);
      let answered = 0;
      let sawEnd = false;
      socket.on("data", (chunk: Buffer) => {
        answered += chunk.length;
      });
      socket.on("end", () => {
        sawEnd = true;
      });
      const ended = new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        socket.once("error", resolve);
        socket.once("close", () => resolve(undefined));
      });
      // Keeps sending, never ends its stream: the drain can only end it at its deadline.
      const chunk = lowercaseText(16 * 1024);
      const keepSending = setInterval(() => {
        if (!socket.destroyed) socket.write(chunk);
      }, 20);
      while (answered === 0) await sleep(10);
      server.child.kill("SIGTERM");
      const error = await ended;
      clearInterval(keepSending);
      const finished = await server.exited;
      assert.equal(error?.code, "ECONNRESET", `the client saw ${error?.code ?? "an end"}, not a reset`);
      assert.equal(sawEnd, false, "the client saw an end (FIN) before the reset: a cut answer would look complete");
      assert.equal(finished.code, 9, `stderr: ${finished.stderr}`);
      assert.equal(finished.stderr.match(RESET_LINE)?.[1], "1", finished.stderr);
    });

    test("an idle client (answered, then quiet at a prompt) gets an end, not a reset; exit 0", BOUNDED, async () => {
      // --drain-timeout far above the quiet time: exit 0 means the quiet rule closed it, not the deadline.
      const server = await serve(["--drain-timeout", "60000", "--drain-quiet", "300"]);
      const idle = await plainConnect(server.tcpPort);
      const halfOpen = await tcpConnect(server.tcpPort); // never sends its FIN
      sockets.push(idle, halfOpen);
      const errors: Error[] = [];
      for (const socket of [idle, halfOpen]) socket.on("error", (error) => errors.push(error));
      for (const socket of [idle, halfOpen]) {
        const answered = new Promise<Buffer>((resolve) => socket.once("data", resolve));
        socket.write("hola");
        assert.equal((await answered).toString(), "HOLA");
      }
      const idleEnded = new Promise((resolve) => idle.once("end", resolve));
      const halfOpenEnded = new Promise((resolve) => halfOpen.once("end", resolve));
      server.child.kill("SIGTERM");
      await Promise.all([idleEnded, halfOpenEnded, closed(idle)]);
      const finished = await server.exited;
      assert.deepEqual(errors, []);
      assert.equal(finished.code, 0, `stderr: ${finished.stderr}`);
      assert.match(finished.stderr, CLOSING);
      assert.match(finished.stderr, CLOSED);
    });

    test(
      "--drain-timeout 500 with a client that never reads and never finishes: exit 9, the line says so",
      BOUNDED,
      async () => {
        const server = await serve(["--drain-timeout", "500"]);
        sockets.push(await neverReader(server.tcpPort));
        server.child.kill("SIGTERM");
        const finished = await server.exited;
        assert.equal(finished.code, 9, `stderr: ${finished.stderr}`);
        assert.match(finished.stderr, CLOSING);
        assert.equal(finished.stderr.match(RESET_LINE)?.[1], "1", finished.stderr);
        assert.doesNotMatch(finished.stderr, CLOSED);
      },
    );

    test(
      "a second SIGTERM during the drain exits at once (143); nothing new is accepted meanwhile",
      BOUNDED,
      async () => {
        const server = await serve([]); // default drain timeout: 10 s
        sockets.push(await neverReader(server.tcpPort));
        server.child.kill("SIGTERM");
        await waitForStderr(server, CLOSING);
        await assertNotAccepting(server);
        assert.equal(server.child.exitCode, null, "the drain ended although a client never read");
        server.child.kill("SIGTERM");
        const finished = await server.exited;
        assert.equal(finished.code, 143, `stderr: ${finished.stderr}`);
      },
    );

    test("SIGINT then SIGINT: the same, with exit code 130", BOUNDED, async () => {
      const server = await serve(["--tcp"]);
      sockets.push(await neverReader(server.tcpPort));
      server.child.kill("SIGINT");
      await waitForStderr(server, /SIGINT received, closing/);
      await sleep(200); // later than REPEAT_WINDOW_MS: a second Ctrl-C, not the first delivered twice
      server.child.kill("SIGINT");
      const finished = await server.exited;
      assert.equal(finished.code, 130, `stderr: ${finished.stderr}`);
    });

    test(
      "SIGHUP (a closed terminal, a supervisor) drains like SIGTERM: the stream is answered, exit 0",
      BOUNDED,
      async () => {
        const server = await serve(["--tcp"]);
        const payload = Buffer.from("último mensaje antes del cierre: ñandú ".repeat(2000));
        const socket = await tcpConnect(server.tcpPort);
        sockets.push(socket);
        const parts: Buffer[] = [];
        socket.on("data", (part: Buffer) => parts.push(part));
        const ended = new Promise((resolve) => socket.once("close", resolve));
        socket.write(payload.subarray(0, 1000));
        while (parts.length === 0) await sleep(5);
        server.child.kill("SIGHUP");
        await waitForStderr(server, /SIGHUP received, closing/);
        socket.end(payload.subarray(1000));
        await ended;
        assert.equal(Buffer.concat(parts).toString(), payload.toString().toUpperCase());
        const finished = await server.exited;
        assert.equal(finished.code, 0, `stderr: ${finished.stderr}`);
        // A server that exited leaves its port free: nothing listens there.
        await assert.rejects(tcpExchange(server.tcpPort, [Buffer.from("x")]), { code: "ECONNREFUSED" });
      },
    );
  });
}
