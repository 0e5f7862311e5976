/**
 * Test support: a free loopback port for a peer that cannot bind port 0 and tell us (HAProxy,
 * nginx, a guide's shell). Chosen below the kernel's ephemeral range, so the local port of
 * another test's client socket, which the kernel takes from that range, cannot take it
 * between the check here and the peer's bind.
 */

import { createSocket, type SocketType } from "node:dgram";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

/** The lowest port the kernel hands out by itself (connect, bind to port 0). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : 32_768;
  } catch {
    return 32_768; // Linux's default
  }
}

const LOWEST_CHOSEN = 10_000;
/** Ports this process has handed out already (a test may not have bound its own yet). */
const handedOut = new Set<number>();

async function canBindTcp(port: number, host: string): Promise<boolean> {
  const server = createServer();
  server.on("error", () => {});
  server.listen(port, host);
  const [event] = await Promise.race([once(server, "listening").then(() => ["listening"]), once(server, "error")]);
  if (event === "listening") await new Promise((resolve) => server.close(resolve));
  return event === "listening";
}

async function canBindUdp(port: number, type: SocketType, host: string): Promise<boolean> {
  const socket = createSocket(type);
  const bound = await new Promise<boolean>((resolve) => {
    socket.once("error", () => resolve(false));
    socket.bind(port, host, () => resolve(true));
  });
  socket.close();
  return bound;
}

/**
 * `count` consecutive ports, free now for TCP (and for UDP with `udp`) on `host` (`::` checks
 * IPv4 and IPv6 at once). Throws when none is found in 200 tries.
 */
export async function freePorts(options: { count?: number; udp?: boolean; host?: string } = {}): Promise<number> {
  const { count = 1, udp = false, host = "127.0.0.1" } = options;
  const highest = Math.max(LOWEST_CHOSEN + 1000, ephemeralLow()) - count;
  for (let attempt = 0; attempt < 200; attempt++) {
    const first = LOWEST_CHOSEN + Math.floor(Math.random() * (highest - LOWEST_CHOSEN));
    const ports = Array.from({ length: count }, (_, index) => first + index);
    if (ports.some((port) => handedOut.has(port))) continue;
    let free = true;
    for (const port of ports) {
      free =
        (await canBindTcp(port, host)) &&
        (!udp || (await canBindUdp(port, host.includes(":") ? "udp6" : "udp4", host)));
      if (!free) break;
    }
    if (!free) continue;
    for (const port of ports) handedOut.add(port);
    return first;
  }
  throw new Error(`no ${count} free consecutive port(s) found below ${highest + count}`);
}
