/**
 * The messages a bench sends and the answers it expects: text of the chosen kind cut to whole
 * characters, and its transform by the same code the server runs.
 */

import { Buffer } from "node:buffer";
import { type TransformOptions, uppercase } from "../transform/index.js";
import { ReplyUppercaser } from "../udp/reply-uppercaser.js";
import { UDP_DEFAULTS } from "../udp/udp-server-options.js";
import type { BenchText } from "./options.js";

const NEWLINE = 0x0a;

const SENTENCES: Record<BenchText, string> = {
  ascii: "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\n",
  spanish: "el pingüino y la cigüeña comían piñas en el árbol; ¡qué útil es el índice del ñandú!\n",
};

export interface Message {
  /** What is sent, every time (never modified, except a UDP sequence prefix). */
  payload: Buffer;
  /** The answer a correct server sends for it. */
  expected: Buffer;
}

/**
 * A message of exactly `sizeBytes` bytes: `prefixBytes` ASCII digits (room for a sequence
 * number, which no transform changes), then text cut at a character boundary, padded with
 * ASCII letters; with a locale, its last byte is a newline. Its answer is what `transform`
 * (mode, and locale if any) makes of it; as a `datagram`, the reply a server gives at its
 * default `--udp-max-growth` (1): where a locale's letters would grow the reply (Turkish i is
 * İ, 2 bytes), they stay as they are. Without a locale the bench's texts never grow.
 *
 * The newline: a server with language rules holds the word a read ends in until it sees where
 * the word ends (src/transform/locale-uppercaser.ts), so a message ending in a letter would be
 * answered only in part until the next one came, and a ping-pong would wait for ever.
 *
 * @example
 * ```ts
 * import { buildMessage } from "./payload.js";
 * const { payload, expected } = buildMessage(8, "ascii", { mode: "unicode" });
 * payload.toString(); // "the quic"
 * expected.toString(); // "THE QUIC"
 * ```
 */
export function buildMessage(
  sizeBytes: number,
  text: BenchText,
  transform: TransformOptions,
  { prefixBytes = 0, datagram = false } = {},
): Message {
  const payload = Buffer.alloc(sizeBytes, "x");
  payload.fill("0", 0, Math.min(prefixBytes, sizeBytes));
  const textEnd = transform.locale === undefined || sizeBytes <= prefixBytes ? sizeBytes : sizeBytes - 1;
  if (textEnd < sizeBytes) payload[textEnd] = NEWLINE;
  let offset = Math.min(prefixBytes, sizeBytes);
  const characters = Array.from(SENTENCES[text]);
  for (let index = 0; offset < textEnd; index = (index + 1) % characters.length) {
    const bytes = Buffer.byteLength(characters[index]);
    if (offset + bytes > textEnd) break; // the rest stays "x": whole characters only
    offset += payload.write(characters[index], offset);
  }
  const options = { mode: transform.mode, locale: transform.locale };
  const expected = datagram
    ? new ReplyUppercaser(options, UDP_DEFAULTS.maxGrowth).uppercase(Buffer.from(payload))
    : uppercase(payload, options);
  return { payload, expected };
}

/**
 * `count` copies of `message` end to end, for streaming writes of many messages at once.
 *
 * @example
 * ```ts
 * import { repeat } from "./payload.js";
 * repeat(Buffer.from("ab"), 3).toString(); // "ababab"
 * ```
 */
export function repeat(message: Buffer, count: number): Buffer {
  const block = Buffer.allocUnsafe(message.length * count);
  for (let index = 0; index < count; index++) message.copy(block, index * message.length);
  return block;
}
