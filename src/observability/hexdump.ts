/**
 * `--hexdump`: each payload as `xxd -g1` lines (offset, 16 bytes in hex, the printable ASCII),
 * bounded per event, printed under its trace line or under a short header of its own.
 */

import { t } from "../i18n/index.js";
import type { TraceEvent, Tracer } from "./trace.js";

/** `--hexdump-bytes`: bytes of one payload dumped by default, and the bounds of the flag. */
export const HEXDUMP_DEFAULTS = { bytes: 256, minBytes: 1, maxBytes: 65_536 } as const;

const BYTES_PER_LINE = 16;
/** "hh " for each of 16 bytes: a short last line is padded to it, as xxd does. */
const HEX_COLUMN_WIDTH = BYTES_PER_LINE * 3;
const HEX_DIGITS = "0123456789abcdef";

/**
 * The lines `xxd -g1` prints for the first `maxBytes` bytes, then one line saying how many
 * were left out. Formats at once: trace payloads are valid only during the call.
 *
 * @example
 * ```ts
 * import { hexdumpLines } from "./hexdump.js";
 * hexdumpLines(Buffer.from("hola\n"));
 * // ["00000000: 68 6f 6c 61 0a                                   hola."]
 * ```
 */
export function hexdumpLines(payload: Uint8Array, maxBytes: number = HEXDUMP_DEFAULTS.bytes): string[] {
  const end = Math.min(payload.length, maxBytes);
  const lines: string[] = [];
  for (let offset = 0; offset < end; offset += BYTES_PER_LINE) {
    let hex = "";
    let text = "";
    for (let index = offset; index < Math.min(offset + BYTES_PER_LINE, end); index++) {
      const byte = payload[index];
      hex += `${HEX_DIGITS[byte >> 4]}${HEX_DIGITS[byte & 0xf]} `;
      text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : ".";
    }
    lines.push(`${offset.toString(16).padStart(8, "0")}: ${hex.padEnd(HEX_COLUMN_WIDTH)} ${text}`);
  }
  if (payload.length > end) lines.push(t("hexdump.more", { count: payload.length - end }));
  return lines;
}

/**
 * A tracer that dumps every payload: under the line `trace` prints for the event when tracing
 * is on, else under a header line of its own (`tcp recv 127.0.0.1:5000 5 bytes`); events
 * without a payload print nothing then.
 */
export function withHexdump(write: (line: string) => void, maxBytes: number, trace?: Tracer): Tracer {
  return (event: TraceEvent) => {
    trace?.(event);
    const payload = event.payload;
    if (payload === undefined || payload.length === 0) return;
    if (trace === undefined) write(headerLine(event));
    for (const line of hexdumpLines(payload, maxBytes)) write(line);
  };
}

function headerLine(event: TraceEvent): string {
  const parts: string[] = [event.protocol, event.step];
  if (event.peer !== undefined) parts.push(event.peer);
  parts.push(t("trace.bytes", { count: event.payload?.length ?? 0 }));
  return parts.join(" ");
}
