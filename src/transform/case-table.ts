/**
 * The full Unicode uppercase mapping of single code points, locale-independent, from the
 * engine (`String.prototype.toUpperCase`) and cached (CodePointCase). Default uppercasing has
 * no context rules, so mapping each code point alone equals uppercasing the whole text.
 */

import { CodePointCase } from "./code-point-case.js";

const uppercase = new CodePointCase((text) => text.toUpperCase());

/**
 * The uppercase of a code point: `>= 0` is a single code point, `< 0` means several, whose
 * UTF-8 bytes are `expansionBytes(result)`.
 *
 * @example
 * ```ts
 * import { expansionBytes, uppercaseCodePoint } from "./case-table.js";
 * uppercaseCodePoint(0xf1); // 0xd1 ("ñ" -> "Ñ")
 * expansionBytes(uppercaseCodePoint(0xdf)); // bytes of "SS"
 * ```
 */
export function uppercaseCodePoint(codePoint: number): number {
  return uppercase.codePoint(codePoint);
}

/** The UTF-8 bytes of a multi-code-point uppercase (a negative `uppercaseCodePoint` result). */
export function expansionBytes(mapping: number): Uint8Array {
  return uppercase.expansionBytes(mapping);
}

/**
 * For each 2-byte character (U+0080..U+07FF), its uppercase as two bytes `(first << 8) |
 * second` when that is also one 2-byte character, else 0 (the general path then takes it).
 */
export const TWO_BYTE_UPPERCASE: Uint16Array = uppercase.twoByteTable;
