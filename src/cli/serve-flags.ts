/** `mayus serve`'s flags: each with its environment variable, its parser, and the former names still read. */

import { availableParallelism } from "node:os";
import { type Command, InvalidArgumentError, Option } from "commander";
import { AddressRuleError, expandRuleArguments } from "../address/address-filter.js";
import { t } from "../i18n/index.js";
import { HEXDUMP_DEFAULTS } from "../observability/hexdump.js";
import { LOG_FORMATS, LOG_LEVELS } from "../observability/logger.js";
import { SERVE_DEFAULTS } from "../serve/start-servers.js";
import { TCP_DEFAULTS } from "../tcp/tcp-server-options.js";
import { MAX_UNICODE_GROWTH, TRANSFORM_MODES } from "../transform/index.js";
import { NETWORK_SIMULATOR_RANGES } from "../udp/network-simulator.js";
import { UDP_DEFAULTS } from "../udp/udp-server-options.js";
import { WEB_DEFAULTS } from "../web/web-options.js";
import { durationOption, languageOption, option, PORT } from "./command-kit.js";
import { integerIn, numberIn, oneOf, parseDurationMs } from "./option-parsers.js";

/** Adds every `serve` flag to `command`, in the order help lists them. */
export function addServeFlags(command: Command): Command {
  return command
    .addOption(option("--tcp", "option.tcp", "MAYUS_TCP"))
    .addOption(option("--udp", "option.udp", "MAYUS_UDP"))
    .addOption(option("-p, --port <port>", "option.port", "MAYUS_PORT").argParser(PORT).default(TCP_DEFAULTS.port))
    .addOption(option("--host <address>", "option.host", "MAYUS_HOST"))
    .addOption(
      option("--mode <mode>", "option.mode", "MAYUS_MODE")
        .argParser(oneOf(TRANSFORM_MODES, (value) => t("error.invalidMode", { value })))
        .default("unicode"),
    )
    .addOption(option("--locale <tag>", "option.locale", "MAYUS_LOCALE"))
    .addOption(
      option("--max-connections <count>", "option.maxConnections", "MAYUS_MAX_CONNECTIONS")
        .argParser(integerIn("--max-connections", 1, 1_000_000))
        .default(TCP_DEFAULTS.maxConnections),
    )
    .addOption(
      option("--max-connections-per-address <count>", "option.maxConnectionsPerIp", "MAYUS_MAX_CONNECTIONS_PER_ADDRESS")
        .argParser(integerIn("--max-connections-per-address", 1, 1_000_000))
        .default(TCP_DEFAULTS.maxConnectionsPerAddress),
    )
    .addOption(
      formerName(
        "--max-connections-per-ip <count>",
        "MAYUS_MAX_CONNECTIONS_PER_IP",
        integerIn("--max-connections-per-ip", 1, 1_000_000),
      ),
    )
    .addOption(
      durationOption("--stall-timeout <ms>", "option.stallTimeout", "MAYUS_STALL_TIMEOUT", {
        bareUnit: "ms",
        minMs: 0,
        maxMs: 86_400_000,
      }).default(TCP_DEFAULTS.stallTimeoutMs),
    )
    .addOption(
      option(
        "--max-buffered-bytes-per-connection <bytes>",
        "option.maxBufferedBytes",
        "MAYUS_MAX_BUFFERED_BYTES_PER_CONNECTION",
      )
        .argParser(integerIn("--max-buffered-bytes-per-connection", 1024, 1024 ** 3))
        .default(TCP_DEFAULTS.maxBufferedBytesPerConnection),
    )
    .addOption(
      formerName(
        "--max-buffered-bytes <bytes>",
        "MAYUS_MAX_BUFFERED_BYTES",
        integerIn("--max-buffered-bytes", 1024, 1024 ** 3),
      ),
    )
    .addOption(
      option("--max-buffered-bytes-total <bytes>", "option.maxTotalBufferedBytes", "MAYUS_MAX_BUFFERED_BYTES_TOTAL")
        .argParser(integerIn("--max-buffered-bytes-total", 1024, 64 * 1024 ** 3))
        .default(TCP_DEFAULTS.maxBufferedBytesTotal),
    )
    .addOption(
      formerName(
        "--max-total-buffered-bytes <bytes>",
        "MAYUS_MAX_TOTAL_BUFFERED_BYTES",
        integerIn("--max-total-buffered-bytes", 1024, 64 * 1024 ** 3),
      ),
    )
    .addOption(
      durationOption("--idle-timeout <ms>", "option.idleTimeout", "MAYUS_IDLE_TIMEOUT", {
        bareUnit: "ms",
        minMs: 0,
        maxMs: 86_400_000,
      }).default(TCP_DEFAULTS.idleTimeoutMs),
    )
    .addOption(
      durationOption("--drain-timeout <ms>", "option.drainTimeout", "MAYUS_DRAIN_TIMEOUT", {
        bareUnit: "ms",
        minMs: 0,
        maxMs: 3_600_000,
      }).default(SERVE_DEFAULTS.drainTimeoutMs),
    )
    .addOption(
      durationOption("--drain-quiet <ms>", "option.drainQuiet", "MAYUS_DRAIN_QUIET", {
        bareUnit: "ms",
        minMs: 1,
        maxMs: 3_600_000,
      }).default(TCP_DEFAULTS.drainQuietMs),
    )
    .addOption(option("--drop <probability>", "option.drop", "MAYUS_DROP").argParser(numberIn("--drop", 0, 1)))
    .addOption(
      option("--duplicate <probability>", "option.duplicate", "MAYUS_DUPLICATE").argParser(
        numberIn("--duplicate", 0, 1),
      ),
    )
    .addOption(option("--delay <ms>", "option.delay", "MAYUS_DELAY").argParser(delay))
    .addOption(option("--seed <number>", "option.seed", "MAYUS_SEED").argParser(integerIn("--seed", 0, 2 ** 32 - 1)))
    .addOption(
      option("--udp-max-growth <factor>", "option.udpMaxGrowth", "MAYUS_UDP_MAX_GROWTH")
        .argParser(numberIn("--udp-max-growth", 1, MAX_UNICODE_GROWTH))
        .default(UDP_DEFAULTS.maxGrowth),
    )
    .addOption(
      option("--udp-rate <datagrams>", "option.udpRate", "MAYUS_UDP_RATE")
        .argParser(integerIn("--udp-rate", 0, 10_000_000))
        .default(UDP_DEFAULTS.rateLimit.datagramsPerSecond),
    )
    .addOption(
      option("--udp-byte-rate <bytes>", "option.udpByteRate", "MAYUS_UDP_BYTE_RATE")
        .argParser(integerIn("--udp-byte-rate", 0, 10_000_000_000))
        .default(UDP_DEFAULTS.rateLimit.bytesPerSecond),
    )
    .addOption(
      option("--udp-rate-sources <count>", "option.udpRateSources", "MAYUS_UDP_RATE_SOURCES")
        .argParser(integerIn("--udp-rate-sources", 1, 10_000_000))
        .default(UDP_DEFAULTS.rateLimit.maxSources),
    )
    .addOption(option("--allow <cidr>", "option.allow", "MAYUS_ALLOW").argParser(addressRules("--allow")))
    .addOption(option("--deny <cidr>", "option.deny", "MAYUS_DENY").argParser(addressRules("--deny")))
    .addOption(option("--trace", "option.trace", "MAYUS_TRACE"))
    .addOption(webOption())
    .addOption(option("--web-host <address>", "option.webHost", "MAYUS_WEB_HOST").default(WEB_DEFAULTS.host))
    .addOption(option("--hexdump", "option.hexdump", "MAYUS_HEXDUMP"))
    .addOption(
      option("--hexdump-bytes <bytes>", "option.hexdumpBytes", "MAYUS_HEXDUMP_BYTES")
        .argParser(integerIn("--hexdump-bytes", HEXDUMP_DEFAULTS.minBytes, HEXDUMP_DEFAULTS.maxBytes))
        .default(HEXDUMP_DEFAULTS.bytes),
    )
    .addOption(
      option("--workers <count>", "option.workers", "MAYUS_WORKERS")
        .argParser(workerCount)
        .default(SERVE_DEFAULTS.workers),
    )
    .addOption(
      option("--metrics-port <port>", "option.metricsPort", "MAYUS_METRICS_PORT").argParser(
        integerIn("--metrics-port", 0, 65_535),
      ),
    )
    .addOption(option("--metrics-host <address>", "option.metricsHost", "MAYUS_METRICS_HOST"))
    .addOption(option("--proxy-protocol", "option.proxyProtocol", "MAYUS_PROXY_PROTOCOL"))
    .addOption(
      durationOption("--proxy-header-timeout <ms>", "option.proxyHeaderTimeout", "MAYUS_PROXY_HEADER_TIMEOUT", {
        bareUnit: "ms",
        minMs: 1,
        maxMs: 600_000,
      }).default(TCP_DEFAULTS.proxyHeaderTimeoutMs),
    )
    .addOption(
      option(
        "--max-awaiting-header-per-address <count>",
        "option.maxAwaitingHeaderPerIp",
        "MAYUS_MAX_AWAITING_HEADER_PER_ADDRESS",
      )
        .argParser(integerIn("--max-awaiting-header-per-address", 1, 1_000_000))
        .default(TCP_DEFAULTS.maxAwaitingHeaderPerAddress),
    )
    .addOption(
      formerName(
        "--max-awaiting-header-per-ip <count>",
        "MAYUS_MAX_AWAITING_HEADER_PER_IP",
        integerIn("--max-awaiting-header-per-ip", 1, 1_000_000),
      ),
    )
    .addOption(option("--tls", "option.tls", "MAYUS_TLS"))
    .addOption(option("--cert <file>", "option.cert", "MAYUS_CERT"))
    .addOption(option("--key <file>", "option.key", "MAYUS_KEY"))
    .addOption(
      durationOption("--tls-handshake-timeout <ms>", "option.tlsHandshakeTimeout", "MAYUS_TLS_HANDSHAKE_TIMEOUT", {
        bareUnit: "ms",
        minMs: 1,
        maxMs: 600_000,
      }).default(TCP_DEFAULTS.tlsHandshakeTimeoutMs),
    )
    .addOption(option("--log-level <level>", "option.logLevel", "MAYUS_LOG_LEVEL").choices(LOG_LEVELS).default("info"))
    .addOption(
      option("--log-format <format>", "option.logFormat", "MAYUS_LOG_FORMAT").choices(LOG_FORMATS).default("text"),
    )
    .addOption(languageOption());
}

