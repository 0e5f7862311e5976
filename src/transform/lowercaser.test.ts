// Tests lower and lower-ascii modes against toLowerCase of each character alone: invalid
// bytes, characters split across chunks, the growth bound, Turkish and Greek final sigma.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  MAX_LOCALE_LOWERCASE_GROWTH,
  MAX_LOWERCASE_GROWTH,
  maxGrowthOf,
  type TransformOptions,
  TransformOptionsError,
} from "./options.js";
import { UppercaseStream } from "./uppercase-stream.js";
import { createUppercaser, uppercase } from "./uppercaser.js";

const fatalDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Length of the well-formed sequence at `index`, by a strict decoder, or 0 when there is none. */
function wellFormedLengthAt(bytes: Uint8Array, index: number): number {
  for (let length = 1; length <= 4 && index + length <= bytes.length; length++) {
    try {
      if ([...fatalDecoder.decode(bytes.subarray(index, index + length))].length === 1) return length;
    } catch {
      // not a whole sequence of this length
    }
  }
  return 0;
}

/** Expected output: each well-formed character lowercased alone, every other byte as it is. */
function referenceLowercase(bytes: Uint8Array): Buffer {
  const pieces: Buffer[] = [];
  for (let index = 0; index < bytes.length; ) {
    const length = wellFormedLengthAt(bytes, index);
    if (length === 0) pieces.push(Buffer.from([bytes[index++]]));
    else {
      pieces.push(Buffer.from(fatalDecoder.decode(bytes.subarray(index, index + length)).toLowerCase()));
      index += length;
    }
  }
  return Buffer.concat(pieces);
}

/** Characters whose lowercase changes length, needs a locale, or is the sigma; astral ones. */
const SPECIAL = ["A", "Z", "Ñ", "É", "İ", "I", "Ȿ", "Ⱥ", "Ⱦ", "K", "Ω", "Å", "ẞ", "Σ", "ς", "Ì", "Ĩ", "Ǆ", "𐐀", "𞤀"];
const unit = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 }) },
);
const bytePiece = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 4 }),
  unit.map((text) => Uint8Array.from(Buffer.from(text))),
  fc.tuple(unit, fc.nat()).map(([text, cut]) => {
    const bytes = Buffer.from(text);
    return Uint8Array.from(bytes.subarray(0, cut % bytes.length));
  }),
);
const messyBytes = fc.array(bytePiece, { maxLength: 40 }).map((pieces) => Uint8Array.from(Buffer.concat(pieces)));
const cutSeeds = fc.array(fc.nat(), { maxLength: 12 });

function chunksOf(bytes: Uint8Array, seeds: readonly number[]): Uint8Array[] {
  const cuts = seeds.map((seed) => seed % (bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let previous = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(previous, cut));
    previous = cut;
  }
  return chunks;
}

function streamThrough(options: TransformOptions, chunks: readonly Uint8Array[], inPlace = false): Buffer {
  const lowercaser = createUppercaser(options);
  const outputs: Buffer[] = [];
  for (const chunk of chunks) {
    const copy = Buffer.from(chunk);
    outputs.push(Buffer.from(lowercaser.push(copy, inPlace)));
    copy.fill(0xee);
    if (options.locale === undefined) assert.ok(lowercaser.heldBytes <= 3, `holds ${lowercaser.heldBytes} bytes`);
  }
  outputs.push(Buffer.from(lowercaser.end()));
  assert.equal(lowercaser.heldBytes, 0);
  return Buffer.concat(outputs);
}

const lower = (text: string, options: TransformOptions = {}) => uppercase(text, { mode: "lower", ...options });

