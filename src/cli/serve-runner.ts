/**
 * Runs `mayus serve`: starts the TCP and UDP servers, prints one ready line per listener,
 * and on SIGTERM or SIGINT drains and exits (a second signal exits at once).
 */

import type { AddressInfo } from "node:net";
import { EXIT_CODES, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import { DEFAULT_PORT, formatAddress } from "../net/address.js";
import type { Logger } from "../observability/logger.js";
import type { Tracer } from "../observability/trace.js";
import { TcpServer, type TcpServerOptions } from "../tcp/tcp-server.js";
import type { TransformOptions } from "../transform/index.js";
import { UdpServer, type UdpServerOptions } from "../udp/udp-server.js";

export interface ServeOptions {
  tcp: boolean;
  udp: boolean;
  host?: string;
  port: number;
  transform: TransformOptions;
  /** TCP limits. */
  tcpOptions?: Omit<TcpServerOptions, "host" | "port" | "transform" | "logger" | "trace">;
  /** UDP defences and the simulated network. */
  udpOptions?: Pick<UdpServerOptions, "maxGrowth" | "rateLimit" | "network">;
  drainTimeoutMs: number;
  trace?: Tracer;
}

export const SERVE_DEFAULTS = { port: DEFAULT_PORT, drainTimeoutMs: 10_000 } as const;

/** Tries for one free port for both protocols when the port is 0 (the kernel picks TCP's). */
const SHARED_PORT_TRIES = 10;

export interface RunningServers {
  tcp?: TcpServer;
  udp?: UdpServer;
  /** Resolves with the number of TCP connections the drain timeout closed unfinished. */
  close(drainTimeoutMs: number): Promise<number>;
}

/** Starts the listeners; with port 0 and both protocols, UDP takes the port TCP got. */
export async function startServers(options: ServeOptions, logger: Logger): Promise<RunningServers> {
  const common = { host: options.host, transform: options.transform, logger, trace: options.trace };
  for (let attempt = 1; ; attempt++) {
    const tcp = options.tcp ? new TcpServer({ ...common, ...options.tcpOptions, port: options.port }) : undefined;
    const tcpAddress = await tcp?.listen();
    const udpPort = tcpAddress?.port ?? options.port;
    const udp = options.udp ? new UdpServer({ ...common, ...options.udpOptions, port: udpPort }) : undefined;
    try {
      await udp?.listen();
    } catch (error) {
      await tcp?.close(0);
      const portTaken = error instanceof MayusError && (error.cause as NodeJS.ErrnoException)?.code === "EADDRINUSE";
      if (options.port === 0 && attempt < SHARED_PORT_TRIES && portTaken) continue;
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
  if (servers.udp && options.udpOptions?.network !== undefined) {
    process.stderr.write(`${t("serve.networkSeed", { seed: servers.udp.networkSeed })}\n`);
  }
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
