/**
 * `mayus serve` in one process: listen for signals first, start the servers and the metrics
 * endpoint (all or nothing), print one ready line per listener, wait for a signal, drain,
 * and say how it went.
 */

import { ioPathReport } from "../net/io-path.js";
import type { Logger } from "../observability/logger.js";
import { createMetricsRegistry } from "../observability/metrics.js";
import type { Tracer } from "../observability/trace.js";
import type { ServeLifecycle } from "./lifecycle.js";
import { startMetricsEndpoint } from "./metrics-endpoint.js";
import { listenForShutdown, logIgnoredSignals, signalExitCode } from "./signals.js";
import { type RunningServers, type ServeOptions, servedProtocols, startServers } from "./start-servers.js";

/** Runs until a signal; resolves with the exit code. */
export async function runSingleProcess(
  options: ServeOptions,
  logger: Logger,
  lifecycle: ServeLifecycle,
  trace?: Tracer,
): Promise<number> {
  // Before any listener opens: a signal during startup drains what started, never kills it.
  const signals = listenForShutdown(
    (signal) => lifecycle.signalReceived(signal),
    (signal) => lifecycle.exitAtOnce(signal, signalExitCode(signal)),
  );
  const stopLoggingIgnored = logIgnoredSignals(logger);
  let draining = false;
  let servers: RunningServers | undefined;
  let metricsServer: Awaited<ReturnType<typeof startMetricsEndpoint>>;
  try {
    servers = await startServers(options, logger, trace);
    const registry = options.metricsPort === undefined ? undefined : createMetricsRegistry(servers);
    metricsServer = await startMetricsEndpoint(options, registry, () => !draining, logger);
  } catch (error) {
    await servers?.close(0);
    signals.dispose();
    throw error;
  }
  // A signal during startup: what started drains at once, and no line says it is ready.
  if (signals.received === undefined) announce(servers, metricsServer?.port, options, lifecycle);
  await signals.first;
  draining = true;
  lifecycle.drainStarted({ connections: servers.tcp?.statistics().connectionsActive ?? 0 });
  const report = await servers.close(options.drainTimeoutMs);
  metricsServer?.close();
  lifecycle.drainFinished(report);
  stopLoggingIgnored();
  return lifecycle.exited(report);
}

/** The ready lines (stdout) and what goes with them: the I/O paths, the simulated network's seed. */
function announce(
  servers: RunningServers,
  metricsPort: number | undefined,
  options: ServeOptions,
  lifecycle: ServeLifecycle,
): void {
  const tcpAddress = servers.tcp?.address();
  const udpAddress = servers.udp?.address();
  if (tcpAddress) lifecycle.listening("tcp", tcpAddress);
  if (udpAddress) lifecycle.listening("udp", udpAddress);
  if (metricsPort !== undefined) lifecycle.metricsListening(metricsPort);
  lifecycle.ioPaths(ioPathReport(servedProtocols(servers), { tls: options.tcpOptions.tls !== undefined }));
  if (servers.udp && options.udpOptions.network !== undefined) lifecycle.networkSeed(servers.udp.networkSeed);
}
