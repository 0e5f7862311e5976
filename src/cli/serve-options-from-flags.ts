/** `mayus serve`'s parsed flags turned into `ServeOptions`, the options the servers start with. */

import { AddressFilter } from "../address/address-filter.js";
import { usageError } from "../errors.js";
import { t } from "../i18n/index.js";
import type { ServeOptions } from "../serve/start-servers.js";
import type { TransformMode, TransformOptions } from "../transform/index.js";
import { WEB_DEFAULTS, type WebOptions } from "../web/web-options.js";
import { checkedTransform } from "./command-kit.js";
import { heartbeatOptionsFrom } from "./heartbeat-command.js";

/** The flags as commander parsed them (former names resolved, `lang` added) to the servers' options. */
// biome-ignore lint/suspicious/noExplicitAny: commander's parsed flags are untyped
export function serveOptionsFrom(flags: Record<string, any>): ServeOptions {
  const bothOrNeither = Boolean(flags.tcp) === Boolean(flags.udp);
  const simulated = flags.drop !== undefined || flags.duplicate !== undefined || flags.delay !== undefined;
  // One filter for both protocols: TCP checks each accepted client, UDP each datagram's source.
  const addressFilter = new AddressFilter({ allow: flags.allow, deny: flags.deny });
  const udpOptions: ServeOptions["udpOptions"] = {
    maxGrowth: flags.udpMaxGrowth,
    rateLimit: {
      datagramsPerSecond: flags.udpRate,
      bytesPerSecond: flags.udpByteRate,
      maxSources: flags.udpRateSources,
    },
    network: simulated
      ? { dropProbability: flags.drop, duplicateProbability: flags.duplicate, ...flags.delay, seed: flags.seed }
      : undefined,
    addressFilter,
  };
  const udp = bothOrNeither || Boolean(flags.udp);
  const web = flags.web === undefined ? undefined : webOptionsFrom(flags);
  return {
    tcp: bothOrNeither || Boolean(flags.tcp),
    udp,
    host: flags.host,
    port: flags.port,
    transform: transformFrom(flags.mode, flags.locale),
    tcpOptions: {
      maxConnections: flags.maxConnections,
      maxConnectionsPerAddress: flags.maxConnectionsPerAddress,
      idleTimeoutMs: flags.idleTimeout,
      stallTimeoutMs: flags.stallTimeout,
      maxBufferedBytesPerConnection: flags.maxBufferedBytesPerConnection,
      maxBufferedBytesTotal: flags.maxBufferedBytesTotal,
      proxyProtocol: Boolean(flags.proxyProtocol),
      proxyHeaderTimeoutMs: flags.proxyHeaderTimeout,
      maxAwaitingHeaderPerAddress: flags.maxAwaitingHeaderPerAddress,
      drainQuietMs: flags.drainQuiet,
      addressFilter,
    },
    // Spread into the UdpServer's options by startServers, the filter with them.
    udpOptions,
    drainTimeoutMs: flags.drainTimeout,
    workers: flags.workers,
    metricsPort: flags.metricsPort,
    metricsHost: flags.metricsHost,
    log: { level: flags.logLevel, format: flags.logFormat },
    trace: Boolean(flags.trace),
    heartbeat: heartbeatOptionsFrom(flags, { udp, workers: flags.workers }),
    web,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: commander's parsed flags are untyped
function webOptionsFrom(flags: Record<string, any>): WebOptions {
  // The page shows one process's sockets: workers each have their own.
  if (flags.workers > 1) throw usageError(t("error.webWithWorkers"));
  return { ...WEB_DEFAULTS, host: flags.webHost, port: flags.web, language: flags.lang };
}

/** `--mode` and `--locale`: language rules are for unicode and lower, not for ascii, lower-ascii or echo. */
function transformFrom(mode: TransformMode, locale: string | undefined): TransformOptions {
  return checkedTransform(mode, locale);
}
