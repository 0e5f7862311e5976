/**
 * The full Unicode uppercase mapping of single code points, locale-independent, taken from
 * the engine itself (`String.prototype.toUpperCase`) and cached, so mayus agrees with
 * JavaScript by construction. Default uppercasing has no context rules, so mapping each
 * code point alone equals uppercasing the whole text.
 */

import { encodeCodePoint } from "./utf8.js";

/**
 * For each BMP code point: 0 when not looked up yet; `n > 0` when its uppercase is the single
 * code point `n - 1`; `n < 0` when it is the UTF-8 byte string `expansions[-n - 1]`.
 */
const bmpMapping = new Int32Array(0x10000);
const astralMapping = new Map<number, number>();
const expansions: Uint8Array[] = [];

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

/** The UTF-8 bytes of a multi-code-point uppercase (a negative `uppercaseCodePoint` result). */
export function expansionBytes(mapping: number): Uint8Array {
  return expansions[-mapping - 1];
}

function lookUp(codePoint: number): number {
  const upper = String.fromCodePoint(codePoint).toUpperCase();
  const first = upper.codePointAt(0) as number;
  if (upper.length === String.fromCodePoint(first).length) return first;
  const bytes = new Uint8Array(Buffer.byteLength(upper));
  let index = 0;
  for (const character of upper) index = encodeCodePoint(character.codePointAt(0) as number, bytes, index);
  expansions.push(bytes);
  return -expansions.length;
}

/**
 * The common case made cheap: for each 2-byte character (U+0080..U+07FF: Latin, Greek,
 * Cyrillic...), its uppercase as two bytes `(first << 8) | second` when that is also one
 * 2-byte character, else 0 (the caller then takes the general path).
 */
export const TWO_BYTE_UPPERCASE: Uint16Array = buildTwoByteTable();

function buildTwoByteTable(): Uint16Array {
  const table = new Uint16Array(0x800);
  for (let codePoint = 0x80; codePoint < 0x800; codePoint++) {
    const mapping = uppercaseCodePoint(codePoint);
    if (mapping >= 0x80 && mapping < 0x800)
      table[codePoint] = ((0xc0 | (mapping >> 6)) << 8) | (0x80 | (mapping & 0x3f));
  }
  return table;
}
