/**
 * `mayus serve` in one process: start the servers (and the metrics endpoint), print one
 * ready line per listener, wait for a signal, drain, and say how it went.
 */

import { EXIT_CODES } from "../errors.js";
import { t } from "../i18n/index.js";
import type { Logger } from "../observability/logger.js";
import { createMetricsRegistry } from "../observability/metrics.js";
import { startMetricsServer } from "../observability/metrics-server.js";
import type { Tracer } from "../observability/trace.js";
import { firstShutdownSignal } from "./signals.js";
import { printReadyLines, type ServeOptions, startServers } from "./start-servers.js";

/** Runs until a signal; resolves with the exit code. */
export async function runSingleProcess(options: ServeOptions, logger: Logger, trace?: Tracer): Promise<number> {
  const servers = await startServers(options, logger, trace);
  let draining = false;
  const registry = options.metricsPort === undefined ? undefined : createMetricsRegistry(servers);
  const metricsServer =
    registry === undefined
      ? undefined
      : await startMetricsServer({
          host: options.metricsHost,
          port: options.metricsPort ?? 0,
          metrics: async () => ({ text: await registry.metrics(), contentType: registry.contentType }),
          isReady: () => !draining,
        });
  printReadyLines({ tcp: servers.tcp?.address(), udp: servers.udp?.address() }, metricsServer?.port);
  if (servers.udp && options.udpOptions.network !== undefined) {
    process.stderr.write(`${t("serve.networkSeed", { seed: servers.udp.networkSeed })}\n`);
  }
  await firstShutdownSignal();
  draining = true;
  const forced = await servers.close(options.drainTimeoutMs);
  metricsServer?.close();
  return finished(forced);
}

/** The closing line and the exit code: 9 when the drain timeout closed connections unfinished. */
export function finished(forced: number): number {
  if (forced > 0) {
    process.stderr.write(`${t("serve.forced", { count: forced })}\n`);
    return EXIT_CODES["drain-timeout"];
  }
  process.stderr.write(`${t("serve.closed")}\n`);
  return EXIT_CODES.ok;
}
