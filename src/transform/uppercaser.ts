/**
 * The transform's public face: the `Uppercaser` interface (a stateful stream transform over
 * bytes), a factory for each mode, and the one-shot `uppercase()`.
 */

import { Buffer } from "node:buffer";
import { uppercaseAsciiInPlace } from "./ascii.js";
import { EchoTransform } from "./echo.js";
import { LocaleUppercaser } from "./locale-uppercaser.js";
import { AsciiLowercaser, UnicodeLowercaser } from "./lowercaser.js";
import { resolveTransformOptions, type TransformOptions } from "./options.js";
import { UnicodeUppercaser } from "./unicode-uppercaser.js";

/**
 * Uppercases a byte stream chunk by chunk. The output for a stream is the same however it
 * was cut into chunks; between chunks it holds only the start of an unfinished character
 * (and, with a locale, the word it belongs to). Every mode's transform has this shape: the
 * lowercasers (lowercaser.ts) and the echo (echo.ts) too.
 */
export interface Uppercaser {
  /**
   * The transform of the next chunk. With `inPlace`, the chunk's own memory may be
   * overwritten and returned (the server does this with the read it is handling): the output
   * may then be a view of the chunk, valid as long as the chunk is. Bytes held for the next
   * chunk are always a copy.
   */
  push(chunk: Uint8Array, inPlace?: boolean): Buffer;
  /** What is still held at the end of the stream (an unfinished character passes through). */
  end(): Buffer;
  /**
   * One-shot over a whole message the caller lets us overwrite (a UDP datagram). With
   * `keepGrowingCharacters`, a character whose uppercase is longer than itself stays as it
   * is, so the output is never longer than the input (no amplification).
   */
  transformOwned(input: Buffer, options?: OneShotOptions): Buffer;
  /** Characters the last `transformOwned` left as they were because they would grow. */
  readonly keptCharacters: number;
  /** Bytes held back, waiting for the rest of a character. */
  readonly heldBytes: number;
}

export interface OneShotOptions {
  keepGrowingCharacters?: boolean;
}

/** ascii mode: only `a`-`z` change; never holds anything, never changes the length. */
export class AsciiUppercaser implements Uppercaser {
  readonly heldBytes = 0;
  readonly keptCharacters = 0;

  push(chunk: Uint8Array, inPlace = false): Buffer {
    const output = inPlace && Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    uppercaseAsciiInPlace(output, 0, output.length);
    return output;
  }

  end(): Buffer {
    return Buffer.alloc(0);
  }

  transformOwned(input: Buffer): Buffer {
    uppercaseAsciiInPlace(input, 0, input.length);
    return input;
  }
}

/**
 * A new streaming transform for the options; throws `TransformOptionsError` on bad options.
 *
 * @example
 * ```ts
 * import { createUppercaser } from "./uppercaser.js";
 * const uppercaser = createUppercaser({ mode: "unicode" });
 * const first = uppercaser.push(Buffer.from([0x61, 0xc3])); // "A" (0xc3 is held)
 * const second = uppercaser.push(Buffer.from([0xb1]));      // "Ñ"
 * ```
 */
export function createUppercaser(options: TransformOptions = {}): Uppercaser {
  return uppercaserFactory(options)();
}

/**
 * Checks the options once and returns a maker of fresh uppercasers (a server makes one per
 * connection); throws `TransformOptionsError` on bad options.
 *
 * @example
 * ```ts
 * import { uppercaserFactory } from "./uppercaser.js";
 * const newUppercaser = uppercaserFactory({ mode: "unicode" });
 * const forThisConnection = newUppercaser();
 * ```
 */
export function uppercaserFactory(options: TransformOptions = {}): () => Uppercaser {
  const { mode, locale } = resolveTransformOptions(options);
  if (mode === "ascii") return () => new AsciiUppercaser();
  if (mode === "echo") return () => new EchoTransform();
  if (mode === "lower-ascii") return () => new AsciiLowercaser();
  if (mode === "lower")
    return locale === undefined ? () => new UnicodeLowercaser() : () => new LocaleUppercaser(locale, "lower");
  return locale === undefined ? () => new UnicodeUppercaser() : () => new LocaleUppercaser(locale);
}

/**
 * Uppercases a whole text at once and returns the text: `uppercase("ñandú")` is `"ÑANDÚ"`.
 * The text goes through the same transform as bytes do (its UTF-8), so `mode` and `locale`
 * mean the same here; a lone surrogate, which has no UTF-8, comes back as U+FFFD.
 *
 * @example
 * ```ts
 * import { uppercase } from "./uppercaser.js";
 * uppercase("straße ñ"); // "STRASSE Ñ"
 * uppercase("istanbul", { locale: "tr" }); // "İSTANBUL"
 * uppercase("straße ñ", { mode: "ascii" }); // "STRAßE ñ"
 * uppercase("ÑANDÚ", { mode: "lower" }); // "ñandú": every mode goes through here
 * ```
 */
export function uppercase(input: string, options?: TransformOptions): string;
/**
 * Uppercases a whole byte string at once into a new `Buffer`; the input is not modified, and
 * bytes that are not well-formed UTF-8 pass through unchanged.
 *
 * @example
 * ```ts
 * import { uppercase } from "./uppercaser.js";
 * uppercase(Buffer.from("straße ñ")).toString(); // "STRASSE Ñ"
 * uppercase(Buffer.from([0x61, 0xff])); // <Buffer 41 ff>: the stray byte is kept
 * ```
 */
export function uppercase(input: Uint8Array, options?: TransformOptions): Buffer;
export function uppercase(input: Uint8Array | string, options: TransformOptions = {}): Buffer | string {
  if (typeof input === "string") return createUppercaser(options).transformOwned(Buffer.from(input)).toString();
  return createUppercaser(options).transformOwned(Buffer.from(input));
}
