/**
 * The Unicode lowercase mapping of single code points, locale-independent, from the engine
 * (`String.prototype.toLowerCase` of each code point alone) and cached (CodePointCase), as
 * case-table.ts does for uppercase. Mapping each code point alone has no context: capital
 * sigma is always `σ`, never the final `ς` that `toLowerCase` picks at the end of a word in a
 * whole string.
 */

import { CodePointCase } from "./code-point-case.js";

const lowercase = new CodePointCase((text) => text.toLowerCase());

/**
 * The lowercase of a code point: `>= 0` is a single code point, `< 0` means several, whose
 * UTF-8 bytes are `lowercaseExpansionBytes(result)` (only `İ`, whose lowercase is `i` and a
 * combining dot).
 *
 * @example
 * ```ts
 * import { lowercaseCodePoint, lowercaseExpansionBytes } from "./lowercase-table.js";
 * lowercaseCodePoint(0xd1); // 0xf1 ("Ñ" -> "ñ")
 * lowercaseExpansionBytes(lowercaseCodePoint(0x130)); // bytes of "i̇"
 * ```
 */
export function lowercaseCodePoint(codePoint: number): number {
  return lowercase.codePoint(codePoint);
}

/** The UTF-8 bytes of a multi-code-point lowercase (a negative `lowercaseCodePoint` result). */
export function lowercaseExpansionBytes(mapping: number): Uint8Array {
  return lowercase.expansionBytes(mapping);
}

/**
 * For each 2-byte character (U+0080..U+07FF), its lowercase as two bytes `(first << 8) |
 * second` when that is also one 2-byte character, else 0 (the general path then takes it).
 */
export const TWO_BYTE_LOWERCASE: Uint16Array = lowercase.twoByteTable;
