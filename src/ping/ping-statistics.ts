/**
 * The pinger's summary as iputils `ping` computes and prints it: packets transmitted and
 * received, loss percentage, and rtt min/avg/max/mdev. No I/O; the numbers are written with
 * the current language's decimal mark.
 */

import { decimal, withDecimalMark } from "../heartbeat/heartbeat-numbers.js";

/** Round-trip times of the replies, in milliseconds. */
export interface RttStatistics {
  minMs: number;
  avgMs: number;
  maxMs: number;
  /** iputils' "mdev": the population standard deviation, sqrt(mean(rtt²) - mean(rtt)²). */
  mdevMs: number;
}

export interface PingStatistics {
  transmitted: number;
  received: number;
  /** Percentage of transmitted pings with no reply, exact (0 when nothing was transmitted). */
  lossPercent: number;
  /** Absent when nothing was received: `ping` prints no rtt line then. */
  rtt?: RttStatistics;
}

/**
 * Statistics of a run from the number of pings sent and the round-trip time of each reply.
 *
 * mdev is computed as iputils does it, sqrt(mean(rtt²) - mean(rtt)²) (not a sample standard
 * deviation, not a mean absolute deviation). iputils works in whole microseconds with
 * integer division and truncates; this works in floating-point milliseconds and rounds to the
 * microsecond when printed, so a printed value differs from iputils' by one microsecond at most.
 *
 * @example
 * ```ts
 * import { pingStatistics } from "./ping-statistics.js";
 * pingStatistics(4, [1, 2, 3]);
 * // { transmitted: 4, received: 3, lossPercent: 25,
 * //   rtt: { minMs: 1, avgMs: 2, maxMs: 3, mdevMs: 0.816… } }
 * ```
 */
export function pingStatistics(transmitted: number, rttsMs: readonly number[]): PingStatistics {
  const received = rttsMs.length;
  if (!Number.isSafeInteger(transmitted) || transmitted < 0) {
    throw new RangeError(`transmitted must be a whole number >= 0, not ${transmitted}`);
  }
  if (received > transmitted) {
    throw new RangeError(`${received} replies for ${transmitted} pings: duplicates are not replies`);
  }
  const lossPercent = transmitted === 0 ? 0 : ((transmitted - received) * 100) / transmitted;
  if (received === 0) return { transmitted, received, lossPercent };
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let sumOfSquares = 0;
  for (const rttMs of rttsMs) {
    if (!Number.isFinite(rttMs) || rttMs < 0) throw new RangeError(`a round-trip time cannot be ${rttMs} ms`);
    minMs = Math.min(minMs, rttMs);
    maxMs = Math.max(maxMs, rttMs);
    sum += rttMs;
    sumOfSquares += rttMs * rttMs;
  }
  const avgMs = sum / received;
  // Rounding can take the difference a hair below zero when every rtt is the same.
  const mdevMs = Math.sqrt(Math.max(0, sumOfSquares / received - avgMs * avgMs));
  return { transmitted, received, lossPercent, rtt: { minMs, avgMs, maxMs, mdevMs } };
}

/**
 * The loss percentage as iputils prints it: C's `%g` of the exact percentage (six significant
 * digits, no trailing zeros), so 9 of 20 lost is `45` and 1 of 3 is `33.3333`. (Old iputils
 * and the BSDs truncated to a whole number; the iputils of current distributions, Debian 12's
 * 20221126 among them, print `%g`.) Without the `%`; with the language's decimal mark.
 *
 * @example
 * ```ts
 * import { formatLossPercent } from "./ping-statistics.js";
 * formatLossPercent(45); // "45"
 * formatLossPercent(100 / 3); // "33.3333"
 * ```
 */
export function formatLossPercent(lossPercent: number): string {
  // Loss is 0 or at least 100/count, far above where %g would switch to an exponent.
  return withDecimalMark(String(Number(lossPercent.toPrecision(6))));
}

/**
 * One reply's time as iputils prints it: three significant digits or more, `0.412`, `1.25`,
 * `12.3`, `123` (milliseconds, rounded to the microsecond first), with the language's decimal
 * mark (`0,412` in Spanish, as bench and heartbeat write decimals).
 *
 * @example
 * ```ts
 * import { formatReplyTimeMs } from "./ping-statistics.js";
 * formatReplyTimeMs(0.4121); // "0.412"
 * formatReplyTimeMs(12.34); // "12.3"
 * ```
 */
export function formatReplyTimeMs(rttMs: number): string {
  const microseconds = Math.round(rttMs * 1000);
  const fractionDigits = microseconds >= 100_000 ? 0 : microseconds >= 10_000 ? 1 : microseconds >= 1000 ? 2 : 3;
  return decimal(microseconds / 1000, fractionDigits, fractionDigits);
}

/**
 * The numbers of the rtt summary line, `min/avg/max/mdev`, each with three decimals as
 * `ping` prints them (without the unit), with the language's decimal mark.
 *
 * @example
 * ```ts
 * import { formatRtt } from "./ping-statistics.js";
 * formatRtt({ minMs: 0.1012, avgMs: 0.23, maxMs: 0.512, mdevMs: 0.0901 }); // "0.101/0.230/0.512/0.090"
 * ```
 */
export function formatRtt(rtt: RttStatistics): string {
  return [rtt.minMs, rtt.avgMs, rtt.maxMs, rtt.mdevMs].map((ms) => decimal(ms, 3, 3)).join("/");
}
