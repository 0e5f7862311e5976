/**
 * The primary of `mayus serve --workers N`: listens for signals, accepts TCP connections
 * itself and hands each to a worker (ConnectionHandover), forks the workers (each runs the
 * same command line; UDP is one socket they share through Node's cluster), prints the ready
 * lines once all listen, replaces a worker that crashes, serves the metrics of all of them
 * together, and on a signal stops accepting, hands over what it accepted, drains every
 * worker and exits with the worst outcome.
 */

import cluster, { type Worker } from "node:cluster";
import type { AddressInfo } from "node:net";
import { constants } from "node:os";
import { AggregatorRegistry } from "prom-client";
import { MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import { ioPathReport } from "../io/io-path.js";
import type { Logger } from "../observability/logger.js";
import type { Tracer } from "../observability/trace.js";
import { randomSeed } from "../udp/network-simulator.js";
import { type PrimaryMessage, WORKER_PORT_VARIABLE, type WorkerMessage } from "./cluster-worker.js";
import { ConnectionHandover } from "./connection-handover.js";
import { addDrainReports, type DrainReport, EMPTY_DRAIN_REPORT, type ServeLifecycle } from "./lifecycle.js";
import { startMetricsEndpoint } from "./metrics-endpoint.js";
import { listenForShutdown, logIgnoredSignals, signalExitCode } from "./signals.js";
import type { ServeOptions } from "./start-servers.js";

/** Wait before replacing a worker that exited. */
export const WORKER_RESTART_DELAY_MS = 500;

type ListeningMessage = Extract<WorkerMessage, { type: "mayus:listening" }>;

/** A worker exited before it listened; it printed why. */
class WorkerStartFailed extends Error {
  constructor(readonly exitCode: number) {
    super(`worker exited with code ${exitCode} before listening`);
  }
}

/** `trace`: the primary's own steps (its TCP listener's); the workers trace their connections. */
export async function runPrimary(
  options: ServeOptions,
  logger: Logger,
  lifecycle: ServeLifecycle,
  trace?: Tracer,
): Promise<number> {
  const workers = new Set<Worker>();
  const signals = listenForShutdown(
    (signal) => {
      lifecycle.signalReceived(signal);
      // Before anything else: a worker that got the same signal (the group's) then knows it was not a stray.
      for (const worker of workers) {
        if (worker.isConnected()) worker.send({ type: "mayus:stopping" } satisfies PrimaryMessage);
      }
    },
    (signal) => {
      lifecycle.exitAtOnce(signal, signalExitCode(signal));
      for (const worker of workers) worker.process.kill("SIGKILL");
    },
  );
  logIgnoredSignals(logger);
  const aggregator = new AggregatorRegistry();
  let draining = false;
  let report: DrainReport = EMPTY_DRAIN_REPORT;
  let worstWorkerCode = 0;
  let started = false;

  // With NODE_CLUSTER_SCHED_POLICY=none the workers accept from the shared socket themselves
  // (for floods of connections, docs/scaling.md); otherwise the primary accepts and hands over.
  const workersAccept = cluster.schedulingPolicy === cluster.SCHED_NONE;
  const handover =
    options.tcp && !workersAccept ? new ConnectionHandover(options.host, options.port, logger, trace) : undefined;
  let tcpAddress: AddressInfo | undefined;
  try {
    tcpAddress = await handover?.listen();
  } catch (error) {
    signals.dispose();
    throw error;
  }

  // The simulated network's seed is drawn here, once, so that it can be printed and every
  // worker (a replacement too) starts from the one printed.
  const network = options.udp ? options.udpOptions.network : undefined;
  const networkSeed = network === undefined ? undefined : (network.seed ?? randomSeed());
  const workerEnv: Record<string, string> = {};
  if (tcpAddress) workerEnv[WORKER_PORT_VARIABLE] = String(tcpAddress.port);
  if (networkSeed !== undefined) workerEnv.MAYUS_SEED = String(networkSeed);

  const fork = (): Promise<ListeningMessage> => {
    const worker = cluster.fork(workerEnv);
    workers.add(worker);
    worker.on("message", (message: WorkerMessage) => {
      if (message?.type === "mayus:drained") report = addDrainReports(report, message.report);
    });
    worker.on("exit", (code, signal) => {
      workers.delete(worker);
      handover?.removeWorker(worker);
      // Killed (the backstop, the OOM killer): the shell's code for that signal.
      const exitCode = code ?? 128 + (signal === null ? 0 : (constants.signals[signal as NodeJS.Signals] ?? 0));
      if (draining) worstWorkerCode = Math.max(worstWorkerCode, exitCode);
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
        if (message?.type === "mayus:start-failed") reject(new MayusError(message.kind, message.message));
        if (message?.type !== "mayus:listening") return;
        worker.off("message", onMessage);
        handover?.addWorker(worker);
        resolve(message);
      };
      worker.on("message", onMessage);
      worker.once("exit", (code) => reject(new WorkerStartFailed(code ?? 1)));
    });
  };

  const stopAll = async () => {
    draining = true;
    await handover?.close(0);
    for (const worker of workers) worker.process.kill("SIGKILL");
    signals.dispose();
  };
  let listening: ListeningMessage[];
  let metricsServer: Awaited<ReturnType<typeof startMetricsEndpoint>>;
  try {
    listening = await Promise.all(Array.from({ length: options.workers }, fork));
    metricsServer = await startMetricsEndpoint(
      options,
      { metrics: () => aggregator.clusterMetrics(), contentType: aggregator.contentType },
      () => !draining,
      logger,
    );
  } catch (error) {
    // A worker could not listen (its reason is said once, here), or the metrics port is taken:
    // stop the rest.
    await stopAll();
    if (error instanceof WorkerStartFailed) return error.exitCode;
    throw error;
  }
  started = true;
  // A signal during startup: the workers drain at once, and no line says the server is ready.
  if (signals.received === undefined) {
    const workerPids = listening.length;
    const tcpListening = tcpAddress ?? (listening[0]?.tcp as AddressInfo | undefined);
    if (tcpListening) lifecycle.listening("tcp", tcpListening, { workers: workerPids });
    const udpAddress = listening[0]?.udp;
    if (udpAddress) lifecycle.listening("udp", udpAddress as AddressInfo, { workers: workerPids });
    if (metricsServer) lifecycle.metricsListening(metricsServer.port);
    // The workers load the same build as this process, so they take the paths it would.
    const served = (["tcp", "udp"] as const).filter((protocol) => options[protocol]);
    lifecycle.ioPaths(ioPathReport(served, { tls: options.tcpOptions.tls !== undefined }));
    if (networkSeed !== undefined) lifecycle.networkSeed(networkSeed);
  }

  await signals.first;
  draining = true;
  // Stop accepting, and let every socket accepted so far reach its worker before the drain.
  await handover?.close(options.drainTimeoutMs);
  lifecycle.drainStarted({ workers: workers.size });
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
  lifecycle.drainFinished(report, { refusedNoWorker: handover?.refusedNoWorker ?? 0 });
  // A worker that ended badly (killed, or exited at once) makes the whole server's code, and
  // the closing line or event says that code.
  return lifecycle.exited(report, worstWorkerCode);
}
