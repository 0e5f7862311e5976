/** `mayus serve`: its flags, each with an environment variable, turned into `ServeOptions`. */

import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { type Command, InvalidArgumentError, Option } from "commander";
import { AddressFilter, AddressRuleError, expandRuleArguments } from "../address/address-filter.js";
import { EXIT_CODES, MayusError, usageError } from "../errors.js";
import { t } from "../i18n/index.js";
import { HEXDUMP_DEFAULTS, hexdumpLines, withHexdump } from "../observability/hexdump.js";
import { createLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat, type Logger } from "../observability/logger.js";
import { escapePayload, type Tracer } from "../observability/trace.js";
import { TraceEventSource } from "../observability/trace-events.js";
import { createTracePrinter } from "../observability/trace-printer.js";
import { runPrimary } from "../serve/cluster-primary.js";
import { runWorker } from "../serve/cluster-worker.js";
import { ServeLifecycle } from "../serve/lifecycle.js";
import { runSingleProcess } from "../serve/single-process.js";
import { SERVE_DEFAULTS, type ServeOptions } from "../serve/start-servers.js";
import { TCP_DEFAULTS } from "../tcp/tcp-server-options.js";
import { MAX_UNICODE_GROWTH, TRANSFORM_MODES, type TransformMode, type TransformOptions } from "../transform/index.js";
import { NETWORK_SIMULATOR_RANGES } from "../udp/network-simulator.js";
import { UDP_DEFAULTS } from "../udp/udp-server-options.js";
import { WEB_DEFAULTS, type WebOptions } from "../web/web-options.js";
import { useColour } from "./colour.js";
import { checkedTransform, languageOption, newCommand, option, PORT, withExamples } from "./command-kit.js";
import { addHeartbeatServeOptions, heartbeatOptionsFrom } from "./heartbeat-command.js";
import { durationIn, integerIn, numberIn, oneOf, parseDurationMs } from "./option-parsers.js";
import { serveTls } from "./serve-tls.js";

/** The `serve` subcommand: flags (each with an environment variable) to `runServe`. */
export function serveCommand(): Command {
  const command = newCommand("serve", "serve.description")
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
      option("--stall-timeout <ms>", "option.stallTimeout", "MAYUS_STALL_TIMEOUT")
        .argParser(durationIn("--stall-timeout", "ms", 0, 86_400_000))
        .default(TCP_DEFAULTS.stallTimeoutMs),
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
      option("--idle-timeout <ms>", "option.idleTimeout", "MAYUS_IDLE_TIMEOUT")
        .argParser(durationIn("--idle-timeout", "ms", 0, 86_400_000))
        .default(TCP_DEFAULTS.idleTimeoutMs),
    )
    .addOption(
      option("--drain-timeout <ms>", "option.drainTimeout", "MAYUS_DRAIN_TIMEOUT")
        .argParser(durationIn("--drain-timeout", "ms", 0, 3_600_000))
        .default(SERVE_DEFAULTS.drainTimeoutMs),
    )
    .addOption(
      option("--drain-quiet <ms>", "option.drainQuiet", "MAYUS_DRAIN_QUIET")
        .argParser(durationIn("--drain-quiet", "ms", 1, 3_600_000))
        .default(TCP_DEFAULTS.drainQuietMs),
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
      option("--proxy-header-timeout <ms>", "option.proxyHeaderTimeout", "MAYUS_PROXY_HEADER_TIMEOUT")
        .argParser(durationIn("--proxy-header-timeout", "ms", 1, 600_000))
        .default(TCP_DEFAULTS.proxyHeaderTimeoutMs),
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
      option("--tls-handshake-timeout <ms>", "option.tlsHandshakeTimeout", "MAYUS_TLS_HANDSHAKE_TIMEOUT")
        .argParser(integerIn("--tls-handshake-timeout", 1, 600_000))
        .default(TCP_DEFAULTS.tlsHandshakeTimeoutMs),
    )
    .addOption(option("--log-level <level>", "option.logLevel", "MAYUS_LOG_LEVEL").choices(LOG_LEVELS).default("info"))
    .addOption(
      option("--log-format <format>", "option.logFormat", "MAYUS_LOG_FORMAT").choices(LOG_FORMATS).default("text"),
    )
    .addOption(languageOption())
    .action(async (flags, command: Command) => {
      // `--lang` before or after `serve` (the program's own option takes it when it comes first).
      const options = serveOptionsFrom({ ...withFormerNames(flags, command), lang: command.optsWithGlobals().lang });
      const hexdumpBytes: number | undefined = flags.hexdump ? flags.hexdumpBytes : undefined;
      const logger = createLogger({ ...options.log, colour: useColour(process.stderr) });
      const lifecycle = new ServeLifecycle(logger, options.log.format);
      options.tcpOptions.tls = await serveTls(flags, options, logger, options.log.format);
      try {
        process.exitCode = await runServe(options, logger, lifecycle, hexdumpBytes);
      } catch (error) {
        // In json mode the failure is a log event too; in text mode, the usual one line.
        if (!lifecycle.isJson) throw error;
        const failure =
          error instanceof MayusError
            ? error
            : { message: t("error.internal", { reason: (error as Error)?.message }), exitCode: EXIT_CODES.failure };
        lifecycle.failed(failure);
        process.exitCode = failure.exitCode;
      }
    });
  addHeartbeatServeOptions(command);
  return withExamples(command, [
    { command: "mayus serve", description: "cli.example.serve.default" },
    { command: "mayus serve --tcp --host 127.0.0.1 --trace", description: "cli.example.serve.trace" },
    { command: "mayus serve --udp --drop 0.2 --delay 50±10", description: "cli.example.serve.lossy" },
  ]);
}

