// How long a bench waits, after its measured time, for the answers still on their way.

import assert from "node:assert/strict";
import { test } from "node:test";
import { SETTLE_MAX_MS, SETTLE_MIN_MS, settleGraceMs } from "./share.js";

test("settleGraceMs: twice what the answers in flight take at the measured rate, within its bounds", () => {
  // 1,000 answers a second: 1,500 in flight take 1.5 s, so 3 s.
  assert.equal(settleGraceMs(1_500, 2_000, 2_000), 3_000);
  // A fast server: never less than the floor.
  assert.equal(settleGraceMs(1, 1_000_000, 1_000), SETTLE_MIN_MS);
  // Nothing in flight, or nothing answered (no rate to go by): the floor.
  assert.equal(settleGraceMs(0, 2_000, 2_000), SETTLE_MIN_MS);
  assert.equal(settleGraceMs(10, 0, 2_000), SETTLE_MIN_MS);
  // A slow server: never more than the ceiling.
  assert.equal(settleGraceMs(100_000, 10, 1_000), SETTLE_MAX_MS);
  assert.equal(settleGraceMs(2_500, 1_000, 1_000), SETTLE_MAX_MS);
  assert.equal(settleGraceMs(2_499, 1_000, 1_000), 4_998);
});
