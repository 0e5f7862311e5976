/** How the command line prints an error that ends it: one text line, or one JSON log line. */

import { createLogger } from "../observability/logger.js";
import { errorPrefix } from "./colour.js";

/**
 * Whether the user asked `mayus serve` for JSON logs (`--log-format json`, `--log-format=json`,
 * or `MAYUS_LOG_FORMAT=json` when no flag says otherwise), read ahead of parsing: a usage error
 * comes before commander knows the flag's value, and a log collector reading stderr must
 * still get JSON. The last flag wins, as it does in commander. `argv` as `process.argv`.
 */
export function jsonLogsRequested(argv: readonly string[], environment: NodeJS.ProcessEnv = process.env): boolean {
  // Only `serve` has --log-format: the client, run by a person, keeps its one text line.
  if (commandName(argv) !== "serve") return false;
  let format = environment.MAYUS_LOG_FORMAT;
  for (let index = 2; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === "--") break;
    if (argument === "--log-format") format = argv[index + 1];
    else if (argument.startsWith("--log-format=")) format = argument.slice("--log-format=".length);
  }
  return format === "json";
}

/** The subcommand: the first argument that is not an option (nor `--lang`'s value). */
export function commandName(argv: readonly string[]): string | undefined {
  for (let index = 2; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === "--lang") index++;
    else if (!argument.startsWith("-")) return argument;
  }
  return undefined;
}

export interface ErrorOutput {
  /** Writes an error that ends the command: `mayus: MESSAGE`, or the logger's JSON error line. */
  error(message: string, exitCode: number, kind: string): void;
}

/** Text (`mayus: ...`, red on a terminal) or JSON with the fields of the logger's error lines. */
export function errorOutput(
  json: boolean,
  write: (line: string) => void = (line) => process.stderr.write(line),
): ErrorOutput {
  if (!json) return { error: (message) => write(`${errorPrefix()}${message}\n`) };
  const logger = createLogger({ format: "json" });
  // As `mayus serve` logs a failed start in json: the exit event with its code and kind.
  return { error: (message, exitCode, kind) => logger.error({ event: "exit", code: exitCode, kind }, message) };
}
