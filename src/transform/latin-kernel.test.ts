// The WebAssembly fast path of the unicode mode: where it stops, that it agrees with
// String.prototype.toUpperCase on long mixed text cut anywhere, and that the committed module
// is the one latin-kernel.wat builds.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { buildLatinKernel, latinKernelModule } from "../../scripts/build-wasm.js";
import { peerAvailable } from "../../test/support/processes.js";
import { uppercaseAsciiInPlace } from "./ascii.js";
import { TWO_BYTE_UPPERCASE } from "./case-table.js";
import { inKernelMemory, kernelReadWindow, uppercaseLatinInPlace } from "./latin-kernel.js";
import { LATIN_KERNEL_WASM_BASE64 } from "./latin-kernel-wasm.js";
import { createUppercaser } from "./uppercaser.js";

function stopOf(text: string): { stop: number; bytes: Buffer } {
  const bytes = Buffer.from(text);
  return { stop: uppercaseLatinInPlace(bytes, 0, bytes.length), bytes };
}

test("maps ASCII and 2-byte letters whose uppercase is 2 bytes, and stops at anything else", () => {
  const latin = stopOf("el pingüino ñandú, ÿ µ ж ω");
  assert.equal(latin.stop, latin.bytes.length);
  assert.equal(latin.bytes.toString(), "EL PINGÜINO ÑANDÚ, Ÿ Μ Ж Ω");
  // "ß" grows to "SS", "€" and "😀" are longer: the caller's part; before them, done.
  for (const [text, before] of [
    ["straße", "STRA"],
    ["precio 5 €", "PRECIO 5 "],
    ["hola 😀", "HOLA "],
  ] as const) {
    const { stop, bytes } = stopOf(text);
    assert.equal(bytes.subarray(0, stop).toString(), before, text);
    assert.deepEqual(bytes.subarray(stop), Buffer.from(text).subarray(stop), `${text}: untouched after the stop`);
  }
  // A character cut at the end, a lone continuation byte, an overlong lead: stop there.
  assert.equal(uppercaseLatinInPlace(Buffer.from([0x61, 0xc3]), 0, 2), 1);
  assert.equal(uppercaseLatinInPlace(Buffer.from([0x61, 0xa9, 0x61]), 0, 3), 1);
  assert.equal(uppercaseLatinInPlace(Buffer.from([0x61, 0xc0, 0x80]), 0, 3), 1);
});

test("works inside a larger buffer and across its windows (256 bytes, doubling to 16 KiB)", () => {
  // 120,000 bytes of 2-byte letters: windows end inside letters, and the next window takes them.
  const bytes = Buffer.from(`xx${"áé".repeat(30_000)}yy`);
  assert.equal(uppercaseLatinInPlace(bytes, 2, bytes.length - 2), bytes.length - 2);
  assert.equal(bytes.toString(), `xx${"ÁÉ".repeat(30_000)}yy`);
  // A letter cut by `end` itself is left whole to the caller.
  const cut = Buffer.from("ñandú");
  assert.equal(uppercaseLatinInPlace(cut, 0, cut.length - 1), cut.length - 2);
});

test("mixed text that stops it at once still comes out exact (where the uppercaser backs off from it)", () => {
  const text = "é€ñ“ü”ạ ".repeat(5000);
  const uppercaser = createUppercaser({ mode: "unicode" });
  const pieces: Buffer[] = [];
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; offset += 4096)
    pieces.push(Buffer.from(uppercaser.push(bytes.subarray(offset, offset + 4096))));
  pieces.push(uppercaser.end());
  assert.equal(Buffer.concat(pieces).toString(), text.toUpperCase());
});

/** Mostly Latin, Greek and Cyrillic letters, with ASCII, and now and then a character the kernel leaves. */
const latinHeavyText = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz ,.;0123456789") },
      { weight: 4, arbitrary: fc.constantFrom(..."áéíóúüñçàèìòùâêîôûäëïöÿµαβγδωжщэюя") },
      { weight: 1, arbitrary: fc.constantFrom("ß", "€", "😀", "ŉ", "ǰ", "ΐ", "ﬀ", "\u0345") },
    ),
    { maxLength: 2000 },
  )
  .map((characters) => characters.join(""));

