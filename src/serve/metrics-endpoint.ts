/**
 * The metrics endpoint of `mayus serve` (`--metrics-port`), started from the serve options,
 * with a failure to listen turned into the usual one-line listen error (exit 8).
 */

import { listenError, MayusError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import { startMetricsServer } from "../observability/metrics-server.js";
import type { ServeOptions } from "./start-servers.js";

/** Where the Prometheus text comes from: one registry, or the cluster's aggregation. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** Starts it when `--metrics-port` is given; undefined otherwise. */
export async function startMetricsEndpoint(
  options: Pick<ServeOptions, "metricsPort" | "metricsHost">,
  source: MetricsSource | undefined,
  isReady: () => boolean,
  logger?: Logger,
): Promise<Awaited<ReturnType<typeof startMetricsServer>> | undefined> {
  if (options.metricsPort === undefined || source === undefined) return undefined;
  try {
    return await startMetricsServer({
      host: options.metricsHost,
      port: options.metricsPort,
      metrics: async () => ({ text: await source.metrics(), contentType: source.contentType }),
      isReady,
      logger,
    });
  } catch (error) {
    if (error instanceof MayusError) throw error;
    throw listenError(error as NodeJS.ErrnoException, "metrics", options.metricsHost ?? "::", options.metricsPort);
  }
}
