/**
 * The TCP side of mayus: socket, bind, listen, then accept each client on a socket of its
 * own and serve it as a `TcpConnection`. Many clients at once, each independent, within
 * named limits: connections in total and per client address, idle and stall timeouts, and
 * bytes buffered per connection and in all.
 */

import { Buffer } from "node:buffer";
import { EventEmitter } from "node:events";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { formatAddress } from "../address/address.js";
import { listenError } from "../errors.js";
import { t } from "../i18n/index.js";
import { SharedReadBuffer } from "../io/shared-read-buffer.js";
import { PendingListen } from "../lifecycle/pending-listen.js";
import type { ServerState } from "../lifecycle/server-state.js";
import { logFailedProbes } from "../node-internals/probes.js";
import { acceptWithSettledOptions } from "../node-internals/tcp-accept.js";
import { probeListeningHandle, setNoDelayOnListener } from "../node-internals/tcp-handle.js";
import { type Logger, silentLogger } from "../observability/logger.js";
import type { Tracer } from "../observability/trace.js";
import { type Uppercaser, uppercaserFactory } from "../transform/index.js";
import { KERNEL_READ_WINDOW_BYTES, kernelReadWindow } from "../transform/latin-kernel.js";
import { TcpAdmission } from "./admission.js";
import { type BatchedReads, batchedReads } from "./batched-reads.js";
import { BufferBudget } from "./buffer-budget.js";
import { ConnectionRegistry } from "./connection-registry.js";
import { IdleSweeper } from "./idle-sweeper.js";
import { closeAfterBacklog } from "./listener-close.js";
import { PreServe } from "./pre-serve.js";
import { type ReadPath, SHARED_READ_BUFFER_BYTES, SocketReader } from "./socket-reader.js";
import { TcpConnection, type TcpConnectionEvents, type TcpConnectionLimits } from "./tcp-connection.js";
import {
  type ResolvedTcpServerOptions,
  resolveTcpServerOptions,
  TCP_DEFAULTS,
  type TcpDrainReport,
  type TcpServerOptions,
  type TcpServerStatistics,
} from "./tcp-server-options.js";

/** The listen backlog (Node's default, said here because the TCP_NODELAY count below depends on it). */
export const LISTEN_BACKLOG = 511;

/** The events a `TcpServer` emits, with their arguments: `server.on("connection", (connection) => …)`. */
export interface TcpServerEvents {
  /** A client was accepted (past the limits) and is served. */
  connection: [connection: TcpConnection];
  /** A served connection closed, its statistics final. */
  "connection-closed": [connection: TcpConnection];
  /** No connection is open any more (while draining: the drain is done). */
  idle: [];
}

/**
 * @example
 * ```ts
 * import { TcpServer } from "./tcp-server.js";
 * const server = new TcpServer({ host: "127.0.0.1", port: 0 });
 * const { port } = await server.listen();
 * // ... connect to port, send "abc", receive "ABC" ...
 * const report = await server.close(); // { connectionsFinished, connectionsReset, bytesDiscarded }
 * ```
 */
export class TcpServer extends EventEmitter<TcpServerEvents> {
  state: ServerState = "idle";
  readonly options: Readonly<ResolvedTcpServerOptions>;
  readonly #logger: Logger;
  readonly #trace: Tracer | undefined;
  /** Who is served: --allow/--deny, connections per address, refusals counted and logged. */
  readonly #admission: TcpAdmission;
  readonly #server: Server;
  readonly #connections = new ConnectionRegistry<TcpConnection>();
  /** Each accepted socket's PROXY header, admission and TLS handshake, before it is a connection. */
  readonly #preServe: PreServe;
  readonly #budget: BufferBudget;
  readonly #idleSweeper: IdleSweeper;
  /** A fresh uppercaser per connection, from options checked once. */
  readonly #newUppercaser: () => Uppercaser;
  /** Where every connection's reads come from (SocketReader): batched, a shared buffer, or `data` events. */
  readonly #readSource: BatchedReads | SharedReadBuffer | undefined;
  readonly #errors: Record<string, number> = {};
  readonly #closedTotals = { bytesReceived: 0, bytesSent: 0, bytesDiscarded: 0 };
  #connectionsAccepted = 0;
  /** Every socket accepted or handed over, refused ones too (see closeAfterBacklog). */
  #socketsAccepted = 0;
  #closing: Promise<TcpDrainReport> | undefined;
  /** Connections accepted (or handed over) after the drain began: served, then reported. */
  readonly #acceptedWhileDraining: TcpConnection[] = [];
  readonly #pendingListen = new PendingListen();
  /** The same for every connection: made once, not per accept. */
  readonly #connectionLimits: TcpConnectionLimits;
  readonly #connectionEvents: TcpConnectionEvents;
  /**
   * Sockets still to accept that may lack TCP_NODELAY: all of them until the listening socket
   * has it (then new connections inherit it), and then those the kernel completed before, at
   * most a full accept queue (the backlog, plus one).
   */
  #acceptsToSetNoDelay = Number.POSITIVE_INFINITY;

