/** Socket addresses as people read them: `127.0.0.1:12000`, `[::1]:12000`. */

import { isIPv6 } from "node:net";

/**
 * @example
 * ```ts
 * import { formatAddress } from "./address.js";
 * formatAddress("::1", 12000); // "[::1]:12000"
 * formatAddress("127.0.0.1", 12000); // "127.0.0.1:12000"
 * ```
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

/** A target as typed: `host`, `host:port`, `[v6]:port`, `[v6]`, or a bare IPv6 literal. */
export interface SplitTarget {
  /** Empty when the text was `:port` (the caller's default host applies). */
  host: string;
  /** The port text after the colon, unchecked; absent when none was written. */
  port?: string;
}

/**
 * Splits the `HOST:PORT` forms ncat and URLs use. A text with two colons or more and no
 * brackets is an IPv6 literal without a port (`::1`), as ncat reads it. Returns `undefined`
 * for an unclosed bracket or text after `]` that is not `:PORT`.
 *
 * @example
 * ```ts
 * import { splitHostPort } from "./address.js";
 * splitHostPort("localhost:12000"); // { host: "localhost", port: "12000" }
 * splitHostPort("[::1]:12000"); // { host: "::1", port: "12000" }
 * splitHostPort("::1"); // { host: "::1" }
 * ```
 */
export function splitHostPort(text: string): SplitTarget | undefined {
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close === -1) return undefined;
    const host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (host === "" || !isIPv6(host.replace(/%.*$/, ""))) return undefined;
    if (rest === "") return { host };
    return rest.startsWith(":") ? { host, port: rest.slice(1) } : undefined;
  }
  const colon = text.indexOf(":");
  if (colon === -1 || text.indexOf(":", colon + 1) !== -1) return { host: text };
  return { host: text.slice(0, colon), port: text.slice(colon + 1) };
}

/** A port to connect to: a whole number from 1 to 65535 written in decimal digits, else `undefined`. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65_535 ? port : undefined;
}