describe("lower mode", () => {
  test("each code point alone gives exactly its toLowerCase, and the growth bound is the real maximum", () => {
    let largest = 0;
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
      const text = String.fromCodePoint(codePoint);
      const input = Buffer.from(text);
      const expected = Buffer.from(text.toLowerCase());
      const actual = uppercase(input, { mode: "lower" });
      if (!actual.equals(expected)) assert.fail(`U+${codePoint.toString(16)}: expected ${expected.toString("hex")}`);
      largest = Math.max(largest, actual.length / input.length);
    }
    assert.equal(largest, MAX_LOWERCASE_GROWTH);
    assert.equal(maxGrowthOf("lower", undefined), MAX_LOWERCASE_GROWTH);
  });

  test("with a locale the bound is MAX_LOCALE_LOWERCASE_GROWTH (Lithuanian Ì → i̇̀, Turkish I → ı)", () => {
    let largest = 0;
    for (const locale of ["tr", "az", "lt"]) {
      for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
        if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
        const text = String.fromCodePoint(codePoint);
        largest = Math.max(largest, Buffer.byteLength(text.toLocaleLowerCase(locale)) / Buffer.byteLength(text));
      }
    }
    assert.equal(largest, MAX_LOCALE_LOWERCASE_GROWTH);
    assert.equal(lower("Ì", { locale: "lt" }), "i\u0307\u0300");
  });

  test("well-formed text: ASCII, 2-byte letters, İ (grows), K (Kelvin sign, shrinks), astral", () => {
    assert.equal(lower("HELLO, ÑANDÚ!"), "hello, ñandú!");
    assert.equal(lower("İSTANBUL"), "i\u0307stanbul");
    assert.equal(lower("5 \u212a"), "5 k");
    assert.equal(lower("\u{10400}\u{1e900}"), "\u{10428}\u{1e922}");
    assert.equal(lower("ẞ"), "ß");
  });

  test("Greek capital sigma is σ everywhere, per character: a chunk boundary cannot change it", () => {
    assert.equal(lower("ΟΔΟΣ ΚΑΙ Σ"), "οδοσ και σ"); // toLowerCase on the whole string would end words in ς
    assert.equal(streamThrough({ mode: "lower" }, chunksOf(Buffer.from("ΟΔΟΣ"), [7])).toString(), "οδοσ");
  });

  test("with --locale el, final sigma applies within a held word, however the stream is cut", () => {
    const text = Buffer.from("ΟΔΟΣ ΚΑΙ ΠΟΛΙΣ");
    const whole = uppercase(text, { mode: "lower", locale: "el" }).toString();
    assert.equal(whole, "οδος και πολις");
    for (let cut = 0; cut <= text.length; cut++) {
      assert.equal(
        streamThrough({ mode: "lower", locale: "el" }, chunksOf(text, [cut])).toString(),
        whole,
        `cut ${cut}`,
      );
    }
  });

  test("with --locale el, a cased symbol or number before Σ makes it final too (Ⓚ, Ⅻ), in any cuts", () => {
    // Cased is wider than letters: circled letters (So) and Roman numerals (Nl) are cased, so
    // the word held at a chunk's end must keep them, or end() sees Σ alone and gives σ.
    for (const text of ["ⓀΣ", "ⅫΣ", "ⓐΣ Ⓚ", "ΑⓀΣ"].map((each) => Buffer.from(each))) {
      const whole = text.toString().toLocaleLowerCase("el");
      assert.equal(uppercase(text, { mode: "lower", locale: "el" }).toString(), whole);
      for (let cut = 0; cut <= text.length; cut++) {
        assert.equal(
          streamThrough({ mode: "lower", locale: "el" }, chunksOf(text, [cut])).toString(),
          whole,
          `${text} cut ${cut}`,
        );
      }
    }
  });

  test("Turkish: I → ı and İ → i, also with İ cut in two", () => {
    assert.equal(lower("ISPARTA İZMİR", { locale: "tr" }), "ısparta izmir");
    const bytes = Buffer.from("İ");
    assert.equal(
      streamThrough({ mode: "lower", locale: "tr" }, [bytes.subarray(0, 1), bytes.subarray(1)]).toString(),
      "i",
    );
    assert.equal(lower("I", { locale: "az" }), "ı");
  });

  test("bytes that are not well-formed UTF-8 pass through unchanged", () => {
    const input = Buffer.from([0xff, 0x41, 0xc3, 0x41, 0xed, 0xa0, 0x80, 0xc3, 0x91, 0xc3]);
    assert.equal(uppercase(input, { mode: "lower" }).toString("hex"), "ff61c361eda080c3b1c3");
  });

  test("a character split across chunks is still converted; at most one unfinished character is held", () => {
    const bytes = Buffer.from("Ñİ\u{10400}");
    for (let first = 0; first <= bytes.length; first++) {
      for (let second = first; second <= bytes.length; second++) {
        const output = streamThrough({ mode: "lower" }, chunksOf(bytes, [first, second]));
        assert.equal(output.toString(), "ñi\u0307\u{10428}", `cuts ${first}, ${second}`);
      }
    }
  });

  test("property: any bytes, any cuts, in place or not: the same as the reference", () => {
    fc.assert(
      fc.property(messyBytes, cutSeeds, fc.boolean(), (bytes, seeds, inPlace) => {
        const expected = referenceLowercase(bytes);
        assert.equal(uppercase(bytes, { mode: "lower" }).toString("hex"), expected.toString("hex"));
        assert.equal(
          streamThrough({ mode: "lower" }, chunksOf(bytes, seeds), inPlace).toString("hex"),
          expected.toString("hex"),
        );
      }),
      { numRuns: 2000, seed: 19 },
    );
  });

  test("keepGrowingCharacters (UDP): İ stays, the rest is lowercased, the count is right", () => {
    const lowercaser = createUppercaser({ mode: "lower" });
    const output = lowercaser.transformOwned(Buffer.from("AİBİ"), { keepGrowingCharacters: true });
    assert.equal(output.toString(), "aİbİ");
    assert.equal(lowercaser.keptCharacters, 2);
  });

  test("UppercaseStream with mode lower lowercases a piped stream", async () => {
    const bytes = Buffer.from("ÑANDÚ İ ΣΑΣ");
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));
    const outputs: Buffer[] = [];
    await pipeline(Readable.from(chunks), new UppercaseStream({ mode: "lower" }), async (source) => {
      for await (const chunk of source) outputs.push(chunk as Buffer);
    });
    assert.equal(Buffer.concat(outputs).toString(), "ñandú i\u0307 σασ");
  });

  test("options: a locale goes with lower, not with lower-ascii", () => {
    assert.doesNotThrow(() => createUppercaser({ mode: "lower", locale: "tr" }));
    assert.throws(() => createUppercaser({ mode: "lower-ascii", locale: "tr" }), TransformOptionsError);
  });
});

describe("lower-ascii mode", () => {
  test("only A-Z change, every byte value in every position of a word", () => {
    for (let offset = 0; offset < 8; offset++) {
      const all = Buffer.alloc(256 + offset);
      for (let byte = 0; byte < 256; byte++) all[offset + byte] = byte;
      const output = createUppercaser({ mode: "lower-ascii" }).push(all.subarray(offset));
      for (let byte = 0; byte < 256; byte++) {
        assert.equal(output[byte], byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte, `byte ${byte}, offset ${offset}`);
      }
    }
    assert.equal(uppercase("ÑANDÚ ABC", { mode: "lower-ascii" }), "ÑandÚ abc");
  });

  test("property: lower mode's ASCII runs (four bytes per step) agree with a byte loop", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(7), (bytes, offset) => {
        const buffer = Buffer.alloc(bytes.length + offset);
        buffer.set(bytes, offset);
        const input = buffer.subarray(offset);
        const expected = Buffer.from(bytes.map((byte) => (byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte)));
        assert.deepEqual(createUppercaser({ mode: "lower-ascii" }).transformOwned(Buffer.from(input)), expected);
      }),
      { numRuns: 1000, seed: 19 },
    );
  });
});
