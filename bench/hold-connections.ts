/**
 * W6's client: opens COUNT idle TCP connections from one source address and holds them,
 * reporting on stdout as JSON lines; `status` on stdin asks how many are still open.
 *
 *   node --import tsx bench/hold-connections.ts --port P --count N --source 127.0.10.1
 */

import { connect, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string" },
    count: { type: "string" },
    source: { type: "string", default: "127.0.0.1" },
    concurrency: { type: "string", default: "200" },
    "connect-timeout-ms": { type: "string", default: "3000" },
    "deadline-ms": { type: "string", default: "60000" },
  },
});

const port = Number(values.port);
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const connectTimeoutMs = Number(values["connect-timeout-ms"]);
const deadline = Date.now() + Number(values["deadline-ms"]);

const held = new Set<Socket>();
let failed = 0;
let closedByServer = 0;
let started = 0;

function say(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function openOne(): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: values.host, port, localAddress: values.source });
    const timer = setTimeout(() => socket.destroy(), connectTimeoutMs);
    let connected = false;
    socket.on("error", () => {});
    socket.once("connect", () => {
      connected = true;
      clearTimeout(timer);
      held.add(socket);
      socket.resume(); // flowing, so a close by the server is noticed
      resolve();
    });
    socket.on("close", () => {
      clearTimeout(timer);
      if (connected) {
        if (held.delete(socket)) closedByServer++;
      } else {
        failed++;
        resolve();
      }
    });
  });
}

async function worker(): Promise<void> {
  while (started < count && Date.now() < deadline) {
    started++;
    await openOne();
  }
}

await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
say({ event: "opened", held: held.size, failed, closedByServer });

createInterface({ input: process.stdin })
  .on("line", (line) => {
    if (line.trim() === "status") say({ event: "status", held: held.size, failed, closedByServer });
  })
  .on("close", () => {
    for (const socket of held) socket.destroy();
    process.exit(0);
  });
process.once("SIGTERM", () => {
  for (const socket of held) socket.destroy();
  process.exit(0);
});
