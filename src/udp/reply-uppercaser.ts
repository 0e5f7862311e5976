/**
 * A datagram's reply: its uppercase (or its transform in another mode), grown by at most `maxGrowth` times its size (a reply much
 * larger than its request would make the server an amplifier for spoofed sources). When the
 * full mapping of a datagram would pass the limit, its characters that grow are kept as they
 * are, and the reply counted.
 */

import { Buffer, isAscii } from "node:buffer";
import { optionInRange } from "../errors.js";
import {
  createUppercaser,
  MAX_UNICODE_GROWTH,
  maxGrowthOf,
  resolveTransformOptions,
  type TransformOptions,
  type Uppercaser,
} from "../transform/index.js";

/** Largest UDP payload over IPv4 (65,535 - 20 IP - 8 UDP); IPv6 allows 65,527. */
export const MAX_IPV4_DATAGRAM_BYTES = 65_507;

/** Made once: the option is read per datagram. */
const KEEP_GROWING_CHARACTERS = { keepGrowingCharacters: true } as const;

/**
 * @example
 * ```ts
 * import { ReplyUppercaser } from "./reply-uppercaser.js";
 * const replies = new ReplyUppercaser({ mode: "unicode" }, 1);
 * replies.uppercase(Buffer.from("ŉ abc")).toString(); // "ŉ ABC": "ʼN" is 3 bytes where ŉ is 2
 * replies.growthLimited; // 1
 * ```
 */
export class ReplyUppercaser {
  /** Replies where characters that would grow were left as they were. */
  growthLimited = 0;
  readonly #uppercaser: Uppercaser;
  readonly #mayGrow: boolean;
  /** The mode's own bound: no reply grows past this many times its request. */
  readonly #modeGrowth: number;
  /** Without a locale no ASCII byte grows; Turkish `i`→`İ` and `I`→`ı` do. */
  readonly #asciiNeverGrows: boolean;
  /** 1 to 3: a reply may be at most this many times its request. */
  readonly #maxGrowth: number;

  /** @throws RangeError when `maxGrowth` is not from 1 to 3 (MAX_UNICODE_GROWTH). */
  constructor(options: TransformOptions | undefined, maxGrowth: number) {
    const transform = resolveTransformOptions(options);
    // Each datagram is uppercased whole, so one uppercaser serves them all.
    this.#uppercaser = createUppercaser(transform);
    this.#modeGrowth = maxGrowthOf(transform.mode, transform.locale);
    this.#mayGrow = this.#modeGrowth > 1;
    this.#asciiNeverGrows = transform.locale === undefined;
    this.#maxGrowth = optionInRange("maxGrowth", maxGrowth, 1, MAX_UNICODE_GROWTH);
  }

  /** The reply to `message`, which it may overwrite (the reply may be `message` itself). */
  uppercase(message: Buffer): Buffer {
    if (!this.#mayGrow) return this.#uppercaser.transformOwned(message);
    // ASCII never grows: no copy, no second pass (isAscii is simdutf, far cheaper than either).
    if (this.#asciiNeverGrows && isAscii(message)) return this.#uppercaser.transformOwned(message);
    const limitBytes = Math.min(MAX_IPV4_DATAGRAM_BYTES, Math.floor(message.length * this.#maxGrowth));
    // No reply grows past the mode's bound: when that fits, one pass, and no copy kept for a second.
    if (message.length * this.#modeGrowth <= limitBytes) return this.#uppercaser.transformOwned(message);
    // The full mapping when the whole reply fits, even with characters that grow (others may
    // shrink: ǰıı gives J̌II, 6 bytes for 7); only past the limit are the growing ones kept.
    const original = Buffer.from(message);
    const full = this.#uppercaser.transformOwned(message);
    if (full.length <= limitBytes) return full;
    this.growthLimited++;
    return this.#uppercaser.transformOwned(original, KEEP_GROWING_CHARACTERS);
  }
}
