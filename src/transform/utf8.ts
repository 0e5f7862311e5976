/**
 * UTF-8 scanning without decoding errors: tells how long the well-formed sequence at a
 * position is, so that ill-formed bytes can pass through untouched (a decoder that
 * substitutes U+FFFD would lose them).
 *
 * The byte ranges are those of the Unicode Standard, table 3-7 ("well-formed UTF-8 byte
 * sequences"): no overlong forms, no surrogates, nothing above U+10FFFF.
 */

/** The sequence at the position is a valid prefix that the buffer ends before completing. */
export const INCOMPLETE = -1;
/** The byte at the position does not start a well-formed sequence: it passes through alone. */
export const ILL_FORMED = 0;

/** Longest well-formed UTF-8 sequence, in bytes. */
export const MAX_SEQUENCE_BYTES = 4;

/**
 * Length in bytes of the well-formed sequence starting at `index` (1 to 4), `ILL_FORMED`
 * when the byte there cannot start one, or `INCOMPLETE` when the bytes up to `end` are a
 * valid prefix of one that continues past `end`.
 *
 * @example
 * ```ts
 * import { ILL_FORMED, INCOMPLETE, sequenceLength } from "./utf8.js";
 * sequenceLength(Buffer.from("ñ"), 0, 2); // 2
 * sequenceLength(Buffer.from([0xc3]), 0, 1); // INCOMPLETE
 * sequenceLength(Buffer.from([0xff]), 0, 1); // ILL_FORMED
 * ```
 */
export function sequenceLength(bytes: Uint8Array, index: number, end: number): number {
  const lead = bytes[index];
  if (lead < 0x80) return 1;
  let length: number;
  let secondLow = 0x80;
  let secondHigh = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0)
      secondLow = 0xa0; // no overlong forms
    else if (lead === 0xed) secondHigh = 0x9f; // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0)
      secondLow = 0x90; // no overlong forms
    else if (lead === 0xf4) secondHigh = 0x8f; // nothing above U+10FFFF
  } else {
    return ILL_FORMED;
  }
  if (index + 1 >= end) return INCOMPLETE;
  const second = bytes[index + 1];
  if (second < secondLow || second > secondHigh) return ILL_FORMED;
  for (let offset = 2; offset < length; offset++) {
    if (index + offset >= end) return INCOMPLETE;
    const next = bytes[index + offset];
    if (next < 0x80 || next > 0xbf) return ILL_FORMED;
  }
  return length;
}

/** The code point of a well-formed sequence of `length` bytes at `index`. */
export function decodeCodePoint(bytes: Uint8Array, index: number, length: number): number {
  const lead = bytes[index];
  switch (length) {
    case 1:
      return lead;
    case 2:
      return ((lead & 0x1f) << 6) | (bytes[index + 1] & 0x3f);
    case 3:
      return ((lead & 0x0f) << 12) | ((bytes[index + 1] & 0x3f) << 6) | (bytes[index + 2] & 0x3f);
    default:
      return (
        ((lead & 0x07) << 18) |
        ((bytes[index + 1] & 0x3f) << 12) |
        ((bytes[index + 2] & 0x3f) << 6) |
        (bytes[index + 3] & 0x3f)
      );
  }
}

/** Bytes the UTF-8 form of a code point takes. */
export function encodedLength(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/** Writes the UTF-8 form of a code point at `index`; returns the index after it. */
export function encodeCodePoint(codePoint: number, bytes: Uint8Array, index: number): number {
  if (codePoint < 0x80) {
    bytes[index] = codePoint;
    return index + 1;
  }
  if (codePoint < 0x800) {
    bytes[index] = 0xc0 | (codePoint >> 6);
    bytes[index + 1] = 0x80 | (codePoint & 0x3f);
    return index + 2;
  }
  if (codePoint < 0x10000) {
    bytes[index] = 0xe0 | (codePoint >> 12);
    bytes[index + 1] = 0x80 | ((codePoint >> 6) & 0x3f);
    bytes[index + 2] = 0x80 | (codePoint & 0x3f);
    return index + 3;
  }
  bytes[index] = 0xf0 | (codePoint >> 18);
  bytes[index + 1] = 0x80 | ((codePoint >> 12) & 0x3f);
  bytes[index + 2] = 0x80 | ((codePoint >> 6) & 0x3f);
  bytes[index + 3] = 0x80 | (codePoint & 0x3f);
  return index + 4;
}
