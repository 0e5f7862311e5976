/**
 * W6's client: opens COUNT idle TCP connections from one source address and holds them,
 * reporting on stdout as JSON lines; `status` on stdin asks how many are still open.
 *
 *   node --import tsx bench/hold-connections.ts --port P --count N --source 127.0.10.1
 *
 * Each socket is bound to its own local port, counted up from --first-port: binding to port 0
 * with a source address makes the kernel search the port range on every bind, which took 18 s
 * of system time for 15,000 connections (IP_BIND_ADDRESS_NO_PORT would avoid that; Node does
 * not set it); a named port is one lookup. A port already taken is skipped.
 */

import { connect, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { scriptArguments } from "./arguments.js";

const values = scriptArguments("hold-connections", {
  host: { type: "string", default: "127.0.0.1" },
  port: { type: "string" },
  count: { type: "string" },
  source: { type: "string", default: "127.0.0.1" },
  concurrency: { type: "string", default: "200" },
  "connect-timeout-ms": { type: "string", default: "3000" },
  "deadline-ms": { type: "string", default: "60000" },
  "first-port": { type: "string", default: "10000" },
});

const port = Number(values.port);
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const connectTimeoutMs = Number(values["connect-timeout-ms"]);
const deadline = Date.now() + Number(values["deadline-ms"]);
const LAST_PORT = 65_535;
let nextPort = Number(values["first-port"]);

const held = new Set<Socket>();
let failed = 0;
let closedByServer = 0;
let started = 0;

function say(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Opens one connection; resolves false when its local port was taken (nothing was counted). */
function openOne(): Promise<boolean> {
  return new Promise((resolve) => {
    const localPort = nextPort++;
    const socket = connect({ host: values.host, port, localAddress: values.source, localPort });
    const timer = setTimeout(() => socket.destroy(), connectTimeoutMs);
    let connected = false;
    let portTaken = false;
    socket.on("error", (error: NodeJS.ErrnoException) => {
      portTaken = !connected && error.code === "EADDRINUSE";
    });
    socket.once("connect", () => {
      connected = true;
      clearTimeout(timer);
      held.add(socket);
      socket.resume(); // flowing, so a close by the server is noticed
      resolve(true);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      if (connected) {
        if (held.delete(socket)) closedByServer++;
      } else if (portTaken) {
        resolve(false);
      } else {
        failed++;
        resolve(true);
      }
    });
  });
}

async function worker(): Promise<void> {
  while (started < count && Date.now() < deadline && nextPort <= LAST_PORT) {
    started++;
    if (!(await openOne())) started--;
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
