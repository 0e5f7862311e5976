/**
 * Errors from a system call's negative errno, shaped as Node's own (`write EPIPE`, with
 * `code`, `errno` and `syscall`), for the paths that make the call themselves (the native
 * modules, the UDP handle): logs and error counts then read the same on every path.
 */

import { getSystemErrorName } from "node:util";

/**
 * @example
 * ```ts
 * import { systemError } from "./system-error.js";
 * systemError(-32, "write"); // Error "write EPIPE", code "EPIPE", errno -32, syscall "write"
 * ```
 */
export function systemError(code: number, syscall: string): NodeJS.ErrnoException {
  const name = getSystemErrorName(code);
  const error: NodeJS.ErrnoException = new Error(`${syscall} ${name}`);
  error.code = name;
  error.errno = code;
  error.syscall = syscall;
  return error;
}
