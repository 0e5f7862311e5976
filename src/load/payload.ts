/**
 * The messages a bench sends and the answers it expects: text of the chosen kind cut to whole
 * characters, and its transform by the same code the server runs.
 */

import { Buffer } from "node:buffer";
import { type TransformMode, uppercase } from "../transform/index.js";
import type { BenchText } from "./options.js";

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
 * ASCII letters. Its answer is the transform in `mode`.
 *
 * @example
 * ```ts
 * import { buildMessage } from "./payload.js";
 * const { payload, expected } = buildMessage(8, "ascii", "unicode");
 * payload.toString(); // "the quic"
 * expected.toString(); // "THE QUIC"
 * ```
 */
export function buildMessage(sizeBytes: number, text: BenchText, mode: TransformMode, prefixBytes = 0): Message {
  const payload = Buffer.alloc(sizeBytes, "x");
  payload.fill("0", 0, Math.min(prefixBytes, sizeBytes));
  let offset = Math.min(prefixBytes, sizeBytes);
  const characters = Array.from(SENTENCES[text]);
  for (let index = 0; offset < sizeBytes; index = (index + 1) % characters.length) {
    const bytes = Buffer.byteLength(characters[index]);
    if (offset + bytes > sizeBytes) break; // the rest stays "x": whole characters only
    offset += payload.write(characters[index], offset);
  }
  return { payload, expected: uppercase(payload, { mode }) };
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
