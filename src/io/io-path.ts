/**
 * Which I/O path each protocol's server takes in this process, and why: the native module's
 * syscalls, or Node's own I/O where the module was not built or does not load. `mayus serve`
 * says it once at start, and /metrics carries it as a label.
 */

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { streamReadsUnavailable } from "../tcp/batched-reads.js";
import { streamSyscallsUnavailable } from "../tcp/stream-syscalls.js";
import { fastestDatagramPath } from "../udp/datagram-io.js";
import { datagramSyscallsUnavailable } from "../udp/datagram-syscalls.js";
import { NATIVE_SWITCH } from "./native-module.js";

export type IoProtocol = "tcp" | "udp";
/** "native": build/*.node's syscalls on the data path; "node": Node's own sockets alone. */
export type IoPath = "native" | "node";

export interface ProtocolIoPath {
  protocol: IoProtocol;
  path: IoPath;
  /** Why, for a person: what the path is, or why the native one is not taken and what to do. */
  reason: string;
}

/** What brings the native modules where they are missing: the package's install script, again. */
export const NATIVE_BUILD_HINT = "run `npm rebuild mayus` with a C compiler installed (Debian: gcc libc6-dev)";

/** The native module file of `name`, where native-module.ts loads it from (build/ at the package root). */
function nativeModulePath(name: string): string {
  return fileURLToPath(new URL(`../../build/${name}.node`, import.meta.url));
}

/** Why Node's own I/O: a module never built says how to build it; one that failed to load says why. */
function nodeReason(name: string, unavailable: string | undefined): string {
  // Asked for: nothing to build or fix.
  if (process.env[NATIVE_SWITCH] === "0") return `Node's own I/O (native modules ${unavailable})`;
  if (!existsSync(nativeModulePath(name)))
    return `Node's own I/O: the native module was not built (build/${name}.node); ${NATIVE_BUILD_HINT}`;
  return `Node's own I/O: build/${name}.node is there but not used (${unavailable}); ${NATIVE_BUILD_HINT}`;
}

/** What the TCP path is under `--tls`: the native send would put plaintext on the wire. */
export const TLS_IO_REASON = "TLS: Node's own I/O (the native syscalls cannot carry TLS records)";

/** How TCP reads come where the native send is taken. */
function tcpReads(): string {
  if (streamReadsUnavailable === undefined) return "reads come by epoll, a turn's reads at once (stream-reads)";
  return `reads through Node (stream-reads: ${streamReadsUnavailable})`;
}

function tcpIoPath(tls: boolean): ProtocolIoPath {
  if (tls) return { protocol: "tcp", path: "node", reason: TLS_IO_REASON };
  if (streamSyscallsUnavailable === undefined) {
    const reads = tcpReads();
    return {
      protocol: "tcp",
      path: "native",
      reason: `native syscalls: answers go out by send() (stream-syscalls); ${reads}`,
    };
  }
  return { protocol: "tcp", path: "node", reason: nodeReason("stream-syscalls", streamSyscallsUnavailable) };
}

function udpIoPath(): ProtocolIoPath {
  if (fastestDatagramPath === "syscalls")
    return {
      protocol: "udp",
      path: "native",
      reason: "native syscalls: datagrams come by recvfrom() and go by sendto() (datagram-syscalls)",
    };
  if (fastestDatagramPath === "events")
    return {
      protocol: "udp",
      path: "node",
      reason: "Node's own I/O: this Node has no send request to reuse (udp_wrap)",
    };
  return { protocol: "udp", path: "node", reason: nodeReason("datagram-syscalls", datagramSyscallsUnavailable) };
}

/**
 * The I/O path of each protocol asked for (both by default); `tls`: TCP speaks TLS (`--tls`).
 *
 * @example
 * ```ts
 * import { ioPathReport } from "./io-path.js";
 * ioPathReport(["udp"]); // [{ protocol: "udp", path: "native", reason: "native syscalls: …" }]
 * ```
 */
export function ioPathReport(
  protocols: readonly IoProtocol[] = ["tcp", "udp"],
  options: { tls?: boolean } = {},
): ProtocolIoPath[] {
  return protocols.map((protocol) => (protocol === "tcp" ? tcpIoPath(options.tls ?? false) : udpIoPath()));
}
