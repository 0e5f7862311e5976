/**
 * The logger servers take as a dependency: pino, to stderr, as text for people or JSON
 * for machines. Servers log events (accept refused, errors), never payloads.
 */

import { type Logger, pino } from "pino";
import { textLogStream } from "./text-log-stream.js";

export type { Logger };
export type LogFormat = "text" | "json";
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A logger that writes nothing: the default for servers built by a library user. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/**
 * The CLI's logger: synchronous writes to stderr, so no line is lost at exit. `colour` (text
 * only): the CLI decides it from the terminal, NO_COLOR and FORCE_COLOR.
 */
export function createLogger(options: { level?: LogLevel; format?: LogFormat; colour?: boolean } = {}): Logger {
  const level = options.level ?? "info";
  if (options.format === "json")
    return pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
  // Text for people, formatted in this process (no worker thread, no pretty-printer package).
  const stream = textLogStream(pino.destination({ fd: 2, sync: true }), options.colour ?? false);
  return pino({ level }, stream);
}
