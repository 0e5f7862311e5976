/**
 * Streaming unicode uppercase over bytes: well-formed UTF-8 is mapped code point by code
 * point, every other byte passes through, and a character cut by a chunk boundary is held
 * (at most 3 bytes) until the next chunk completes it.
 */

import { Buffer } from "node:buffer";
import { uppercaseAsciiRunInPlace, wordViewOf } from "./ascii.js";
import { expansionBytes, TWO_BYTE_UPPERCASE, uppercaseCodePoint } from "./case-table.js";
import { inputAfterHeld } from "./held-input.js";
import { uppercaseLatinInPlace } from "./latin-kernel.js";
import { MAX_UNICODE_GROWTH } from "./options.js";
import type { OneShotOptions, Uppercaser } from "./uppercaser.js";
import { decodeCodePoint, encodeCodePoint, encodedLength, ILL_FORMED, INCOMPLETE, sequenceLength } from "./utf8.js";

const EMPTY = Buffer.alloc(0);

/**
 * After a 2-byte letter, the rest goes to the WebAssembly kernel when at least this much is
 * left: below it, copying into the kernel's memory costs more than it saves.
 */
const LATIN_KERNEL_MIN_BYTES = 64;
/** The most 2-byte letters let pass before trying the kernel again, after it stopped too soon. */
const MAX_LATIN_KERNEL_BACKOFF = 1024;

export class UnicodeUppercaser implements Uppercaser {
  /** The start of a character the last chunk ended inside of (at most 3 bytes). */
  #held: Buffer = EMPTY;

  keptCharacters = 0;

  get heldBytes(): number {
    return this.#held.length;
  }

  push(chunk: Uint8Array, inPlace = false): Buffer {
    const input = inputAfterHeld(this.#held, chunk, inPlace);
    this.#held = EMPTY;
    return this.#transform(input, false);
  }

  end(): Buffer {
    // An unfinished character at the end of the stream is ill-formed: its bytes pass through.
    const held = this.#held;
    this.#held = EMPTY;
    return held;
  }

  /** One-shot over a buffer the caller lets us overwrite. */
  transformOwned(input: Buffer, options: OneShotOptions = {}): Buffer {
    this.keptCharacters = 0;
    return this.#transform(input, true, options.keepGrowingCharacters === true);
  }

  /**
   * Works in place while the output fits behind the read position (ASCII, and most letters,
   * keep their length); moves to a new buffer sized for the worst case when a character grows.
   */
  #transform(source: Buffer, isFinal: boolean, keepGrowingCharacters = false): Buffer {
    const end = source.length;
    let target = source;
    let read = 0;
    let write = 0;
    const view = wordViewOf(source);
    let kernelSkips = 0;
    let kernelBackoff = 1;
    while (read < end) {
      if (write === read && target === source) {
        read = uppercaseAsciiRunInPlace(source, read, end, view);
        write = read;
        if (read >= end) break;
      }
      const byte = source[read];
      if (byte < 0x80) {
        target[write++] = byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte;
        read++;
        continue;
      }
      if (byte >= 0xc2 && byte <= 0xdf && read + 1 < end) {
        const second = source[read + 1];
        const upper = second >= 0x80 && second <= 0xbf ? TWO_BYTE_UPPERCASE[((byte & 0x1f) << 6) | (second & 0x3f)] : 0;
        if (upper !== 0) {
          target[write] = upper >> 8;
          target[write + 1] = upper & 0xff;
          write += 2;
          read += 2;
          // Text with 2-byte letters (Spanish, Greek, Russian...) likely goes on with more of them.
          if (write === read && target === source && end - read >= LATIN_KERNEL_MIN_BYTES) {
            if (kernelSkips > 0) kernelSkips--;
            else {
              const from = read;
              read = uppercaseLatinInPlace(source, read, end);
              write = read;
              // Text that stops it soon (Vietnamese, symbols between letters) would pay a call
              // per letter for nothing: back off, twice as long each time it stops that soon.
              if (read - from >= LATIN_KERNEL_MIN_BYTES) kernelBackoff = 1;
              else {
                kernelSkips = kernelBackoff;
                kernelBackoff = Math.min(kernelBackoff * 2, MAX_LATIN_KERNEL_BACKOFF);
              }
            }
          }
          continue;
        }
      }
      const length = sequenceLength(source, read, end);
      if (length === INCOMPLETE && !isFinal) {
        this.#held = Buffer.from(source.subarray(read, end));
        break;
      }
      if (length === ILL_FORMED || length === INCOMPLETE) {
        target[write++] = byte;
        read++;
        continue;
      }
      const mapping = uppercaseCodePoint(decodeCodePoint(source, read, length));
      const outputLength = mapping >= 0 ? encodedLength(mapping) : expansionBytes(mapping).length;
      if (keepGrowingCharacters && outputLength > length) {
        // In place, write <= read: copyWithin moves the original bytes down, if at all.
        if (target === source) source.copyWithin(write, read, read + length);
        else target.set(source.subarray(read, read + length), write);
        write += length;
        read += length;
        this.keptCharacters++;
        continue;
      }
      if (target === source && write + outputLength > read + length) {
        target = Buffer.allocUnsafe(write + (end - read) * MAX_UNICODE_GROWTH);
        source.copy(target, 0, 0, write);
      }
      if (mapping >= 0) {
        write = encodeCodePoint(mapping, target, write);
      } else {
        target.set(expansionBytes(mapping), write);
        write += outputLength;
      }
      read += length;
    }
    return write === target.length ? target : target.subarray(0, write);
  }
}
