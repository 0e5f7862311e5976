/**
 * The ASCII lowercase kernel: only bytes `A`-`Z` change, every other byte is kept (binary-safe,
 * same length), in place, four bytes per step. Pure JavaScript: the WebAssembly kernels of
 * latin-kernel.ts are uppercase only, so lower and lower-ascii modes do not have their
 * sixteen-bytes-per-step path.
 */

import type { WordView } from "./ascii.js";

/**
 * Lowercases `A`-`Z` in `bytes[start..end)` in place; all other bytes stay as they are.
 *
 * @example
 * ```ts
 * import { lowercaseAsciiInPlace } from "./ascii-lower.js";
 * const bytes = Buffer.from([0x41, 0x42, 0x43, 0xff]); // "ABC" and a byte that is not UTF-8
 * lowercaseAsciiInPlace(bytes, 0, bytes.length); // bytes is now "abc" and 0xff
 * ```
 */
export function lowercaseAsciiInPlace(bytes: Uint8Array, start: number, end: number): void {
  let index = start;
  while (index < end && ((bytes.byteOffset + index) & 3) !== 0) index = lowercaseByte(bytes, index);
  const wordCount = (end - index) >> 2;
  if (wordCount > 0) {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + index, wordCount);
    for (let w = 0; w < wordCount; w++) words[w] = lowercaseWord(words[w]);
    index += wordCount << 2;
  }
  while (index < end) index = lowercaseByte(bytes, index);
}

/**
 * Lowercases in place from `start` while the bytes are ASCII, four at a time where aligned
 * (`view` is `wordViewOf(bytes)`). Returns the index of the first byte >= 0x80 (or `end`).
 */
export function lowercaseAsciiRunInPlace(bytes: Uint8Array, start: number, end: number, view: WordView): number {
  let index = start;
  while (index < end && ((index - view.alignedStart) & 3) !== 0) {
    if (bytes[index] >= 0x80) return index;
    index = lowercaseByte(bytes, index);
  }
  const { words } = view;
  let word = (index - view.alignedStart) >> 2;
  const lastWord = Math.min(words.length, (end - view.alignedStart) >> 2);
  for (; word < lastWord; word++) {
    const value = words[word];
    if ((value & 0x80808080) !== 0) break;
    words[word] = lowercaseWord(value);
  }
  index = Math.max(index, view.alignedStart + (word << 2));
  while (index < end) {
    if (bytes[index] >= 0x80) return index;
    index = lowercaseByte(bytes, index);
  }
  return index;
}

function lowercaseByte(bytes: Uint8Array, index: number): number {
  const byte = bytes[index];
  if (byte >= 0x41 && byte <= 0x5a) bytes[index] = byte + 0x20;
  return index + 1;
}

/**
 * Four bytes at once, without branches (SWAR): a byte gets 0x20 set when it lies in
 * 0x41..0x5a. Adding 0x3f to the low 7 bits sets bit 7 for bytes >= 'A'; adding 0x25 sets it
 * for bytes > 'Z'; bytes with bit 7 already set are excluded.
 */
function lowercaseWord(word: number): number {
  const low7 = word & 0x7f7f7f7f;
  // No carry crosses a byte: 0x7f + 0x3f < 0x100.
  const atLeastA = (low7 + 0x3f3f3f3f) | 0;
  const aboveZ = (low7 + 0x25252525) | 0;
  const isUpper = atLeastA & ~aboveZ & ~word & 0x80808080;
  return word | (isUpper >>> 2);
}
