/**
 * The operations HTTP endpoint (`--metrics-port`): `/metrics` in Prometheus text format,
 * `/healthz` (the process is alive) and `/readyz` (503 while draining, so a load balancer
 * stops sending new clients).
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { listenError } from "../errors.js";
import { type Logger, silentLogger } from "./logger.js";
import { RateLimitedLog } from "./rate-limited-log.js";

/**
 * The endpoint's own bounds. Node's HTTP server has no connection cap and keeps idle sockets
 * open for long, and its descriptors come out of the budget the TCP service's connection limit
 * is sized for: so it takes few connections and lets none of them sit.
 */
export interface MetricsServerLimits {
  /**
   * Connections open at once (a scraper and a few health checks need one each). One more
   * closes the oldest connection not being answered (still sending its request head, or idle
   * in keep-alive), so slow clients cannot keep a scrape out; when every one is being
   * answered, the new one is closed. Counted in the TCP service's descriptor reserve.
   */
  maxConnections: number;
  /** A connection that has not sent a whole request head in this time gets 408 and is closed (one that never sends a byte too). */
  headersTimeoutMs: number;
  /** The whole request, head and body. */
  requestTimeoutMs: number;
  /** A kept-alive connection waiting for its next request. */
  keepAliveTimeoutMs: number;
  /** No bytes either way for this long, whatever the connection is doing: closed. */
  idleTimeoutMs: number;
  /**
   * Requests on one connection whose responses the kernel has not taken yet. A client that
   * pipelines requests without reading the answers (thousands in one segment) would otherwise
   * have every answer made and kept in memory: one request more closes the connection at once
   * (with the answers not yet sent; no scraper pipelines that deep), and the requests after
   * it are not answered.
   */
  maxPendingResponses: number;
}

export const METRICS_SERVER_DEFAULTS: MetricsServerLimits = {
  maxConnections: 16,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 15_000,
  maxPendingResponses: 8,
};

export interface MetricsServerOptions {
  host?: string;
  port: number;
  /** The Prometheus text and its content type. */
  metrics(): Promise<{ text: string; contentType: string }>;
  /** False while draining. */
  isReady(): boolean;
  limits?: Partial<MetricsServerLimits>;
  /** Where connections closed at the cap are logged (at most a line a second per kind). */
  logger?: Logger;
}

export interface MetricsServer extends Server {
  port: number;
  /** Connections closed at accept because `maxConnections` were open, all being answered. */
  readonly refusedConnections: number;
  /** Connections not being answered, closed (oldest first) to make room for a new one at the cap. */
  readonly evictedConnections: number;
  /** Connections closed for more than `maxPendingResponses` requests not yet answered. */
  readonly pipelineClosedConnections: number;
}

/**
 * Rejects with a `listen-failed` MayusError (exit 8) when the port cannot be had.
 *
 * @example
 * ```ts
 * import { startMetricsServer } from "./metrics-server.js";
 * const server = await startMetricsServer({
 *   host: "127.0.0.1",
 *   port: 0, // 9464 is Prometheus's usual port for it
 *   metrics: async () => ({ text: "up 1\n", contentType: "text/plain; version=0.0.4" }),
 *   isReady: () => true,
 * });
 * server.close();
 * ```
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const limits = { ...METRICS_SERVER_DEFAULTS, ...options.limits };
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts above only this often (30 s by default): a quarter of the shorter.
      connectionsCheckingInterval: Math.max(
        100,
        Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4),
      ),
    },
    (request, response) => {
      // Closed below for too many requests waiting on their answers: none is made for them.
      if (request.socket.destroyed) return;
      const path = (request.url ?? "/").split("?")[0];
      if (request.method !== "GET" && request.method !== "HEAD") {
        response.writeHead(405, { allow: "GET, HEAD" }).end();
      } else if (path === "/metrics") {
        options.metrics().then(
          ({ text, contentType }) => response.writeHead(200, { "content-type": contentType }).end(text),
          (error: Error) => response.writeHead(500, { "content-type": "text/plain" }).end(`${error.message}\n`),
        );
      } else if (path === "/healthz") {
        response.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      } else if (path === "/readyz") {
        const ready = options.isReady();
        response.writeHead(ready ? 200 : 503, { "content-type": "text/plain" }).end(ready ? "ready\n" : "draining\n");
      } else {
        response.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics, /healthz or /readyz\n");
      }
    },
  );
  // Not server.maxConnections: Node would close the newcomer, and 16 slow clients would keep
  // every scrape out until the headers timeout. Accept order is age: the Map's first is oldest.
  // pending: requests whose responses the kernel has not taken ("finish"); 0 means not being answered.
  const open = new Map<Socket, { pending: number }>();
  let refusedConnections = 0;
  let evictedConnections = 0;
  let pipelineClosedConnections = 0;
  const capLog = new RateLimitedLog(options.logger ?? silentLogger());
  server.on("connection", (socket: Socket) => {
    if (open.size >= limits.maxConnections) {
      const oldestIdle = [...open].find(([, state]) => state.pending === 0)?.[0];
      const closing = oldestIdle ?? socket;
      if (oldestIdle === undefined) refusedConnections++;
      else evictedConnections++;
      const kind = oldestIdle === undefined ? "metrics-max-connections" : "metrics-connection-evicted";
      capLog.warn(
        kind,
        () => ({ peer: closing.remoteAddress, maxConnections: limits.maxConnections }),
        oldestIdle === undefined
          ? "metrics connection closed: the endpoint has its most connections open"
          : "metrics connection closed to make room: the oldest not being answered",
      );
      closing.destroy();
      open.delete(closing);
      if (closing === socket) return;
    }
    open.set(socket, { pending: 0 });
    socket.once("close", () => open.delete(socket));
  });
  // Before the handler, which may end a short response at once.
  server.prependListener("request", (request, response) => {
    const socket = request.socket as Socket;
    const state = open.get(socket);
    if (state === undefined || socket.destroyed) return;
    if (++state.pending > limits.maxPendingResponses) {
      pipelineClosedConnections++;
      capLog.warn(
        "metrics-pending-responses",
        () => ({ peer: socket.remoteAddress, maxPendingResponses: limits.maxPendingResponses }),
        "metrics connection closed: it sends requests without reading the answers",
      );
      socket.destroy();
      return;
    }
    response.once("finish", () => {
      state.pending--;
    });
  });
  // With no 'timeout' listener, Node destroys the socket that went quiet.
  server.timeout = limits.idleTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(listenError(error, "metrics", options.host ?? "::", options.port)),
    );
    server.listen({ host: options.host, port: options.port }, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return Object.defineProperties(server, {
    port: { value: port, enumerable: true },
    refusedConnections: { get: () => refusedConnections, enumerable: true },
    evictedConnections: { get: () => evictedConnections, enumerable: true },
    pipelineClosedConnections: { get: () => pipelineClosedConnections, enumerable: true },
  }) as MetricsServer;
}
