/**
 * The web page of `mayus serve --web`, beside the servers: made before they start (so its
 * history holds their socket, bind and listen), listening once they are up; its client
 * reaches only these servers, its knobs turn this UDP server's simulated network, and a
 * failure to listen is the usual one-line listen error (exit 8).
 */

import { MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import type { Logger } from "../observability/logger.js";
import type { TraceEventSource } from "../observability/trace-events.js";
import { targetOf } from "../web/lesson-bridge.js";
import type { WebOptions } from "../web/web-options.js";
import { WebServer } from "../web/web-server.js";
import type { RunningServers, ServeOptions } from "./start-servers.js";

/** The page's server, subscribed to the events, not listening yet; undefined without `--web`. */
export function prepareWebEndpoint(
  options: Pick<ServeOptions, "web" | "transform">,
  events: TraceEventSource | undefined,
  logger: Logger,
): WebServer | undefined {
  if (options.web === undefined || events === undefined) return undefined;
  return new WebServer({ options: options.web, events, transform: options.transform, logger });
}

/** Listens, with the running servers as the only targets of the page's client. */
export async function openWebEndpoint(
  web: WebServer,
  servers: RunningServers,
  options: WebOptions,
  tcpTls = false,
): Promise<void> {
  const udp = servers.udp;
  const tcp = targetOf(servers.tcp?.address());
  // With `--tls` the page's client speaks TLS to this process's own listener: nothing lies in
  // between to verify against, and a --cert need not name the address it is reached by here.
  const tcpTarget = tcp && tcpTls ? { ...tcp, tls: { insecure: true } } : tcp;
  try {
    await web.listen({
      targets: { tcp: tcpTarget, udp: targetOf(udp?.address()) },
      network: udp && { get: () => udp.networkSettings, set: (settings) => udp.setNetwork(settings) },
    });
  } catch (error) {
    await web.close();
    throw webListenError(error as NodeJS.ErrnoException, options);
  }
}

function webListenError(error: NodeJS.ErrnoException, web: WebOptions): MayusError {
  const host = web.host.includes(":") ? `[${web.host}]` : web.host;
  const parameters = { protocol: "HTTP", host, port: web.port, reason: error.code ?? error.message };
  const key =
    error.code === "EADDRINUSE"
      ? "error.webPortInUse"
      : error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND"
        ? "error.addressNotAvailable"
        : error.code === "EACCES"
          ? "error.permission"
          : "error.listen";
  return new MayusError("listen-failed", t(key, parameters), { cause: error });
}
