/**
 * The CLI's text log lines: each pino record as `[HH:MM:SS.mmm] LEVEL: message`, its other
 * fields indented below it, as pino-pretty printed them, in a few lines instead of its 15 packages.
 */

/** pino's numeric levels, as people read them. */
const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};
/** ANSI colour of each level on a terminal. */
const LEVEL_COLOURS: Readonly<Record<number, number>> = { 10: 90, 20: 34, 30: 32, 40: 33, 50: 31, 60: 35 };
/** Fields the first line already shows, or that say nothing to the person at the terminal. */
const SHOWN_OR_OMITTED = new Set(["level", "time", "msg", "pid", "hostname"]);
const INDENT = "    ";

/** `HH:MM:SS.mmm` in UTC, as pino-pretty's default. */
function clock(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 23);
}

/** A field's value: JSON, its later lines indented under the field; an error as its stack. */
function fieldText(key: string, value: unknown): string {
  const error = value as { stack?: unknown } | null;
  if ((key === "err" || key === "error") && typeof error?.stack === "string") {
    const { type: _type, message: _message, stack, ...more } = error as Record<string, unknown>;
    const extra = Object.entries(more).map(([name, detail]) => `\n${INDENT}${INDENT}${fieldText(name, detail)}`);
    return `${key}: ${String(stack).replaceAll("\n", `\n${INDENT}${INDENT}`)}${extra.join("")}`;
  }
  return `${key}: ${(JSON.stringify(value, null, 2) ?? String(value)).replaceAll("\n", `\n${INDENT}`)}`;
}

/**
 * One record (a line of pino's JSON) as text, ending in a newline.
 *
 * @example
 * ```ts
 * import { formatLogRecord } from "./text-log-stream.js";
 * formatLogRecord('{"level":30,"time":0,"msg":"tcp I/O path: native","protocol":"tcp"}', false);
 * // '[00:00:00.000] INFO: tcp I/O path: native\n    protocol: "tcp"\n'
 * ```
 */
export function formatLogRecord(json: string, colour: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json);
  } catch {
    return json.endsWith("\n") ? json : `${json}\n`; // not pino's: as it came
  }
  const level = Number(record.level);
  const name = LEVEL_NAMES[level] ?? `LEVEL ${level}`;
  const shownLevel = colour ? `\u001b[${LEVEL_COLOURS[level] ?? 0}m${name}\u001b[39m` : name;
  const time = typeof record.time === "number" ? `[${clock(record.time)}] ` : "";
  const lines = [`${time}${shownLevel}: ${record.msg ?? ""}`];
  for (const [key, value] of Object.entries(record))
    if (!SHOWN_OR_OMITTED.has(key)) lines.push(`${INDENT}${fieldText(key, value)}`);
  return `${lines.join("\n")}\n`;
}

/** A pino destination that writes each record as text to `destination` (pino's own, synchronous). */
export function textLogStream(
  destination: { write(text: string): unknown },
  colour: boolean,
): {
  write(json: string): void;
} {
  return {
    write(json: string) {
      destination.write(formatLogRecord(json, colour));
    },
  };
}
