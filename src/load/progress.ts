/**
 * The live progress of a bench run: on a terminal one line rewritten in place (`\r`) four
 * times a second; elsewhere (a pipe, a log) a plain line each second.
 */

import { t } from "../i18n/index.js";
import { formatNumber } from "./report.js";
import type { BenchProgress } from "./run-bench.js";

/**
 * @example
 * ```ts
 * import { ProgressDisplay } from "./progress.js";
 * import { BENCH_DEFAULTS } from "./options.js";
 * import { runBench } from "./run-bench.js";
 * const options = { ...BENCH_DEFAULTS, host: "127.0.0.1", port: 12000, udp: false, durationMs: 200 };
 * const progress = new ProgressDisplay(process.stderr, { durationMs: options.durationMs, warmupMs: 0 });
 * await runBench(options, (update) => progress.update(update));
 * progress.finish();
 * ```
 */
export class ProgressDisplay {
  readonly #stream: NodeJS.WritableStream;
  readonly #live: boolean;
  readonly #durationMs: number;
  readonly #warmupMs: number;
  #last = { elapsedMs: 0, messages: 0, bytesReceived: 0, phase: "warmup" as BenchProgress["phase"] };
  #lastPrintedSecond = 0;
  #shown = false;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean }, timing: { durationMs: number; warmupMs: number }) {
    this.#stream = stream;
    this.#live = stream.isTTY === true;
    this.#durationMs = timing.durationMs;
    this.#warmupMs = timing.warmupMs;
  }

  update(progress: BenchProgress): void {
    if (this.#live) {
      this.#stream.write(`\r${this.#line(progress)}\x1b[K`);
      this.#last = progress;
      this.#shown = true;
      return;
    }
    const second = Math.floor(progress.elapsedMs / 1000);
    if (progress.phase === "measure" && second > this.#lastPrintedSecond) {
      this.#lastPrintedSecond = second;
      this.#stream.write(`${this.#line(progress)}\n`);
      this.#last = progress;
    } else if (progress.phase === "warmup") {
      this.#last = progress;
    }
  }

  /** Clears the live line, so the report starts on a clean one. */
  finish(): void {
    if (this.#live && this.#shown) this.#stream.write("\r\x1b[K");
  }

  #line(progress: BenchProgress): string {
    const seconds = (ms: number) => formatNumber(ms / 1000, 1);
    if (progress.phase === "warmup") {
      return t("bench.progress.warmup", { elapsed: seconds(progress.elapsedMs), warmup: seconds(this.#warmupMs) });
    }
    // The rate since the last line shown (over the whole measured time on the first one).
    const samePhase = this.#last.phase === "measure" && progress.elapsedMs > this.#last.elapsedMs;
    const intervalMs = samePhase ? progress.elapsedMs - this.#last.elapsedMs : progress.elapsedMs;
    const messages = samePhase ? progress.messages - this.#last.messages : progress.messages;
    const bytes = samePhase ? progress.bytesReceived - this.#last.bytesReceived : progress.bytesReceived;
    const perSecond = (count: number) => (intervalMs > 0 ? (count * 1000) / intervalMs : 0);
    return t("bench.progress", {
      elapsed: seconds(progress.elapsedMs),
      duration: seconds(this.#durationMs),
      rate: formatNumber(perSecond(messages)),
      megabytes: formatNumber(perSecond(bytes) / 1e6, 1),
      messages: formatNumber(progress.messages),
      errors: formatNumber(progress.errors),
    });
  }
}
