// Tests the UTF-8 scanner and codec (utf8.ts) against the Unicode Standard's table 3-7 and every code point.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  decodeCodePoint,
  encodeCodePoint,
  encodedLength,
  ILL_FORMED,
  INCOMPLETE,
  MAX_SEQUENCE_BYTES,
  sequenceLength,
} from "./utf8.js";

/** Table 3-7 of the Unicode Standard, written out row by row: the allowed range of each byte. */
const TABLE_3_7: ReadonlyArray<ReadonlyArray<readonly [number, number]>> = [
  [[0x00, 0x7f]],
  [
    [0xc2, 0xdf],
    [0x80, 0xbf],
  ],
  [
    [0xe0, 0xe0],
    [0xa0, 0xbf],
    [0x80, 0xbf],
  ],
  [
    [0xe1, 0xec],
    [0x80, 0xbf],
    [0x80, 0xbf],
  ],
  [
    [0xed, 0xed],
    [0x80, 0x9f],
    [0x80, 0xbf],
  ],
  [
    [0xee, 0xef],
    [0x80, 0xbf],
    [0x80, 0xbf],
  ],
  [
    [0xf0, 0xf0],
    [0x90, 0xbf],
    [0x80, 0xbf],
    [0x80, 0xbf],
  ],
  [
    [0xf1, 0xf3],
    [0x80, 0xbf],
    [0x80, 0xbf],
    [0x80, 0xbf],
  ],
  [
    [0xf4, 0xf4],
    [0x80, 0x8f],
    [0x80, 0xbf],
    [0x80, 0xbf],
  ],
];

/** The expected `sequenceLength`, computed from the table: the row whose lead range holds the first byte decides. */
function referenceLength(bytes: ArrayLike<number>, index: number, end: number): number {
  const row = TABLE_3_7.find(([[low, high]]) => bytes[index] >= low && bytes[index] <= high);
  if (row === undefined) return ILL_FORMED;
  for (let offset = 1; offset < row.length; offset++) {
    if (index + offset >= end) return INCOMPLETE;
    const [low, high] = row[offset];
    const byte = bytes[index + offset];
    if (byte < low || byte > high) return ILL_FORMED;
  }
  return row.length;
}

function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

function isSurrogate(codePoint: number): boolean {
  return codePoint >= 0xd800 && codePoint <= 0xdfff;
}

