/** Whether to colour an output stream: NO_COLOR, FORCE_COLOR, else whether it is a terminal. */

/**
 * NO_COLOR (https://no-color.org), any non-empty value, turns colour off and wins; FORCE_COLOR
 * non-empty turns it on even into a pipe, except `0` and `false`, which turn it off (as
 * Node, chalk and commander read it); otherwise colour only on a terminal.
 *
 * @example
 * ```ts
 * import { useColour } from "./colour.js";
 * useColour(process.stderr); // true on a terminal, unless NO_COLOR is set
 * ```
 */
export function useColour(stream: { isTTY?: boolean }, environment: NodeJS.ProcessEnv = process.env): boolean {
  if (environment.NO_COLOR) return false;
  const force = environment.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  return stream.isTTY === true;
}

const BOLD_RED = "\x1b[1;31m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

/** The `mayus:` that starts every error line, red and bold where colour is on. */
export function errorPrefix(stream: { isTTY?: boolean } = process.stderr): string {
  return useColour(stream) ? `${BOLD_RED}mayus:${RESET} ` : "mayus: ";
}

/** A help title in bold (commander strips it again where colour is off). */
export function bold(text: string): string {
  return `${BOLD}${text}${RESET}`;
}
