/** Test support: raw sockets on loopback, to talk to servers the way any peer would. */

import { createSocket } from "node:dgram";
import { connect, type Socket } from "node:net";

/** Connects, sends the chunks (pausing `gapMs` between them), half-closes, returns all it got. */
export async function tcpExchange(
  port: number,
  chunks: readonly Uint8Array[],
  options: { host?: string; gapMs?: number } = {},
): Promise<Buffer> {
  const socket = await tcpConnect(port, options.host);
  const received: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => received.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    socket.on("close", () => resolve());
    socket.on("error", reject);
  });
  for (const chunk of chunks) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once("drain", resolve));
    if (options.gapMs) await new Promise((resolve) => setTimeout(resolve, options.gapMs));
  }
  socket.end();
  await ended;
  return Buffer.concat(received);
}

export function tcpConnect(port: number, host = "127.0.0.1"): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** Sends one datagram and waits for one reply (or `undefined` after `timeoutMs`). */
export async function udpExchange(
  port: number,
  payload: Uint8Array,
  options: { host?: string; timeoutMs?: number } = {},
): Promise<Buffer | undefined> {
  const host = options.host ?? "127.0.0.1";
  const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
  try {
    return await new Promise<Buffer | undefined>((resolve, reject) => {
      const timer = setTimeout(() => resolve(undefined), options.timeoutMs ?? 2000);
      socket.once("message", (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      socket.once("error", reject);
      socket.send(payload, port, host);
    });
  } finally {
    socket.close();
  }
}