describe("sequenceLength", () => {
  test("the constants are distinct from every length", () => {
    assert.equal(MAX_SEQUENCE_BYTES, 4);
    assert.ok(INCOMPLETE < 1 && ILL_FORMED < 1);
    assert.notEqual(INCOMPLETE as number, ILL_FORMED);
  });

  test("documented examples", () => {
    assert.equal(sequenceLength(Buffer.from("ñ"), 0, 2), 2);
    assert.equal(sequenceLength(Buffer.from([0xc3]), 0, 1), INCOMPLETE);
    assert.equal(sequenceLength(Buffer.from([0xff]), 0, 1), ILL_FORMED);
  });

  test("boundaries of table 3-7", () => {
    const cases: Array<[number[], number]> = [
      [[0x00], 1],
      [[0x7f], 1],
      [[0x80], ILL_FORMED],
      [[0xbf], ILL_FORMED],
      [[0xc0, 0x80], ILL_FORMED],
      [[0xc1, 0xbf], ILL_FORMED],
      [[0xc2, 0x80], 2],
      [[0xc2, 0x7f], ILL_FORMED],
      [[0xc2, 0xc0], ILL_FORMED],
      [[0xdf, 0xbf], 2],
      [[0xe0, 0x9f, 0xbf], ILL_FORMED],
      [[0xe0, 0xa0, 0x80], 3],
      [[0xe0, 0xbf, 0xbf], 3],
      [[0xe0, 0xc0, 0x80], ILL_FORMED],
      [[0xe1, 0x80, 0x80], 3],
      [[0xec, 0xbf, 0xbf], 3],
      [[0xed, 0x80, 0x80], 3],
      [[0xed, 0x9f, 0xbf], 3],
      [[0xed, 0xa0, 0x80], ILL_FORMED],
      [[0xed, 0xbf, 0xbf], ILL_FORMED],
      [[0xee, 0x80, 0x80], 3],
      [[0xef, 0xbf, 0xbf], 3],
      [[0xef, 0xbf, 0x7f], ILL_FORMED],
      [[0xef, 0xbf, 0xc0], ILL_FORMED],
      [[0xf0, 0x8f, 0xbf, 0xbf], ILL_FORMED],
      [[0xf0, 0x90, 0x80, 0x80], 4],
      [[0xf0, 0xbf, 0xbf, 0xbf], 4],
      [[0xf1, 0x80, 0x80, 0x80], 4],
      [[0xf3, 0xbf, 0xbf, 0xbf], 4],
      [[0xf4, 0x80, 0x80, 0x80], 4],
      [[0xf4, 0x8f, 0xbf, 0xbf], 4],
      [[0xf4, 0x90, 0x80, 0x80], ILL_FORMED],
      [[0xf4, 0x8f, 0xbf, 0x7f], ILL_FORMED],
      [[0xf4, 0x8f, 0x7f, 0xbf], ILL_FORMED],
      [[0xf5, 0x80, 0x80, 0x80], ILL_FORMED],
      [[0xf7, 0xbf, 0xbf, 0xbf], ILL_FORMED],
      [[0xf8, 0x88, 0x80, 0x80], ILL_FORMED],
      [[0xfe], ILL_FORMED],
      [[0xff], ILL_FORMED],
    ];
    for (const [bytes, expected] of cases) {
      assert.equal(sequenceLength(Uint8Array.from(bytes), 0, bytes.length), expected, hex(bytes));
      // Bytes after a complete or ill-formed sequence do not matter.
      const padded = Uint8Array.from([...bytes, 0x80, 0x80, 0x80]);
      assert.equal(sequenceLength(padded, 0, padded.length), expected, `${hex(bytes)} + continuation bytes`);
    }
  });

  test("every lone continuation byte is ill-formed", () => {
    for (let byte = 0x80; byte <= 0xbf; byte++) {
      const bytes = Uint8Array.from([byte, 0x80, 0x80, 0x80]);
      assert.equal(sequenceLength(bytes, 0, 1), ILL_FORMED, hex([byte]));
      assert.equal(sequenceLength(bytes, 0, 4), ILL_FORMED, hex(bytes));
    }
  });

  test("truncated valid prefixes are INCOMPLETE, truncated invalid ones ILL_FORMED", () => {
    const incomplete = [
      [0xc2],
      [0xdf],
      [0xe0],
      [0xe0, 0xa0],
      [0xed, 0x9f],
      [0xef, 0xbf],
      [0xf0],
      [0xf0, 0x90],
      [0xf0, 0x90, 0x80],
      [0xf3, 0xbf, 0xbf],
      [0xf4, 0x8f],
      [0xf4, 0x8f, 0xbf],
    ];
    for (const bytes of incomplete) {
      assert.equal(sequenceLength(Uint8Array.from(bytes), 0, bytes.length), INCOMPLETE, hex(bytes));
    }
    const illFormed = [[0xe0, 0x9f], [0xed, 0xa0], [0xf0, 0x8f], [0xf4, 0x90], [0xf0, 0x90, 0x7f], [0xc1], [0xf5]];
    for (const bytes of illFormed) {
      assert.equal(sequenceLength(Uint8Array.from(bytes), 0, bytes.length), ILL_FORMED, hex(bytes));
    }
  });

  test("only the bytes before `end` are read, from `index` on", () => {
    const bytes = Buffer.from("xñ€😀");
    assert.equal(sequenceLength(bytes, 0, bytes.length), 1);
    assert.equal(sequenceLength(bytes, 1, bytes.length), 2);
    assert.equal(sequenceLength(bytes, 1, 2), INCOMPLETE);
    assert.equal(sequenceLength(bytes, 2, bytes.length), ILL_FORMED);
    assert.equal(sequenceLength(bytes, 3, bytes.length), 3);
    assert.equal(sequenceLength(bytes, 3, 5), INCOMPLETE);
    assert.equal(sequenceLength(bytes, 6, bytes.length), 4);
    assert.equal(sequenceLength(bytes, 6, 9), INCOMPLETE);
    assert.equal(sequenceLength(bytes, 6, 7), INCOMPLETE);
  });

  test("every lead and second byte, whole and truncated, agrees with the table", () => {
    const bytes = new Uint8Array(4);
    for (let lead = 0; lead < 256; lead++) {
      for (let second = 0; second < 256; second++) {
        bytes[0] = lead;
        bytes[1] = second;
        bytes[2] = 0x80;
        bytes[3] = 0xbf;
        for (let end = 1; end <= 4; end++) {
          const expected = referenceLength(bytes, 0, end);
          const actual = sequenceLength(bytes, 0, end);
          if (actual !== expected) assert.fail(`${hex(bytes)} end ${end}: expected ${expected}, got ${actual}`);
        }
      }
    }
  });

  test("every third and fourth byte after each valid lead and second byte boundary agrees with the table", () => {
    const bytes = new Uint8Array(4);
    for (const row of TABLE_3_7.filter((r) => r.length >= 3)) {
      for (const lead of new Set([row[0][0], row[0][1]])) {
        for (const second of new Set([row[1][0], row[1][1]])) {
          for (let varied = 2; varied < 4; varied++) {
            for (let value = 0; value < 256; value++) {
              bytes.set([lead, second, 0x80, 0x80]);
              bytes[varied] = value;
              for (let end = 1; end <= 4; end++) {
                const expected = referenceLength(bytes, 0, end);
                const actual = sequenceLength(bytes, 0, end);
                if (actual !== expected) assert.fail(`${hex(bytes)} end ${end}: expected ${expected}, got ${actual}`);
              }
            }
          }
        }
      }
    }
  });

  test("agrees with TextDecoder on every 4-byte string of boundary bytes", () => {
    // A non-fatal decoder replaces an ill-formed lead with U+FFFD; otherwise its first code point is the sequence.
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    const interesting = [
      0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf3, 0xf4,
      0xf5, 0xff,
    ];
    const bytes = new Uint8Array(4);
    for (const a of interesting) {
      for (const b of interesting) {
        for (const c of interesting) {
          for (const d of interesting) {
            bytes.set([a, b, c, d]);
            const first = decoder.decode(bytes).codePointAt(0) as number;
            const isReplacement = first === 0xfffd && !(a === 0xef && b === 0xbf && c === 0xbd);
            const expected = isReplacement ? ILL_FORMED : encodedLength(first);
            const actual = sequenceLength(bytes, 0, 4);
            if (actual !== expected)
              assert.fail(`${hex(bytes)}: TextDecoder says ${expected}, sequenceLength ${actual}`);
          }
        }
      }
    }
  });
});

