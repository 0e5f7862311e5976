/**
 * One code point's case mapping, taken from the engine itself (a `String` method such as
 * `toUpperCase`, applied to that code point alone) and cached: the table behind both
 * case-table.ts (uppercase) and lowercase-table.ts (lowercase), so mayus agrees with
 * JavaScript by construction.
 */

import { Buffer } from "node:buffer";
import { encodeCodePoint } from "./utf8.js";

/**
 * The mapping of each code point alone, cached. `codePoint(c)` is `>= 0` for a single code
 * point, `< 0` for several, whose UTF-8 bytes are `expansionBytes(result)`.
 *
 * @example
 * ```ts
 * import { CodePointCase } from "./code-point-case.js";
 * const upper = new CodePointCase((text) => text.toUpperCase());
 * upper.codePoint(0xf1); // 0xd1 ("ñ" -> "Ñ")
 * upper.expansionBytes(upper.codePoint(0xdf)); // bytes of "SS"
 * upper.twoByteTable[0xf1]; // 0xc391: "Ñ" as two bytes
 * ```
 */
export class CodePointCase {
  /**
   * For each BMP code point: 0 when not looked up yet; `n > 0` when its mapping is the single
   * code point `n - 1`; `n < 0` when it is the UTF-8 byte string `expansions[-n - 1]`.
   */
  readonly #bmp = new Int32Array(0x10000);
  readonly #astral = new Map<number, number>();
  readonly #expansions: Uint8Array[] = [];
  /**
   * The common case made cheap: for each 2-byte character (U+0080..U+07FF: Latin, Greek,
   * Cyrillic...), its mapping as two bytes `(first << 8) | second` when that is also one
   * 2-byte character, else 0 (the caller then takes the general path).
   */
  readonly twoByteTable: Uint16Array;

  constructor(readonly convert: (text: string) => string) {
    this.twoByteTable = this.#buildTwoByteTable();
  }

  codePoint(codePoint: number): number {
    if (codePoint < 0x10000) {
      const cached = this.#bmp[codePoint];
      if (cached !== 0) return cached > 0 ? cached - 1 : cached;
      const mapping = this.#lookUp(codePoint);
      this.#bmp[codePoint] = mapping >= 0 ? mapping + 1 : mapping;
      return mapping;
    }
    let mapping = this.#astral.get(codePoint);
    if (mapping === undefined) {
      mapping = this.#lookUp(codePoint);
      this.#astral.set(codePoint, mapping);
    }
    return mapping;
  }

  /** The UTF-8 bytes of a multi-code-point mapping (a negative `codePoint` result). */
  expansionBytes(mapping: number): Uint8Array {
    return this.#expansions[-mapping - 1];
  }

  #lookUp(codePoint: number): number {
    const mapped = this.convert(String.fromCodePoint(codePoint));
    const first = mapped.codePointAt(0) as number;
    if (mapped.length === String.fromCodePoint(first).length) return first;
    const bytes = new Uint8Array(Buffer.byteLength(mapped));
    let index = 0;
    for (const character of mapped) index = encodeCodePoint(character.codePointAt(0) as number, bytes, index);
    this.#expansions.push(bytes);
    return -this.#expansions.length;
  }

  #buildTwoByteTable(): Uint16Array {
    const table = new Uint16Array(0x800);
    for (let codePoint = 0x80; codePoint < 0x800; codePoint++) {
      const mapping = this.codePoint(codePoint);
      if (mapping >= 0x80 && mapping < 0x800)
        table[codePoint] = ((0xc0 | (mapping >> 6)) << 8) | (0x80 | (mapping & 0x3f));
    }
    return table;
  }
}
