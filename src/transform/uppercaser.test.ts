// Tests the byte transform (uppercaser.ts and the stream around it) against String.prototype.toUpperCase.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, test } from "node:test";
import fc from "fast-check";
import { MAX_HELD_WORD_BYTES } from "./locale-uppercaser.js";
import { MAX_UNICODE_GROWTH, type TransformOptions, TransformOptionsError } from "./options.js";
import { UppercaseStream } from "./uppercase-stream.js";
import { createUppercaser, uppercase } from "./uppercaser.js";

// ---------------------------------------------------------------------------------------------
// Independent references

const fatalDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Length of the well-formed sequence at `index` by asking a strict decoder, or 0 when there is none. */
function wellFormedLengthAt(bytes: Uint8Array, index: number): number {
  for (let length = 1; length <= 4 && index + length <= bytes.length; length++) {
    try {
      const text = fatalDecoder.decode(bytes.subarray(index, index + length));
      if ([...text].length === 1) return length;
    } catch {
      // not a whole sequence of this length
    }
  }
  return 0;
}

/** Expected output: well-formed runs uppercased (by default with toUpperCase), every other byte as it is. */
function referenceUppercase(bytes: Uint8Array, map = (text: string): string => text.toUpperCase()): Buffer {
  const pieces: Buffer[] = [];
  let runStart = 0;
  let index = 0;
  const flushRun = (): void => {
    if (index > runStart) pieces.push(Buffer.from(map(fatalDecoder.decode(bytes.subarray(runStart, index)))));
  };
  while (index < bytes.length) {
    const length = wellFormedLengthAt(bytes, index);
    if (length > 0) {
      index += length;
      continue;
    }
    flushRun();
    pieces.push(Buffer.from([bytes[index]]));
    index++;
    runStart = index;
  }
  flushRun();
  return Buffer.concat(pieces);
}

function referenceAscii(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.map((byte) => (byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte)));
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

// ---------------------------------------------------------------------------------------------
// Generators

/** Characters whose uppercase changes length, shrinks, grows, or needs the locale; and astral ones. */
const SPECIAL = [
  "a",
  "z",
  "é",
  "ñ",
  "ß",
  "ŉ",
  "ǰ",
  "ΐ",
  "ΰ",
  "և",
  "ẖ",
  "ﬀ",
  "ﬃ",
  "ﬓ",
  "ᾀ",
  "ᾳ",
  "ῼ",
  "ὒ",
  "ı",
  "ſ",
  "ȿ",
  "ⱥ",
  "µ",
  "ÿ",
  "i",
  "İ",
  "ς",
  "σ",
  "ά",
  "ή",
  "\u0307",
  "\u0301",
  "𐐨",
  "𞤢",
  "😀",
  "\ufeff",
  "\u0000",
  "\ufffd",
];

/** Code points anywhere in the range (surrogates excluded), mixed with the special characters. */
const unicodeUnit = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 }) },
);
const unicodeString = fc.string({ unit: unicodeUnit, maxLength: 60 });

/** Byte strings rich in well-formed, truncated and ill-formed sequences. */
const bytePiece = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 4 }),
  unicodeUnit.map((text) => Buffer.from(text)),
  fc.tuple(unicodeUnit, fc.nat()).map(([text, cut]) => {
    const bytes = Buffer.from(text);
    return bytes.subarray(0, cut % bytes.length);
  }),
  fc
    .constantFrom(
      [0xc0, 0x80],
      [0xc1, 0xbf],
      [0xe0, 0x80, 0x80],
      [0xe0, 0x9f, 0xbf],
      [0xed, 0xa0, 0x80],
      [0xed, 0xbf, 0xbf],
      [0xf0, 0x8f, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80],
      [0xef, 0xbf, 0xc0],
      [0xf5],
      [0xff],
      [0x80],
      [0xbf],
      [0xf0, 0x90],
    )
    .map((bytes) => Uint8Array.from(bytes)),
);
const messyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 120 }),
  fc.array(bytePiece, { maxLength: 40 }).map((pieces) => Uint8Array.from(Buffer.concat(pieces))),
);

