// Hostile input at shutdown: SIGTERM in the middle of a 100 MB transfer, with idle clients, with
// a client that never lets the drain finish, and a second signal. `mayus serve` as a process.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type MayusServer, startMayusServer, waitForStderr } from "../support/processes.js";
import { tcpConnect, tcpExchange } from "../support/sockets.js";
import { assertNoLeaks, type ResourceBaseline, resourceBaseline } from "./leaks.js";

const MB = 1_000_000;
const CLOSING = /SIGTERM received, closing/;
const CLOSED = /^mayus: closed$/m;

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
const BOUNDED = { timeout: 30_000 };

describe("shutdown under load (mayus serve as a process)", () => {
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
    const server = await startMayusServer(args);
    servers.push(server);
    return server;
  }

  test(
    "SIGTERM during a 100 MB transfer: every answered byte arrives exactly, exit 0 with the closing line",
    BOUNDED,
    async (t) => {
      const server = await serve(["--tcp"]);
      const sent = lowercaseText(100 * MB);
      const received = Buffer.allocUnsafe(sent.length);
      let receivedBytes = 0;
      let writtenBytes = 0;
      let signalled = false;
      let serverFinished = false;
      const socket = await tcpConnect(server.tcpPort);
      sockets.push(socket);
      socket.setNoDelay(true);
      const done = new Promise<void>((resolve, reject) => {
        socket.on("data", (chunk: Buffer) => {
          assert.ok(receivedBytes + chunk.length <= writtenBytes, "more answer bytes than were sent");
          chunk.copy(received, receivedBytes);
          receivedBytes += chunk.length;
          if (!signalled && receivedBytes >= 10 * MB) {
            signalled = true;
            server.child.kill("SIGTERM");
          }
        });
        // The server's FIN: everything it will answer has arrived. Stop sending and finish our side.
        socket.on("end", () => {
          serverFinished = true;
          socket.end();
        });
        socket.on("close", () => resolve());
        socket.on("error", reject);
      });
      // Streams reading concurrently, with backpressure, until the server finishes.
      const slice = 256 * 1024;
      while (writtenBytes < sent.length && !serverFinished && !socket.destroyed) {
        const piece = sent.subarray(writtenBytes, Math.min(sent.length, writtenBytes + slice));
        writtenBytes += piece.length;
        if (!socket.write(piece)) {
          await Promise.race([
            new Promise((resolve) => socket.once("drain", resolve)),
            new Promise((resolve) => socket.once("close", resolve)),
          ]);
        }
      }
      if (!serverFinished && !socket.destroyed) socket.end();
      await done;
      const finished = await server.exited;
      t.diagnostic(`sent ${(writtenBytes / MB).toFixed(1)} MB, got ${(receivedBytes / MB).toFixed(1)} MB answered`);

      assert.ok(signalled, "the transfer ended before the signal");
      assert.ok(serverFinished, "the server did not finish its side with a FIN");
      assert.ok(receivedBytes >= 10 * MB && receivedBytes < sent.length, `answered ${receivedBytes} bytes`);
      // Every answered byte is the uppercase of the byte sent at the same place: nothing lost, nothing extra.
      for (let index = 0; index < receivedBytes; index++) {
        if (received[index] !== sent[index] - 0x20) {
          assert.fail(`answer byte ${index} is ${received[index]}, expected ${sent[index] - 0x20}`);
        }
      }
      assert.equal(finished.code, 0, `stderr: ${finished.stderr}`);
      assert.match(finished.stderr, CLOSING);
      assert.match(finished.stderr, CLOSED);
    },
  );

  test("a connection idle at SIGTERM is closed, and the server exits 0 at once", BOUNDED, async () => {
    const server = await serve([]); // TCP and UDP, default --drain-timeout (10 s)
    const idle = await plainConnect(server.tcpPort);
    sockets.push(idle);
    idle.on("error", () => {});
    const answered = new Promise<Buffer>((resolve) => idle.once("data", resolve));
    idle.write("hola");
    assert.equal((await answered).toString(), "HOLA");
    const signalledAt = performance.now();
    server.child.kill("SIGTERM");
    await closed(idle);
    const finished = await server.exited;
    const elapsedMs = performance.now() - signalledAt;
    assert.equal(finished.code, 0, `stderr: ${finished.stderr}`);
    assert.match(finished.stderr, CLOSING);
    assert.match(finished.stderr, CLOSED);
    assert.ok(elapsedMs < 2000, `exited ${elapsedMs.toFixed(0)} ms after SIGTERM: it waited for the drain timeout`);
  });

  test(
    "a half-open client idle at SIGTERM (answered, never sends its FIN) does not hold the drain",
    BOUNDED,
    async () => {
      const server = await serve(["--tcp", "--drain-timeout", "2500"]);
      const idle = await tcpConnect(server.tcpPort); // allowHalfOpen: the server's FIN alone does not close it
      sockets.push(idle);
      idle.on("error", () => {});
      const answered = new Promise<Buffer>((resolve) => idle.once("data", resolve));
      idle.write("hola");
      assert.equal((await answered).toString(), "HOLA");
      const signalledAt = performance.now();
      server.child.kill("SIGTERM");
      const finished = await server.exited;
      const elapsedMs = performance.now() - signalledAt;
      assert.equal(finished.code, 0, `stderr: ${finished.stderr}`);
      assert.ok(elapsedMs < 2000, `exited ${elapsedMs.toFixed(0)} ms after SIGTERM`);
    },
  );

  test(
    "--drain-timeout 500 with a client that never reads and never finishes: exit 9, the line says so",
    BOUNDED,
    async () => {
      const server = await serve(["--drain-timeout", "500"]);
      sockets.push(await neverReader(server.tcpPort));
      const signalledAt = performance.now();
      server.child.kill("SIGTERM");
      const finished = await server.exited;
      const elapsedMs = performance.now() - signalledAt;
      assert.equal(finished.code, 9, `stderr: ${finished.stderr}`);
      assert.match(finished.stderr, CLOSING);
      assert.match(finished.stderr, /drain timeout: 1 connections closed unfinished/);
      assert.doesNotMatch(finished.stderr, CLOSED);
      assert.ok(elapsedMs >= 450 && elapsedMs < 3000, `exited ${elapsedMs.toFixed(0)} ms after SIGTERM`);
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
      const secondAt = performance.now();
      server.child.kill("SIGTERM");
      const finished = await server.exited;
      const elapsedMs = performance.now() - secondAt;
      assert.equal(finished.code, 143, `stderr: ${finished.stderr}`);
      assert.ok(elapsedMs < 1000, `exited ${elapsedMs.toFixed(0)} ms after the second signal`);
    },
  );

  test("SIGINT then SIGINT: the same, with exit code 130", BOUNDED, async () => {
    const server = await serve(["--tcp"]);
    sockets.push(await neverReader(server.tcpPort));
    server.child.kill("SIGINT");
    await waitForStderr(server, /SIGINT received, closing/);
    server.child.kill("SIGINT");
    const finished = await server.exited;
    assert.equal(finished.code, 130, `stderr: ${finished.stderr}`);
  });

  test("a client that finishes its stream during the drain gets all its answers, exit 0", BOUNDED, async () => {
    const server = await serve(["--tcp"]);
    const payload = Buffer.from("último mensaje antes del cierre: ñandú ".repeat(2000));
    const socket = await tcpConnect(server.tcpPort);
    sockets.push(socket);
    const parts: Buffer[] = [];
    socket.on("data", (part: Buffer) => parts.push(part));
    const ended = new Promise((resolve) => socket.once("close", resolve));
    socket.write(payload);
    // Wait until the server has answered it all, then signal; the client half-closes after.
    const expectedLength = Buffer.from(payload.toString().toUpperCase()).length;
    while (parts.reduce((sum, part) => sum + part.length, 0) < expectedLength) await sleep(5);
    server.child.kill("SIGTERM");
    await waitForStderr(server, CLOSING);
    socket.end();
    await ended;
    assert.equal(Buffer.concat(parts).toString(), payload.toString().toUpperCase());
    const finished = await server.exited;
    assert.equal(finished.code, 0, `stderr: ${finished.stderr}`);
    // A server that exited leaves its port free: nothing listens there.
    await assert.rejects(tcpExchange(server.tcpPort, [Buffer.from("x")]), { code: "ECONNREFUSED" });
  });
});
