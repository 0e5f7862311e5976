/**
 * What a streaming transform works on next: the start of a character the last chunk ended
 * inside of, then the new chunk. Shared by the uppercase and lowercase streams.
 */

import { Buffer } from "node:buffer";

/**
 * The bytes to transform: `held` then `chunk` (a new buffer) when something is held; else
 * `chunk` itself when the caller gave it to be overwritten (`inPlace`), or a copy.
 *
 * @example
 * ```ts
 * import { inputAfterHeld } from "./held-input.js";
 * inputAfterHeld(Buffer.from([0xc3]), Buffer.from([0xb1, 0x61]), false); // <Buffer c3 b1 61>: "ña"
 * const chunk = Buffer.from("abc");
 * inputAfterHeld(Buffer.alloc(0), chunk, true) === chunk; // true
 * ```
 */
export function inputAfterHeld(held: Buffer, chunk: Uint8Array, inPlace: boolean): Buffer {
  if (held.length > 0) return Buffer.concat([held, chunk]);
  if (!inPlace) return Buffer.from(chunk);
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
}
