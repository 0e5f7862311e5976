/**
 * Which UDP sources never get a reply, against reflection loops (CERT CA-1996-01): an
 * uppercase server answering another echo-like service (or itself) would ping-pong forever,
 * since uppercase of uppercase is the same text; and a broadcast or multicast source would
 * turn one datagram into many.
 */

import { networkInterfaces } from "node:os";
import { unmapIPv4 } from "../address/address.js";

export type ReflectionRefusal = "privileged-port" | "nfs-port" | "own-port" | "broadcast" | "multicast";

/** NFS's port: a well-known UDP service above 1023. */
const NFS_PORT = 2049;

/**
 * @example
 * ```ts
 * import { ReflectionGuard } from "./reflection-guard.js";
 * const guard = new ReflectionGuard([12000]);
 * guard.refusalFor("127.0.0.1", 7); // "privileged-port" (echo)
 * guard.refusalFor("127.0.0.1", 40000); // undefined: answer it
 * ```
 */
export class ReflectionGuard {
  readonly #ownPorts: Set<number>;
  readonly #broadcastAddresses: Set<string>;
  /** The last source address asked about and its answer: a client's datagrams all ask the same. */
  #lastAddress: string | undefined;
  #lastAddressRefusal: ReflectionRefusal | undefined;

  constructor(ownPorts: Iterable<number>, broadcastAddresses: Iterable<string> = localBroadcastAddresses()) {
    this.#ownPorts = new Set(ownPorts);
    this.#broadcastAddresses = new Set(broadcastAddresses);
  }

  /** A port mayus itself listens on (both protocols, every listener). */
  addOwnPort(port: number): void {
    this.#ownPorts.add(port);
  }

  /** Why a datagram from this source gets no reply, or `undefined` when it may get one. */
  refusalFor(address: string, port: number): ReflectionRefusal | undefined {
    if (port < 1024) return "privileged-port";
    if (port === NFS_PORT) return "nfs-port";
    if (this.#ownPorts.has(port)) return "own-port";
    if (address !== this.#lastAddress) {
      this.#lastAddressRefusal = this.#addressRefusal(address);
      this.#lastAddress = address;
    }
    return this.#lastAddressRefusal;
  }

  #addressRefusal(address: string): ReflectionRefusal | undefined {
    // Sources come from the kernel, so they are well-formed: no regex on this per-datagram path.
    const ipv4 = unmapIPv4(address);
    if (ipv4.includes(":")) {
      // IPv6 multicast is ff00::/8: a first group of four digits starting "ff" (not "ff::", 00ff).
      const startsFf = (ipv4.charCodeAt(0) | 0x20) === 0x66 && (ipv4.charCodeAt(1) | 0x20) === 0x66;
      return startsFf && ipv4.indexOf(":") === 4 ? "multicast" : undefined;
    }
    const firstOctet = firstOctetOf(ipv4);
    if (firstOctet >= 224 && firstOctet <= 239) return "multicast";
    if (ipv4 === "255.255.255.255" || this.#broadcastAddresses.has(ipv4)) return "broadcast";
    return undefined;
  }
}

/** "224.0.0.1" → 224, by hand: `parseInt` of a dotted address leaves V8's fast path for its runtime. */
function firstOctetOf(ipv4: string): number {
  let octet = 0;
  for (let index = 0; index < 3; index++) {
    const digit = ipv4.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) break;
    octet = octet * 10 + digit;
  }
  return octet;
}

/** The directed broadcast address of each local IPv4 network (address | ~netmask). */
export function localBroadcastAddresses(): string[] {
  const addresses: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family !== "IPv4" || entry.netmask === "255.255.255.255") continue;
      const address = entry.address.split(".").map(Number);
      const mask = entry.netmask.split(".").map(Number);
      addresses.push(address.map((octet, index) => (octet | (~mask[index] & 0xff)) & 0xff).join("."));
    }
  }
  return addresses;
}
