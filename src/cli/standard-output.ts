/**
 * What `mayus` does when its standard output cannot be written: its reader went away (`| head
 * -1`: EPIPE), or the output cannot take the bytes (a full disk: ENOSPC). Without this, Node
 * throws the stream's error, and a user sees a stack trace for their own pipe.
 */

import { t } from "../i18n/index.js";
import type { ErrorOutput } from "./error-output.js";

/** After the reader went away: 128 + SIGPIPE's number, as a Unix tool that SIGPIPE ended gives. */
export const OUTPUT_CLOSED_EXIT_CODE = 141;

/**
 * Listens for standard output's errors, for `command`:
 * - `serve` goes on serving: its standard output carries only the ready lines, and a script
 *   that read what it wanted (`mayus serve | head -1`) must not stop the service;
 * - any other command, once its reader is gone (EPIPE), stops at once and quietly, as `yes |
 *   head -1` does; on any other error it says that the output is lost, and exits 1.
 */
export function guardStandardOutput(
  command: string | undefined,
  output: ErrorOutput,
  stdout: NodeJS.WriteStream = process.stdout,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (command === "serve") return;
    if (error.code === "EPIPE") {
      exit(OUTPUT_CLOSED_EXIT_CODE);
      return;
    }
    output.error(t("error.stdout", { code: error.code ?? error.message }), 1, "internal");
    exit(1);
  });
}
