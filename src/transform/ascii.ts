/**
 * The ASCII uppercase kernel: only bytes `a`-`z` change, every other byte is kept, so it is
 * binary-safe and never changes the length. It works in place, four bytes per step, and hands
 * long ranges (bulk reads) to the WebAssembly kernel's SIMD steps.
 */

import { inKernelMemory, uppercaseAsciiInKernel, uppercaseAsciiRunInKernel } from "./latin-kernel.js";

/**
 * From how many bytes a range goes to the WebAssembly kernel: below it, the call and the two
 * copies cost more than the steps they save. A ping-pong's 512-byte messages stay in
 * JavaScript: through the kernel, bench:instructions counted more per W3 message, not fewer.
 */
export const ASCII_KERNEL_MIN_BYTES = 1024;
/**
 * The same for bytes already in the kernel's memory (a read landed there, `kernelReadWindow`):
 * with no copy to pay, only the call, the kernel is cheaper from a few steps on.
 */
export const IN_PLACE_KERNEL_MIN_BYTES = 64;

/** Ranges shorter than this are uppercased a byte at a time, without a word view. */
const SHORT_RANGE_BYTES = 16;

/** Whether `bytes[start..end)` goes to the WebAssembly kernel rather than the JavaScript steps. */
function toKernel(bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  return length >= ASCII_KERNEL_MIN_BYTES || (length >= IN_PLACE_KERNEL_MIN_BYTES && inKernelMemory(bytes));
}

/**
 * Uppercases `a`-`z` in `bytes[start..end)` in place; all other bytes stay as they are.
 *
 * @example
 * ```ts
 * import { uppercaseAsciiInPlace } from "./ascii.js";
 * const bytes = Buffer.from("abc\xff");
 * uppercaseAsciiInPlace(bytes, 0, bytes.length); // bytes is now "ABC\xff"
 * ```
 */
export function uppercaseAsciiInPlace(bytes: Uint8Array, start: number, end: number): void {
  if (toKernel(bytes, start, end)) uppercaseAsciiInKernel(bytes, start, end);
  else uppercaseAsciiWords(bytes, start, end);
}

/**
 * uppercaseAsciiInPlace in JavaScript, four bytes per step (kept apart so V8 inlines the
 * dispatch), through the buffer's cached word view: a new `Int32Array` per call cost more than
 * uppercasing a 64-byte datagram.
 */
function uppercaseAsciiWords(bytes: Uint8Array, start: number, end: number): void {
  // A few bytes (a keystroke, the end of a TLS record) one at a time: a word view made for
  // them would cost more, and take the place of the view a server hands again and again.
  if (end - start < SHORT_RANGE_BYTES) {
    for (let index = start; index < end; ) index = uppercaseByte(bytes, index);
    return;
  }
  const { words, alignedStart } = wordViewOf(bytes);
  let index = start;
  // Bytes one at a time until the index is 4-byte aligned in the underlying memory.
  while (index < end && ((index - alignedStart) & 3) !== 0) index = uppercaseByte(bytes, index);
  let word = (index - alignedStart) >> 2;
  const lastWord = Math.min(words.length, (end - alignedStart) >> 2);
  for (; word < lastWord; word++) words[word] = uppercaseWord(words[word]);
  index = Math.max(index, alignedStart + (word << 2));
  while (index < end) index = uppercaseByte(bytes, index);
}

/**
 * An `Int32Array` over the 4-byte-aligned middle of `bytes`, made once per buffer so the
 * unicode mode's ASCII runs can go four bytes per step without a new view per run.
 * `alignedStart` is the index in `bytes` of the view's first word.
 */
export interface WordView {
  words: Int32Array;
  alignedStart: number;
}

/** For a slice with no whole aligned word: an empty view needs no offset into the slice's memory. */
const NO_WORDS = new Int32Array(0);

/**
 * The last buffer viewed and its view: servers hand the transform the same Buffer again and
 * again (a view of where reads land, while their length repeats), and a new view costs more
 * than uppercasing a 64-byte datagram. One for the whole thread: it keeps one buffer alive.
 */
let lastViewed: Uint8Array | undefined;
let lastView: WordView = { words: NO_WORDS, alignedStart: 0 };

export function wordViewOf(bytes: Uint8Array): WordView {
  if (bytes === lastViewed) return lastView;
  const alignedStart = (4 - (bytes.byteOffset & 3)) & 3;
  const wordCount = (bytes.length - alignedStart) >> 2;
  // A short slice at the very end of its memory would put the view's offset past the end
  // (a RangeError, even for zero words): such a slice has no words to view.
  const words = wordCount <= 0 ? NO_WORDS : new Int32Array(bytes.buffer, bytes.byteOffset + alignedStart, wordCount);
  lastViewed = bytes;
  lastView = { words, alignedStart };
  return lastView;
}

/**
 * Uppercases in place from `start` while the bytes are ASCII, four at a time where aligned.
 * Returns the index of the first byte >= 0x80 (or `end`).
 */
export function uppercaseAsciiRunInPlace(bytes: Uint8Array, start: number, end: number, view: WordView): number {
  return toKernel(bytes, start, end)
    ? uppercaseAsciiRunInKernel(bytes, start, end)
    : uppercaseAsciiRunInWords(bytes, start, end, view);
}

/** uppercaseAsciiRunInPlace in JavaScript, four bytes per step. */
function uppercaseAsciiRunInWords(bytes: Uint8Array, start: number, end: number, view: WordView): number {
  let index = start;
  while (index < end && ((index - view.alignedStart) & 3) !== 0) {
    if (bytes[index] >= 0x80) return index;
    index = uppercaseByte(bytes, index);
  }
  const { words } = view;
  let word = (index - view.alignedStart) >> 2;
  const lastWord = Math.min(words.length, (end - view.alignedStart) >> 2);
  for (; word < lastWord; word++) {
    const value = words[word];
    if ((value & 0x80808080) !== 0) break;
    words[word] = uppercaseWord(value);
  }
  index = Math.max(index, view.alignedStart + (word << 2));
  while (index < end) {
    if (bytes[index] >= 0x80) return index;
    index = uppercaseByte(bytes, index);
  }
  return index;
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
  // `| 0` keeps the sums in 32-bit integer arithmetic (no carry crosses a byte: 0x7f + 0x1f < 0x100).
  const atLeastA = (low7 + 0x1f1f1f1f) | 0;
  const aboveZ = (low7 + 0x05050505) | 0;
  const isLower = atLeastA & ~aboveZ & ~word & 0x80808080;
  return word ^ (isLower >>> 2);
}
