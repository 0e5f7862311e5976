/**
 * Errors people see, as values: each has a kind callers branch on, an exit code for the
 * CLI, a message that says what happened and what to do, and the system error as `cause`.
 */

import { t } from "./i18n/index.js";

/** Exit codes of the `mayus` command (documented in the README). */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  "connection-refused": 3,
  "host-not-found": 4,
  timeout: 5,
  "datagram-too-long": 6,
  "connection-failed": 7,
  "listen-failed": 8,
  "drain-timeout": 9,
} as const;

export type ErrorKind = Exclude<keyof typeof EXIT_CODES, "ok" | "failure">;

export class MayusError extends Error {
  override readonly name = "MayusError";
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/** A usage mistake on the command line: a bad flag value, a conflicting pair of flags. */
export function usageError(message: string, cause?: unknown): MayusError {
  return new MayusError("usage", t("error.usage", { message }), cause === undefined ? undefined : { cause });
}

/** The error a failed connect or lookup becomes, from its system code. */
export function connectError(error: NodeJS.ErrnoException, host: string, address: string): MayusError {
  switch (error.code) {
    case "ECONNREFUSED":
      return new MayusError("connection-refused", t("error.refused", { address }), { cause: error });
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
    case "EAI_NODATA":
      return new MayusError("host-not-found", t("error.hostNotFound", { host }), { cause: error });
    default:
      return new MayusError(
        "connection-failed",
        t("error.connection", { address, reason: error.code ?? error.message }),
        {
          cause: error,
        },
      );
  }
}

/** The error a failed bind or listen becomes, from its system code. `metrics` is the HTTP endpoint of `--metrics-port`. */
export function listenError(
  error: NodeJS.ErrnoException,
  protocol: "tcp" | "udp" | "metrics",
  host: string,
  port: number,
): MayusError {
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const shownProtocol = protocol === "metrics" ? "HTTP" : protocol.toUpperCase();
  const parameters = { protocol: shownProtocol, host: shownHost, port, reason: error.code ?? error.message };
  const key =
    error.code === "EADDRINUSE"
      ? protocol === "metrics"
        ? "error.metricsPortInUse"
        : "error.addressInUse"
      : error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND"
        ? "error.addressNotAvailable"
        : error.code === "EACCES"
          ? "error.permission"
          : "error.listen";
  return new MayusError("listen-failed", t(key, parameters), { cause: error });
}

/**
 * `value` of a library option, checked against its range: out of it is a RangeError that names
 * the option and the range (a value is never clamped, so a mistake does not run as another).
 *
 * @example
 * ```ts
 * import { optionInRange } from "./errors.js";
 * optionInRange("maxGrowth", 2, 1, 3); // 2
 * ```
 */
export function optionInRange(option: string, value: number, min: number, max: number, whole = false): number {
  const fits = (whole ? Number.isSafeInteger(value) : Number.isFinite(value)) && value >= min && value <= max;
  if (fits) return value;
  const key = whole ? "error.invalidNumber" : "error.invalidDecimal";
  throw new RangeError(t(key, { option, min, max, value: String(value) }));
}
