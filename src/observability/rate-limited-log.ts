/**
 * Logging that a flood cannot turn into a flood of log lines: at most one line per kind of
 * event per interval, each saying how many like it were not logged since the last one.
 */

import type { Logger } from "./logger.js";

export const LOG_INTERVAL_MS = 1000;

/**
 * @example
 * ```ts
 * import { RateLimitedLog } from "./rate-limited-log.js";
 * import { createLogger } from "./logger.js";
 * const log = new RateLimitedLog(createLogger());
 * const peer = "192.0.2.1:40000";
 * log.warn("rate-limited", { peer }, "datagram dropped"); // logged
 * log.warn("rate-limited", { peer }, "datagram dropped"); // counted, logged with the next line
 * ```
 */
export class RateLimitedLog {
  readonly #lastLoggedMs = new Map<string, number>();
  readonly #suppressed = new Map<string, number>();

  constructor(
    readonly logger: Logger,
    readonly intervalMs = LOG_INTERVAL_MS,
    readonly now: () => number = () => performance.now(),
  ) {}

  /** `fields` may be a function, called only when the line is written (floods stay cheap). */
  warn(kind: string, fields: Record<string, unknown> | (() => Record<string, unknown>), message: string): void {
    if (!this.logger.isLevelEnabled("warn")) return;
    const nowMs = this.now();
    const last = this.#lastLoggedMs.get(kind);
    if (last !== undefined && nowMs - last < this.intervalMs) {
      this.#suppressed.set(kind, (this.#suppressed.get(kind) ?? 0) + 1);
      return;
    }
    const suppressed = this.#suppressed.get(kind) ?? 0;
    this.#suppressed.delete(kind);
    this.#lastLoggedMs.set(kind, nowMs);
    const written = typeof fields === "function" ? fields() : fields;
    this.logger.warn(
      { ...written, reason: kind, ...(suppressed > 0 ? { alsoSinceLastLine: suppressed } : {}) },
      message,
    );
  }
}
