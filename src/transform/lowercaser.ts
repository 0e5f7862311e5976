/**
 * Streaming lowercase over bytes (lower and lower-ascii modes): the uppercase transform's
 * rules in reverse. Well-formed UTF-8 is mapped code point by code point, every other byte
 * passes through, and a character cut by a chunk boundary is held (at most 3 bytes).
 */

import { Buffer } from "node:buffer";
import { wordViewOf } from "./ascii.js";
import { lowercaseAsciiInPlace, lowercaseAsciiRunInPlace } from "./ascii-lower.js";
import { inputAfterHeld } from "./held-input.js";
import { lowercaseCodePoint, lowercaseExpansionBytes, TWO_BYTE_LOWERCASE } from "./lowercase-table.js";
import { MAX_LOWERCASE_GROWTH } from "./options.js";
import type { OneShotOptions, Uppercaser } from "./uppercaser.js";
import { decodeCodePoint, encodeCodePoint, encodedLength, ILL_FORMED, INCOMPLETE, sequenceLength } from "./utf8.js";

const EMPTY = Buffer.alloc(0);

/** lower-ascii mode: only `A`-`Z` change; never holds anything, never changes the length. */
export class AsciiLowercaser implements Uppercaser {
  readonly heldBytes = 0;
  readonly keptCharacters = 0;

  push(chunk: Uint8Array, inPlace = false): Buffer {
    const output = inPlace && Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    lowercaseAsciiInPlace(output, 0, output.length);
    return output;
  }

  end(): Buffer {
    return Buffer.alloc(0);
  }

  transformOwned(input: Buffer): Buffer {
    lowercaseAsciiInPlace(input, 0, input.length);
    return input;
  }
}

/**
 * lower mode without a locale: the full Unicode lowercase of each code point alone (so `Σ` is
 * always `σ`: the final `ς` would need the next chunk to decide), exactly as
 * `toLowerCase` maps it.
 */
export class UnicodeLowercaser implements Uppercaser {
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

  transformOwned(input: Buffer, options: OneShotOptions = {}): Buffer {
    this.keptCharacters = 0;
    return this.#transform(input, true, options.keepGrowingCharacters === true);
  }

  /**
   * In place while the output fits behind the read position (ASCII and nearly every letter
   * keep their length; `K`, the Kelvin sign, even shrinks); into a new buffer sized for the
   * worst case when a character grows.
   */
  #transform(source: Buffer, isFinal: boolean, keepGrowingCharacters = false): Buffer {
    const end = source.length;
    let target = source;
    let read = 0;
    let write = 0;
    const view = wordViewOf(source);
    while (read < end) {
      if (write === read && target === source) {
        read = lowercaseAsciiRunInPlace(source, read, end, view);
        write = read;
        if (read >= end) break;
      }
      const byte = source[read];
      if (byte < 0x80) {
        target[write++] = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
        read++;
        continue;
      }
      if (byte >= 0xc2 && byte <= 0xdf && read + 1 < end) {
        const second = source[read + 1];
        const lower = second >= 0x80 && second <= 0xbf ? TWO_BYTE_LOWERCASE[((byte & 0x1f) << 6) | (second & 0x3f)] : 0;
        if (lower !== 0) {
          target[write] = lower >> 8;
          target[write + 1] = lower & 0xff;
          write += 2;
          read += 2;
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
      const mapping = lowercaseCodePoint(decodeCodePoint(source, read, length));
      const outputLength = mapping >= 0 ? encodedLength(mapping) : lowercaseExpansionBytes(mapping).length;
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
        target = Buffer.allocUnsafe(write + Math.ceil((end - read) * MAX_LOWERCASE_GROWTH));
        source.copy(target, 0, 0, write);
      }
      if (mapping >= 0) {
        write = encodeCodePoint(mapping, target, write);
      } else {
        target.set(lowercaseExpansionBytes(mapping), write);
        write += outputLength;
      }
      read += length;
    }
    return write === target.length ? target : target.subarray(0, write);
  }
}
