/**
 * The heartbeat datagram, `HEARTBEAT <seq> <unix-ms>`: a sequence number from 1 and the
 * sender's clock in milliseconds since 1970, in ASCII, optionally ended by `\n` or `\r\n`
 * (so `nc -u` can send one). It is upper case already, so an uppercase server answers it with
 * itself, and any datagram that does not read exactly so is a line to uppercase like any other.
 */

/** The first bytes of every heartbeat: a datagram that does not start so costs one compare. */
export const HEARTBEAT_WORD = "HEARTBEAT";

const FIRST_BYTE = HEARTBEAT_WORD.charCodeAt(0);
/** The longest heartbeat: the word, two numbers of at most 16 digits, their spaces and `\r\n`. */
const MAX_HEARTBEAT_BYTES = HEARTBEAT_WORD.length + 2 * 17 + 2;
const HEARTBEAT = /^HEARTBEAT ([1-9]\d{0,15}) (\d{1,16})\r?\n?$/;

export interface Heartbeat {
  sequence: number;
  /** The sender's clock when it sent the heartbeat, in Unix milliseconds. */
  sentAtMs: number;
}

/**
 * @example
 * ```ts
 * import { formatHeartbeat } from "./heartbeat-format.js";
 * formatHeartbeat(7, 1765000000000); // "HEARTBEAT 7 1765000000000"
 * ```
 */
export function formatHeartbeat(sequence: number, sentAtMs: number): string {
  return `${HEARTBEAT_WORD} ${sequence} ${Math.round(sentAtMs)}`;
}

/**
 * The heartbeat a datagram carries, or `undefined` when it is not one.
 *
 * @example
 * ```ts
 * import { parseHeartbeat } from "./heartbeat-format.js";
 * parseHeartbeat(Buffer.from("HEARTBEAT 7 1765000000000\n")); // { sequence: 7, sentAtMs: 1765000000000 }
 * parseHeartbeat(Buffer.from("heartbeat 7 1765000000000")); // undefined: a line like any other
 * ```
 */
export function parseHeartbeat(datagram: Uint8Array): Heartbeat | undefined {
  if (datagram.length > MAX_HEARTBEAT_BYTES || datagram[0] !== FIRST_BYTE) return undefined;
  const match = HEARTBEAT.exec(Buffer.from(datagram.buffer, datagram.byteOffset, datagram.length).toString("latin1"));
  if (match === null) return undefined;
  const sequence = Number(match[1]);
  const sentAtMs = Number(match[2]);
  if (!Number.isSafeInteger(sequence) || !Number.isSafeInteger(sentAtMs)) return undefined;
  return { sequence, sentAtMs };
}