  constructor(options: TcpServerOptions = {}) {
    super();
    this.options = resolveTcpServerOptions(options);
    this.#newUppercaser = uppercaserFactory(this.options.transform);
    this.#logger = options.logger ?? silentLogger();
    this.#trace = options.trace;
    this.#admission = new TcpAdmission(
      this.options.maxConnectionsPerAddress,
      options.addressFilter,
      this.#logger,
      this.#trace,
    );
    const tls = options.tls;
    this.#preServe = new PreServe(this.options, tls, this.#admission, this.#logger, {
      accepting: () => this.state === "listening" || this.state === "draining",
      open: (socket, reader, address, remotePort, initial) => this.#open(socket, reader, address, remotePort, initial),
      left: () => {
        if (this.state === "draining" && this.#isIdle()) this.emit("idle");
      },
    });
    this.#budget = new BufferBudget(this.options.maxBufferedBytesTotal);
    this.#idleSweeper = new IdleSweeper(this.options.idleTimeoutMs, () => this.#connections);
    this.#connectionLimits = {
      maxBufferedBytes: this.options.maxBufferedBytesPerConnection,
      stallTimeoutMs: this.options.stallTimeoutMs,
      budget: this.#budget,
      idleClock: this.#idleSweeper,
    };
    this.#connectionEvents = {
      onClose: (closed) => this.#closed(closed),
      onError: (failed, error) => {
        const kind = error.code ?? "other";
        this.#errors[kind] = (this.#errors[kind] ?? 0) + 1;
        if (this.#logger.isLevelEnabled("debug")) {
          this.#logger.debug({ peer: failed.peer, code: kind }, "connection closed by an error");
        }
        failed.socket.destroy();
      },
    };
    // TLS reads go through the TLS socket (Node's own reads): no shared buffer under it. Reads
    // land in the uppercase kernel's memory, which uppercases them there, with no copy.
    const batched = this.options.readInBatches ? batchedReads() : undefined;
    this.#readSource =
      !this.options.readIntoSharedBuffer || tls !== undefined
        ? undefined
        : (batched ??
          new SharedReadBuffer(
            KERNEL_READ_WINDOW_BYTES >= SHARED_READ_BUFFER_BYTES
              ? kernelReadWindow().subarray(0, SHARED_READ_BUFFER_BYTES)
              : Buffer.allocUnsafe(SHARED_READ_BUFFER_BYTES),
          ));
    // Paused at accept: a socket may be switched to the shared read buffer only before its first read.
    // TCP_NODELAY (answers are small and must not wait for an ACK): see #acceptsToSetNoDelay.
    const serverOptions = { allowHalfOpen: true, pauseOnConnect: true };
    this.#server = createServer(serverOptions, (socket) => this.#accept(socket));
    // Node closes connections past this at accept and tells us with "drop".
    this.#server.maxConnections = this.options.maxConnections;
    this.#server.on("drop", (data) => this.#admission.refuse("max-connections", data?.remoteAddress));
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
      this.#server.listen({ host, port, ipv6Only: false, backlog: LISTEN_BACKLOG }, () => {
        this.#server.off("error", onError);
        if (setNoDelayOnListener(this.#server)) this.#acceptsToSetNoDelay = LISTEN_BACKLOG + 1;
        // Node 20: each accepted socket made without three new hidden classes (see the module).
        acceptWithSettledOptions(this.#server);
        this.#server.on("error", (error) => this.#logger.error({ err: error }, "tcp server error"));
        this.state = "listening";
        this.#idleSweeper.start();
        probeListeningHandle(this.#server);
        logFailedProbes(this.#logger);
        const bound = this.address();
        // Node's listen() does the lesson's three steps at once: socket, bind, listen.
        const at = formatAddress(bound.address, bound.port);
        for (const step of ["socket", "bind", "listen"] as const) this.#trace?.({ step, protocol: "tcp", peer: at });
        resolve(bound);
      });
    });
  }

  /**
   * How this server asks for its connections to be read (SocketReader): "batched" where the
   * native module is built, unless its options say otherwise. A socket the batched path cannot
   * take (Node reads it and cannot be stopped) reads by `data` events.
   */
  get readPath(): ReadPath {
    const source = this.#readSource;
    if (source === undefined) return "data events";
    return source instanceof SharedReadBuffer ? "shared buffer" : "batched";
  }

  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  /**
   * Serves connections that another process accepted and hands over with `adopt()` (a
   * cluster primary that owns the listening socket), instead of listening here.
   */
  serveHandedOver(): void {
    if (this.state !== "idle") throw new Error(`TcpServer.serveHandedOver() when ${this.state}`);
    this.state = "listening";
    this.#idleSweeper.start();
  }

  /**
   * Serves a socket accepted elsewhere, which must not have been read from yet. Also while
   * draining: it was accepted before the drain began, so its client is owed its answers.
   */
  adopt(socket: Socket): void {
    // As the server's own accepts are made (see the constructor).
    socket.allowHalfOpen = true;
    socket.setNoDelay(true);
    if (this.state === "closed" || this.state === "idle") {
      this.#admission.refuse("draining", socket.remoteAddress);
      socket.resetAndDestroy();
      return;
    }
    if (this.#connections.size + this.#preServe.pendingCount >= this.options.maxConnections) {
      this.#admission.refuse("max-connections", socket.remoteAddress, socket);
      return;
    }
    this.#accept(socket);
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
      refused: this.#admission.refused(),
      errors: { ...this.#errors },
      ...totals,
      bufferedBytes: this.#budget.usedBytes,
      ...this.#preServe.statistics(),
    };
  }

  /**
   * Stops accepting and drains: every open connection is still read and answered until its
   * client ends its stream or goes quiet for `drainQuietMs`; after `drainTimeoutMs` the rest
   * are reset (RST), so their clients can tell. Resolves when all are closed, with a
   * `TcpDrainReport`: how many connections finished, how many were reset, and the bytes read
   * and never answered (see `TcpDrainReport.bytesDiscarded`). Safe to call twice (the second call gets the same
   * report).
   */
  close(drainTimeoutMs: number = TCP_DEFAULTS.drainTimeoutMs): Promise<TcpDrainReport> {
    this.#closing ??= this.#drain(drainTimeoutMs);
    return this.#closing;
  }

  async #drain(drainTimeoutMs: number): Promise<TcpDrainReport> {
    const report: TcpDrainReport = { connectionsFinished: 0, connectionsReset: 0, bytesDiscarded: 0 };
    // A close() right after listen() (a signal during startup) closes what that listen opens.
    const pendingListen = this.#pendingListen.settled;
    if (pendingListen !== undefined) await pendingListen;
    if (this.state === "idle") {
      this.state = "closed";
      return report;
    }
    this.#idleSweeper.stop();
    this.state = "draining";
    // Every connection the kernel completed before the listener closes is accepted and served.
    const stopped = this.#server.listening
      ? new Promise<void>((resolve) => this.#server.once("close", () => resolve()))
      : Promise.resolve();
    await closeAfterBacklog(this.#server, () => this.#socketsAccepted);
    const draining = [...this.#connections];
    for (const connection of draining) connection.drain(this.options.drainQuietMs);
    // Sockets still sending their PROXY header or in their handshake go on while bytes come.
    this.#preServe.drain(this.options.drainQuietMs);
    if (!this.#isIdle()) {
      let timer: NodeJS.Timeout | undefined;
      const allClosed = new Promise<void>((resolve) => this.once("idle", resolve));
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, drainTimeoutMs);
      });
      await Promise.race([allClosed, expired]);
      clearTimeout(timer);
      const closes = [...this.#connections].map(
        (connection) => new Promise<void>((resolve) => connection.socket.once("close", () => resolve())),
      );
      for (const connection of this.#connections) connection.reset();
      const pending = this.#preServe.resetPending();
      report.connectionsReset += pending.count;
      await Promise.all([...closes, pending.closed]);
    }
    await stopped;
    for (const connection of [...draining, ...this.#acceptedWhileDraining]) {
      if (connection.drainOutcome === "reset") report.connectionsReset++;
      else report.connectionsFinished++;
      report.bytesDiscarded += connection.bytesDiscarded;
    }
    this.state = "closed";
    return report;
  }

  #accept(socket: Socket): void {
    this.#socketsAccepted++;
    // Accepted after the drain began (the kernel had completed it before the listener closed,
    // or a cluster primary had): its client is owed its answers like any other.
    if (this.state !== "listening" && this.state !== "draining") {
      this.#admission.refuse("draining", socket.remoteAddress, socket);
      return;
    }
    if (this.#acceptsToSetNoDelay > 0) {
      this.#acceptsToSetNoDelay--;
      socket.setNoDelay(true);
    }
    const reader = new SocketReader(socket, this.#readSource);
    this.#preServe.start(socket, reader);
  }

  /** Serves a connection past the limits: its bytes are read, uppercased and answered from now on. */
  #open(socket: Socket, reader: SocketReader, address: string, remotePort: number | undefined, initial: Buffer): void {
    const draining = this.state === "draining";
    this.#connectionsAccepted++;

    const uppercaser = this.#newUppercaser();
    const peer = { address, port: remotePort ?? 0 };
    const connection = new TcpConnection(
      socket,
      reader,
      uppercaser,
      peer,
      this.#connectionLimits,
      this.#connectionEvents,
      this.#trace,
    );
    if (this.#trace !== undefined) {
      const note =
        socket instanceof TLSSocket
          ? t("tls.traceAccepted", { version: socket.getProtocol() ?? "TLS" })
          : t("trace.newSocket");
      this.#trace({ step: "accept", protocol: "tcp", peer: connection.peer, note });
    }
    // Checked first: the fields (the peer formatted) would be built for every connection.
    if (this.#logger.isLevelEnabled("debug")) this.#logger.debug({ peer: connection.peer }, "connection accepted");
    this.#connections.add(connection);
    if (draining) {
      this.#acceptedWhileDraining.push(connection);
      connection.drain(this.options.drainQuietMs);
    }
    this.emit("connection", connection);
    connection.receiveInitial(initial);
    // Accepted paused; stay paused if answering the bytes after a PROXY header already hit a bound.
    if (!connection.isPaused) reader.resume();
  }

  #closed(connection: TcpConnection): void {
    this.#connections.delete(connection);
    // The address admitted before serving (unmapped, or the one the PROXY header named).
    this.#admission.release(connection.remoteAddress);
    this.#closedTotals.bytesReceived += connection.bytesReceived;
    this.#closedTotals.bytesSent += connection.bytesSent;
    this.#closedTotals.bytesDiscarded += connection.bytesDiscarded;
    if (this.#logger.isLevelEnabled("debug")) {
      this.#logger.debug(
        { peer: connection.peer, bytesReceived: connection.bytesReceived, bytesSent: connection.bytesSent },
        "connection closed",
      );
    }
    this.emit("connection-closed", connection);
    if (this.#isIdle()) this.emit("idle");
  }

  /** No connection open, no socket in its PROXY header or TLS handshake: a drain is over. */
  #isIdle(): boolean {
    return this.#connections.size === 0 && this.#preServe.pendingCount === 0;
  }
}