test("the unicode mode with the kernel equals toUpperCase on long mixed text, in any cuts", () => {
  fc.assert(
    fc.property(latinHeavyText, fc.array(fc.nat(), { maxLength: 8 }), (text, cutSeeds) => {
      const bytes = Buffer.from(text);
      const cuts = [...new Set(cutSeeds.map((seed) => seed % (bytes.length + 1)))].sort((a, b) => a - b);
      const uppercaser = createUppercaser({ mode: "unicode" });
      const pieces: Buffer[] = [];
      let from = 0;
      for (const cut of [...cuts, bytes.length]) {
        pieces.push(Buffer.from(uppercaser.push(bytes.subarray(from, cut))));
        from = cut;
      }
      pieces.push(uppercaser.end());
      assert.equal(Buffer.concat(pieces).toString(), text.toUpperCase());
    }),
    { numRuns: 300 },
  );
});

/** What the kernel does, one character at a time (its sixteen-byte steps must agree with it). */
function kernelModel(bytes: Buffer, start: number, end: number): number {
  let position = start;
  while (position < end) {
    const first = bytes[position];
    if (first < 0x80) {
      if (first >= 0x61 && first <= 0x7a) bytes[position] = first - 0x20;
      position++;
      continue;
    }
    const second = position + 1 < end ? bytes[position + 1] : 0;
    const upper =
      first >= 0xc2 && first <= 0xdf && (second & 0xc0) === 0x80
        ? TWO_BYTE_UPPERCASE[((first & 0x1f) << 6) | (second & 0x3f)]
        : 0;
    if (upper === 0) break;
    bytes[position] = upper >> 8;
    bytes[position + 1] = upper & 0xff;
    position += 2;
  }
  return position;
}

/** Bytes mostly of Latin-1 text, with whole 2-byte characters of other scripts and stray bytes. */
const latinOneBytes = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(..."aeinorsz ,.AEZ09").map((character) => [character.charCodeAt(0)]) },
      { weight: 6, arbitrary: fc.integer({ min: 0x80, max: 0xbf }).map((second) => [0xc3, second]) },
      { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xbf }).map((second) => [0xc2, second]) },
      { weight: 1, arbitrary: fc.constantFrom([0xce, 0xb1], [0xd0, 0xb6], [0xc5, 0x93], [0xe2, 0x82, 0xac]) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(0x80, 0xa9, 0xbf, 0xc0, 0xc2, 0xc3, 0xdf, 0xe2, 0xff).map((byte) => [byte]),
      },
    ),
    { minLength: 8, maxLength: 120, size: "max" },
  )
  .map((pieces) => Buffer.from(pieces.flat()));

test("its sixteen-byte steps agree with the character-at-a-time table on any bytes, at any offset", () => {
  fc.assert(
    fc.property(latinOneBytes, fc.nat(), fc.nat(), (bytes, startSeed, endSeed) => {
      const start = startSeed % (bytes.length + 1);
      const end = start + (endSeed % (bytes.length - start + 1));
      const expected = Buffer.from(bytes);
      const expectedStop = kernelModel(expected, start, end);
      const actual = Buffer.from(bytes);
      assert.equal(uppercaseLatinInPlace(actual, start, end), expectedStop);
      assert.deepEqual(actual, expected);
    }),
    { numRuns: 3000 },
  );
  // Each Latin-1 letter and sign in every place of a step, the step's last byte included.
  for (let codePoint = 0x80; codePoint < 0x100; codePoint++)
    for (let before = 0; before < 20; before++) {
      const text = `${"a".repeat(before)}${String.fromCodePoint(codePoint)}${"é".repeat(12)}`;
      const bytes = Buffer.from(text);
      const expected = Buffer.from(text);
      assert.equal(uppercaseLatinInPlace(bytes, 0, bytes.length), kernelModel(expected, 0, bytes.length), text);
      assert.deepEqual(bytes, expected, text);
    }
  // Each pair of them side by side, a step's last byte a lead: each byte's predecessor matters.
  for (let first = 0x80; first < 0x100; first++)
    for (let second = 0x80; second < 0x100; second++) {
      const text = `a${(String.fromCodePoint(first) + String.fromCodePoint(second)).repeat(4)}${"a".repeat(16)}`;
      const bytes = Buffer.from(text);
      const expected = Buffer.from(text);
      assert.equal(uppercaseLatinInPlace(bytes, 0, bytes.length), kernelModel(expected, 0, bytes.length), text);
      assert.deepEqual(bytes, expected, text);
    }
});

