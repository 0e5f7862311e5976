/**
 * One worker of `mayus serve --workers N`: the same servers as a single process, with the
 * limits split evenly; TCP connections arrive from the primary, which accepts them (see
 * ConnectionHandover), UDP on one socket shared through Node's cluster; its metrics go to
 * the primary, and it drains when the primary says so.
 */

import type { Socket } from "node:net";
import { AggregatorRegistry } from "prom-client";
import { type ErrorKind, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import type { Logger } from "../observability/logger.js";
import { createMetricsRegistry } from "../observability/metrics.js";
import type { Tracer } from "../observability/trace.js";
import { TCP_DEFAULTS, TCP_RANGES } from "../tcp/tcp-server-options.js";
import { RATE_LIMIT_DEFAULTS } from "../udp/source-rate-limiter.js";
import { HANDOVER_MESSAGE } from "./connection-handover.js";
import { type DrainReport, drainExitCode, type ServeLifecycle } from "./lifecycle.js";
import { SHUTDOWN_SIGNALS } from "./signals.js";
import { type RunningServers, type ServeOptions, startServers } from "./start-servers.js";

/** Messages between the primary and its workers (sockets travel with HANDOVER_MESSAGE). */
export type WorkerMessage =
  | {
      type: "mayus:listening";
      /** Only when the workers accept TCP themselves (NODE_CLUSTER_SCHED_POLICY=none). */
      tcp?: { address: string; port: number; family: string };
      udp?: { address: string; port: number; family: string };
    }
  | { type: "mayus:drained"; report: DrainReport }
  /** A listener could not open: the primary says it once, for all workers. */
  | { type: "mayus:start-failed"; kind: ErrorKind; message: string };
/**
 * What the primary tells its workers: `stopping` as soon as it got its first signal (a signal
 * that came to the group came to it too), `shutdown` once every socket it accepted reached a
 * worker, when each worker starts its drain.
 */
export type PrimaryMessage = { type: "mayus:stopping" } | { type: "mayus:shutdown" };

/**
 * The environment variable that tells a worker the port the primary's TCP listener got (so
 * the worker serves handed-over connections and binds UDP there); absent, workers accept.
 */
export const WORKER_PORT_VARIABLE = "MAYUS_WORKER_PORT";

/** Each worker's share of a limit meant for all of them together; 0 (a rate limit off) stays 0. */
export function shareOf(total: number, workers: number): number {
  return total === 0 ? 0 : Math.max(1, Math.ceil(total / workers));
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
      // Not below the option's minimum: `--max-buffered-bytes-total 1024 --workers 4` stays valid per worker.
      maxBufferedBytesTotal: Math.max(
        TCP_RANGES.maxBufferedBytesTotal.min,
        shareOf(tcpOptions.maxBufferedBytesTotal ?? TCP_DEFAULTS.maxBufferedBytesTotal, workers),
      ),
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

/**
 * How long a worker that got a shutdown signal waits for the primary's "stopping" before it
 * says the signal came to it alone: a group's signal reaches the primary at the same time, and
 * its word follows at once.
 */
const STRAY_SIGNAL_GRACE_MS = 2_000;

/**
 * Serves until the primary says to stop (or is gone); resolves with the exit code. TCP
 * connections come from the primary (see ConnectionHandover); UDP is the shared socket.
 */
export async function runWorker(
  options: ServeOptions,
  logger: Logger,
  lifecycle: ServeLifecycle,
  trace?: Tracer,
): Promise<number> {
  // The primary decides: it starts the drain, and on its own second signal kills the workers.
  // A signal sent to the whole process group (Ctrl-C in a terminal, a supervisor's stop)
  // reaches the primary too, so here it waits for the primary's word; one sent to this worker
  // alone is ignored, and said so, since counting it would make the group's later stop this
  // worker's second signal and cut its clients off undrained. (A worker whose primary is gone
  // does not wait for anything: Node's cluster ends it at once.)
  let primaryStopping = false;
  let strayTimer: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    logger.debug({ signal }, "signal received: waiting for the primary to start the drain");
    if (primaryStopping || strayTimer !== undefined) return;
    strayTimer = setTimeout(() => {
      strayTimer = undefined;
      if (!primaryStopping) logger.warn({ signal, primary: process.ppid }, t("serve.workerSignalIgnored", { signal }));
    }, STRAY_SIGNAL_GRACE_MS);
    strayTimer.unref();
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  // Listened for from the start: a worker that replaced another just before the primary's
  // signal may be told to stop while it is still starting; it then drains as soon as it serves.
  const shutdown = new Promise<void>((resolve) => {
    process.on("message", (message: PrimaryMessage | undefined) => {
      if (message?.type === "mayus:stopping") primaryStopping = true;
      if (message?.type !== "mayus:shutdown") return;
      primaryStopping = true;
      resolve();
    });
    // The primary is gone: Node's cluster ends this worker at once anyway; should it not, drain.
    process.once("disconnect", () => resolve());
  });

  // Set when the primary accepts TCP and hands connections over; absent, the workers accept.
  const primaryPort = process.env[WORKER_PORT_VARIABLE];
  const handedOver = primaryPort !== undefined;
  const port = handedOver ? Number(primaryPort) : options.port;
  let servers: RunningServers;
  try {
    servers = await startServers(workerOptions({ ...options, port }), logger, trace, handedOver);
  } catch (error) {
    if (!(error instanceof MayusError) || process.send === undefined) throw error;
    process.send({ type: "mayus:start-failed", kind: error.kind, message: error.message } satisfies WorkerMessage);
    return error.exitCode;
  }
  // prom-client answers the primary's metric requests from this registry.
  AggregatorRegistry.setRegistries([createMetricsRegistry(servers)]);
  new AggregatorRegistry();
  const send = (message: WorkerMessage) => process.send?.(message);
  process.on("message", (message: { type?: string } | undefined, socket?: Socket) => {
    if (message?.type === HANDOVER_MESSAGE.type && socket !== undefined) servers.tcp?.adopt(socket);
  });
  const tcp = handedOver ? undefined : servers.tcp?.address();
  send({ type: "mayus:listening", tcp, udp: servers.udp?.address() });
  if (lifecycle.isJson) logger.info({ event: "worker-started", worker: process.pid }, "worker started");

  await shutdown;
  lifecycle.drainStarted({ worker: process.pid, connections: servers.tcp?.statistics().connectionsActive ?? 0 });
  const report = await servers.close(options.drainTimeoutMs);
  lifecycle.drainFinished(report, { worker: process.pid });
  send({ type: "mayus:drained", report });
  return drainExitCode(report);
}
