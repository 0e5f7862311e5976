/**
 * The TCP side of mayus: socket, bind, listen, then accept each client on a socket of its
 * own and serve it as a `TcpConnection`. Many clients at once, each independent.
 */

import { EventEmitter } from "node:events";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { listenError } from "../errors.js";
import { t } from "../i18n/index.js";
import { formatAddress, unmapIPv4 } from "../net/address.js";
import { type Logger, silentLogger } from "../observability/logger.js";
import type { Tracer } from "../observability/trace.js";
import { createUppercaser, resolveTransformOptions, type TransformOptions } from "../transform/index.js";
import { TcpConnection } from "./tcp-connection.js";

export interface TcpServerOptions {
  /** Address to listen on; default all interfaces, IPv6 and IPv4 (`::` dual-stack). */
  host?: string;
  /** Default 12000; 0 lets the kernel choose (see `address()` after `listen()`). */
  port?: number;
  transform?: TransformOptions;
  /** Most connections open at once; the surplus is closed at accept and counted. */
  maxConnections?: number;
  /** A connection with no bytes either way for this long is closed. 0: never. */
  idleTimeoutMs?: number;
  logger?: Logger;
  /** Called at each socket step (`--trace`). */
  trace?: Tracer;
}

export const TCP_DEFAULTS = {
  maxConnections: 10_000,
  idleTimeoutMs: 300_000,
} as const;

export type ServerState = "idle" | "listening" | "draining" | "closed";

export interface TcpServerStatistics {
  connectionsAccepted: number;
  connectionsRefused: number;
  connectionsActive: number;
  bytesReceived: number;
  bytesSent: number;
  errors: number;
}

/**
 * @example
 * const server = new TcpServer({ host: "127.0.0.1", port: 0 });
 * const { port } = await server.listen();
 * // ... connect to port, send "abc", receive "ABC" ...
 * await server.close();
 */
export class TcpServer extends EventEmitter {
  state: ServerState = "idle";
  readonly #options: Required<Omit<TcpServerOptions, "host" | "logger" | "trace">> & { host: string | undefined };
  readonly #trace: Tracer | undefined;
  readonly #logger: Logger;
  readonly #server: Server;
  readonly #connections = new Set<TcpConnection>();
  readonly #statistics: TcpServerStatistics = {
    connectionsAccepted: 0,
    connectionsRefused: 0,
    connectionsActive: 0,
    bytesReceived: 0,
    bytesSent: 0,
    errors: 0,
  };
  #closing: Promise<void> | undefined;

  constructor(options: TcpServerOptions = {}) {
    super();
    const transform = resolveTransformOptions(options.transform);
    this.#options = {
      host: options.host,
      port: options.port ?? 12000,
      transform,
      maxConnections: options.maxConnections ?? TCP_DEFAULTS.maxConnections,
      idleTimeoutMs: options.idleTimeoutMs ?? TCP_DEFAULTS.idleTimeoutMs,
    };
    this.#logger = options.logger ?? silentLogger();
    this.#trace = options.trace;
    this.#server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.#accept(socket));
    this.#server.maxConnections = this.#options.maxConnections;
    this.#server.on("drop", (data) => {
      this.#statistics.connectionsRefused++;
      this.#logger.warn({ peer: data?.remoteAddress, reason: "max-connections" }, "connection refused");
    });
  }

  /** Binds and listens; resolves with the address actually bound. */
  listen(): Promise<AddressInfo> {
    const { host, port } = this.#options;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(listenError(error, "tcp", host ?? "::", port));
      };
      this.#server.once("error", onError);
      this.#server.listen({ host, port, ipv6Only: false }, () => {
        this.#server.off("error", onError);
        this.#server.on("error", (error) => this.#logger.error({ err: error }, "tcp server error"));
        this.state = "listening";
        const bound = this.address();
        // Node's listen() does the lesson's three steps at once: socket, bind, listen.
        const at = formatAddress(bound.address, bound.port);
        for (const step of ["socket", "bind", "listen"] as const) this.#trace?.({ step, protocol: "tcp", peer: at });
        resolve(bound);
      });
    });
  }

  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  statistics(): TcpServerStatistics {
    let bytesReceived = this.#statistics.bytesReceived;
    let bytesSent = this.#statistics.bytesSent;
    for (const connection of this.#connections) {
      bytesReceived += connection.bytesReceived;
      bytesSent += connection.bytesSent;
    }
    return { ...this.#statistics, connectionsActive: this.#connections.size, bytesReceived, bytesSent };
  }

  /** The connections open now. */
  connections(): IterableIterator<TcpConnection> {
    return this.#connections.values();
  }

  /**
   * Stops accepting, lets each connection answer what it has received and close, and
   * resolves when all are closed. After `drainTimeoutMs` the rest are destroyed; the
   * promise then resolves with the count destroyed. Safe to call twice.
   */
  close(drainTimeoutMs = 10_000): Promise<number> {
    if (this.#closing === undefined) this.#closing = this.#drain(drainTimeoutMs);
    return this.#closing.then(() => this.#forcedCount);
  }

  #forcedCount = 0;

  async #drain(drainTimeoutMs: number): Promise<void> {
    if (this.state === "idle") {
      this.state = "closed";
      return;
    }
    this.state = "draining";
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of this.#connections) {
      // Whatever the kernel holds that we have not read yet was never received: stop
      // reading, answer what was, and close our side.
      connection.socket.pause();
      connection.finish();
    }
    if (this.#connections.size > 0) {
      const allClosed = new Promise<void>((resolve) => this.once("idle", resolve));
      const timer = new Promise<void>((resolve) => setTimeout(resolve, drainTimeoutMs).unref());
      await Promise.race([allClosed, timer]);
      this.#forcedCount = this.#connections.size;
      for (const connection of this.#connections) connection.socket.destroy();
    }
    await stopped;
    this.state = "closed";
  }

  #accept(socket: Socket): void {
    if (this.state !== "listening") {
      socket.destroy();
      return;
    }
    this.#statistics.connectionsAccepted++;
    const peer = formatAddress(unmapIPv4(socket.remoteAddress ?? "?"), socket.remotePort ?? 0);
    if (this.#options.idleTimeoutMs > 0) socket.setTimeout(this.#options.idleTimeoutMs);
    this.#trace?.({ step: "accept", protocol: "tcp", peer, note: t("trace.newSocket") });
    const connection = new TcpConnection(
      socket,
      createUppercaser(this.#options.transform),
      peer,
      {
        onClose: (closed) => {
          this.#connections.delete(closed);
          this.#statistics.bytesReceived += closed.bytesReceived;
          this.#statistics.bytesSent += closed.bytesSent;
          this.emit("connection-closed", closed);
          if (this.#connections.size === 0) this.emit("idle");
        },
        onError: (failed, error: NodeJS.ErrnoException) => {
          this.#statistics.errors++;
          this.#logger.debug({ peer: failed.peer, code: error.code }, "connection error");
          failed.socket.destroy();
        },
      },
      this.#trace,
    );
    this.#connections.add(connection);
    this.emit("connection", connection);
  }
}
