/**
 * The soak's load workers (scripts/soak.ts): each kind runs in its own process until its
 * deadline, then reports over IPC.
 */

import { createSocket } from "node:dgram";
import { setTimeout as sleep } from "node:timers/promises";
import { createUppercaser, uppercase } from "../../src/transform/index.js";
import { tcpConnect } from "../../test/support/sockets.js";

const MiB = 1024 * 1024;

export const WORKER_KINDS = ["tcp-pingpong", "tcp-churn", "tcp-stream", "udp"] as const;
export type WorkerKind = (typeof WORKER_KINDS)[number];

export interface WorkerReport {
  kind: string;
  /** Exchanges completed (messages, connections, streams, datagrams). */
  operations: number;
  bytes: number;
  /** Answers that were not the transform of what was sent: always a failure. */
  wrong: number;
  /** Connections that failed unexpectedly. */
  errors: number;
  /** UDP datagrams with no reply in time (UDP may lose; reported, not a failure). */
  lost: number;
  detail?: string;
}

/** Text with accents and ñ (2-byte UTF-8), and now and then a character that grows (ß, ŉ). */
function randomText(maxBytes: number): Buffer {
  const words = ["hola", "señor", "ñandú", "canción", "straße", "ŉ", "mayús", "año", "pingüino", "ÿ", "x"];
  const parts: string[] = [];
  let length = 0;
  const target = 1 + Math.floor(Math.random() * maxBytes);
  while (length < target) {
    const word = words[Math.floor(Math.random() * words.length)];
    parts.push(word);
    length += Buffer.byteLength(word) + 1;
  }
  return Buffer.from(parts.join(" "));
}

/** Sends, half-closes, collects the answer until the server closes (or `timeoutMs`). */
async function exchangeOnce(port: number, payload: Buffer, timeoutMs = 10_000): Promise<Buffer> {
  const socket = await tcpConnect(port);
  const parts: Buffer[] = [];
  socket.on("data", (part: Buffer) => parts.push(part));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.end(payload);
    });
  } finally {
    socket.destroy();
  }
  return Buffer.concat(parts);
}

async function pingPongWorker(port: number, deadline: number, report: WorkerReport): Promise<void> {
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      const socket = await tcpConnect(port);
      socket.on("error", () => {});
      try {
        while (Date.now() < deadline && !socket.destroyed) {
          const message = randomText(1500);
          const expected = uppercase(message);
          const answer = await new Promise<Buffer>((resolve, reject) => {
            const parts: Buffer[] = [];
            let length = 0;
            const timer = setTimeout(() => reject(new Error("no answer within 10 s")), 10_000);
            const onData = (part: Buffer) => {
              parts.push(part);
              length += part.length;
              if (length < expected.length) return;
              clearTimeout(timer);
              socket.off("data", onData);
              resolve(Buffer.concat(parts));
            };
            socket.on("data", onData);
            socket.write(message);
          });
          if (!answer.equals(expected)) report.wrong++;
          report.operations++;
          report.bytes += message.length;
        }
      } catch {
        report.errors++;
      } finally {
        socket.destroy();
      }
    }),
  );
}

/** Short connections, some of them rude: resets, a FIN mid-character, silence. */
async function churnWorker(port: number, deadline: number, report: WorkerReport): Promise<void> {
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < deadline) {
        const roll = Math.random();
        try {
          if (roll < 0.7) {
            const message = randomText(4000);
            const answer = await exchangeOnce(port, message);
            if (!answer.equals(uppercase(message))) report.wrong++;
            report.bytes += message.length;
          } else if (roll < 0.8) {
            const socket = await tcpConnect(port);
            socket.on("error", () => {});
            socket.write(randomText(20_000));
            await sleep(Math.random() * 5);
            socket.resetAndDestroy();
          } else if (roll < 0.9) {
            const answer = await exchangeOnce(port, Buffer.from([0x61, 0xc3]));
            if (!answer.equals(Buffer.from([0x41, 0xc3]))) report.wrong++;
          } else {
            const socket = await tcpConnect(port);
            socket.on("error", () => {});
            await sleep(50);
            socket.destroy();
          }
          report.operations++;
        } catch {
          report.errors++;
        }
      }
    }),
  );
}

/** Streams 8 MB at a time, reading concurrently; one of the readers is slow (pauses often). */
async function streamWorker(port: number, deadline: number, report: WorkerReport): Promise<void> {
  const block = Buffer.alloc(8 * MiB);
  for (let index = 0; index < block.length; index++) block[index] = 0x61 + (index % 26);
  await Promise.all(
    [false, false, true].map(async (slowReader) => {
      while (Date.now() < deadline) {
        try {
          const socket = await tcpConnect(port);
          let received = 0;
          let wrong = false;
          const done = new Promise<void>((resolve, reject) => {
            socket.on("data", (part: Buffer) => {
              for (let index = 0; index < part.length; index++) {
                if (part[index] !== block[received + index] - 0x20) wrong = true;
              }
              received += part.length;
              if (slowReader && Math.random() < 0.05) {
                socket.pause();
                setTimeout(() => socket.resume(), 50);
              }
            });
            socket.once("close", () => resolve());
            socket.once("error", reject);
          });
          for (let offset = 0; offset < block.length; offset += 256 * 1024) {
            if (!socket.write(block.subarray(offset, offset + 256 * 1024))) {
              await new Promise((resolve) => socket.once("drain", resolve));
            }
          }
          socket.end();
          await done;
          if (wrong || received !== block.length) report.wrong++;
          report.operations++;
          report.bytes += block.length;
        } catch {
          report.errors++;
        }
      }
    }),
  );
}

/** Datagrams from four source addresses, each paced below the per-source rate limit. */
async function udpWorker(port: number, deadline: number, report: WorkerReport): Promise<void> {
  await Promise.all(
    [21, 22, 23, 24].map(async (last) => {
      const socket = createSocket("udp4");
      socket.on("error", () => {});
      await new Promise<void>((resolve) => socket.bind(0, `127.0.0.${last}`, resolve));
      try {
        let sent = 0;
        const started = Date.now();
        while (Date.now() < deadline) {
          // At most 1,000 a second from this address (the default limit is 2,000 per source).
          const ahead = sent - (Date.now() - started);
          if (ahead > 0) await sleep(ahead);
          const message = randomText(1400);
          const expected = createUppercaser().transformOwned(Buffer.from(message), { keepGrowingCharacters: true });
          const reply = await new Promise<Buffer | undefined>((resolve) => {
            const timer = setTimeout(() => {
              socket.off("message", onMessage);
              resolve(undefined);
            }, 500);
            const onMessage = (data: Buffer) => {
              clearTimeout(timer);
              resolve(data);
            };
            socket.once("message", onMessage);
            socket.send(message, port, "127.0.0.1");
          });
          sent++;
          if (reply === undefined) report.lost++;
          else if (!reply.equals(expected)) report.wrong++;
          else report.operations++;
          report.bytes += message.length;
        }
      } finally {
        socket.close();
      }
    }),
  );
}

export async function runWorker(kind: WorkerKind, port: number, seconds: number): Promise<void> {
  const report: WorkerReport = { kind, operations: 0, bytes: 0, wrong: 0, errors: 0, lost: 0 };
  const deadline = Date.now() + seconds * 1000;
  const loops = {
    "tcp-pingpong": pingPongWorker,
    "tcp-churn": churnWorker,
    "tcp-stream": streamWorker,
    udp: udpWorker,
  };
  await loops[kind](port, deadline, report);
  process.send?.(report);
  process.disconnect?.();
}
