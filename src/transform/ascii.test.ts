// Tests the ASCII uppercase kernels (ascii.ts): only a-z change, in any alignment, and no byte outside the range.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ASCII_KERNEL_MIN_BYTES, uppercaseAsciiInPlace, uppercaseAsciiRunInPlace, wordViewOf } from "./ascii.js";

function upperByte(byte: number): number {
  return byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte;
}

function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join(" ");
}

/** A region of a larger ArrayBuffer: `before` guard bytes, the view, `after` guard bytes, all random. */
const region = fc
  .record({
    before: fc.integer({ min: 0, max: 11 }),
    after: fc.integer({ min: 0, max: 7 }),
    content: fc.uint8Array({ maxLength: 80 }),
    guard: fc.uint8Array({ minLength: 18, maxLength: 18 }),
    startSeed: fc.nat(),
    endSeed: fc.nat(),
  })
  .map(({ before, after, content, guard, startSeed, endSeed }) => {
    const memory = new Uint8Array(before + content.length + after);
    memory.set(guard.subarray(0, before), 0);
    memory.set(content, before);
    memory.set(guard.subarray(before, before + after), before + content.length);
    const view = new Uint8Array(memory.buffer, before, content.length);
    const a = startSeed % (content.length + 1);
    const b = endSeed % (content.length + 1);
    return { memory, view, before, start: Math.min(a, b), end: Math.max(a, b) };
  });

/** Bytes that sit on the edges of the a-z test (and of the bit tricks behind it). */
const edgeByte = fc.constantFrom(
  0x00,
  0x1f,
  0x40,
  0x41,
  0x5a,
  0x5f,
  0x60,
  0x61,
  0x7a,
  0x7b,
  0x7f,
  0x80,
  0xe1,
  0xfa,
  0xff,
);
const mixedByte = fc.oneof(fc.integer({ min: 0, max: 255 }), edgeByte, fc.integer({ min: 0x60, max: 0x7b }));

