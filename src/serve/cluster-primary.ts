/**
 * The primary of `mayus serve --workers N`: forks the workers (each runs the same command
 * line), prints the ready lines once all listen, replaces a worker that crashes, serves
 * the metrics of all of them together, and on a signal drains every worker.
 */

import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import { t } from "../i18n/index.js";
import type { Logger } from "../observability/logger.js";
import { startMetricsServer } from "../observability/metrics-server.js";
import { randomSeed } from "../udp/network-simulator.js";
import type { PrimaryMessage, WorkerMessage } from "./cluster-worker.js";
import { firstShutdownSignal } from "./signals.js";
import { finished } from "./single-process.js";
import { printReadyLines, type ServeOptions } from "./start-servers.js";

/** Wait before replacing a worker that exited. */
export const WORKER_RESTART_DELAY_MS = 500;

type ListeningMessage = Extract<WorkerMessage, { type: "mayus:listening" }>;

/** A worker exited before it listened; it printed why. */
class WorkerStartFailed extends Error {
  constructor(readonly exitCode: number) {
    super(`worker exited with code ${exitCode} before listening`);
  }
}

export async function runPrimary(options: ServeOptions, logger: Logger): Promise<number> {
  const aggregator = new AggregatorRegistry();
  let draining = false;
  let forced = 0;
  const workers = new Set<Worker>();

  let started = false;
  // The simulated network's seed is drawn here, once, so that it can be printed and every
  // worker (a replacement too) starts from the one printed.
  const network = options.udp ? options.udpOptions.network : undefined;
  const networkSeed = network === undefined ? undefined : (network.seed ?? randomSeed());
  const workerEnv = networkSeed === undefined ? undefined : { MAYUS_SEED: String(networkSeed) };

  const fork = (): Promise<ListeningMessage> => {
    const worker = cluster.fork(workerEnv);
    workers.add(worker);
    worker.on("message", (message: WorkerMessage) => {
      if (message?.type === "mayus:drained") forced += message.forced;
    });
    worker.on("exit", (code, signal) => {
      workers.delete(worker);
      // Before all listen, a worker's exit fails the start (below); while draining it is expected.
      if (draining || !started) return;
      logger.warn({ worker: worker.process.pid, code, signal }, t("serve.workerReplaced"));
      // A worker that dies at once would otherwise be replaced in a tight loop.
      setTimeout(() => {
        if (!draining) fork().catch((error: Error) => logger.error({ err: error }, t("serve.workerFailed")));
      }, WORKER_RESTART_DELAY_MS);
    });
    return new Promise((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        if (message?.type !== "mayus:listening") return;
        worker.off("message", onMessage);
        resolve(message);
      };
      worker.on("message", onMessage);
      worker.once("exit", (code) => reject(new WorkerStartFailed(code ?? 1)));
    });
  };

  let listening: ListeningMessage[];
  try {
    listening = await Promise.all(Array.from({ length: options.workers }, fork));
  } catch (error) {
    // A worker could not listen (port in use...): it said why on stderr; stop the others.
    draining = true;
    for (const worker of workers) worker.process.kill("SIGTERM");
    if (error instanceof WorkerStartFailed) return error.exitCode;
    throw error;
  }
  started = true;
  const metricsServer =
    options.metricsPort === undefined
      ? undefined
      : await startMetricsServer({
          host: options.metricsHost,
          port: options.metricsPort,
          metrics: async () => ({ text: await aggregator.clusterMetrics(), contentType: aggregator.contentType }),
          isReady: () => !draining,
        });
  printReadyLines(listening[0], metricsServer?.port);
  if (networkSeed !== undefined) process.stderr.write(`${t("serve.networkSeed", { seed: networkSeed })}\n`);

  await firstShutdownSignal(() => {
    for (const worker of workers) worker.process.kill("SIGKILL");
  });
  draining = true;
  const allExited = new Promise<void>((resolve) => {
    if (workers.size === 0) resolve();
    cluster.on("exit", () => {
      if (workers.size === 0) resolve();
    });
  });
  for (const worker of workers) worker.send({ type: "mayus:shutdown" } satisfies PrimaryMessage);
  // Each worker keeps its own drain timeout; this is only the backstop for a stuck one.
  const backstop = setTimeout(() => {
    for (const worker of workers) worker.process.kill("SIGKILL");
  }, options.drainTimeoutMs + 5_000);
  await allExited;
  clearTimeout(backstop);
  metricsServer?.close();
  return finished(forced);
}
