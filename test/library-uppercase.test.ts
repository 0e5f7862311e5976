// uppercase() with a string: a string comes back, the same text String.prototype.toUpperCase gives
// (and toLocaleUpperCase with a locale), through the same transform as bytes.

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { uppercase } from "../src/index.js";

test("a string in, a string out: toUpperCase's text, for any well-formed string", () => {
  fc.assert(
    fc.property(fc.string({ unit: "grapheme" }), (text) => {
      const output = uppercase(text);
      assert.equal(typeof output, "string");
      assert.equal(output, text.toUpperCase());
    }),
  );
});

test("the string overload takes the same options as bytes", () => {
  assert.equal(uppercase("istanbul", { locale: "tr" }), "İSTANBUL");
  assert.equal(uppercase("straße, ñandú", { mode: "ascii" }), "STRAßE, ñANDú");
  assert.equal(uppercase("straße, ñandú"), uppercase(Buffer.from("straße, ñandú")).toString());
});

test("a lone surrogate, which has no UTF-8, comes back as U+FFFD (as Buffer.from makes it)", () => {
  assert.equal(uppercase("a\ud800b"), "A\ufffdB");
});