/** Each mode's answer to `bytes` cut at `cuts`, every piece pushed in place as the TCP server does. */
function answerInPlace(mode: "unicode" | "ascii", pieces: Buffer[]): Buffer {
  const uppercaser = createUppercaser({ mode });
  return Buffer.concat([...pieces.map((piece) => Buffer.from(uppercaser.push(piece, true))), uppercaser.end()]);
}

test("reads in the kernel's read window are uppercased there as anywhere else, in any cuts", () => {
  const window = kernelReadWindow();
  assert.ok(inKernelMemory(window) && !inKernelMemory(Buffer.alloc(16)));
  fc.assert(
    fc.property(
      fc.oneof(latinHeavyText, fc.string({ unit: "binary", maxLength: 300 })),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.nat(64),
      fc.constantFrom("unicode" as const, "ascii" as const),
      (text, cutSeeds, offset, mode) => {
        const bytes = Buffer.from(text);
        const cuts = [...new Set(cutSeeds.map((seed) => seed % (bytes.length + 1)))].sort((a, b) => a - b);
        const ranges = [0, ...cuts].map((from, index) => [from, [...cuts, bytes.length][index]]);
        // Each piece lands in the window (at an offset, as reads of other lengths leave it), as a read would.
        const inWindow = ranges.map(([from, to]) => {
          const read = window.subarray(offset, offset + to - from);
          bytes.copy(read, 0, from, to);
          return read;
        });
        const expected = answerInPlace(
          mode,
          ranges.map(([from, to]) => Buffer.from(bytes.subarray(from, to))),
        );
        // Pieces are answered one at a time, each before the next lands (as on the server).
        const uppercaser = createUppercaser({ mode });
        const answers: Buffer[] = [];
        ranges.forEach(([from, to], index) => {
          const read = inWindow[index];
          bytes.copy(read, 0, from, to);
          answers.push(Buffer.from(uppercaser.push(read, true)));
        });
        answers.push(uppercaser.end());
        assert.deepEqual(Buffer.concat(answers), expected);
        if (mode === "unicode")
          assert.equal(Buffer.concat(answers).toString(), Buffer.from(text).toString().toUpperCase());
      },
    ),
    { numRuns: 500 },
  );
});

test("the view remembered as in the kernel's memory or not answers for itself only", () => {
  const read = kernelReadWindow().subarray(0, 512);
  const elsewhere = Buffer.alloc(512);
  // Asked in turns, as a server asks for each read: the remembered view never answers for another.
  for (let turn = 0; turn < 3; turn++) {
    for (const [view, inKernel] of [
      [read, true],
      [elsewhere, false],
      [Buffer.from(read), false],
      [new Uint8Array(read.buffer, read.byteOffset + 16, 64), true],
    ] as const) {
      assert.equal(inKernelMemory(view), inKernel);
      assert.equal(inKernelMemory(view), inKernel, "asked again at once");
    }
  }
  read.fill("abc");
  elsewhere.fill("xyz");
  uppercaseAsciiInPlace(read, 0, read.length);
  uppercaseAsciiInPlace(elsewhere, 0, elsewhere.length);
  assert.equal(read.toString(), "ABC".repeat(171).slice(0, 512));
  assert.equal(elsewhere.toString(), "XYZ".repeat(171).slice(0, 512));
});

test("uppercasing elsewhere (copied through the kernel) leaves what waits in the read window as it is", () => {
  const read = kernelReadWindow().subarray(0, 4096);
  read.fill("ñandú y pingüino ");
  const before = Buffer.from(read);
  // Long enough for the copying kernels: ASCII (ascii.ts's 1 KiB) and Latin text.
  uppercaseAsciiInPlace(Buffer.from("a".repeat(70_000)), 0, 70_000);
  const spanish = Buffer.from("ñandú ".repeat(3000));
  uppercaseLatinInPlace(spanish, 0, spanish.length);
  assert.equal(spanish.toString(), "ÑANDÚ ".repeat(3000));
  assert.deepEqual(read, before);
});

test("the committed module is the one latin-kernel.wat builds (npm run build:wasm)", {
  skip: !peerAvailable("wat2wasm") && "wat2wasm (Debian package wabt) is not installed",
}, () => {
  const built = buildLatinKernel();
  assert.equal(LATIN_KERNEL_WASM_BASE64, built.toString("base64"), "run npm run build:wasm and commit the result");
  assert.match(latinKernelModule(built), /export const LATIN_KERNEL_WASM_BASE64 =/);
});
