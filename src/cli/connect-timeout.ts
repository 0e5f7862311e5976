/** `-w`/`--connect-timeout`: one bound on the lookup and connect steps of the client, together. */

import { performance } from "node:perf_hooks";
import { EXIT_CODES } from "../errors.js";
import { t } from "../i18n/index.js";
import { errorPrefix } from "./colour.js";
import { commandUsageError } from "./command-kit.js";

/** The time left of one limit, shared by every step it bounds (lookup, then connect). */
export interface ConnectBudget {
  /**
   * Resolves as `step` does, unless the limit passes first: then `expire` runs, which by
   * default prints the error and ends the process with the timeout exit code. Ending it is
   * deliberate: neither a lookup nor the TcpClient's connect in progress can be abandoned from
   * here, and a pending SYN would hold the process open until the kernel gives up, minutes later.
   */
  within<T>(step: Promise<T>, address: string): Promise<T>;
}

/** Past the limit: the error on stderr, then exit 5. */
function printAndExit(message: string): void {
  process.stderr.write(`${errorPrefix()}${message}\n`);
  process.exit(EXIT_CODES.timeout);
}

/**
 * The clock starts now; without a limit, steps take what they take.
 *
 * @example
 * ```ts
 * import { connectBudget } from "./connect-timeout.js";
 * import { TcpClient } from "../client/tcp-client.js";
 * const client = new TcpClient({ host: "127.0.0.1", port: 12000 });
 * const budget = connectBudget(2000); // past 2 s: a timeout line, and exit 5
 * await budget.within(client.open(), "127.0.0.1:12000");
 * await client.end();
 * ```
 */
export function connectBudget(
  timeoutMs: number | undefined,
  nowMs: () => number = () => performance.now(),
  expire: (message: string) => void = printAndExit,
): ConnectBudget {
  if (timeoutMs === undefined) return { within: (step) => step };
  const endsAtMs = nowMs() + timeoutMs;
  return {
    within(step, address) {
      const message = t("cli.error.connectTimeout", { address, timeoutMs });
      const timer = setTimeout(() => expire(message), Math.max(0, endsAtMs - nowMs()));
      return step.finally(() => clearTimeout(timer));
    },
  };
}

/** Seconds to milliseconds, to the microsecond (so 0.07 s is 70 ms, not 70.00000000000001). */
function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1_000_000) / 1000;
}

/**
 * `-w SECONDS` and `--connect-timeout MS` are one limit in two units: a flag on the command
 * line wins over MAYUS_CONNECT_TIMEOUT, and giving both flags is a usage error.
 */
export function connectTimeoutFrom(
  flags: { wait?: number; connectTimeout?: number },
  connectTimeoutSource: string | undefined,
): number | undefined {
  if (flags.wait === undefined) return flags.connectTimeout;
  if (connectTimeoutSource === "cli") {
    throw commandUsageError("client", t("cli.error.twoConnectTimeouts"));
  }
  return secondsToMs(flags.wait);
}
