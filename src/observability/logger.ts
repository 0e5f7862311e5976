/**
 * The logger servers take as a dependency: pino, to stderr, as text for people or JSON
 * for machines. Servers log events (accept refused, errors), never payloads.
 */

import { createRequire } from "node:module";
import { type Logger, pino } from "pino";
import type PinoPretty from "pino-pretty";

export type { Logger };
export type LogFormat = "text" | "json";
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A logger that writes nothing: the default for servers built by a library user. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** The CLI's logger: synchronous writes to stderr, so no line is lost at exit. */
export function createLogger(options: { level?: LogLevel; format?: LogFormat } = {}): Logger {
  const level = options.level ?? "info";
  if (options.format === "json")
    return pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
  const stream = loadPinoPretty()({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY === true,
    ignore: "pid,hostname",
  });
  return pino({ level }, stream);
}

/**
 * pino-pretty, loaded by the first text logger (the CLI's) and not before: `import "mayus"`
 * reaches this module through the servers, whose default logger is silent, and a library user
 * must not load the CLI's pretty-printer and its dependencies for nothing.
 */
function loadPinoPretty(): typeof PinoPretty {
  return createRequire(import.meta.url)("pino-pretty") as typeof PinoPretty;
}