describe("uppercaseAsciiInPlace", () => {
  test("documented example", () => {
    const bytes = Buffer.from([0x61, 0x62, 0x63, 0xff]);
    uppercaseAsciiInPlace(bytes, 0, bytes.length);
    assert.deepEqual([...bytes], [0x41, 0x42, 0x43, 0xff]);
  });

  test("one view again with other ranges (its cached word view): each range changes, nothing else", () => {
    fc.assert(
      fc.property(region, fc.nat(), fc.nat(), ({ memory, view, before, start, end }, seedA, seedB) => {
        const original = Uint8Array.from(memory);
        uppercaseAsciiInPlace(view, start, end);
        // The same view object again, over a second range: as a server's shared read view is.
        const a = seedA % (view.length + 1);
        const b = seedB % (view.length + 1);
        const [secondStart, secondEnd] = [Math.min(a, b), Math.max(a, b)];
        uppercaseAsciiInPlace(view, secondStart, secondEnd);
        for (let i = 0; i < memory.length; i++) {
          const at = i - before;
          const inside = (at >= start && at < end) || (at >= secondStart && at < secondEnd);
          assert.equal(memory[i], inside ? upperByte(original[i]) : original[i], `byte ${i} of ${hex(original)}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("random bytes at random offsets and lengths: exactly a-z change, nothing outside [start, end)", () => {
    fc.assert(
      fc.property(region, ({ memory, view, before, start, end }) => {
        const original = Uint8Array.from(memory);
        uppercaseAsciiInPlace(view, start, end);
        for (let i = 0; i < memory.length; i++) {
          const inside = i >= before + start && i < before + end;
          const expected = inside ? upperByte(original[i]) : original[i];
          if (memory[i] !== expected) {
            assert.fail(
              `byte ${i} of ${hex(original)} (view at ${before}, [${start}, ${end})): ${memory[i]} != ${expected}`,
            );
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("bytes near the edges of the range, in every alignment", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.array(mixedByte, { maxLength: 40 }), (offset, content) => {
        const memory = new Uint8Array(offset + content.length + 3).fill(0x61);
        const view = new Uint8Array(memory.buffer, offset, content.length);
        view.set(content);
        uppercaseAsciiInPlace(view, 0, view.length);
        assert.deepEqual([...view], content.map(upperByte), hex(content));
        assert.ok(
          memory.subarray(0, offset).every((byte) => byte === 0x61),
          "memory before the view changed",
        );
        assert.ok(
          memory.subarray(offset + content.length).every((byte) => byte === 0x61),
          "memory after changed",
        );
      }),
      { numRuns: 1000 },
    );
  });

  test("every byte value, at every position of a word, in every alignment", () => {
    const neighbours = [0x00, 0x40, 0x5a, 0x60, 0x61, 0x7a, 0x7b, 0x7f, 0x80, 0xe1, 0xff];
    const length = 13; // an unaligned head, whole words and an unaligned tail in every alignment
    for (let offset = 0; offset < 4; offset++) {
      const memory = new Uint8Array(offset + length + 4);
      const view = new Uint8Array(memory.buffer, offset, length);
      for (let value = 0; value < 256; value++) {
        for (const neighbour of neighbours) {
          for (let position = 0; position < length; position++) {
            memory.fill(neighbour);
            view[position] = value;
            uppercaseAsciiInPlace(view, 0, length);
            for (let i = 0; i < memory.length; i++) {
              const inView = i >= offset && i < offset + length;
              const original = i === offset + position ? value : neighbour;
              const expected = inView ? upperByte(original) : original;
              if (memory[i] !== expected) {
                assert.fail(
                  `offset ${offset}, value ${value} at ${position} among ${neighbour}: byte ${i} is ${memory[i]}, ` +
                    `expected ${expected}`,
                );
              }
            }
          }
        }
      }
    }
  });

  test("every pair of adjacent byte values, at every place in a word", () => {
    // The word kernel adds per byte; a carry or borrow into the next byte would show up here.
    const memory = new Uint8Array(8);
    for (let first = 0; first < 256; first++) {
      for (let second = 0; second < 256; second++) {
        for (let position = 0; position < 3; position++) {
          memory.fill(0);
          memory[position] = first;
          memory[position + 1] = second;
          uppercaseAsciiInPlace(memory, 0, 4);
          if (memory[position] !== upperByte(first) || memory[position + 1] !== upperByte(second)) {
            assert.fail(`${first}, ${second} at ${position}: got ${hex(memory)}`);
          }
          for (let i = 0; i < 8; i++) {
            if (i !== position && i !== position + 1 && memory[i] !== 0)
              assert.fail(`byte ${i} changed: ${hex(memory)}`);
          }
        }
      }
    }
  });
});

describe("uppercaseAsciiRunInPlace", () => {
  test("uppercases ASCII up to the first byte >= 0x80, and no further", () => {
    const asciiHeavy = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 0x7f }) },
      { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
    );
    const content = fc.array(asciiHeavy, { maxLength: 60 }).map((bytes) => Uint8Array.from(bytes));
    // `after` 0: the view ends where its memory ends (a short tail there once threw a RangeError).
    const after = fc.integer({ min: 0, max: 5 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        after,
        content,
        fc.nat(),
        fc.nat(),
        (before, afterBytes, bytes, seedA, seedB) => {
          const memory = new Uint8Array(before + bytes.length + afterBytes).fill(0x62);
          memory.set(bytes, before);
          const view = new Uint8Array(memory.buffer, before, bytes.length);
          const a = seedA % (bytes.length + 1);
          const b = seedB % (bytes.length + 1);
          const start = Math.min(a, b);
          const end = Math.max(a, b);
          const original = Uint8Array.from(memory);
          const stop = uppercaseAsciiRunInPlace(view, start, end, wordViewOf(view));
          assert.ok(stop >= start && stop <= end, `returned ${stop} outside [${start}, ${end}]`);
          let firstHigh = end;
          for (let i = start; i < end; i++) {
            if (bytes[i] >= 0x80) {
              firstHigh = i;
              break;
            }
          }
          assert.equal(stop, firstHigh, `returned ${stop}, not the first byte >= 0x80 (${firstHigh})`);
          for (let i = 0; i < memory.length; i++) {
            const done = i >= before + start && i < before + stop;
            const expected = done ? upperByte(original[i]) : original[i];
            if (memory[i] !== expected) assert.fail(`byte ${i} of ${hex(original)}: ${memory[i]} != ${expected}`);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("wordViewOf", () => {
  test("the same buffer again gets its view again; any other buffer, even of the same length, a view of its own memory", () => {
    const first = Buffer.alloc(64);
    const view = wordViewOf(first);
    assert.equal(wordViewOf(first), view);
    for (const other of [Buffer.alloc(64), first.subarray(0, 64), first.subarray(1, 61)]) {
      const otherView = wordViewOf(other);
      assert.notEqual(otherView, view);
      otherView.words.fill(0x41414141);
      assert.equal(other[otherView.alignedStart], 0x41, "the view writes into the buffer it was asked for");
      first.fill(0);
    }
  });
});

/** `length` pseudo-random bytes from `seed`, weighted towards the a-z edges (xorshift). */
function seededBytes(seed: number, length: number, highBytes: boolean): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed | 1;
  for (let index = 0; index < length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const pick = (state >>> 0) % 8;
    // Letters, their neighbours ('`', '{', '@', '['), and any byte.
    const value = pick < 4 ? 0x60 + ((state >>> 8) % 28) : pick < 6 ? 0x40 + ((state >>> 8) % 28) : state >>> 24;
    bytes[index] = highBytes ? value : value & 0x7f;
  }
  return bytes;
}

describe("long ranges, through the WebAssembly kernel (ASCII_KERNEL_MIN_BYTES and more)", () => {
  // Lengths around the threshold, a 16-byte step, and the kernel's 64 KiB window.
  const lengths = fc.oneof(
    fc.integer({ min: ASCII_KERNEL_MIN_BYTES - 2, max: ASCII_KERNEL_MIN_BYTES + 40 }),
    fc.integer({ min: 65_536 - 40, max: 65_536 + 40 }),
    fc.integer({ min: 1, max: 3 * 65_536 + 17 }),
  );

  test("uppercaseAsciiInPlace: exactly a-z change in [start, end), at any offset, bytes outside untouched", () => {
    fc.assert(
      fc.property(lengths, fc.integer({ min: 0, max: 19 }), fc.nat(), (length, offset, seed) => {
        const memory = seededBytes(seed, offset + length + 7, true);
        const original = memory.slice();
        // A view one byte into the memory, so the range's start is unaligned half the time.
        const viewStart = Math.max(0, offset - 1);
        uppercaseAsciiInPlace(new Uint8Array(memory.buffer, 1), viewStart, offset - 1 + length);
        const start = 1 + viewStart;
        const end = offset + length;
        for (let index = 0; index < memory.length; index++) {
          const expected = index >= start && index < end ? upperByte(original[index]) : original[index];
          if (memory[index] !== expected) {
            assert.fail(
              `byte ${index} of ${memory.length} (range ${start}..${end}): ${memory[index]}, not ${expected}`,
            );
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  test("uppercaseAsciiRunInPlace: stops at the first byte >= 0x80, wherever it is, and changes nothing from there", () => {
    const placements = fc.oneof(
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 65_536 - 20, max: 65_536 + 20 }),
      fc.nat({ max: 3 * 65_536 }),
    );
    fc.assert(
      fc.property(lengths, placements, fc.integer({ min: 0x80, max: 0xff }), fc.nat(), (length, place, high, seed) => {
        const bytes = Buffer.from(seededBytes(seed, length, false));
        const highAt = Math.min(place, length); // at `length`: no high byte at all
        if (highAt < length) bytes[highAt] = high;
        const original = Buffer.from(bytes);
        const stop = uppercaseAsciiRunInPlace(bytes, 0, length, wordViewOf(bytes));
        assert.equal(stop, highAt);
        for (let index = 0; index < length; index++) {
          const expected = index < highAt ? upperByte(original[index]) : original[index];
          if (bytes[index] !== expected) assert.fail(`byte ${index} of ${length} (stop ${highAt}): ${bytes[index]}`);
        }
      }),
      { numRuns: 60 },
    );
  });
});