function runServe(
  options: ServeOptions,
  logger: Logger,
  lifecycle: ServeLifecycle,
  hexdumpBytes: number | undefined,
): Promise<number> {
  const printer = traceTo(logger, options.log.format, options.trace, hexdumpBytes);
  if (cluster.isWorker) return runWorker(options, logger, lifecycle, printer);
  if (options.workers > 1) return runPrimary(options, logger, lifecycle, printer);
  if (options.web === undefined) return runSingleProcess(options, logger, lifecycle, printer);
  // One event stream, two printers: the terminal's lines and the web page see the same events.
  const events = new TraceEventSource();
  if (printer !== undefined) events.subscribe(printer);
  return runSingleProcess(options, logger, lifecycle, events.tracer, events);
}

/** `--web [port]`: the port is optional (12080 when left out); the description names it. */
function webOption(): Option {
  // Its variable is set with the env() of commander, not option()'s: MAYUS_WEB holds a port, not on/off.
  const web = option("--web [port]", "option.web").env("MAYUS_WEB").argParser(PORT).preset(WEB_DEFAULTS.port);
  web.description = t("option.web", { port: WEB_DEFAULTS.port });
  return web;
}

/**
 * `--trace` lines for people, or each step as a JSON log event (json: every stderr line is
 * JSON); with `--hexdump`, each payload's dump lines under its step (in json, a `hexdump`
 * field), and only the steps with a payload when `--trace` is off.
 */
function traceTo(
  logger: Logger,
  format: LogFormat,
  trace: boolean,
  hexdumpBytes: number | undefined,
): Tracer | undefined {
  if (!trace && hexdumpBytes === undefined) return undefined;
  if (format === "text") {
    const write = (line: string) => process.stderr.write(`${line}\n`);
    const printer = trace ? createTracePrinter(write) : undefined;
    return hexdumpBytes === undefined ? printer : withHexdump(write, hexdumpBytes, printer);
  }
  return (event) => {
    const { payload, ...fields } = event;
    const hasPayload = payload !== undefined && payload.length > 0;
    if (!trace && !hasPayload) return;
    const shown = hasPayload ? { payload: escapePayload(payload) } : {};
    const dumped = hasPayload && hexdumpBytes !== undefined ? { hexdump: hexdumpLines(payload, hexdumpBytes) } : {};
    logger.info({ event: "trace", ...fields, ...shown, ...dumped }, event.step);
  };
}

