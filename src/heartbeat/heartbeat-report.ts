/**
 * What `serve --heartbeat` says about its senders: one `mayus: heartbeat: …` line on stderr
 * per event for people (as the server's other lines), or one JSON log event each with
 * `--log-format json`; every heartbeat and every late one at debug level only. A flood of
 * new senders cannot flood the log: past a bound of lines per second the rest are counted.
 */

import { t } from "../i18n/index.js";
import type { Logger } from "../observability/logger.js";
import { milliseconds, seconds } from "./heartbeat-numbers.js";
import type { HeartbeatEvent } from "./heartbeat-table.js";

/** Lines a second, at most; the rest are counted in one line as soon as that second is over. */
export const MAX_HEARTBEAT_LINES_PER_SECOND = 50;

/**
 * @example
 * ```ts
 * import { createLogger } from "../observability/logger.js";
 * import { heartbeatReporter } from "./heartbeat-report.js";
 * import { HeartbeatTable } from "./heartbeat-table.js";
 * const report = heartbeatReporter(createLogger(), false, (line) => process.stderr.write(`${line}\n`), 5000);
 * const table = new HeartbeatTable({ timeoutMs: 5000 }, report);
 * table.observe(Buffer.from(`HEARTBEAT 1 ${Date.now()}`), "127.0.0.1", 5000); // "mayus: heartbeat: 127.0.0.1:5000 is up (...)"
 * ```
 */
export function heartbeatReporter(
  logger: Logger,
  json: boolean,
  writeErr: (line: string) => void,
  timeoutMs: number,
  now: () => number = () => performance.now(),
  /** Runs `callback` after `delayMs` without keeping the process alive (a test runs it itself). */
  later: (callback: () => void, delayMs: number) => void = (callback, delayMs) => {
    setTimeout(callback, delayMs).unref();
  },
): (event: HeartbeatEvent) => void {
  let windowStartMs = Number.NEGATIVE_INFINITY;
  let linesInWindow = 0;
  let suppressed = 0;
  let flushScheduled = false;
  const write = (line: string, fields: Record<string, unknown>, level: "info" | "warn") => {
    if (json) logger[level](fields, line.replace(/^mayus: /, ""));
    else if (logger.isLevelEnabled(level)) writeErr(line);
  };
  // The count goes out when its second is over, not only with the next event: a flood that
  // stops would otherwise leave its count (and the last of it) unsaid.
  const flush = () => {
    flushScheduled = false;
    if (suppressed === 0) return;
    write(
      t("heartbeat.suppressed", { count: suppressed }),
      { event: "heartbeat-suppressed", count: suppressed },
      "warn",
    );
    suppressed = 0;
  };
  const say = (event: HeartbeatEvent, line: string, level: "info" | "warn") => {
    const nowMs = now();
    if (nowMs - windowStartMs >= 1000) {
      flush();
      windowStartMs = nowMs;
      linesInWindow = 0;
    }
    if (++linesInWindow > MAX_HEARTBEAT_LINES_PER_SECOND) {
      suppressed++;
      if (!flushScheduled) {
        flushScheduled = true;
        later(flush, Math.max(0, windowStartMs + 1000 - nowMs));
      }
      return;
    }
    const { kind, ...fields } = event;
    write(line, { event: `heartbeat-${kind}`, ...fields }, level);
  };
  return (event) => {
    switch (event.kind) {
      case "beat":
        if (logger.isLevelEnabled("debug"))
          logger.debug(
            { event: "heartbeat", peer: event.peer, sequence: event.sequence, delayMs: event.delayMs },
            t("heartbeat.beat", { ...event, delay: milliseconds(event.delayMs) }),
          );
        return;
      case "late":
        if (logger.isLevelEnabled("debug"))
          logger.debug(
            { event: "heartbeat-late", peer: event.peer, sequence: event.sequence },
            t("heartbeat.late", event),
          );
        return;
      case "first":
        say(event, t("heartbeat.first", { ...event, delay: milliseconds(event.delayMs) }), "info");
        return;
      case "lost":
        say(event, t(event.count === 1 ? "heartbeat.lost.one" : "heartbeat.lost.other", event), "warn");
        return;
      case "down":
        say(event, t("heartbeat.down", { ...event, seconds: seconds(timeoutMs) }), "warn");
        return;
      case "up":
        say(event, t("heartbeat.up", { ...event, seconds: seconds(event.silentMs) }), "info");
        return;
      case "jump":
        say(event, t("heartbeat.jump", event), "warn");
        return;
      case "evicted":
        say(event, t("heartbeat.evicted", { peer: event.peer, max: event.maxSenders }), "warn");
        return;
    }
  };
}
