// The bench's messages and the answers it checks them against: sizes, whole characters, a
// locale's newline, and a datagram's reply at the server's default growth limit.

import assert from "node:assert/strict";
import { test } from "node:test";
import { buildMessage } from "./payload.js";

test("a message is exactly its size, whole characters, its answer the transform's", () => {
  for (const size of [1, 2, 3, 17, 512, 4096]) {
    const { payload, expected } = buildMessage(size, "spanish", { mode: "unicode" });
    assert.equal(payload.length, size);
    assert.equal(payload.toString().includes("\ufffd"), false, `size ${size}: a character cut`);
    assert.equal(expected.toString(), payload.toString().toUpperCase());
  }
});

test("with a locale the message ends in a newline (a server holds the word a read ends in)", () => {
  for (const size of [1, 2, 64, 512]) {
    const { payload, expected } = buildMessage(size, "ascii", { mode: "unicode", locale: "tr" });
    assert.equal(payload.length, size);
    assert.equal(payload.at(-1), 0x0a, `size ${size}`);
    assert.equal(expected.toString(), payload.toString().toLocaleUpperCase("tr"));
  }
  // The sequence number's digits come first and are kept whole.
  const prefixed = buildMessage(12, "ascii", { mode: "unicode", locale: "tr" }, { prefixBytes: 10 });
  assert.equal(prefixed.payload.toString(), "0000000000t\n");
});

test("as a datagram, a locale's growing letters stay as they are where the reply would grow", () => {
  const { payload, expected } = buildMessage(64, "ascii", { mode: "unicode", locale: "tr" }, { datagram: true });
  assert.ok(payload.includes("i"), "the text has an i to test with");
  assert.equal(expected.length, payload.length);
  assert.equal(
    expected.toString(),
    payload.toString().replace(/[^i]/g, (letter) => letter.toLocaleUpperCase("tr")),
  );
  // Without a locale nothing grows: the datagram's answer is the whole mapping.
  const plain = buildMessage(64, "spanish", { mode: "unicode" }, { datagram: true });
  assert.equal(plain.expected.toString(), plain.payload.toString().toUpperCase());
});