/** `--web [port]`: the port is optional (12080 when left out); the description names it. */
function webOption(): Option {
  // Its variable is set with the env() of commander, not option()'s: MAYUS_WEB holds a port, not on/off.
  const web = option("--web [port]", "option.web").env("MAYUS_WEB").argParser(PORT).preset(WEB_DEFAULTS.port);
  web.description = t("option.web", { port: WEB_DEFAULTS.port });
  return web;
}

/**
 * Flags renamed to the library's option names, each with the name it had before: still read,
 * hidden from help, so scripts keep working. Former attribute to current attribute.
 */
const FORMER_NAMES = {
  maxConnectionsPerIp: "maxConnectionsPerAddress",
  maxBufferedBytes: "maxBufferedBytesPerConnection",
  maxTotalBufferedBytes: "maxBufferedBytesTotal",
  maxAwaitingHeaderPerIp: "maxAwaitingHeaderPerAddress",
} as const;

/** A renamed flag's former name (and variable): parsed as before, not shown in help. */
function formerName(flags: string, environment: string, parse: (value: string) => number): Option {
  return new Option(flags).env(environment).argParser(parse).hideHelp();
}

/** How strongly a value was given: a typed flag beats a variable, a variable beats the default. */
const SOURCE_RANK: Readonly<Record<string, number>> = { cli: 2, env: 1 };

