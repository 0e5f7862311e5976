/**
 * `mayus serve --web`: an HTTP server for the page and a WebSocket (`/events`) that carries
 * the trace events to every page and the pages' lines and knobs back. It subscribes to the
 * same event source as `--trace`, once, and fans each event out to the pages.
 */

import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Logger } from "../observability/logger.js";
import type { TraceEventSource } from "../observability/trace-events.js";
import type { TransformOptions } from "../transform/index.js";
import type { NetworkSettings } from "../udp/network-simulator.js";
import { BrowserSession, type SessionContext } from "./browser-session.js";
import { EventHistory, toWebEvent } from "./event-frames.js";
import { type BridgeTargets, LessonBridge } from "./lesson-bridge.js";
import {
  hostAllowed,
  loadPageFiles,
  originAllowed,
  type PageFile,
  pageLanguage,
  pageMessages,
  securityHeaders,
} from "./page-files.js";
import type { WebOptions } from "./web-options.js";

export interface WebServerDependencies {
  options: WebOptions;
  events: TraceEventSource;
  transform: TransformOptions;
  logger: Logger;
  nowMs?: () => number;
}

/** What the page works with once the servers listen. */
export interface ServedEndpoints {
  /** The listeners of this process: the only places the page's client connects to. */
  targets: BridgeTargets;
  network?: SessionContext["network"];
}

/**
 * Made before the servers start, so the history has their socket, bind and listen steps;
 * `listen()` once they are up.
 *
 * @example
 * ```ts
 * import { silentLogger } from "../observability/logger.js";
 * import { TraceEventSource } from "../observability/trace-events.js";
 * import { TcpServer } from "../tcp/tcp-server.js";
 * import { targetOf } from "./lesson-bridge.js";
 * import { WEB_DEFAULTS } from "./web-options.js";
 * import { WebServer } from "./web-server.js";
 * const events = new TraceEventSource();
 * const web = new WebServer({ options: { ...WEB_DEFAULTS, port: 0 }, events, transform: {}, logger: silentLogger() });
 * const tcp = new TcpServer({ host: "127.0.0.1", port: 0, trace: events.tracer });
 * const { port } = await web.listen({ targets: { tcp: targetOf(await tcp.listen()) } });
 * const page = await fetch(`http://127.0.0.1:${port}/`); // the page; its WebSocket is /events
 * page.status; // 200
 * await page.text(); // "<!doctype html>…"
 * await web.close();
 * await tcp.close();
 * ```
 */
export class WebServer {
  readonly #options: WebOptions;
  readonly #http: Server;
  readonly #sockets: WebSocketServer;
  readonly #sessions = new Set<BrowserSession>();
  readonly #history: EventHistory;
  readonly #files: Map<string, PageFile>;
  readonly #context: SessionContext;
  readonly #unsubscribe: () => void;
  readonly #startMs: number;
  #endpoints: ServedEndpoints = { targets: {} };
  #seq = 0;

