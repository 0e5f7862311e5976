/**
 * `--trace`: each socket step as it happens, in the lesson's words (socket, bind, listen,
 * accept, connect, recv, send, recvfrom, sendto, close), with the time since start, the
 * peer, and the payload escaped and cut to a readable length.
 */

import { decodeCodePoint, sequenceLength } from "../transform/utf8.js";

export type TraceStep =
  | "socket"
  | "bind"
  | "listen"
  | "accept"
  | "connect"
  | "recv"
  | "send"
  | "recvfrom"
  | "sendto"
  | "shutdown"
  | "close"
  | "drop"
  | "duplicate"
  | "delay"
  | "refuse";

export interface TraceEvent {
  step: TraceStep;
  protocol: "tcp" | "udp";
  /** The other end, as `address:port`. */
  peer?: string;
  bytes?: number;
  /** The bytes, valid only during the call (the servers read into memory the next read reuses): copy to keep. */
  payload?: Uint8Array;
  /** A word or two more: why a datagram was dropped, the delay applied... */
  note?: string;
  /** Why a datagram was not answered or a connection refused, as a key (`rate-limited`...), for programs. */
  reason?: string;
  /** The delay applied to a reply (`delay` steps), in milliseconds, for programs. */
  delayMs?: number;
  /** A TCP `close` that sends our FIN itself (no `shutdown` before it), for programs. */
  sendsFin?: boolean;
}

/** Receives trace events; servers and clients call it only when tracing is on. */
export type Tracer = (event: TraceEvent) => void;

/** Payload bytes shown in a trace line, at most. */
export const TRACE_PAYLOAD_BYTES = 40;

/**
 * Shows bytes as readable text: printable characters as they are (learners type `ñ`),
 * `\n`, `\r`, `\t` escaped, any other byte as `\xHH`; cut after `TRACE_PAYLOAD_BYTES`
 * with `…`.
 *
 * @example
 * ```ts
 * import { escapePayload } from "./trace.js";
 * escapePayload(Buffer.from("hola\n")); // "hola\\n"
 * ```
 */
export function escapePayload(payload: Uint8Array, maxBytes = TRACE_PAYLOAD_BYTES): string {
  const end = Math.min(payload.length, maxBytes);
  let escaped = "";
  for (let index = 0; index < end; ) {
    const length = sequenceLength(payload, index, end);
    const codePoint = length > 0 ? decodeCodePoint(payload, index, length) : -1;
    if (codePoint === 0x0a) escaped += "\\n";
    else if (codePoint === 0x0d) escaped += "\\r";
    else if (codePoint === 0x09) escaped += "\\t";
    else if (codePoint === 0x5c) escaped += "\\\\";
    else if (codePoint >= 0x20 && codePoint !== 0x7f && !(codePoint >= 0x80 && codePoint < 0xa0)) {
      escaped += String.fromCodePoint(codePoint);
    } else {
      escaped += `\\x${payload[index].toString(16).padStart(2, "0")}`;
      index += 1;
      continue;
    }
    index += length;
  }
  return payload.length > maxBytes ? `${escaped}…` : escaped;
}
