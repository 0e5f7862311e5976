/**
 * Streaming uppercase with a language's rules (`toLocaleUpperCase(locale)`): Turkish and
 * Azeri dotted `İ`, Lithuanian dot removal, Greek accent removal; and lowercase with them
 * (`toLocaleLowerCase(locale)`, lower mode: Turkish `I`→`ı`, Lithuanian added dots, Greek
 * final sigma within a held word). Some of these rules look
 * at neighbouring characters, so runs of well-formed text are uppercased whole, and the
 * word a chunk ends in is held until the next chunk shows where it ends.
 */

import { Buffer } from "node:buffer";
import type { OneShotOptions, Uppercaser } from "./uppercaser.js";
import { INCOMPLETE, sequenceLength } from "./utf8.js";

const EMPTY = Buffer.alloc(0);

/**
 * Longest word tail held back between chunks. A word that crosses a chunk boundary further
 * than this from its start is cut there, and a context rule may then see only part of it.
 */
export const MAX_HELD_WORD_BYTES = 256;

/**
 * The word a chunk ends in, as the context rules see it: letters and marks, and whatever is
 * cased or case-ignorable (final sigma looks back to a cased character, and circled letters
 * or Roman numerals are cased without being letters).
 */
const TRAILING_WORD = /[\p{L}\p{M}\p{Cased}\p{CI}]+$/u;

export class LocaleUppercaser implements Uppercaser {
  #held: Buffer = EMPTY;

  constructor(
    readonly locale: string,
    /** `lower`: `toLocaleLowerCase` instead (lower mode with a locale). */
    readonly direction: "upper" | "lower" = "upper",
  ) {}

  keptCharacters = 0;

  get heldBytes(): number {
    return this.#held.length;
  }

  push(chunk: Uint8Array, inPlace = false): Buffer {
    // The input is only read, but a one-byte output may be a view of it: copy unless it is ours.
    const input =
      this.#held.length > 0
        ? Buffer.concat([this.#held, chunk])
        : inPlace && Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(chunk);
    this.#held = EMPTY;
    return this.#transform(input, false);
  }

  end(): Buffer {
    const held = this.#held;
    this.#held = EMPTY;
    return held.length > 0 ? this.#transform(held, true) : EMPTY;
  }

  transformOwned(input: Buffer, options: OneShotOptions = {}): Buffer {
    this.keptCharacters = 0;
    const output = this.#transform(input, true);
    if (options.keepGrowingCharacters !== true || output.length <= input.length) return output;
    return this.#transformKeepingGrowing(input);
  }

  /** Character by character, keeping each one whose uppercase is longer (context rules are lost here). */
  #transformKeepingGrowing(input: Buffer): Buffer {
    const pieces: Buffer[] = [];
    for (let index = 0; index < input.length; ) {
      const length = Math.max(1, sequenceLength(input, index, input.length));
      const original = input.subarray(index, index + length);
      const upper = length === 1 && original[0] >= 0x80 ? original : this.#uppercaseRun(input, index, index + length);
      if (upper.length > length) this.keptCharacters++;
      pieces.push(upper.length > length ? original : upper);
      index += length;
    }
    return Buffer.concat(pieces);
  }

  #transform(source: Buffer, isFinal: boolean): Buffer {
    const pieces: Buffer[] = [];
    const end = source.length;
    let runStart = 0;
    let index = 0;
    while (index < end) {
      const length = sequenceLength(source, index, end);
      if (length > 0) {
        index += length;
        continue;
      }
      if (length === INCOMPLETE && !isFinal) break;
      // An ill-formed byte (or an unfinished character at the very end): it ends the run.
      if (index > runStart) pieces.push(this.#uppercaseRun(source, runStart, index));
      pieces.push(source.subarray(index, index + 1));
      index++;
      runStart = index;
    }
    let runEnd = index;
    if (!isFinal) {
      // Hold the unfinished character and the word before it: its context may continue.
      // Only the last MAX_HELD_WORD_BYTES can be held; a cut character there reads as U+FFFD,
      // which is no letter, so the match stops at it.
      const text = source.toString("utf8", Math.max(runStart, runEnd - MAX_HELD_WORD_BYTES), runEnd);
      const word = TRAILING_WORD.exec(text);
      if (word !== null) {
        const wordBytes = Buffer.byteLength(word[0]);
        if (wordBytes + (end - runEnd) <= MAX_HELD_WORD_BYTES) runEnd -= wordBytes;
      }
      this.#held = Buffer.from(source.subarray(runEnd, end));
    }
    if (runEnd > runStart) pieces.push(this.#uppercaseRun(source, runStart, runEnd));
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
  }

  #uppercaseRun(source: Buffer, start: number, end: number): Buffer {
    const text = source.toString("utf8", start, end);
    return Buffer.from(
      this.direction === "lower" ? text.toLocaleLowerCase(this.locale) : text.toLocaleUpperCase(this.locale),
    );
  }
}
