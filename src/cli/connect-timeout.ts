/** `-w`/`--connect-timeout`: a bound on the lookup and connect steps of the client. */

import { EXIT_CODES } from "../errors.js";
import { t } from "../i18n/index.js";
import { errorPrefix } from "./colour.js";

/**
 * Resolves as `step` does, unless `timeoutMs` passes first: then the error is printed and
 * the process ends with the timeout exit code. Ending it is deliberate: neither a lookup nor
 * the TcpClient's connect in progress can be abandoned from here, and the pending SYN would
 * hold the process open until the kernel gives up on it, minutes later.
 *
 * @example
 * await withinConnectTimeout(client.connect(), 2000, "127.0.0.1:12000");
 */
export function withinConnectTimeout<T>(step: Promise<T>, timeoutMs: number | undefined, address: string): Promise<T> {
  if (timeoutMs === undefined) return step;
  const timer = setTimeout(() => {
    process.stderr.write(`${errorPrefix()}${t("cli.error.connectTimeout", { address, timeoutMs })}\n`);
    process.exit(EXIT_CODES.timeout);
  }, timeoutMs);
  return step.finally(() => clearTimeout(timer));
}
