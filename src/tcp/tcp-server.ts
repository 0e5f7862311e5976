/**
 * The TCP side of mayus: socket, bind, listen, then accept each client on a socket of its
 * own and serve it as a `TcpConnection`. Many clients at once, each independent, within
 * named limits: connections in total and per client address, idle and stall timeouts, and
 * bytes buffered per connection and in all.
 */

import { EventEmitter } from "node:events";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { listenError } from "../errors.js";
import { t } from "../i18n/index.js";
import { formatAddress, unmapIPv4 } from "../net/address.js";
import { PendingListen } from "../net/pending-listen.js";
import type { ServerState } from "../net/server-state.js";
import { SharedReadBuffer } from "../net/shared-read-buffer.js";
import { type Logger, silentLogger } from "../observability/logger.js";
import { RateLimitedLog } from "../observability/rate-limited-log.js";
import type { Tracer } from "../observability/trace.js";
import { resolveTransformOptions, type Uppercaser, uppercaserFactory } from "../transform/index.js";
import { BufferBudget } from "./buffer-budget.js";
import { connectionLimitWithinDescriptors } from "./descriptor-limit.js";
import { IdleSweeper } from "./idle-sweeper.js";
import { readProxyHeader } from "./proxy-header-reader.js";
import { SHARED_READ_BUFFER_BYTES, SocketReader } from "./socket-reader.js";
import { TcpConnection } from "./tcp-connection.js";
import {
  type ResolvedTcpServerOptions,
  TCP_DEFAULTS,
  type TcpRefusal,
  type TcpServerOptions,
  type TcpServerStatistics,
} from "./tcp-server-options.js";

const EMPTY: Buffer = Buffer.alloc(0);

/**
 * @example
 * const server = new TcpServer({ host: "127.0.0.1", port: 0 });
 * const { port } = await server.listen();
 * // ... connect to port, send "abc", receive "ABC" ...
 * await server.close();
 */
