/**
 * The counters one load generator keeps while it runs (messages, bytes, errors) and its
 * latency histogram, recorded in nanoseconds; plus the pacer open-loop runs are timed by.
 */

import { createHistogram, type RecordableHistogram } from "node:perf_hooks";

/** The counters as plain numbers, to send across threads and add up. */
export interface TallyCounters {
  messages: number;
  bytesSent: number;
  bytesReceived: number;
  wrongAnswers: number;
  connectionErrors: number;
  timeouts: number;
  lateReplies: number;
}

/**
 * @example
 * ```ts
 * import { Tally } from "./tally.js";
 * const tally = new Tally();
 * const sentAtMs = performance.now();
 * tally.recordAnswer(sentAtMs, performance.now(), 512);
 * tally.counters().messages; // 1
 * ```
 */
export class Tally {
  messages = 0;
  bytesSent = 0;
  bytesReceived = 0;
  wrongAnswers = 0;
  connectionErrors = 0;
  timeouts = 0;
  lateReplies = 0;
  /** Round-trip times in nanoseconds. */
  readonly histogram: RecordableHistogram = createHistogram();

  get errors(): number {
    return this.wrongAnswers + this.connectionErrors + this.timeouts;
  }

  /** One answer complete: its latency from `sentAtMs` (a `performance.now()` time) to `nowMs`. */
  recordAnswer(sentAtMs: number, nowMs: number, answerBytes: number): void {
    this.messages++;
    this.bytesReceived += answerBytes;
    const nanoseconds = Math.round((nowMs - sentAtMs) * 1e6);
    this.histogram.record(Math.max(nanoseconds, 1));
  }

  /** Forgets everything so far (the end of the warm-up). */
  reset(): void {
    this.messages = 0;
    this.bytesSent = 0;
    this.bytesReceived = 0;
    this.wrongAnswers = 0;
    this.connectionErrors = 0;
    this.timeouts = 0;
    this.lateReplies = 0;
    this.histogram.reset();
  }

  counters(): TallyCounters {
    return {
      messages: this.messages,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      wrongAnswers: this.wrongAnswers,
      connectionErrors: this.connectionErrors,
      timeouts: this.timeouts,
      lateReplies: this.lateReplies,
    };
  }
}

/**
 * Send times for an open-loop run: one every `intervalMs`, from `firstMs` on. A send that
 * happens late still counts its latency from the time it was due (no coordinated omission).
 *
 * @example
 * ```ts
 * import { Pacer } from "./tally.js";
 * const pacer = new Pacer(10, performance.now());
 * const due = pacer.take(performance.now()); // a due time, or undefined if the next is ahead
 * ```
 */
export class Pacer {
  #nextMs: number;
  constructor(
    readonly intervalMs: number,
    firstMs: number,
  ) {
    this.#nextMs = firstMs;
  }

  /** The due time of the next send if it is due by `nowMs` (and moves on), else undefined. */
  take(nowMs: number): number | undefined {
    const due = this.#nextMs;
    if (due > nowMs) return undefined;
    this.#nextMs = due + this.intervalMs;
    return due;
  }

  /** Milliseconds until the next send is due. */
  waitMs(nowMs: number): number {
    return Math.max(0, this.#nextMs - nowMs);
  }

  /**
   * When a send may go: now in a closed loop (no pacer), else the pacer's due time; or
   * `undefined` after scheduling `retry` for when it is due (the timer is returned through
   * `schedule` so the caller can cancel it).
   */
  static sendTime(
    pacer: Pacer | undefined,
    nowMs: number,
    retry: () => void,
    schedule: (timer: NodeJS.Timeout) => void,
  ): number | undefined {
    if (pacer === undefined) return nowMs;
    const due = pacer.take(nowMs);
    if (due === undefined) schedule(setTimeout(retry, pacer.waitMs(nowMs)));
    return due;
  }
}