/** Cut points as seeds; `chunksOf` turns them into chunks of a given byte string (empty chunks included). */
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

/** Streams the chunks, each as a fresh copy (a Buffer or a plain Uint8Array), and checks what is held between them. */
function streamThrough(
  options: TransformOptions,
  chunks: readonly Uint8Array[],
  inPlace = false,
  plain = false,
): Buffer {
  const uppercaser = createUppercaser(options);
  const outputs: Buffer[] = [];
  for (const chunk of chunks) {
    const copy = plain ? Uint8Array.from(chunk) : Buffer.from(chunk);
    outputs.push(Buffer.from(uppercaser.push(copy, inPlace)));
    copy.fill(0xee); // the caller may reuse its memory once push() returned and the output was consumed
    if ((options.mode ?? "unicode") === "unicode" && options.locale === undefined) {
      assert.ok(uppercaser.heldBytes <= 3, `holds ${uppercaser.heldBytes} bytes, more than one unfinished character`);
    }
    if (options.mode === "ascii") assert.equal(uppercaser.heldBytes, 0);
  }
  outputs.push(Buffer.from(uppercaser.end()));
  assert.equal(uppercaser.heldBytes, 0, "something is still held after end()");
  return Buffer.concat(outputs);
}

function isSurrogate(codePoint: number): boolean {
  return codePoint >= 0xd800 && codePoint <= 0xdfff;
}

// ---------------------------------------------------------------------------------------------

describe("unicode mode: every code point", () => {
  test("each code point alone gives exactly its toUpperCase, growing at most 3x", () => {
    let largestGrowth = 0;
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
      if (isSurrogate(codePoint)) continue;
      const text = String.fromCodePoint(codePoint);
      const input = Buffer.from(text);
      const expected = Buffer.from(text.toUpperCase());
      const actual = uppercase(input);
      if (!actual.equals(expected)) {
        assert.fail(`U+${codePoint.toString(16)}: input ${hex(input)}, expected ${hex(expected)}, got ${hex(actual)}`);
      }
      largestGrowth = Math.max(largestGrowth, actual.length / input.length);
    }
    assert.equal(largestGrowth, MAX_UNICODE_GROWTH);
  });

  test("all code points in batches, one-shot and streamed in 7-byte chunks", () => {
    const batchSize = 4096;
    for (let first = 0; first <= 0x10ffff; first += batchSize) {
      let text = "";
      for (let codePoint = first; codePoint < first + batchSize && codePoint <= 0x10ffff; codePoint++) {
        if (!isSurrogate(codePoint)) text += String.fromCodePoint(codePoint);
      }
      if (text === "") continue;
      const input = Buffer.from(text);
      const expected = Buffer.from(text.toUpperCase());
      const oneShot = uppercase(input);
      if (!oneShot.equals(expected)) assert.fail(`one-shot batch from U+${first.toString(16)} differs`);
      const uppercaser = createUppercaser();
      const outputs: Buffer[] = [];
      for (let index = 0; index < input.length; index += 7)
        outputs.push(uppercaser.push(input.subarray(index, index + 7)));
      outputs.push(uppercaser.end());
      if (!Buffer.concat(outputs).equals(expected)) assert.fail(`streamed batch from U+${first.toString(16)} differs`);
    }
  });

  test("documented examples", () => {
    assert.equal(uppercase("straße ñ").toString(), "STRASSE Ñ");
    assert.equal(uppercase("ŉ").toString(), "ʼN");
    assert.deepEqual([...uppercase(Buffer.from([0x61, 0xff]))], [0x41, 0xff]);
    const uppercaser = createUppercaser({ mode: "unicode" });
    assert.equal(uppercaser.push(Buffer.from([0x61, 0xc3])).toString(), "A");
    assert.equal(uppercaser.heldBytes, 1);
    assert.equal(uppercaser.push(Buffer.from([0xb1])).toString(), "Ñ");
    assert.equal(uppercaser.end().length, 0);
  });

  test("an unfinished character at the end of the stream passes through", () => {
    const uppercaser = createUppercaser();
    assert.equal(uppercaser.push(Buffer.from([0x61, 0xf0, 0x9f])).toString(), "A");
    assert.equal(uppercaser.push(Buffer.from([0x98])).length, 0);
    assert.equal(uppercaser.heldBytes, 3);
    assert.deepEqual([...uppercaser.end()], [0xf0, 0x9f, 0x98]);
    assert.deepEqual([...uppercase(Buffer.from([0x61, 0xf0, 0x9f, 0x98]))], [0x41, 0xf0, 0x9f, 0x98]);
    // A held prefix that the next chunk shows to be ill-formed passes through too, byte by byte.
    const second = createUppercaser();
    assert.equal(second.push(Buffer.from([0xe0, 0xa0])).length, 0);
    assert.deepEqual([...second.push(Buffer.from([0x61, 0xc3, 0xa9]))], [0xe0, 0xa0, 0x41, 0xc3, 0x89]);
  });
});

