/** `--tls`, `--ca FILE` and `--insecure` of `mayus client` and `mayus bench`: flags to ClientTlsOptions. */

import type { Command } from "commander";
import type { ClientTlsOptions } from "../client/tls-connect.js";
import { usageError } from "../errors.js";
import { t } from "../i18n/index.js";
import { loadCaFile } from "../tcp/tls/tls-files.js";
import { option } from "./command-kit.js";

/** Adds the three flags, each with its environment variable (`prefix`: MAYUS or MAYUS_BENCH). */
export function addClientTlsOptions(command: Command, prefix: string): Command {
  return command
    .addOption(option("--tls", "option.clientTls", `${prefix}_TLS`))
    .addOption(option("--ca <file>", "option.ca", `${prefix}_CA`))
    .addOption(option("--insecure", "option.insecure", `${prefix}_INSECURE`));
}

/**
 * The TLS options the flags ask for (`--ca` and `--insecure` imply `--tls`), or undefined;
 * `--insecure` says on stderr that nothing is verified. `servername`: the host as typed.
 */
export function clientTlsFrom(
  flags: { tls?: boolean; ca?: string; insecure?: boolean },
  udp: boolean,
  servername: string,
): ClientTlsOptions | undefined {
  if (!flags.tls && flags.ca === undefined && !flags.insecure) return undefined;
  if (udp) throw usageError(t("error.tlsWithUdp"));
  if (flags.insecure && flags.ca !== undefined) throw usageError(t("error.tlsInsecureWithCa"));
  if (flags.insecure) {
    process.stderr.write(`${t("tls.insecure")}\n`);
    return { insecure: true, servername };
  }
  return { ...(flags.ca === undefined ? {} : { ca: loadCaFile(flags.ca) }), servername };
}
