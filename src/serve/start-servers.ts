/**
 * The TCP and UDP servers of `mayus serve`, started together on one port, with the
 * options the command line gives them. Used by the single process and by each worker.
 */

import type { AddressInfo } from "node:net";
import { MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import { DEFAULT_PORT, formatAddress } from "../net/address.js";
import type { LogFormat, Logger, LogLevel } from "../observability/logger.js";
import type { Tracer } from "../observability/trace.js";
import { TcpServer } from "../tcp/tcp-server.js";
import type { TcpServerOptions } from "../tcp/tcp-server-options.js";
import type { TransformOptions } from "../transform/index.js";
import { UdpServer, type UdpServerOptions } from "../udp/udp-server.js";

export interface ServeOptions {
  tcp: boolean;
  udp: boolean;
  host?: string;
  port: number;
  transform: TransformOptions;
  /** TCP limits and PROXY protocol. */
  tcpOptions: Omit<TcpServerOptions, "host" | "port" | "transform" | "logger" | "trace">;
  /** UDP defences and the simulated network. */
  udpOptions: Pick<UdpServerOptions, "maxGrowth" | "rateLimit" | "network">;
  drainTimeoutMs: number;
  /** Processes serving: 1 is this process alone; more is a primary and that many workers. */
  workers: number;
  /** Port of the /metrics, /healthz and /readyz endpoint; undefined: none. */
  metricsPort?: number;
  metricsHost?: string;
  log: { level: LogLevel; format: LogFormat };
  trace: boolean;
}

export const SERVE_DEFAULTS = { port: DEFAULT_PORT, drainTimeoutMs: 10_000, workers: 1 } as const;

/** Tries for one free port for both protocols when the port is 0 (the kernel picks TCP's). */
const SHARED_PORT_TRIES = 10;

export interface RunningServers {
  tcp?: TcpServer;
  udp?: UdpServer;
  /** Resolves with the number of TCP connections the drain timeout closed unfinished. */
  close(drainTimeoutMs: number): Promise<number>;
}

/** Starts the listeners; with port 0 and both protocols, UDP takes the port TCP got. */
export async function startServers(options: ServeOptions, logger: Logger, trace?: Tracer): Promise<RunningServers> {
  const common = { host: options.host, transform: options.transform, logger, trace };
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

/** The lines scripts wait for on stdout: each listening address, then the metrics port if any. */
export function printReadyLines(listening: { tcp?: AddressInfo; udp?: AddressInfo }, metricsPort?: number): void {
  if (listening.tcp) process.stdout.write(`${readyLine("tcp", listening.tcp)}\n`);
  if (listening.udp) process.stdout.write(`${readyLine("udp", listening.udp)}\n`);
  if (metricsPort !== undefined) process.stdout.write(`${t("serve.metricsReady", { port: metricsPort })}\n`);
}
