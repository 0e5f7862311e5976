// The pinger's statistics and number formats, checked against what iputils ping computes and prints.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { setLanguage } from "../i18n/index.js";
import { formatLossPercent, formatReplyTimeMs, formatRtt, pingStatistics } from "./ping-statistics.js";

/**
 * Current iputils' own arithmetic (ping_common.c): whole microseconds, integer division, and,
 * while the sum is below INT_MAX, tmvar = (tsum2 - tsum * tsum / n) / n, then an integer sqrt.
 */
function iputilsRtt(rttsMicroseconds: readonly number[]): string {
  const n = BigInt(rttsMicroseconds.length);
  const values = rttsMicroseconds.map(BigInt);
  const sum = values.reduce((a, b) => a + b, 0n);
  assert.ok(sum < 2n ** 31n - 1n, "this reference follows iputils' branch for sums below INT_MAX");
  const sumOfSquares = values.reduce((a, b) => a + b * b, 0n);
  const average = sum / n;
  const variance = (sumOfSquares - (sum * sum) / n) / n;
  let mdev = variance;
  if (variance > 0n) {
    let previous = variance + 1n;
    while (mdev < previous) {
      previous = mdev;
      mdev = (mdev + variance / mdev) / 2n;
    }
  }
  const min = BigInt(Math.min(...rttsMicroseconds));
  const max = BigInt(Math.max(...rttsMicroseconds));
  const show = (us: bigint) => `${us / 1000n}.${String(us % 1000n).padStart(3, "0")}`;
  return [min, average, max, mdev].map(show).join("/");
}

describe("pingStatistics", () => {
  test("counts and loss", () => {
    const statistics = pingStatistics(
      20,
      Array.from({ length: 11 }, () => 1),
    );
    assert.equal(statistics.transmitted, 20);
    assert.equal(statistics.received, 11);
    assert.equal(statistics.lossPercent, 45);
  });

  test("min/avg/max/mdev of 1, 2, 3 ms: mdev is the population deviation, sqrt(2/3)", () => {
    const { rtt } = pingStatistics(3, [3, 1, 2]);
    assert.ok(rtt);
    assert.equal(rtt.minMs, 1);
    assert.equal(rtt.avgMs, 2);
    assert.equal(rtt.maxMs, 3);
    assert.ok(Math.abs(rtt.mdevMs - Math.sqrt(2 / 3)) < 1e-12);
  });

  test("one reply, or all equal: mdev 0 (never NaN from rounding)", () => {
    assert.equal(pingStatistics(1, [0.3])?.rtt?.mdevMs, 0);
    assert.equal(pingStatistics(5, [0.1, 0.1, 0.1, 0.1, 0.1])?.rtt?.mdevMs, 0);
  });

  test("nothing received: 100% loss and no rtt", () => {
    const statistics = pingStatistics(10, []);
    assert.equal(statistics.lossPercent, 100);
    assert.equal(statistics.rtt, undefined);
  });

  test("nothing transmitted: 0% loss, no rtt", () => {
    assert.deepEqual(pingStatistics(0, []), { transmitted: 0, received: 0, lossPercent: 0 });
  });

  test("refuses more replies than pings, negative or non-finite times", () => {
    assert.throws(() => pingStatistics(1, [1, 2]), RangeError);
    assert.throws(() => pingStatistics(2, [-1]), RangeError);
    assert.throws(() => pingStatistics(2, [Number.NaN]), RangeError);
    assert.throws(() => pingStatistics(-1, []), RangeError);
  });

  test("the rtt line agrees with iputils' integer arithmetic to within one microsecond", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3_000_000 }), { minLength: 1, maxLength: 200 }), (micros) => {
        const { rtt } = pingStatistics(
          micros.length,
          micros.map((us) => us / 1000),
        );
        assert.ok(rtt);
        const ours = formatRtt(rtt).split("/").map(Number);
        const theirs = iputilsRtt(micros).split("/").map(Number);
        for (let index = 0; index < 4; index++) {
          assert.ok(Math.abs(ours[index] - theirs[index]) <= 0.0011, `${ours} vs iputils ${theirs}`);
        }
      }),
      { seed: 20_240_601, numRuns: 500 },
    );
  });

  test("min <= avg <= max and mdev <= (max - min) / 2, for any times", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 100 }),
        (rtts) => {
          const { rtt } = pingStatistics(rtts.length + 1, rtts);
          assert.ok(rtt);
          const slack = 1e-9 * Math.max(1, rtt.maxMs);
          assert.ok(rtt.minMs <= rtt.avgMs + slack && rtt.avgMs <= rtt.maxMs + slack);
          assert.ok(rtt.mdevMs <= (rtt.maxMs - rtt.minMs) / 2 + slack);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe("formats as ping prints them", () => {
  test("loss is C's %g: whole when it can be, six significant digits when not", () => {
    assert.equal(formatLossPercent(0), "0");
    assert.equal(formatLossPercent(45), "45");
    assert.equal(formatLossPercent(100), "100");
    assert.equal(formatLossPercent(pingStatistics(3, [1]).lossPercent), "66.6667");
    assert.equal(formatLossPercent(pingStatistics(3, [1, 1]).lossPercent), "33.3333");
    assert.equal(formatLossPercent(pingStatistics(7, [1]).lossPercent), "85.7143");
    assert.equal(formatLossPercent(pingStatistics(1_000_000, new Array(999_999).fill(1)).lossPercent), "0.0001");
  });

  test("a reply's time keeps three significant digits, as iputils", () => {
    assert.equal(formatReplyTimeMs(0.4121), "0.412");
    assert.equal(formatReplyTimeMs(0.0456), "0.046");
    assert.equal(formatReplyTimeMs(1.2549), "1.25");
    assert.equal(formatReplyTimeMs(12.34), "12.3");
    assert.equal(formatReplyTimeMs(123.4), "123");
    assert.equal(formatReplyTimeMs(1500), "1500");
  });

  test("the rtt numbers have three decimals", () => {
    assert.equal(formatRtt({ minMs: 0.1012, avgMs: 0.23, maxMs: 0.512, mdevMs: 0.0901 }), "0.101/0.230/0.512/0.090");
    assert.equal(formatRtt({ minMs: 12, avgMs: 150.5, maxMs: 1000, mdevMs: 0 }), "12.000/150.500/1000.000/0.000");
  });
});

test("in Spanish the same digits with a decimal comma, as bench and heartbeat write them; no grouping", () => {
  setLanguage("es");
  try {
    assert.equal(formatReplyTimeMs(0.4121), "0,412");
    assert.equal(formatReplyTimeMs(12.34), "12,3");
    assert.equal(formatReplyTimeMs(1500), "1500");
    assert.equal(formatRtt({ minMs: 0.1012, avgMs: 0.23, maxMs: 1000, mdevMs: 0 }), "0,101/0,230/1000,000/0,000");
    assert.equal(formatLossPercent(100 / 3), "33,3333");
    assert.equal(formatLossPercent(45), "45");
  } finally {
    setLanguage("en");
  }
});