describe("encode and decode", () => {
  test("encodedLength at the boundaries", () => {
    const cases: Array<[number, number]> = [
      [0, 1],
      [0x7f, 1],
      [0x80, 2],
      [0x7ff, 2],
      [0x800, 3],
      [0xffff, 3],
      [0x10000, 4],
      [0x10ffff, 4],
    ];
    for (const [codePoint, length] of cases) assert.equal(encodedLength(codePoint), length, codePoint.toString(16));
  });

  test("round trip over every code point, agreeing with Buffer.from", () => {
    const target = new Uint8Array(2 + MAX_SEQUENCE_BYTES + 2);
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      if (isSurrogate(codePoint)) continue;
      const reference = Buffer.from(String.fromCodePoint(codePoint));
      const length = reference.length;
      target.fill(0xaa);
      const after = encodeCodePoint(codePoint, target, 2);
      if (
        after !== 2 + length ||
        encodedLength(codePoint) !== length ||
        !reference.equals(target.subarray(2, after)) ||
        target[0] !== 0xaa ||
        target[1] !== 0xaa ||
        target[after] !== 0xaa ||
        sequenceLength(target, 2, after) !== length ||
        (length > 1 && sequenceLength(target, 2, after - 1) !== INCOMPLETE) ||
        decodeCodePoint(target, 2, length) !== codePoint
      ) {
        assert.fail(
          `U+${codePoint.toString(16)}: expected ${hex(reference)}, encoded ${hex(target)} (returned ${after}), ` +
            `sequenceLength ${sequenceLength(target, 2, after)}, decoded ${decodeCodePoint(target, 2, length)}`,
        );
      }
    }
  });

  test("the encoding of a surrogate is ill-formed", () => {
    const target = new Uint8Array(3);
    for (let codePoint = 0xd800; codePoint <= 0xdfff; codePoint++) {
      encodeCodePoint(codePoint, target, 0);
      assert.equal(sequenceLength(target, 0, 3), ILL_FORMED, codePoint.toString(16));
    }
  });
});
