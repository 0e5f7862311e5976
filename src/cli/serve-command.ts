/**
 * `mayus serve`: starts the TCP and UDP servers, prints one ready line per listener, and on
 * SIGTERM or SIGINT drains and exits (a second signal exits at once).
 */

import type { AddressInfo } from "node:net";
import type { Command } from "commander";
import { EXIT_CODES, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import { DEFAULT_PORT, formatAddress } from "../net/address.js";
import { createLogger, LOG_FORMATS, LOG_LEVELS, type Logger } from "../observability/logger.js";
import { TCP_DEFAULTS, TcpServer } from "../tcp/tcp-server.js";
import { TRANSFORM_MODES, type TransformOptions } from "../transform/index.js";
import { UdpServer } from "../udp/udp-server.js";
import { checkedTransform, languageOption, newCommand, option, PORT } from "./command-kit.js";
import { integerIn, oneOf } from "./option-parsers.js";

export interface ServeOptions {
  tcp: boolean;
  udp: boolean;
  host?: string;
  port: number;
  transform: TransformOptions;
  maxConnections?: number;
  idleTimeoutMs?: number;
  drainTimeoutMs: number;
}

export const SERVE_DEFAULTS = { port: DEFAULT_PORT, drainTimeoutMs: 10_000 } as const;

/** Tries for one free port for both protocols when the port is 0 (the kernel picks TCP's). */
const SHARED_PORT_TRIES = 10;

export interface RunningServers {
  tcp?: TcpServer;
  udp?: UdpServer;
  close(drainTimeoutMs: number): Promise<number>;
}

/** Starts the listeners; with port 0 and both protocols, UDP takes the port TCP got. */
export async function startServers(options: ServeOptions, logger: Logger): Promise<RunningServers> {
  for (let attempt = 1; ; attempt++) {
    const tcp = options.tcp ? new TcpServer({ ...options, logger }) : undefined;
    const tcpAddress = await tcp?.listen();
    const udpPort = tcpAddress?.port ?? options.port;
    const udp = options.udp ? new UdpServer({ ...options, port: udpPort, logger }) : undefined;
    try {
      await udp?.listen();
    } catch (error) {
      await tcp?.close(0);
      const retry = options.port === 0 && attempt < SHARED_PORT_TRIES;
      if (retry && error instanceof MayusError && (error.cause as NodeJS.ErrnoException)?.code === "EADDRINUSE")
        continue;
      throw error;
    }
    return {
      tcp,
      udp,
      async close(drainTimeoutMs) {
        const [forced] = await Promise.all([tcp?.close(drainTimeoutMs) ?? 0, udp?.close()]);
        return forced;
      },
    };
  }
}

export function readyLine(protocol: "tcp" | "udp", address: AddressInfo): string {
  return t("serve.ready", { protocol, address: formatAddress(address.address, address.port) });
}

/** Runs until a signal; resolves with the exit code. */
export async function runServe(options: ServeOptions, logger: Logger): Promise<number> {
  const servers = await startServers(options, logger);
  if (servers.tcp) process.stdout.write(`${readyLine("tcp", servers.tcp.address())}\n`);
  if (servers.udp) process.stdout.write(`${readyLine("udp", servers.udp.address())}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  process.stderr.write(`${t("serve.closing", { signal })}\n`);
  const exitAtOnce = (second: NodeJS.Signals) => process.exit(second === "SIGINT" ? 130 : 143);
  process.once("SIGINT", exitAtOnce);
  process.once("SIGTERM", exitAtOnce);
  const forced = await servers.close(options.drainTimeoutMs);
  if (forced > 0) {
    process.stderr.write(`${t("serve.forced", { count: forced })}\n`);
    return EXIT_CODES["drain-timeout"];
  }
  process.stderr.write(`${t("serve.closed")}\n`);
  return EXIT_CODES.ok;
}

/** The `serve` subcommand: flags (each with an environment variable) to `runServe`. */
export function serveCommand(): Command {
  return newCommand("serve", "serve.description")
    .addOption(option("--tcp", "option.tcp", "MAYUS_TCP"))
    .addOption(option("--udp", "option.udp", "MAYUS_UDP"))
    .addOption(option("-p, --port <port>", "option.port", "MAYUS_PORT").argParser(PORT).default(DEFAULT_PORT))
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
      option("--idle-timeout <ms>", "option.idleTimeout", "MAYUS_IDLE_TIMEOUT")
        .argParser(integerIn("--idle-timeout", 0, 86_400_000))
        .default(TCP_DEFAULTS.idleTimeoutMs),
    )
    .addOption(
      option("--drain-timeout <ms>", "option.drainTimeout", "MAYUS_DRAIN_TIMEOUT")
        .argParser(integerIn("--drain-timeout", 0, 3_600_000))
        .default(SERVE_DEFAULTS.drainTimeoutMs),
    )
    .addOption(option("--log-level <level>", "option.logLevel", "MAYUS_LOG_LEVEL").choices(LOG_LEVELS).default("info"))
    .addOption(
      option("--log-format <format>", "option.logFormat", "MAYUS_LOG_FORMAT").choices(LOG_FORMATS).default("text"),
    )
    .addOption(languageOption())
    .action(async (flags) => {
      const bothOrNeither = Boolean(flags.tcp) === Boolean(flags.udp);
      const transform = checkedTransform(flags.mode, flags.locale);
      const logger = createLogger({ level: flags.logLevel, format: flags.logFormat });
      process.exitCode = await runServe(
        {
          tcp: bothOrNeither || Boolean(flags.tcp),
          udp: bothOrNeither || Boolean(flags.udp),
          host: flags.host,
          port: flags.port,
          transform,
          maxConnections: flags.maxConnections,
          idleTimeoutMs: flags.idleTimeout,
          drainTimeoutMs: flags.drainTimeout,
        },
        logger,
      );
    });
}
