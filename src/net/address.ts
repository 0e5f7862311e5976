/** Socket addresses as people read them: `127.0.0.1:12000`, `[::1]:12000`. */

import { isIPv6 } from "node:net";

/**
 * @example
 * formatAddress("::1", 12000); // "[::1]:12000"
 * formatAddress("127.0.0.1", 12000); // "127.0.0.1:12000"
 */
export function formatAddress(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Dual-stack sockets show IPv4 peers as `::ffff:a.b.c.d`; logs and limits want `a.b.c.d`. */
export function unmapIPv4(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/** The mayus port from the lesson. */
export const DEFAULT_PORT = 12000;
