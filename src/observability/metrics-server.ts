/**
 * The operations HTTP endpoint (`--metrics-port`): `/metrics` in Prometheus text format,
 * `/healthz` (the process is alive) and `/readyz` (503 while draining, so a load balancer
 * stops sending new clients).
 */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface MetricsServerOptions {
  host?: string;
  port: number;
  /** The Prometheus text and its content type. */
  metrics(): Promise<{ text: string; contentType: string }>;
  /** False while draining. */
  isReady(): boolean;
}

/**
 * @example
 * const server = await startMetricsServer({ port: 9464, metrics: async () => ..., isReady: () => true });
 * server.close();
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<Server & { port: number }> {
  const server = createServer((request, response) => {
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
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}
