/**
 * `mayus serve` in one process: listen for signals first, start the servers and the metrics
 * endpoint (all or nothing), print one ready line per listener, wait for a signal, drain,
 * and say how it went.
 */

import { heartbeatReporter } from "../heartbeat/heartbeat-report.js";
import { HEARTBEAT_DEFAULTS, HeartbeatTable } from "../heartbeat/heartbeat-table.js";
import { ioPathReport } from "../io/io-path.js";
import type { Logger } from "../observability/logger.js";
import { createMetricsRegistry } from "../observability/metrics.js";
import type { Tracer } from "../observability/trace.js";
import type { TraceEventSource } from "../observability/trace-events.js";
import type { ServeLifecycle } from "./lifecycle.js";
import { startMetricsEndpoint } from "./metrics-endpoint.js";
import { listenForShutdown, logIgnoredSignals, signalExitCode } from "./signals.js";
import { type RunningServers, type ServeOptions, servedProtocols, startServers } from "./start-servers.js";
import { openWebEndpoint, prepareWebEndpoint } from "./web-endpoint.js";

/** Runs until a signal; resolves with the exit code. */
export async function runSingleProcess(
  options: ServeOptions,
  logger: Logger,
  lifecycle: ServeLifecycle,
  trace?: Tracer,
  /** The source `trace` feeds, for the web page (`--web`) to subscribe to. */
  traceEvents?: TraceEventSource,
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
  const heartbeat = heartbeatTableFor(options, logger, lifecycle);
  const webServer = prepareWebEndpoint(options, traceEvents, logger);
  try {
    const udpOptions = heartbeat === undefined ? options.udpOptions : { ...options.udpOptions, heartbeat };
    servers = await startServers({ ...options, udpOptions }, logger, trace);
    const registry = options.metricsPort === undefined ? undefined : createMetricsRegistry({ ...servers, heartbeat });
    metricsServer = await startMetricsEndpoint(options, registry, () => !draining, logger);
    if (webServer !== undefined && options.web !== undefined)
      await openWebEndpoint(webServer, servers, options.web, options.tcpOptions.tls !== undefined);
  } catch (error) {
    await webServer?.close();
    metricsServer?.close();
    await servers?.close(0);
    heartbeat?.close();
    signals.dispose();
    throw error;
  }
  heartbeat?.start();
  // A signal during startup: what started drains at once, and no line says it is ready.
  if (signals.received === undefined) announce(servers, metricsServer?.port, options, lifecycle);
  if (signals.received === undefined && webServer !== undefined) lifecycle.webListening(webServer.address());
  await signals.first;
  draining = true;
  // The page's own connections are closed first: they are the page's, not clients to drain.
  await webServer?.close();
  lifecycle.drainStarted({ connections: servers.tcp?.statistics().connectionsActive ?? 0 });
  const report = await servers.close(options.drainTimeoutMs);
  heartbeat?.close();
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

/** `--heartbeat`'s table, its events told as the server's other lines are; undefined without it. */
function heartbeatTableFor(
  options: ServeOptions,
  logger: Logger,
  lifecycle: ServeLifecycle,
): HeartbeatTable | undefined {
  if (options.heartbeat === undefined) return undefined;
  const timeoutMs = options.heartbeat.timeoutMs ?? HEARTBEAT_DEFAULTS.timeoutMs;
  const report = heartbeatReporter(logger, lifecycle.isJson, lifecycle.writeErr, timeoutMs);
  return new HeartbeatTable(options.heartbeat, report);
}
