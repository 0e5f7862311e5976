// RetransmissionTimeout against RFC 6298's rules: first sample, smoothing, Karn, back-off by rounds, floor and ceiling.

import assert from "node:assert/strict";
import { test } from "node:test";
import { RetransmissionTimeout } from "./retransmission-timeout.js";

const LOOSE = { initialRtoMs: 1000, minRtoMs: 1, maxRtoMs: 60_000 };

test("before any sample the RTO is the initial one (the lesson's 1 s)", () => {
  const rto = new RetransmissionTimeout(LOOSE);
  assert.equal(rto.rtoMs, 1000);
  assert.equal(rto.smoothedRttMs, undefined);
});

test("the first sample R sets SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4·RTTVAR)", () => {
  const rto = new RetransmissionTimeout(LOOSE);
  assert.equal(rto.replied(40, 1), true);
  assert.equal(rto.smoothedRttMs, 40);
  assert.equal(rto.rttVariationMs, 20);
  assert.equal(rto.rtoMs, 40 + 4 * 20);
});

test("later samples: RTTVAR = 3/4·RTTVAR + 1/4·|SRTT − R|, then SRTT = 7/8·SRTT + 1/8·R", () => {
  const rto = new RetransmissionTimeout(LOOSE);
  rto.replied(40, 1);
  rto.replied(80, 1);
  assert.equal(rto.rttVariationMs, 0.75 * 20 + 0.25 * 40);
  assert.equal(rto.smoothedRttMs, 0.875 * 40 + 0.125 * 80);
  assert.equal(rto.rtoMs, 45 + 4 * 25);
});

test("the clock granularity G (1 ms) is the least added to SRTT", () => {
  const rto = new RetransmissionTimeout(LOOSE);
  for (let sample = 0; sample < 50; sample++) rto.replied(2, 1);
  assert.ok(rto.rttVariationMs < 0.25, String(rto.rttVariationMs));
  assert.equal(rto.rtoMs, 2 + 1);
});

test("Karn's rule: the reply to a request sent more than once gives no sample", () => {
  const rto = new RetransmissionTimeout(LOOSE);
  assert.equal(rto.replied(5, 2), false);
  assert.equal(rto.smoothedRttMs, undefined);
  assert.equal(rto.rtoMs, 1000);
  rto.replied(40, 1);
  rto.timedOut(rto.backoffs);
  assert.equal(rto.replied(1, 3), false);
  assert.equal(rto.smoothedRttMs, 40);
  assert.equal(rto.rtoMs, 2 * 120, "a reply without a sample leaves the back-off as it was");
});

test("each timeout of a round doubles the RTO; a fresh sample ends the back-off", () => {
  const rto = new RetransmissionTimeout(LOOSE);
  rto.replied(40, 1);
  for (const expected of [240, 480, 960]) {
    rto.timedOut(rto.backoffs);
    assert.equal(rto.rtoMs, expected);
  }
  rto.replied(40, 1);
  assert.equal(rto.backoffs, 0);
  assert.equal(rto.rtoMs, 40 + 4 * 0.75 * 20);
});

test("timeouts of requests armed in the same round double the RTO once, not once each", () => {
  const rto = new RetransmissionTimeout(LOOSE);
  const armedAt = rto.backoffs;
  for (let request = 0; request < 8; request++) rto.timedOut(armedAt);
  assert.equal(rto.rtoMs, 2000);
  // Re-armed on the doubled RTO and lost again: the next round doubles it again.
  const rearmedAt = rto.backoffs;
  for (let request = 0; request < 8; request++) rto.timedOut(rearmedAt);
  assert.equal(rto.rtoMs, 4000);
});

test("the floor raises a computed RTO; the initial RTO obeys the floor too", () => {
  const rto = new RetransmissionTimeout({ initialRtoMs: 5, minRtoMs: 10, maxRtoMs: 60_000 });
  assert.equal(rto.rtoMs, 10);
  rto.replied(0.2, 1);
  assert.equal(rto.rtoMs, 10);
  rto.timedOut(rto.backoffs);
  assert.equal(rto.rtoMs, 20, "the back-off doubles from the floor");
});

test("the ceiling caps a computed RTO and the back-off, which then stops counting", () => {
  const rto = new RetransmissionTimeout({ initialRtoMs: 1000, minRtoMs: 10, maxRtoMs: 5000 });
  for (let round = 0; round < 40; round++) rto.timedOut(rto.backoffs);
  assert.equal(rto.rtoMs, 5000);
  assert.equal(rto.backoffs, 3, "1 s doubled three times passes 5 s: no more doublings count");
  rto.replied(9000, 1);
  assert.equal(rto.rtoMs, 5000);
});

test("a floor above the ceiling is refused", () => {
  assert.throws(() => new RetransmissionTimeout({ initialRtoMs: 1000, minRtoMs: 100, maxRtoMs: 50 }), RangeError);
});
