/**
 * The `[HOST] [PORT]` that client, ping and bench share: ncat's `HOST:PORT` and `[v6]:PORT`
 * forms, the port checked as an argument, and `-4`/`-6` resolving the host to one family.
 */

import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Argument, type Command } from "commander";
import { DEFAULT_PORT, formatAddress, parsePort, splitHostPort } from "../address/address.js";
import { connectError, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import { commandUsageError, option } from "./command-kit.js";

export const DEFAULT_HOST = "localhost";

export interface Target {
  host: string;
  port: number;
}

export type AddressFamily = 4 | 6;

/** `[host]` and `[port]` with their help; the port stays text until `targetFrom` checks it. */
export function addTargetArguments(
  command: Command,
  descriptions: { host: Parameters<typeof t>[0]; port: Parameters<typeof t>[0] },
): Command {
  return command
    .addArgument(new Argument("[host]", t(descriptions.host)).default(DEFAULT_HOST))
    .addArgument(new Argument("[port]", t(descriptions.port)).default(DEFAULT_PORT));
}

/** `-4` and `-6`, which cannot both be given. */
export function addFamilyOptions(command: Command): Command {
  return command
    .addOption(option("-4, --ipv4", "cli.option.ipv4").conflicts("ipv6"))
    .addOption(option("-6, --ipv6", "cli.option.ipv6").conflicts("ipv4"));
}

/** The family `-4`/`-6` asked for, if any. */
export function familyFrom(flags: { ipv4?: boolean; ipv6?: boolean }): AddressFamily | undefined {
  return flags.ipv4 ? 4 : flags.ipv6 ? 6 : undefined;
}

/**
 * The host and port from the two arguments as typed: `HOST PORT`, `HOST:PORT`, `[v6]:PORT`,
 * `[v6] PORT`, or a bare IPv6 literal. Commander gives the port argument as text when typed
 * and as the default number otherwise.
 *
 * @example
 * ```ts
 * import { targetFrom } from "./target.js";
 * targetFrom("client", "[::1]:12000", 12000); // { host: "::1", port: 12000 }
 * ```
 */
export function targetFrom(command: string, hostArgument: string, portArgument: string | number): Target {
  const split = splitHostPort(hostArgument);
  if (split === undefined) {
    throw commandUsageError(command, t("cli.error.badTarget", { value: JSON.stringify(hostArgument) }));
  }
  if (split.port === undefined) checkNotAmbiguousIPv6(command, split.host);
  const typedPort = typeof portArgument === "string" ? portArgument : undefined;
  if (split.port !== undefined && typedPort !== undefined) {
    throw commandUsageError(
      command,
      t("cli.error.portTwice", { target: JSON.stringify(hostArgument), port: JSON.stringify(typedPort) }),
    );
  }
  const portText = split.port ?? typedPort;
  const port = portText === undefined ? DEFAULT_PORT : parsePort(portText);
  if (port === undefined) {
    const key = split.port === undefined ? "cli.error.badPortArgument" : "cli.error.badPortInTarget";
    throw commandUsageError(command, t(key, { value: JSON.stringify(portText), target: JSON.stringify(hostArgument) }));
  }
  return { host: split.host === "" ? DEFAULT_HOST : split.host, port };
}

/**
 * A host with two colons or more is an IPv6 literal or nothing: no name has a colon, so it is
 * never looked up. `::1:12000` (not an address: 12000 is not a hex group) is read as an IPv6
 * address and a port, which must be written `[::1]:12000`: the error says so. A valid literal
 * (`::1:8080` is one) stays an address, as ncat takes it.
 */
function checkNotAmbiguousIPv6(command: string, host: string): void {
  if (!host.includes(":") || isIPv6Literal(host)) return;
  const lastColon = host.lastIndexOf(":");
  const address = host.slice(0, lastColon);
  const port = host.slice(lastColon + 1);
  if (isIPv6Literal(address) && /^\d+$/.test(port)) {
    throw commandUsageError(command, t("cli.error.ipv6WithPort", { value: JSON.stringify(host), address, port }));
  }
  throw commandUsageError(command, t("cli.error.badTarget", { value: JSON.stringify(host) }));
}

/** An IPv6 address, with or without a zone (`fe80::1%eth0`; a zone has no colon). */
function isIPv6Literal(text: string): boolean {
  const zone = text.indexOf("%");
  if (zone !== -1 && text.includes(":", zone)) return false;
  return isIP(zone === -1 ? text : text.slice(0, zone)) === 6;
}

/**
 * With `-4`/`-6`, the host as an address of that family (looked up once here, so every
 * client below connects to it); without, the host unchanged. A literal of the other family
 * is a usage error; a name with no address of that family is "host not found".
 */
export async function resolveFamily(command: string, target: Target, family?: AddressFamily): Promise<Target> {
  if (family === undefined) return target;
  const literal = isIP(target.host.replace(/%.*$/, ""));
  if (literal !== 0) {
    if (literal === family) return target;
    const key = family === 6 ? "cli.error.literalNotV6" : "cli.error.literalNotV4";
    throw commandUsageError(command, t(key, { host: target.host }));
  }
  try {
    const { address } = await lookup(target.host, { family });
    return { host: address, port: target.port };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTFOUND" || code === "ENODATA" || code === "EAI_NODATA" || code === "EAI_NONAME") {
      throw new MayusError("host-not-found", t("cli.error.noAddressOfFamily", { host: target.host, family }), {
        cause: error,
      });
    }
    throw connectError(error as NodeJS.ErrnoException, target.host, formatAddress(target.host, target.port));
  }
}