export class TcpServer extends EventEmitter {
  state: ServerState = "idle";
  readonly options: Readonly<ResolvedTcpServerOptions>;
  readonly #logger: Logger;
  readonly #refusalLog: RateLimitedLog;
  readonly #trace: Tracer | undefined;
  readonly #server: Server;
  readonly #connections = new Set<TcpConnection>();
  /** Sockets accepted but still sending their PROXY header: closed at once when draining. */
  readonly #awaitingHeader = new Set<Socket>();
  readonly #connectionsPerAddress = new Map<string, number>();
  readonly #budget: BufferBudget;
  readonly #idleSweeper: IdleSweeper;
  /** A fresh uppercaser per connection, from options checked once. */
  readonly #newUppercaser: () => Uppercaser;
  /** Where every connection's reads land, answered in place (undefined: `data` events). */
  readonly #sharedReadBuffer: SharedReadBuffer | undefined;
  readonly #refused: Record<TcpRefusal, number> = {
    "max-connections": 0,
    "max-connections-per-address": 0,
    draining: 0,
    "proxy-header": 0,
  };
  readonly #errors: Record<string, number> = {};
  readonly #closedTotals = { bytesReceived: 0, bytesSent: 0, bytesDiscarded: 0 };
  #connectionsAccepted = 0;
  #healthChecks = 0;
  #closing: Promise<number> | undefined;
  readonly #pendingListen = new PendingListen();

  constructor(options: TcpServerOptions = {}) {
    super();
    this.options = {
      host: options.host,
      port: options.port ?? 12000,
      transform: resolveTransformOptions(options.transform),
      maxConnections: connectionLimitWithinDescriptors(options.maxConnections ?? TCP_DEFAULTS.maxConnections),
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? TCP_DEFAULTS.maxConnectionsPerAddress,
      idleTimeoutMs: options.idleTimeoutMs ?? TCP_DEFAULTS.idleTimeoutMs,
      stallTimeoutMs: options.stallTimeoutMs ?? TCP_DEFAULTS.stallTimeoutMs,
      maxBufferedBytesPerConnection:
        options.maxBufferedBytesPerConnection ?? TCP_DEFAULTS.maxBufferedBytesPerConnection,
      maxBufferedBytesTotal: options.maxBufferedBytesTotal ?? TCP_DEFAULTS.maxBufferedBytesTotal,
      proxyProtocol: options.proxyProtocol ?? TCP_DEFAULTS.proxyProtocol,
      proxyHeaderTimeoutMs: options.proxyHeaderTimeoutMs ?? TCP_DEFAULTS.proxyHeaderTimeoutMs,
      readIntoSharedBuffer: options.readIntoSharedBuffer ?? TCP_DEFAULTS.readIntoSharedBuffer,
    };
    this.#newUppercaser = uppercaserFactory(this.options.transform);
    this.#logger = options.logger ?? silentLogger();
    this.#refusalLog = new RateLimitedLog(this.#logger);
    this.#trace = options.trace;
    this.#budget = new BufferBudget(this.options.maxBufferedBytesTotal);
    this.#idleSweeper = new IdleSweeper(this.options.idleTimeoutMs, () => this.#connections);
    this.#sharedReadBuffer = this.options.readIntoSharedBuffer
      ? new SharedReadBuffer(Buffer.allocUnsafe(SHARED_READ_BUFFER_BYTES))
      : undefined;
    // Paused at accept: a socket may be switched to the shared read buffer only before its first read.
    const serverOptions = { allowHalfOpen: true, noDelay: true, pauseOnConnect: true };
    this.#server = createServer(serverOptions, (socket) => this.#accept(socket));
    // Node closes connections past this at accept and tells us with "drop".
    this.#server.maxConnections = this.options.maxConnections;
    this.#server.on("drop", (data) => this.#refuse("max-connections", data?.remoteAddress));
  }

  /** Binds and listens; resolves with the address actually bound. */
  listen(): Promise<AddressInfo> {
    if (this.#closing !== undefined) return Promise.reject(new Error("TcpServer.listen() after close()"));
    return this.#pendingListen.track(this.#listen());
  }

  #listen(): Promise<AddressInfo> {
    const { host, port } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(listenError(error, "tcp", host ?? "::", port));
      };
      this.#server.once("error", onError);
      this.#server.listen({ host, port, ipv6Only: false }, () => {
        this.#server.off("error", onError);
        this.#server.on("error", (error) => this.#logger.error({ err: error }, "tcp server error"));
        this.state = "listening";
        this.#idleSweeper.start();
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

  /** The connections open now. */
  connections(): IterableIterator<TcpConnection> {
    return this.#connections.values();
  }

  statistics(): TcpServerStatistics {
    const totals = { ...this.#closedTotals };
    for (const connection of this.#connections) {
      totals.bytesReceived += connection.bytesReceived;
      totals.bytesSent += connection.bytesSent;
      totals.bytesDiscarded += connection.bytesDiscarded;
    }
    return {
      connectionsAccepted: this.#connectionsAccepted,
      connectionsActive: this.#connections.size,
      refused: { ...this.#refused },
      errors: { ...this.#errors },
      ...totals,
      bufferedBytes: this.#budget.usedBytes,
      healthChecks: this.#healthChecks,
      connectionsAwaitingHeader: this.#awaitingHeader.size,
    };
  }

  /**
   * Stops accepting, lets each connection answer what it has received and close, and
   * resolves when all are closed. After `drainTimeoutMs` the rest are destroyed; the
   * promise resolves with how many were. Safe to call twice.
   */
  close(drainTimeoutMs = 10_000): Promise<number> {
    this.#closing ??= this.#drain(drainTimeoutMs);
    return this.#closing;
  }

  async #drain(drainTimeoutMs: number): Promise<number> {
    // A close() right after listen() (a signal during startup) closes what that listen opens.
    const pendingListen = this.#pendingListen.settled;
    if (pendingListen !== undefined) await pendingListen;
    if (this.state === "idle") {
      this.state = "closed";
      return 0;
    }
    this.#idleSweeper.stop();
    this.state = "draining";
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of this.#connections) connection.shutdown();
    // Nothing of theirs was received yet, so nothing is owed; waiting for their header would
    // hold the close for up to the header timeout.
    for (const socket of this.#awaitingHeader) this.#refuse("draining", socket.remoteAddress, socket);
    this.#awaitingHeader.clear();
    let forced = 0;
    if (this.#connections.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const allClosed = new Promise<void>((resolve) => this.once("idle", resolve));
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, drainTimeoutMs);
      });
      await Promise.race([allClosed, expired]);
      clearTimeout(timer);
      forced = this.#connections.size;
      for (const connection of this.#connections) connection.socket.destroy();
    }
    await stopped;
    this.state = "closed";
    return forced;
  }

  #refuse(reason: TcpRefusal, remoteAddress: string | undefined, socket?: Socket, detail?: string): void {
    this.#refused[reason]++;
    socket?.destroy();
    // Fields built only for a line that is written: a flood of refusals stays cheap.
    const fields = () => ({ peer: remoteAddress && unmapIPv4(remoteAddress), ...(detail ? { detail } : {}) });
    this.#refusalLog.warn(reason, fields, "connection refused");
  }

  #accept(socket: Socket): void {
    if (this.state !== "listening") {
      this.#refuse("draining", socket.remoteAddress, socket);
      return;
    }
    const reader = new SocketReader(socket, this.#sharedReadBuffer);
    if (this.options.proxyProtocol) {
      this.#awaitingHeader.add(socket);
      socket.once("close", () => this.#awaitingHeader.delete(socket));
      readProxyHeader(socket, reader, this.options.proxyHeaderTimeoutMs, {
        onHeader: (address, port, rest, isLocal) => {
          this.#awaitingHeader.delete(socket);
          // A LOCAL header with nothing after it is a load balancer's health check: it
          // proved the server accepts connections; close it quietly, count it apart.
          if (isLocal && rest.length === 0) {
            this.#healthChecks++;
            socket.destroy();
          } else this.#serve(socket, reader, address, port, rest);
        },
        onRefused: (detail) => {
          this.#awaitingHeader.delete(socket);
          this.#refuse("proxy-header", socket.remoteAddress, socket, detail);
        },
      });
    } else this.#serve(socket, reader, socket.remoteAddress, socket.remotePort, EMPTY);
  }

  #serve(
    socket: Socket,
    reader: SocketReader,
    remoteAddress: string | undefined,
    remotePort: number | undefined,
    initial: Buffer,
  ): void {
    if (this.state !== "listening") {
      this.#refuse("draining", remoteAddress, socket);
      return;
    }
    const address = unmapIPv4(remoteAddress ?? "?");
    const fromAddress = (this.#connectionsPerAddress.get(address) ?? 0) + 1;
    if (fromAddress > this.options.maxConnectionsPerAddress) {
      this.#refuse("max-connections-per-address", address, socket);
      return;
    }
    this.#connectionsPerAddress.set(address, fromAddress);
    this.#connectionsAccepted++;

    const limits = {
      maxBufferedBytes: this.options.maxBufferedBytesPerConnection,
      stallTimeoutMs: this.options.stallTimeoutMs,
      budget: this.#budget,
      idleClock: this.#idleSweeper,
    };
    const events = {
      onClose: (closed: TcpConnection) => this.#closed(closed, address),
      onError: (failed: TcpConnection, error: NodeJS.ErrnoException) => {
        const kind = error.code ?? "other";
        this.#errors[kind] = (this.#errors[kind] ?? 0) + 1;
        this.#logger.debug({ peer: failed.peer, code: kind }, "connection closed by an error");
        failed.socket.destroy();
      },
    };
    const uppercaser = this.#newUppercaser();
    const peer = { address, port: remotePort ?? 0 };
    const connection = new TcpConnection(socket, reader, uppercaser, peer, limits, events, this.#trace);
    if (this.#trace !== undefined) {
      this.#trace({ step: "accept", protocol: "tcp", peer: connection.peer, note: t("trace.newSocket") });
    }
    this.#logger.debug({ peer: connection.peer }, "connection accepted");
    this.#connections.add(connection);
    this.emit("connection", connection);
    connection.receiveInitial(initial);
    // Accepted paused; stay paused if answering the bytes after a PROXY header already hit a bound.
    if (!connection.isPaused) socket.resume();
  }

  #closed(connection: TcpConnection, address: string): void {
    this.#connections.delete(connection);
    const remaining = (this.#connectionsPerAddress.get(address) ?? 1) - 1;
    if (remaining > 0) this.#connectionsPerAddress.set(address, remaining);
    else this.#connectionsPerAddress.delete(address);
    this.#closedTotals.bytesReceived += connection.bytesReceived;
    this.#closedTotals.bytesSent += connection.bytesSent;
    this.#closedTotals.bytesDiscarded += connection.bytesDiscarded;
    this.#logger.debug(
      { peer: connection.peer, bytesReceived: connection.bytesReceived, bytesSent: connection.bytesSent },
      "connection closed",
    );
    this.emit("connection-closed", connection);
    if (this.#connections.size === 0) this.emit("idle");
  }
}
