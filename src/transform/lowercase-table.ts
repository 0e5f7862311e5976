/**
 * The Unicode lowercase mapping of single code points, locale-independent, from the engine
 * (`String.prototype.toLowerCase` of each code point alone) and cached, as case-table.ts does
 * for uppercase. Mapping each code point alone has no context: capital sigma is always `σ`,
 * never the final `ς` that `toLowerCase` picks at the end of a word in a whole string.
 */

import { encodeCodePoint } from "./utf8.js";

/**
 * For each BMP code point: 0 when not looked up yet; `n > 0` when its lowercase is the single
 * code point `n - 1`; `n < 0` when it is the UTF-8 byte string `expansions[-n - 1]` (only
 * `İ`, whose lowercase is `i` and a combining dot).
 */
const bmpMapping = new Int32Array(0x10000);
const astralMapping = new Map<number, number>();
const expansions: Uint8Array[] = [];

/**
 * The lowercase of a code point: `>= 0` is a single code point, `< 0` means several, whose
 * UTF-8 bytes are `lowercaseExpansionBytes(result)`.
 *
 * @example
 * ```ts
 * import { lowercaseCodePoint, lowercaseExpansionBytes } from "./lowercase-table.js";
 * lowercaseCodePoint(0xd1); // 0xf1 ("Ñ" -> "ñ")
 * lowercaseExpansionBytes(lowercaseCodePoint(0x130)); // bytes of "i̇"
 * ```
 */
export function lowercaseCodePoint(codePoint: number): number {
  if (codePoint < 0x10000) {
    const cached = bmpMapping[codePoint];
    if (cached !== 0) return cached > 0 ? cached - 1 : cached;
    const mapping = lookUp(codePoint);
    bmpMapping[codePoint] = mapping >= 0 ? mapping + 1 : mapping;
    return mapping;
  }
  let mapping = astralMapping.get(codePoint);
  if (mapping === undefined) {
    mapping = lookUp(codePoint);
    astralMapping.set(codePoint, mapping);
  }
  return mapping;
}

/** The UTF-8 bytes of a multi-code-point lowercase (a negative `lowercaseCodePoint` result). */
export function lowercaseExpansionBytes(mapping: number): Uint8Array {
  return expansions[-mapping - 1];
}

function lookUp(codePoint: number): number {
  const lower = String.fromCodePoint(codePoint).toLowerCase();
  const first = lower.codePointAt(0) as number;
  if (lower.length === String.fromCodePoint(first).length) return first;
  const bytes = new Uint8Array(Buffer.byteLength(lower));
  let index = 0;
  for (const character of lower) index = encodeCodePoint(character.codePointAt(0) as number, bytes, index);
  expansions.push(bytes);
  return -expansions.length;
}

/**
 * For each 2-byte character (U+0080..U+07FF), its lowercase as two bytes `(first << 8) |
 * second` when that is also one 2-byte character, else 0 (the general path then takes it).
 */
export const TWO_BYTE_LOWERCASE: Uint16Array = buildTwoByteTable();

function buildTwoByteTable(): Uint16Array {
  const table = new Uint16Array(0x800);
  for (let codePoint = 0x80; codePoint < 0x800; codePoint++) {
    const mapping = lowercaseCodePoint(codePoint);
    if (mapping >= 0x80 && mapping < 0x800)
      table[codePoint] = ((0xc0 | (mapping >> 6)) << 8) | (0x80 | (mapping & 0x3f));
  }
  return table;
}
