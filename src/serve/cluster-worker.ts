/**
 * One worker of `mayus serve --workers N`: the same servers as a single process, sharing
 * the listening sockets through Node's cluster (TCP round robin from the primary, UDP on
 * one shared socket), with the limits split evenly, and its metrics sent to the primary.
 */

import { AggregatorRegistry } from "prom-client";
import type { Logger } from "../observability/logger.js";
import { createMetricsRegistry } from "../observability/metrics.js";
import type { Tracer } from "../observability/trace.js";
import { TCP_DEFAULTS } from "../tcp/tcp-server-options.js";
import { RATE_LIMIT_DEFAULTS } from "../udp/source-rate-limiter.js";
import type { ServeOptions } from "./start-servers.js";
import { startServers } from "./start-servers.js";

/** Messages between the primary and its workers. */
export type WorkerMessage =
  | {
      type: "mayus:listening";
      tcp?: { address: string; port: number; family: string };
      udp?: { address: string; port: number; family: string };
    }
  | { type: "mayus:drained"; forced: number };
export type PrimaryMessage = { type: "mayus:shutdown" };

/** Each worker's share of a limit meant for all of them together. */
export function shareOf(total: number, workers: number): number {
  return Math.max(1, Math.ceil(total / workers));
}

/** The options of one worker: the same, with the limits for the whole server divided among workers. */
export function workerOptions(options: ServeOptions): ServeOptions {
  const { workers, tcpOptions, udpOptions } = options;
  const rate = udpOptions.rateLimit ?? {};
  return {
    ...options,
    tcpOptions: {
      ...tcpOptions,
      maxConnections: shareOf(tcpOptions.maxConnections ?? TCP_DEFAULTS.maxConnections, workers),
      maxConnectionsPerAddress: shareOf(
        tcpOptions.maxConnectionsPerAddress ?? TCP_DEFAULTS.maxConnectionsPerAddress,
        workers,
      ),
      maxBufferedBytesTotal: shareOf(tcpOptions.maxBufferedBytesTotal ?? TCP_DEFAULTS.maxBufferedBytesTotal, workers),
    },
    udpOptions: {
      ...udpOptions,
      rateLimit: {
        ...rate,
        datagramsPerSecond: shareOf(rate.datagramsPerSecond ?? RATE_LIMIT_DEFAULTS.datagramsPerSecond, workers),
        bytesPerSecond: shareOf(rate.bytesPerSecond ?? RATE_LIMIT_DEFAULTS.bytesPerSecond, workers),
      },
    },
  };
}

/** Serves until the primary (or a signal) says to stop; resolves with the exit code. */
export async function runWorker(options: ServeOptions, logger: Logger, trace?: Tracer): Promise<number> {
  const servers = await startServers(workerOptions(options), logger, trace);
  // prom-client answers the primary's metric requests from this registry.
  AggregatorRegistry.setRegistries([createMetricsRegistry(servers)]);
  new AggregatorRegistry();
  const send = (message: WorkerMessage) => process.send?.(message);
  send({ type: "mayus:listening", tcp: servers.tcp?.address(), udp: servers.udp?.address() });

  await new Promise<void>((resolve) => {
    process.on("message", (message: PrimaryMessage) => {
      if (message?.type === "mayus:shutdown") resolve();
    });
    // The terminal's Ctrl-C reaches every process of the group: drain on it too.
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
    process.once("disconnect", () => resolve());
  });
  process.once("SIGINT", () => process.exit(130));
  process.once("SIGTERM", () => process.exit(143));
  const forced = await servers.close(options.drainTimeoutMs);
  send({ type: "mayus:drained", forced });
  return forced > 0 ? 9 : 0;
}
