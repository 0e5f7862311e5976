/**
 * The process's open-file limit (`ulimit -n`), read from /proc on Linux. Past it, accept
 * fails silently (libuv accepts and closes the surplus), so the connection limit must stay
 * below it, with room for listeners, logs and the metrics server.
 */

import { readFileSync } from "node:fs";
import { METRICS_SERVER_DEFAULTS } from "../observability/metrics-server.js";

/**
 * Descriptors for the process itself: stdio, listeners, libuv's own (epoll, eventfds, signal
 * pipes), logs. `ls /proc/PID/fd | wc -l` of an idle `mayus serve --metrics-port 0` shows how
 * many it holds; this leaves room above that.
 */
const PROCESS_DESCRIPTORS = 48;

/**
 * Descriptors kept free for everything that is not a client connection: the process's own
 * and every connection the metrics endpoint may hold (it has its own cap, so the two cannot
 * starve each other).
 */
export const RESERVED_DESCRIPTORS = PROCESS_DESCRIPTORS + METRICS_SERVER_DEFAULTS.maxConnections;

/** The soft limit on open files, or `undefined` where it cannot be read. */
export function openFileLimit(limitsFile = "/proc/self/limits"): number | undefined {
  try {
    const line = readFileSync(limitsFile, "utf8")
      .split("\n")
      .find((candidate) => candidate.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === "unlimited" ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** The connection limit that fits under the descriptor limit (unchanged when it already does). */
export function connectionLimitWithinDescriptors(requested: number, limit = openFileLimit()): number {
  if (limit === undefined) return requested;
  return Math.max(1, Math.min(requested, limit - RESERVED_DESCRIPTORS));
}