// biome-ignore lint/suspicious/noExplicitAny: commander's parsed flags are untyped
function serveOptionsFrom(flags: Record<string, any>): ServeOptions {
  const bothOrNeither = Boolean(flags.tcp) === Boolean(flags.udp);
  const simulated = flags.drop !== undefined || flags.duplicate !== undefined || flags.delay !== undefined;
  // One filter for both protocols: TCP checks each accepted client, UDP each datagram's source.
  const addressFilter = new AddressFilter({ allow: flags.allow, deny: flags.deny });
  const udpOptions: ServeOptions["udpOptions"] = {
    maxGrowth: flags.udpMaxGrowth,
    rateLimit: {
      datagramsPerSecond: flags.udpRate,
      bytesPerSecond: flags.udpByteRate,
      maxSources: flags.udpRateSources,
    },
    network: simulated
      ? { dropProbability: flags.drop, duplicateProbability: flags.duplicate, ...flags.delay, seed: flags.seed }
      : undefined,
    addressFilter,
  };
  const udp = bothOrNeither || Boolean(flags.udp);
  const web = flags.web === undefined ? undefined : webOptionsFrom(flags);
  return {
    tcp: bothOrNeither || Boolean(flags.tcp),
    udp,
    host: flags.host,
    port: flags.port,
    transform: transformFrom(flags.mode, flags.locale),
    tcpOptions: {
      maxConnections: flags.maxConnections,
      maxConnectionsPerAddress: flags.maxConnectionsPerAddress,
      idleTimeoutMs: flags.idleTimeout,
      stallTimeoutMs: flags.stallTimeout,
      maxBufferedBytesPerConnection: flags.maxBufferedBytesPerConnection,
      maxBufferedBytesTotal: flags.maxBufferedBytesTotal,
      proxyProtocol: Boolean(flags.proxyProtocol),
      proxyHeaderTimeoutMs: flags.proxyHeaderTimeout,
      maxAwaitingHeaderPerAddress: flags.maxAwaitingHeaderPerAddress,
      drainQuietMs: flags.drainQuiet,
      addressFilter,
    },
    // Spread into the UdpServer's options by startServers, the filter with them.
    udpOptions,
    drainTimeoutMs: flags.drainTimeout,
    workers: flags.workers,
    metricsPort: flags.metricsPort,
    metricsHost: flags.metricsHost,
    log: { level: flags.logLevel, format: flags.logFormat },
    trace: Boolean(flags.trace),
    heartbeat: heartbeatOptionsFrom(flags, { udp, workers: flags.workers }),
    web,
  };
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
function withFormerNames(flags: Record<string, any>, command: Command): Record<string, any> {
  const resolved = { ...flags };
  const rank = (name: string) => SOURCE_RANK[command.getOptionValueSource(name) ?? ""] ?? 0;
  for (const [former, current] of Object.entries(FORMER_NAMES)) {
    if (flags[former] !== undefined && rank(former) > rank(current)) resolved[current] = flags[former];
  }
  return resolved;
}

// biome-ignore lint/suspicious/noExplicitAny: commander's parsed flags are untyped
function webOptionsFrom(flags: Record<string, any>): WebOptions {
  // The page shows one process's sockets: workers each have their own.
  if (flags.workers > 1) throw usageError(t("error.webWithWorkers"));
  return { ...WEB_DEFAULTS, host: flags.webHost, port: flags.web, language: flags.lang };
}

/** `--mode` and `--locale`: language rules are for unicode and lower, not for ascii, lower-ascii or echo. */
function transformFrom(mode: TransformMode, locale: string | undefined): TransformOptions {
  return checkedTransform(mode, locale);
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
