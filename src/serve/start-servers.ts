/**
 * The TCP and UDP servers of `mayus serve`, started together on one port, with the
 * options the command line gives them. Used by the single process and by each worker.
 */

import { DEFAULT_PORT } from "../address/address.js";
import { MayusError } from "../errors.js";
import type { HeartbeatOptions } from "../heartbeat/heartbeat-table.js";
import type { LogFormat, Logger, LogLevel } from "../observability/logger.js";
import type { Tracer } from "../observability/trace.js";
import { TcpServer } from "../tcp/tcp-server.js";
import { TCP_DEFAULTS, type TcpServerOptions } from "../tcp/tcp-server-options.js";
import type { TransformOptions } from "../transform/index.js";
import { UdpServer, type UdpServerOptions } from "../udp/udp-server.js";
import type { WebOptions } from "../web/web-options.js";
import { type DrainReport, EMPTY_DRAIN_REPORT } from "./lifecycle.js";

export interface ServeOptions {
  tcp: boolean;
  udp: boolean;
  host?: string;
  port: number;
  transform: TransformOptions;
  /** TCP limits and PROXY protocol. */
  tcpOptions: Omit<TcpServerOptions, "host" | "port" | "transform" | "logger" | "trace">;
  /** UDP defences and the simulated network. */
  udpOptions: Pick<UdpServerOptions, "maxGrowth" | "rateLimit" | "network" | "addressFilter" | "heartbeat">;
  drainTimeoutMs: number;
  /** Processes serving: 1 is this process alone; more is a primary and that many workers. */
  workers: number;
  /** Port of the /metrics, /healthz and /readyz endpoint; undefined: none. */
  metricsPort?: number;
  metricsHost?: string;
  log: { level: LogLevel; format: LogFormat };
  trace: boolean;
  /** `--heartbeat`: a table of UDP heartbeat senders (one process only). */
  heartbeat?: HeartbeatOptions;
  /** `--web`: the page's address and limits; undefined: no page. */
  web?: WebOptions;
}

export const SERVE_DEFAULTS = { port: DEFAULT_PORT, drainTimeoutMs: TCP_DEFAULTS.drainTimeoutMs, workers: 1 } as const;

/** Tries for one free port for both protocols when the port is 0 (the kernel picks TCP's). */
const SHARED_PORT_TRIES = 10;

export interface RunningServers {
  tcp?: TcpServer;
  udp?: UdpServer;
  /** Drains both: resolves with how the TCP connections ended (UDP has none to drain). */
  close(drainTimeoutMs: number): Promise<DrainReport>;
}

/**
 * Starts the listeners; with port 0 and both protocols, UDP takes the port TCP got. With
 * `tcpHandedOver`, the TCP server does not listen: it serves the connections a cluster
 * primary accepts and hands over (see cluster-primary.ts). All or nothing: when one listener
 * fails, the other is closed before the error is thrown.
 */
export async function startServers(
  options: ServeOptions,
  logger: Logger,
  trace?: Tracer,
  tcpHandedOver = false,
): Promise<RunningServers> {
  const common = { host: options.host, transform: options.transform, logger, trace };
  for (let attempt = 1; ; attempt++) {
    const tcp = options.tcp ? new TcpServer({ ...common, ...options.tcpOptions, port: options.port }) : undefined;
    const tcpAddress = tcpHandedOver ? undefined : await tcp?.listen();
    if (tcpHandedOver) tcp?.serveHandedOver();
    const udpPort = tcpAddress?.port ?? options.port;
    const udp = options.udp ? new UdpServer({ ...common, ...options.udpOptions, port: udpPort }) : undefined;
    try {
      await udp?.listen();
    } catch (error) {
      await tcp?.close(0);
      const portTaken = error instanceof MayusError && (error.cause as NodeJS.ErrnoException)?.code === "EADDRINUSE";
      if (options.port === 0 && !tcpHandedOver && attempt < SHARED_PORT_TRIES && portTaken) continue;
      throw error;
    }
    return {
      tcp,
      udp,
      async close(drainTimeoutMs) {
        const [report] = await Promise.all([tcp?.close(drainTimeoutMs) ?? EMPTY_DRAIN_REPORT, udp?.close()]);
        return report;
      },
    };
  }
}

/** The protocols the running servers serve, for reports. */
export function servedProtocols(servers: RunningServers): Array<"tcp" | "udp"> {
  return (["tcp", "udp"] as const).filter((protocol) => servers[protocol] !== undefined);
}