/**
 * Each former name given (flag or variable) stands for its current one, unless the current one
 * was given as strongly: a typed former flag beats the current name's variable, as any flag
 * beats any variable; given alike, the current name wins.
 */
// biome-ignore lint/suspicious/noExplicitAny: commander's parsed flags are untyped
export function withFormerNames(flags: Record<string, any>, command: Command): Record<string, any> {
  const resolved = { ...flags };
  const rank = (name: string) => SOURCE_RANK[command.getOptionValueSource(name) ?? ""] ?? 0;
  for (const [former, current] of Object.entries(FORMER_NAMES)) {
    if (flags[former] !== undefined && rank(former) > rank(current)) resolved[current] = flags[former];
  }
  return resolved;
}

/** `--workers N` or `auto` (one per core). */
function workerCount(value: string): number {
  if (value === "auto") return availableParallelism();
  return integerIn("--workers", 1, 1024)(value);
}

/**
 * `--allow`/`--deny` values, each added to the ones before (repeatable): CIDRs or addresses,
 * comma-separated (as in `MAYUS_ALLOW`), or `@FILE`; a bad one is a usage error naming it.
 */
function addressRules(flag: string): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => {
    const rules = expandRuleArguments([value]);
    // An --allow that names no network (an empty file, a variable set empty) would serve no one:
    // a mistake to say, not a server to start.
    if (Array.isArray(rules) && rules.length === 0 && flag === "--allow") {
      throw new InvalidArgumentError(t("error.emptyAllow", { option: flag, value: JSON.stringify(value) }));
    }
    if (!(rules instanceof AddressRuleError)) return [...(previous ?? []), ...rules];
    const rule = JSON.stringify(rules.rule);
    const cause = rules.cause as NodeJS.ErrnoException | undefined;
    if (cause !== undefined) {
      const reason = cause.code ?? cause.message;
      throw new InvalidArgumentError(t("error.addressRuleFile", { option: flag, file: rules.source ?? "", reason }));
    }
    const at = rules.source?.match(/^(.*):(\d+)$/);
    if (at)
      throw new InvalidArgumentError(
        t("error.invalidAddressRuleInFile", { option: flag, file: at[1], line: at[2], rule }),
      );
    throw new InvalidArgumentError(t("error.invalidAddressRule", { option: flag, rule }));
  };
}

const DELAY_FLAG = "--delay";

/** `--delay MS[±J]`: each part a duration (`20`, `20ms`, `1s±250ms`; a bare number is milliseconds). */
function delay(value: string): { delayMs: number; jitterMs: number } {
  const [delayText, jitterText, ...rest] = value.split(/±|\+\/-|\+-/);
  const delayMs = parseDurationMs(delayText, "ms");
  const jitterMs = jitterText === undefined ? 0 : parseDurationMs(jitterText, "ms");
  if (delayMs === undefined || jitterMs === undefined || rest.length > 0) {
    throw new InvalidArgumentError(t("error.invalidDelay", { value: JSON.stringify(value) }));
  }
  // Past the simulator's range (an hour), Node's timers would fire at once instead.
  const { min, max } = NETWORK_SIMULATOR_RANGES.delayMs;
  const outOfRange = { option: DELAY_FLAG, min, max, value: JSON.stringify(value) };
  if (delayMs > max || jitterMs > max) throw new InvalidArgumentError(t("error.invalidDecimal", outOfRange));
  return { delayMs, jitterMs };
}