  constructor(readonly dependencies: WebServerDependencies) {
    const { options, events, logger } = dependencies;
    const nowMs = dependencies.nowMs ?? (() => performance.now());
    this.#options = options;
    this.#files = loadPageFiles();
    this.#history = new EventHistory(options.maxEventsKept);
    this.#startMs = nowMs();
    this.#context = {
      options,
      logger,
      network: {
        get: () => this.#endpoints.network?.get(),
        set: (settings) => this.#endpoints.network?.set(settings),
      },
      nowMs,
      networkChanged: (settings) => this.#broadcast({ type: "simulator", settings: pageSettings(settings) }),
    };
    this.#http = createServer((request, response) => this.#serveFile(request, response));
    this.#http.on("upgrade", (request, socket, head) => this.#upgrade(request, socket, head));
    this.#http.on("clientError", (_error, socket) => socket.destroy());
    // Past it Node closes each new socket at accept (a WebSocket stays one of these connections).
    this.#http.maxConnections = options.maxHttpConnections;
    // maxPayload: a larger message closes its socket with 1009 (message too big).
    this.#sockets = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
    this.#unsubscribe = events.subscribe((event) => {
      const webEvent = toWebEvent(event, ++this.#seq, nowMs() - this.#startMs);
      this.#history.push(webEvent);
      for (const session of this.#sessions) session.event(webEvent);
    });
  }

  async listen(endpoints: ServedEndpoints): Promise<AddressInfo> {
    this.#endpoints = endpoints;
    this.#http.listen({ host: this.#options.host, port: this.#options.port });
    await Promise.race([
      once(this.#http, "listening"),
      once(this.#http, "error").then(([error]) => Promise.reject(error)),
    ]);
    return this.address();
  }

  address(): AddressInfo {
    return this.#http.address() as AddressInfo;
  }

  get browsers(): number {
    return this.#sessions.size;
  }

  /** Closes every page's socket (1001, going away) and the bridges, then the listener. */
  async close(): Promise<void> {
    this.#unsubscribe();
    for (const session of this.#sessions) {
      session.close();
      session.socket.close(1001);
    }
    this.#sessions.clear();
    this.#sockets.close();
    if (!this.#http.listening) return;
    const closed = once(this.#http, "close");
    this.#http.close();
    this.#http.closeAllConnections();
    await closed;
  }

  #serveFile(request: IncomingMessage, response: ServerResponse): void {
    const host = request.headers.host ?? "";
    if (!hostAllowed(request, this.#options.host)) {
      finish(response, 421, "text/plain", "misdirected request\n");
      return;
    }
    const headers = securityHeaders(host);
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("allow", "GET, HEAD");
      finish(response, 405, "text/plain", "method not allowed\n", headers);
      return;
    }
    const url = new URL(request.url ?? "/", "http://page");
    if (url.pathname === "/messages.json") {
      const language = pageLanguage(url.searchParams.get("lang"), this.#options.language);
      const body = JSON.stringify({ language, messages: pageMessages(language) });
      finish(response, 200, "application/json; charset=utf-8", body, headers);
      return;
    }
    const file = this.#files.get(url.pathname);
    if (file === undefined) {
      finish(response, 404, "text/plain", "not found\n", headers);
      return;
    }
    finish(response, 200, file.type, request.method === "HEAD" ? "" : file.body, headers);
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    const url = new URL(request.url ?? "/", "http://page");
    if (url.pathname !== "/events") {
      refuse("404 Not Found");
      return;
    }
    if (!hostAllowed(request, this.#options.host) || !originAllowed(request)) {
      refuse("403 Forbidden");
      return;
    }
    if (this.#sessions.size >= this.#options.maxBrowsers) {
      refuse("503 Service Unavailable");
      return;
    }
    this.#sockets.handleUpgrade(request, socket, head, (webSocket) => {
      const language = pageLanguage(url.searchParams.get("lang"), this.#options.language);
      const bridge = new LessonBridge(this.#endpoints.targets, this.dependencies.transform, (retry) =>
        session.send({ type: "retry", line: retry.line, attempt: retry.attempt }),
      );
      const session = new BrowserSession(webSocket, language, bridge, this.#context);
      this.#sessions.add(session);
      webSocket.on("close", () => {
        this.#sessions.delete(session);
        session.close();
      });
      const network = this.#endpoints.network?.get();
      session.send({
        type: "hello",
        language,
        protocols: (["tcp", "udp"] as const).filter((protocol) => this.#endpoints.targets[protocol] !== undefined),
        limits: { maxEventsKept: this.#options.maxEventsKept, maxMessageBytes: this.#options.maxMessageBytes },
        simulator: network === undefined ? null : pageSettings(network),
        history: this.#history.events,
      });
    });
  }

  #broadcast(frame: object): void {
    for (const session of this.#sessions) session.send(frame);
  }
}

/** The knobs with the names the page sends them by (`simulator` command). */
function pageSettings(settings: NetworkSettings) {
  const { dropProbability: drop, duplicateProbability: duplicate, delayMs, jitterMs } = settings;
  return { drop, duplicate, delayMs, jitterMs };
}

function finish(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { ...headers, "content-type": type, "content-length": Buffer.byteLength(body) });
  response.end(body);
}
