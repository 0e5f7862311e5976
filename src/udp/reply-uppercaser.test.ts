// ReplyUppercaser: a datagram's reply never grows past its limit; what would, is kept and counted.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ReplyUppercaser } from "./reply-uppercaser.js";

const reply = (replies: ReplyUppercaser, text: string) => replies.uppercase(Buffer.from(text)).toString();

test("growth 1 (the default): ASCII and same-size letters uppercased, growing ones kept and counted", () => {
  const replies = new ReplyUppercaser({ mode: "unicode" }, 1);
  assert.equal(reply(replies, "hello, world"), "HELLO, WORLD");
  assert.equal(reply(replies, "ñandú straße"), "ÑANDÚ STRASSE"); // ß → SS: 2 bytes either way
  assert.equal(replies.growthLimited, 0);
  assert.equal(reply(replies, "ŉ abc"), "ŉ ABC"); // ŉ → ʼN would be 3 bytes for 2
  assert.equal(replies.growthLimited, 1);
});

test("growth 1: a datagram whose full mapping is no larger gets it, growing characters too", () => {
  const replies = new ReplyUppercaser({ mode: "unicode" }, 1);
  // ǰ → J̌ grows by a byte, each ı → I shrinks by one: 6 bytes for 7.
  assert.equal(reply(replies, "ǰıı\n"), "J\u030cII\n");
  // ﬁ → FI and ǰ → J̌: 6 bytes for 6, the limit itself.
  assert.equal(reply(replies, "ﬁǰ\n"), "FIJ\u030c\n");
  assert.equal(replies.growthLimited, 0);
  // One byte past it: ǰ kept, ı uppercased, and the reply counted.
  assert.equal(reply(replies, "ǰǰı\n"), "ǰǰI\n");
  assert.equal(replies.growthLimited, 1);
});

test("growth 3: the full mapping; growth 2: the full mapping only where it fits", () => {
  const generous = new ReplyUppercaser({ mode: "unicode" }, 3);
  // ΐ (U+0390) → Ι, combining diaeresis, combining acute: 6 bytes for 2
  assert.equal(reply(generous, "ŉ \u0390"), "\u02bcN \u0399\u0308\u0301");
  assert.equal(generous.growthLimited, 0);
  const between = new ReplyUppercaser({ mode: "unicode" }, 2);
  assert.equal(reply(between, "ŉ abc"), "ʼN ABC"); // 7 → 8 bytes: fits in 14
  assert.equal(reply(between, "\u0390".repeat(10)), "\u0390".repeat(10)); // 20 → 60 bytes: not in 40
  assert.equal(between.growthLimited, 1);
});

test("ascii mode: only a-z change, other bytes pass through", () => {
  const replies = new ReplyUppercaser({ mode: "ascii" }, 1);
  assert.equal(reply(replies, "ñandú abc"), "ñANDú ABC");
  assert.equal(replies.growthLimited, 0);
});

test("maxGrowth outside 1 to 3 throws a RangeError naming it and its range, never clamped", () => {
  for (const maxGrowth of [0.99, 3.01, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => new ReplyUppercaser({ mode: "unicode" }, maxGrowth), {
      name: "RangeError",
      message: `maxGrowth must be a number from 1 to 3, not ${maxGrowth}`,
    });
  }
  // The boundaries themselves are allowed.
  assert.equal(reply(new ReplyUppercaser({ mode: "unicode" }, 1), "ŉ"), "ŉ");
  assert.equal(reply(new ReplyUppercaser({ mode: "unicode" }, 3), "ŉ"), "ʼN");
});

test("lower mode: the same rule; İ (2 bytes) would become i̇ (3), so it stays unless growth allows it", () => {
  const replies = new ReplyUppercaser({ mode: "lower" }, 1);
  assert.equal(reply(replies, "ÑANDÚ İSTANBUL"), "ñandú İstanbul");
  assert.equal(replies.growthLimited, 1);
  const generous = new ReplyUppercaser({ mode: "lower" }, 1.5);
  assert.equal(reply(generous, "İİ"), "i\u0307i\u0307"); // 4 → 6 bytes: the bound of lower mode
  assert.equal(generous.growthLimited, 0);
});

test("a locale's ASCII may grow (Turkish I→ı, i→İ): a reply of ASCII still keeps to the limit", () => {
  const lower = new ReplyUppercaser({ mode: "lower", locale: "tr" }, 1.5);
  assert.equal(reply(lower, "II"), "II"); // ıı would be 4 bytes for 2, over 3: each I would grow, so stays
  const upper = new ReplyUppercaser({ mode: "unicode", locale: "tr" }, 1.5);
  const answer = upper.uppercase(Buffer.from("iiii"));
  assert.ok(answer.length <= 6, `${answer.length} bytes for 4`);
  assert.equal(upper.growthLimited, 1);
});