describe("unicode mode: properties", () => {
  test("any string cut anywhere streams to uppercase(whole) and to toUpperCase", () => {
    fc.assert(
      fc.property(unicodeString, cutSeeds, fc.boolean(), (text, seeds, plain) => {
        const whole = Buffer.from(text);
        const expected = Buffer.from(text.toUpperCase());
        assert.deepEqual(uppercase(whole), expected);
        assert.deepEqual(streamThrough({}, chunksOf(whole, seeds), false, plain), expected);
      }),
      { numRuns: 1000 },
    );
  });

  test("any bytes: streaming equals one-shot equals the reference; ill-formed bytes are kept", () => {
    fc.assert(
      fc.property(messyBytes, cutSeeds, fc.boolean(), (bytes, seeds, plain) => {
        const expected = referenceUppercase(bytes);
        const oneShot = uppercase(bytes);
        assert.ok(oneShot.equals(expected), `input ${hex(bytes)}: expected ${hex(expected)}, got ${hex(oneShot)}`);
        const streamed = streamThrough({}, chunksOf(bytes, seeds), false, plain);
        assert.ok(
          streamed.equals(expected),
          `input ${hex(bytes)}: expected ${hex(expected)}, streamed ${hex(streamed)}`,
        );
      }),
      { numRuns: 1000 },
    );
  });

  test("transformOwned on one reused buffer (a UDP server's datagrams), between other buffers, matches the reference", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(messyBytes, fc.nat(7), fc.boolean(), fc.boolean()), { maxLength: 20 }),
        (rounds) => {
          const uppercaser = createUppercaser({});
          const memory = Buffer.alloc(4096 + 8);
          const reused = new Map<number, typeof memory>();
          for (const [bytes, offset, reuse, keepGrowingCharacters] of rounds) {
            // The same Buffer again for a length seen before, as DatagramIO hands them; else a new one.
            let input = memory.subarray(offset, offset + bytes.length);
            if (reuse) {
              const earlier = reused.get(bytes.length);
              if (earlier === undefined) reused.set(bytes.length, input);
              else input = earlier;
            }
            input.set(bytes);
            // The oracle: a fresh uppercaser on a buffer of its own (with the option, as the UDP server's default).
            const options = { keepGrowingCharacters };
            const expected = createUppercaser({}).transformOwned(Buffer.from(bytes), options);
            assert.ok(keepGrowingCharacters || expected.equals(referenceUppercase(bytes)));
            const output = uppercaser.transformOwned(input, options);
            assert.ok(output.equals(expected), `input ${hex(bytes)}: expected ${hex(expected)}, got ${hex(output)}`);
            const again = uppercaser.transformOwned(input.fill(0x61));
            assert.ok(again.equals(Buffer.alloc(bytes.length, 0x41)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test("the reference itself keeps ill-formed bytes (sanity check of the test)", () => {
    assert.equal(
      hex(referenceUppercase(Uint8Array.from([0x61, 0xc3, 0xb1, 0xc3, 0x62, 0xed, 0xa0, 0x80]))),
      "41c391c342eda080",
    );
    assert.equal(hex(referenceUppercase(Buffer.from("\ufeffß"))), "efbbbf5353");
  });

  test("growth: output at most 3x the input, also for every prefix of a stream", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          messyBytes,
          unicodeString.map((text) => Uint8Array.from(Buffer.from(text))),
        ),
        cutSeeds,
        (bytes, seeds) => {
          assert.ok(uppercase(bytes).length <= MAX_UNICODE_GROWTH * bytes.length);
          const uppercaser = createUppercaser();
          let read = 0;
          let written = 0;
          for (const chunk of chunksOf(bytes, seeds)) {
            read += chunk.length;
            written += uppercaser.push(chunk).length;
            assert.ok(written <= MAX_UNICODE_GROWTH * read, `${written} bytes out for ${read} in`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test("growth: ΐ and ΰ grow exactly 3x", () => {
    assert.equal(MAX_UNICODE_GROWTH, 3);
    for (const text of ["ΐ", "ΰ", "ΐΰ".repeat(1000)]) {
      const input = Buffer.from(text);
      const output = uppercase(input);
      assert.equal(output.length, 3 * input.length);
      assert.deepEqual(output, Buffer.from(text.toUpperCase()));
    }
    assert.deepEqual([...uppercase(Buffer.from("ΐ"))], [0xce, 0x99, 0xcc, 0x88, 0xcc, 0x81]);
  });

  test("growth after shrinking, in one buffer: ı and ſ shrink, ȿ and ΐ grow", () => {
    for (const text of ["ıııȿȿȿ", "ſΐſΐ", "abcıȿ".repeat(50), `${"ΐ".repeat(3)}${"a".repeat(40)}ȿ`]) {
      assert.deepEqual(uppercase(Buffer.from(text)), Buffer.from(text.toUpperCase()), text);
    }
  });

  test("push in place gives the same as without, and writes only inside its chunk", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          messyBytes,
          unicodeString.map((text) => Uint8Array.from(Buffer.from(text))),
        ),
        cutSeeds,
        fc.boolean(),
        (bytes, seeds, plain) => {
          const chunks = chunksOf(bytes, seeds);
          const expected = streamThrough({}, chunks);
          const uppercaser = createUppercaser();
          const outputs: Buffer[] = [];
          for (const chunk of chunks) {
            // The chunk sits in owned memory between guard bytes that must survive.
            const memory = new Uint8Array(chunk.length + 6).fill(0x61);
            memory.set(chunk, 3);
            const owned = plain
              ? new Uint8Array(memory.buffer, 3, chunk.length)
              : Buffer.from(memory.buffer, 3, chunk.length);
            outputs.push(Buffer.from(uppercaser.push(owned, true)));
            assert.deepEqual(
              [...memory.subarray(0, 3), ...memory.subarray(3 + chunk.length)],
              [0x61, 0x61, 0x61, 0x61, 0x61, 0x61],
            );
            memory.fill(0xee); // reused by the caller: nothing held may live in it
          }
          outputs.push(uppercaser.end());
          assert.deepEqual(Buffer.concat(outputs), expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("uppercase() and push() without inPlace never modify their input", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          messyBytes,
          unicodeString.map((text) => Uint8Array.from(Buffer.from(text))),
        ),
        cutSeeds,
        (bytes, seeds) => {
          for (const options of [{}, { mode: "ascii" }, { locale: "tr" }] as TransformOptions[]) {
            const input = Buffer.from(bytes);
            const output = uppercase(input, options);
            assert.deepEqual(input, Buffer.from(bytes));
            const plainInput = Uint8Array.from(bytes);
            uppercase(plainInput, options);
            assert.deepEqual(plainInput, Uint8Array.from(bytes));
            const uppercaser = createUppercaser(options);
            const chunks = chunksOf(input, seeds);
            for (const chunk of chunks) uppercaser.push(chunk);
            uppercaser.end();
            assert.deepEqual(input, Buffer.from(bytes));
            // Neither does a later call change an earlier output.
            const copy = Buffer.from(output);
            uppercase(input, options);
            assert.deepEqual(output, copy);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("ascii mode", () => {
  test("only a-z change, the length is kept, streaming and one-shot, in place or not", () => {
    fc.assert(
      fc.property(messyBytes, cutSeeds, fc.boolean(), (bytes, seeds, plain) => {
        const expected = referenceAscii(bytes);
        const oneShot = uppercase(bytes, { mode: "ascii" });
        assert.equal(oneShot.length, bytes.length);
        assert.deepEqual(oneShot, expected);
        const chunks = chunksOf(bytes, seeds);
        assert.deepEqual(streamThrough({ mode: "ascii" }, chunks, false, plain), expected);
        assert.deepEqual(streamThrough({ mode: "ascii" }, chunks, true, plain), expected);
        const uppercaser = createUppercaser({ mode: "ascii" });
        for (const chunk of chunks) assert.equal(uppercaser.push(chunk).length, chunk.length);
        assert.equal(uppercaser.end().length, 0);
      }),
      { numRuns: 1000 },
    );
  });

  test("every byte value", () => {
    const all = Uint8Array.from({ length: 256 }, (_, byte) => byte);
    const output = uppercase(all, { mode: "ascii" });
    for (let byte = 0; byte < 256; byte++) {
      assert.equal(output[byte], byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte, `byte ${byte}`);
    }
    assert.equal(uppercase("straße ñ", { mode: "ascii" }).toString(), "STRAßE ñ");
  });
});

// ---------------------------------------------------------------------------------------------

/** Short words over an alphabet, separated by spaces or newlines. */
function wordsOf(alphabet: readonly string[]): fc.Arbitrary<string> {
  const maxWordLength = 12;
  const longest = Math.max(...alphabet.map((character) => Buffer.byteLength(character)));
  assert.ok(maxWordLength * longest < MAX_HELD_WORD_BYTES, "the words must be shorter than MAX_HELD_WORD_BYTES");
  const word = fc
    .array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: maxWordLength })
    .map((c) => c.join(""));
  const separator = fc.constantFrom(" ", "  ", "\n");
  return fc
    .array(fc.tuple(word, separator), { maxLength: 12 })
    .map((pairs) => pairs.map(([w, s]) => w + s).join(""))
    .chain((text) => fc.constantFrom(text, text.trimEnd()));
}

const LOCALE_ALPHABETS: Record<string, readonly string[]> = {
  tr: ["i", "I", "ı", "İ", "a", "s", "t", "n", "b", "u", "l", "ç", "ğ", "ö", "ş", "ü", "ß", "\u0307", "é"],
  az: ["i", "I", "ı", "İ", "ə", "a", "z", "\u0307"],
  lt: ["i", "j", "į", "I", "J", "Į", "e", "ė", "ą", "č", "ų", "\u0307", "\u0300", "\u0301", "\u0303", "\u0328", "ì"],
  el: [
    "α",
    "ά",
    "ε",
    "έ",
    "η",
    "ή",
    "ι",
    "ί",
    "ϊ",
    "ΐ",
    "ο",
    "ό",
    "υ",
    "ύ",
    "ϋ",
    "ΰ",
    "ω",
    "ώ",
    "σ",
    "ς",
    "τ",
    "Ά",
    "Ή",
    "Ί",
    "ᾳ",
    "ᾴ",
    "ῆ",
    "ῷ",
    "\u0301",
    "\u0308",
    "\u0342",
    "\u0345",
    "\u0313",
    "e",
  ],
};

describe("locale rules", () => {
  test("examples agree with toLocaleUpperCase", () => {
    assert.equal(uppercase("istanbul", { locale: "tr" }).toString(), "İSTANBUL");
    assert.equal(uppercase("istanbul", { locale: "az" }).toString(), "İSTANBUL");
    assert.equal(uppercase("istanbul").toString(), "ISTANBUL");
    const examples: Array<[string, string]> = [
      ["lt", "i\u0307"],
      ["lt", "li\u0307etuvi\u0307s"],
      ["lt", "j\u0307 į\u0307 i\u0328\u0307 i\u0307\u0301 i\u0301\u0307"],
      ["el", "άδεια"],
      ["el", "Αθήνα"],
      ["el", "ή"],
      ["el", "αϋπνία άι όι"],
      ["el", "ᾳ ῷ ἀρχή"],
      ["tr", "ıi İI iı"],
      ["az", "ıi İI iı"],
    ];
    for (const [locale, text] of examples) {
      const expected = text.toLocaleUpperCase(locale);
      assert.equal(uppercase(text, { locale }).toString(), expected, `${locale}: ${text}`);
    }
    // The examples do exercise the rules: each differs from the locale-independent mapping.
    assert.notEqual("i\u0307".toLocaleUpperCase("lt"), "i\u0307".toUpperCase());
    assert.notEqual("άδεια".toLocaleUpperCase("el"), "άδεια".toUpperCase());
    assert.equal(uppercase("άδεια", { locale: "el" }).toString(), "ΑΔΕΙΑ");
    assert.equal(uppercase("i\u0307", { locale: "lt" }).toString(), "I");
  });

  test("the locale tag is case-insensitive and canonicalised", () => {
    assert.equal(uppercase("istanbul", { locale: "TR" }).toString(), "İSTANBUL");
    assert.equal(uppercase("istanbul", { locale: "tr-tr" }).toString(), "İSTANBUL");
  });

  test("ill-formed bytes are kept with a locale too", () => {
    const input = Buffer.concat([
      Buffer.from("iş"),
      Buffer.from([0xff, 0xc3]),
      Buffer.from("i"),
      Buffer.from([0xe0, 0xa0]),
    ]);
    const expected = Buffer.concat([
      Buffer.from("İŞ"),
      Buffer.from([0xff, 0xc3]),
      Buffer.from("İ"),
      Buffer.from([0xe0, 0xa0]),
    ]);
    assert.deepEqual(uppercase(input, { locale: "tr" }), expected);
    assert.deepEqual(streamThrough({ locale: "tr" }, chunksOf(input, [1, 2, 4, 6, 7])), expected);
  });

  test("any bytes with a locale: well-formed runs go through toLocaleUpperCase; tr streams the same", () => {
    fc.assert(
      fc.property(messyBytes, cutSeeds, (bytes, seeds) => {
        for (const locale of ["tr", "lt", "el"]) {
          const expected = referenceUppercase(bytes, (text) => text.toLocaleUpperCase(locale));
          const oneShot = uppercase(bytes, { locale });
          assert.ok(
            oneShot.equals(expected),
            `${locale} ${hex(bytes)}: expected ${hex(expected)}, got ${hex(oneShot)}`,
          );
        }
        // Turkish uppercasing has no context rules, so any cut gives the same bytes.
        const expected = referenceUppercase(bytes, (text) => text.toLocaleUpperCase("tr"));
        const streamed = streamThrough({ locale: "tr" }, chunksOf(bytes, seeds));
        assert.ok(streamed.equals(expected), `tr ${hex(bytes)}: expected ${hex(expected)}, streamed ${hex(streamed)}`);
      }),
      { numRuns: 500 },
    );
  });

  for (const locale of Object.keys(LOCALE_ALPHABETS)) {
    test(`${locale}: short words cut anywhere stream to toLocaleUpperCase`, () => {
      fc.assert(
        fc.property(wordsOf(LOCALE_ALPHABETS[locale]), cutSeeds, (text, seeds) => {
          const whole = Buffer.from(text);
          const expected = text.toLocaleUpperCase(locale);
          assert.equal(uppercase(whole, { locale }).toString(), expected);
          assert.equal(streamThrough({ locale }, chunksOf(whole, seeds)).toString(), expected);
        }),
        { numRuns: 500 },
      );
    });
  }

  test("el: context across case-ignorable non-letters (. ' ZWJ SHY) survives streaming", () => {
    // toLocaleUpperCase("el") keeps the accent of a lone ή, but not of one after a letter and an apostrophe or
    // full stop (case-ignorable): the context crosses the punctuation, so the held word must take it in.
    // A zero-width joiner or soft hyphen (format characters, case-ignorable) does it even with no cut at all.
    for (const [text, cuts] of [
      ["α.ή", [3]],
      ["α'ή", [3]],
      ["ή.α", [3]],
      ["α\u200dή", []],
      ["α\u00adή", []],
    ] as Array<[string, number[]]>) {
      const whole = Buffer.from(text);
      const expected = text.toLocaleUpperCase("el");
      assert.equal(uppercase(whole, { locale: "el" }).toString(), expected);
      assert.equal(streamThrough({ locale: "el" }, chunksOf(whole, cuts)).toString(), expected, text);
    }
  });
});

describe("options", () => {
  test("invalid options throw TransformOptionsError", () => {
    const cases: Array<[TransformOptions, "mode" | "locale", string]> = [
      [{ mode: "foo" as TransformOptions["mode"] }, "mode", "foo"],
      [{ locale: "!!" }, "locale", "!!"],
      [{ locale: "" }, "locale", ""],
      [{ mode: "ascii", locale: "tr" }, "locale", "tr"],
    ];
    for (const [options, option, value] of cases) {
      const isExpected = (error: unknown): boolean => {
        assert.ok(error instanceof TransformOptionsError, `${JSON.stringify(options)}: ${String(error)}`);
        assert.equal(error.name, "TransformOptionsError");
        assert.equal(error.option, option);
        assert.equal(error.value, value);
        return true;
      };
      assert.throws(() => createUppercaser(options), isExpected);
      assert.throws(() => uppercase("abc", options), isExpected);
      assert.throws(() => new UppercaseStream(options), isExpected);
    }
  });

  test("valid options do not throw", () => {
    for (const options of [
      {},
      { mode: "unicode" },
      { mode: "ascii" },
      { locale: "tr" },
      { mode: "unicode", locale: "el" },
    ]) {
      assert.doesNotThrow(() => createUppercaser(options as TransformOptions));
    }
  });
});

describe("UppercaseStream", () => {
  async function throughStream(options: TransformOptions, chunks: readonly Uint8Array[]): Promise<Buffer> {
    const outputs: Buffer[] = [];
    await pipeline(
      Readable.from(chunks.map((chunk) => Buffer.from(chunk))),
      new UppercaseStream(options),
      async (source: AsyncIterable<Buffer>) => {
        for await (const output of source) outputs.push(output);
      },
    );
    return Buffer.concat(outputs);
  }

  test("documented example", async () => {
    assert.equal(
      (await throughStream({}, [Buffer.from("stra\xc3", "latin1"), Buffer.from([0x9f]), Buffer.from("e")])).toString(),
      "STRASSE",
    );
  });

  test("random bytes and strings, randomly chunked, equal uppercase()", async () => {
    const optionsArbitrary = fc.constantFrom<TransformOptions>(
      {},
      { mode: "unicode" },
      { mode: "ascii" },
      { locale: "tr" },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          messyBytes,
          unicodeString.map((text) => Uint8Array.from(Buffer.from(text))),
        ),
        cutSeeds,
        optionsArbitrary,
        async (bytes, seeds, options) => {
          const expected = uppercase(bytes, options);
          const actual = await throughStream(options, chunksOf(bytes, seeds));
          assert.ok(actual.equals(expected), `input ${hex(bytes)}: expected ${hex(expected)}, got ${hex(actual)}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("string writes are encoded as UTF-8", async () => {
    const stream = new UppercaseStream();
    const outputs: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => outputs.push(chunk));
    const finished = new Promise((resolve) => stream.on("end", resolve));
    stream.write("straße ");
    stream.end("ñ");
    await finished;
    assert.equal(Buffer.concat(outputs).toString(), "STRASSE Ñ");
  });
});
