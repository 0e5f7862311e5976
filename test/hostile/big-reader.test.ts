// Hostile input: clients that stream without end and never read their answers, against a real
// `mayus serve` process. The server must stop reading them (bounded memory, measured as its RSS
// from /proc) and keep serving everyone else.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { uppercase } from "../../src/transform/index.js";
import { type MayusServer, startMayusServer } from "../support/processes.js";
import { tcpConnect, tcpExchange } from "../support/sockets.js";
import { assertNoLeaks, type ResourceBaseline, resourceBaseline } from "./leaks.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** The most the server's RSS may grow while the greedy clients are at it. */
const RSS_GROWTH_BOUND = 64 * MiB;
/** The most loopback may take in before the server's pause shows: kernel buffers, not 1 GiB. */
const ACCEPTED_BOUND = 256 * MiB;
/** No drain for this long: the server has stopped reading. */
const STALL_MS = 1000;

/** The resident set of a process now, from /proc/PID/status. */
function residentBytes(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  assert.ok(match, `no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** Samples a process's RSS every 50 ms; `stop()` returns the largest seen. */
function sampleResident(pid: number): { stop(): number } {
  let largest = residentBytes(pid);
  const timer = setInterval(() => {
    largest = Math.max(largest, residentBytes(pid));
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(largest, residentBytes(pid));
    },
  };
}

interface GreedyResult {
  socket: Socket;
  /** Bytes the kernel took from us (written minus what still waits in our own buffer). */
  acceptedBytes: number;
  /** Whether the writer stopped because the server stopped reading (not because it reached 1 GiB). */
  stalled: boolean;
}

/**
 * Streams up to 1 GiB of lowercase text and never reads; stops once nothing more can be
 * written for `STALL_MS` (the server stopped reading) or after 1 GiB, whichever first.
 */
async function streamWithoutReading(port: number): Promise<GreedyResult> {
  const socket = await tcpConnect(port);
  socket.pause(); // never reads a byte of its answers
  socket.on("error", () => {}); // the server may close it at the end; not this test's concern
  const chunk = Buffer.alloc(MiB);
  for (let index = 0; index < chunk.length; index++) chunk[index] = 0x61 + (index % 26);
  let written = 0;
  while (written < GiB) {
    written += chunk.length;
    if (socket.write(chunk)) continue;
    const drained = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        socket.off("drain", onDrain);
        resolve(false);
      }, STALL_MS);
      const onDrain = () => {
        clearTimeout(timer);
        resolve(true);
      };
      socket.once("drain", onDrain);
    });
    if (!drained) return { socket, acceptedBytes: written - socket.writableLength, stalled: true };
  }
  return { socket, acceptedBytes: written - socket.writableLength, stalled: false };
}

/** A neighbour doing ping-pong every 50 ms on its own connection until stopped; checks each answer. */
function politeNeighbour(port: number): { stop(): Promise<{ exchanges: number; slowestMs: number }> } {
  let running = true;
  const done = (async () => {
    const socket = await tcpConnect(port);
    let exchanges = 0;
    let slowestMs = 0;
    try {
      while (running) {
        const text = `hola ñandú ${exchanges} straße`;
        const started = performance.now();
        const answer = await new Promise<Buffer>((resolve, reject) => {
          const expected = uppercase(text).length;
          const parts: Buffer[] = [];
          let length = 0;
          const onData = (part: Buffer) => {
            parts.push(part);
            length += part.length;
            if (length < expected) return;
            socket.off("data", onData);
            socket.off("error", reject);
            resolve(Buffer.concat(parts));
          };
          socket.on("data", onData);
          socket.once("error", reject);
          socket.write(text);
        });
        slowestMs = Math.max(slowestMs, performance.now() - started);
        assert.equal(answer.toString(), text.toUpperCase());
        exchanges++;
        await sleep(50);
      }
    } finally {
      socket.destroy();
    }
    return { exchanges, slowestMs };
  })();
  done.catch(() => {}); // reported by stop(), which every test calls
  return {
    stop() {
      running = false;
      return done;
    },
  };
}

/** Every test stops by itself. */
const BOUNDED = { timeout: 60_000 };

describe("a client that streams and never reads (mayus serve as a process)", () => {
  let baseline: ResourceBaseline;
  let server: MayusServer;
  let pid: number;

  before(async () => {
    baseline = resourceBaseline();
    server = await startMayusServer(["--tcp"]);
    pid = server.child.pid ?? 0;
    // Warm up (code compiled, pools allocated) so the baseline RSS is the server at work.
    const warm = Buffer.from("calentando ñ ".repeat(5000));
    assert.deepEqual(await tcpExchange(server.tcpPort, [warm]), uppercase(warm));
  });

  after(async () => {
    const finished = await server.stop();
    assert.equal(finished.code, 0, `server stderr: ${finished.stderr}`);
    await assertNoLeaks(baseline);
  });

  test(
    "1 GiB without reading: paused well before 1 GiB, RSS grows < 64 MiB, a neighbour is served meanwhile",
    BOUNDED,
    async (t) => {
      const startRss = residentBytes(pid);
      const sampler = sampleResident(pid);
      const neighbour = politeNeighbour(server.tcpPort);
      const greedy = await streamWithoutReading(server.tcpPort);
      try {
        assert.ok(greedy.stalled, "the server never stopped reading: 1 GiB went through");
        assert.ok(
          greedy.acceptedBytes < ACCEPTED_BOUND,
          `loopback took ${(greedy.acceptedBytes / MiB).toFixed(1)} MiB before the writer stalled`,
        );
        // The server holds the paused connection while another client does a whole exchange.
        const payload = Buffer.from("otro cliente, servido con normalidad: ñandú, straße, ŉ ".repeat(4000));
        const started = performance.now();
        assert.deepEqual(await tcpExchange(server.tcpPort, [payload]), uppercase(payload));
        assert.ok(performance.now() - started < 5000, "the other client waited behind the greedy one");
        await sleep(500); // the paused connection stays paused: memory stays flat
        const peakRss = sampler.stop();
        const { exchanges, slowestMs } = await neighbour.stop();
        assert.ok(exchanges >= 5, `the neighbour got only ${exchanges} answers`);
        assert.ok(slowestMs < 1000, `the neighbour waited ${slowestMs.toFixed(0)} ms for an answer`);
        const growth = peakRss - startRss;
        t.diagnostic(
          `loopback took ${(greedy.acceptedBytes / MiB).toFixed(1)} MiB; server RSS ${(startRss / MiB).toFixed(1)} MiB, ` +
            `peak +${(growth / MiB).toFixed(1)} MiB; neighbour: ${exchanges} answers, slowest ${slowestMs.toFixed(1)} ms`,
        );
        assert.ok(
          growth < RSS_GROWTH_BOUND,
          `server RSS grew by ${(growth / MiB).toFixed(1)} MiB (from ${(startRss / MiB).toFixed(1)} MiB)`,
        );
      } finally {
        sampler.stop();
        greedy.socket.destroy();
        await neighbour.stop().catch(() => {});
      }
    },
  );

  test("8 such clients at once: all paused, RSS grows < 64 MiB, a fresh client is served", BOUNDED, async (t) => {
    const startRss = residentBytes(pid);
    const sampler = sampleResident(pid);
    const greedy = await Promise.all(Array.from({ length: 8 }, () => streamWithoutReading(server.tcpPort)));
    try {
      for (const [index, one] of greedy.entries()) {
        assert.ok(one.stalled, `greedy client ${index} was never paused`);
        assert.ok(one.acceptedBytes < ACCEPTED_BOUND, `greedy client ${index}: ${one.acceptedBytes} bytes taken`);
      }
      const payload = Buffer.from("y sin embargo, atendido ".repeat(1000));
      assert.deepEqual(await tcpExchange(server.tcpPort, [payload]), uppercase(payload));
      const growth = sampler.stop() - startRss;
      const taken = greedy.reduce((sum, one) => sum + one.acceptedBytes, 0);
      t.diagnostic(
        `loopback took ${(taken / MiB).toFixed(1)} MiB in all; server RSS peak +${(growth / MiB).toFixed(1)} MiB`,
      );
      assert.ok(growth < RSS_GROWTH_BOUND, `server RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
    } finally {
      sampler.stop();
      for (const one of greedy) one.socket.destroy();
    }
  });
});
