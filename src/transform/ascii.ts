/**
 * The ASCII uppercase kernel: only bytes `a`-`z` change, every other byte is kept, so it is
 * binary-safe and never changes the length. It works in place, four bytes per step.
 */

/**
 * Uppercases `a`-`z` in `bytes[start..end)` in place; all other bytes stay as they are.
 *
 * @example
 * const bytes = Buffer.from("abc\xff");
 * uppercaseAsciiInPlace(bytes, 0, bytes.length); // bytes is now "ABC\xff"
 */
export function uppercaseAsciiInPlace(bytes: Uint8Array, start: number, end: number): void {
  let index = start;
  // Bytes one at a time until the index is 4-byte aligned in the underlying memory.
  while (index < end && ((bytes.byteOffset + index) & 3) !== 0) {
    index = uppercaseByte(bytes, index);
  }
  const wordCount = (end - index) >> 2;
  if (wordCount > 0) {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + index, wordCount);
    for (let w = 0; w < wordCount; w++) words[w] = uppercaseWord(words[w]);
    index += wordCount << 2;
  }
  while (index < end) index = uppercaseByte(bytes, index);
}

/**
 * Uppercases ASCII words in place from `start` while they hold only ASCII bytes (the
 * unicode mode's fast path). Returns the index of the first word that holds a byte >= 0x80
 * (or of the unaligned tail), from which the caller goes on byte by byte.
 */
export function uppercaseAsciiRunInPlace(bytes: Uint8Array, start: number, end: number): number {
  let index = start;
  while (index < end && ((bytes.byteOffset + index) & 3) !== 0) {
    if (bytes[index] >= 0x80) return index;
    index = uppercaseByte(bytes, index);
  }
  const wordCount = (end - index) >> 2;
  if (wordCount === 0) return index;
  const words = new Int32Array(bytes.buffer, bytes.byteOffset + index, wordCount);
  let w = 0;
  for (; w < wordCount; w++) {
    const word = words[w];
    if ((word & 0x80808080) !== 0) break;
    words[w] = uppercaseWord(word);
  }
  return index + (w << 2);
}

function uppercaseByte(bytes: Uint8Array, index: number): number {
  const byte = bytes[index];
  if (byte >= 0x61 && byte <= 0x7a) bytes[index] = byte - 0x20;
  return index + 1;
}

/**
 * Four bytes at once, without branches (SWAR): a byte gets 0x20 cleared when it lies in
 * 0x61..0x7a. Adding 0x1f to the low 7 bits sets bit 7 for bytes >= 'a'; adding 0x05 sets it
 * for bytes > 'z'; bytes with bit 7 already set are excluded.
 */
function uppercaseWord(word: number): number {
  const low7 = word & 0x7f7f7f7f;
  const atLeastA = low7 + 0x1f1f1f1f;
  const aboveZ = low7 + 0x05050505;
  const isLower = atLeastA & ~aboveZ & ~word & 0x80808080;
  return word ^ (isLower >>> 2);
}
