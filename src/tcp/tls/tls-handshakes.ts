/**
 * The TLS handshake of each accepted TCP socket (`--tls`), before it is served: the bytes
 * already read (after a PROXY header) go in first, a handshake that takes too long or fails
 * is counted by reason and logged (at most once a second per reason), and the connection is
 * served on the TLS socket once the handshake is done. A socket still in its handshake holds
 * a connection slot, so the timeout bounds how long a silent client can hold one.
 */

import { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import { type SecureContext, TLSSocket } from "node:tls";
import type { RateLimitedLog } from "../../observability/rate-limited-log.js";
import { DrainQuietChecks } from "../drain-quiet.js";
import type { TcpServerStatistics } from "../tcp-server-options.js";
import { HANDSHAKE_FAILURES, type HandshakeFailure, handshakeFailure } from "./handshake-failure.js";

export interface TlsHandshakeHandlers {
  /** The handshake is done: serve the connection on `secured`, which has read nothing yet. */
  secured(secured: TLSSocket): void;
  /** The handshake failed or timed out: the socket is gone (counted and logged already). */
  failed(): void;
}

/** The TCP socket under each TLS socket this server made: a reset (RST) is a TCP matter. */
const tcpSockets = new WeakMap<Socket, Socket>();

/**
 * Closes `socket` with a reset (RST, not FIN): on a TLS socket, its TCP socket (Node refuses
 * `resetAndDestroy()` on the TLS one).
 */
export function resetSocket(socket: Socket): void {
  (tcpSockets.get(socket) ?? socket).resetAndDestroy();
}

/**
 * @example
 * ```ts
 * import { once } from "node:events";
 * import { type AddressInfo, connect, createServer } from "node:net";
 * import * as tls from "node:tls";
 * import { createLogger } from "../../observability/logger.js";
 * import { RateLimitedLog } from "../../observability/rate-limited-log.js";
 * import { TCP_DEFAULTS } from "../tcp-server-options.js";
 * import { generateSelfSigned, selfSignedNames } from "./self-signed.js";
 * import { TlsHandshakes } from "./tls-handshakes.js";
 * const { certPem, keyPem } = await generateSelfSigned(selfSignedNames("127.0.0.1"));
 * const context = tls.createSecureContext({ cert: certPem, key: keyPem });
 * const timeoutMs = TCP_DEFAULTS.tlsHandshakeTimeoutMs; // a silent client holds its socket this long at most
 * const handshakes = new TlsHandshakes(context, timeoutMs, new RateLimitedLog(createLogger()));
 * // Accepted paused: nothing is read before the handshake has the socket.
 * const server = createServer({ pauseOnConnect: true }, (socket) =>
 *   handshakes.start(socket, Buffer.alloc(0), {
 *     secured: (secured) => {
 *       secured.once("data", (line) => secured.end(line.toString().toUpperCase()));
 *       secured.resume(); // it comes paused, so it can be set up first
 *     },
 *     failed: () => {}, // the socket is closed, counted and logged already ("TLS handshake failed")
 *   }),
 * );
 * server.listen(0, "127.0.0.1");
 * await once(server, "listening");
 * const { port } = server.address() as AddressInfo;
 * const client = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: certPem });
 * client.end("hola\n");
 * (await client.toArray()).join(""); // "HOLA\n"
 * const plain = connect(port, "127.0.0.1", () => plain.write("hola\n")); // no TLS at all
 * plain.on("error", () => {}).resume();
 * await once(plain, "close"); // the server closed it when its handshake failed
 * handshakes.statistics(); // { handshakesCompleted: 1, handshakeFailures: { "not-tls": 1, ... }, connectionsHandshaking: 0 }
 * server.close();
 * ```
 */
export class TlsHandshakes {
  /** Handshakes finished. */
  completed = 0;
  /** Handshakes failed, by reason. */
  readonly failures = Object.fromEntries(HANDSHAKE_FAILURES.map((reason) => [reason, 0])) as Record<
    HandshakeFailure,
    number
  >;
  /** TCP sockets whose handshake is under way. */
  readonly #pending = new Set<Socket>();
  /** Those the drain closed: the server ended them, so they are no failure of the client's. */
  readonly #closedByServer = new WeakSet<Socket>();
  /** Once the drain began: handshakes under way, and any begun after, closed when quiet. */
  readonly #drainChecks = new DrainQuietChecks(
    (socket) => this.#pending.has(socket),
    (socket) => {
      this.#closedByServer.add(socket);
      socket.destroy();
    },
  );

  constructor(
    readonly secureContext: SecureContext,
    readonly handshakeTimeoutMs: number,
    readonly log: RateLimitedLog,
    /** Called once a handshake is over either way (a drain may be waiting for the last one). */
    readonly onSettled: () => void = () => {},
  ) {}

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** What `TcpServer.statistics().tls` reports. */
  statistics(): NonNullable<TcpServerStatistics["tls"]> {
    return {
      handshakesCompleted: this.completed,
      handshakeFailures: { ...this.failures },
      connectionsHandshaking: this.#pending.size,
    };
  }

  /**
   * Starts the server side of the handshake on `socket` (accepted, paused, nothing read but
   * `initial`, the bytes that came after a PROXY header).
   */
  start(socket: Socket, initial: Buffer, handlers: TlsHandshakeHandlers): void {
    const peer = socket.remoteAddress;
    // Read again by the TLS socket when it starts (Node feeds it what the TCP socket holds).
    if (initial.length > 0) socket.unshift(Buffer.from(initial));
    const secured = new TLSSocket(socket, { isServer: true, secureContext: this.secureContext });
    tcpSockets.set(secured, socket);
    this.#pending.add(socket);
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      this.#pending.delete(socket);
      secured.off("error", onError);
      secured.off("end", onEnd);
      socket.off("close", onClose);
      return true;
    };
    const fail = (error: NodeJS.ErrnoException) => {
      if (!settle()) return;
      if (!this.#closedByServer.has(socket)) {
        const reason = handshakeFailure(error);
        this.failures[reason]++;
        const detail = error.code ?? error.message;
        this.log.warn(reason, () => ({ peer, detail }), "TLS handshake failed");
      }
      secured.destroy();
      socket.destroy();
      handlers.failed();
      this.onSettled();
    };
    const onError = (error: NodeJS.ErrnoException) => fail(error);
    const onClose = () =>
      fail(Object.assign(new Error("closed before the TLS handshake"), { code: "ERR_TLS_CLOSED_BEFORE_HANDSHAKE" }));
    // The server's sockets allow half-open, so a client's FIN closes nothing by itself; but a
    // client that has ended its side can never finish a handshake: its slot is free at once.
    const onEnd = onClose;
    const timer = setTimeout(
      () => fail(Object.assign(new Error("TLS handshake timeout"), { code: "ERR_TLS_HANDSHAKE_TIMEOUT" })),
      this.handshakeTimeoutMs,
    );
    secured.on("error", onError);
    secured.once("end", onEnd);
    socket.once("close", onClose);
    this.#drainChecks.watch(socket);
    // The server side of a TLSSocket says "secure" when its handshake is done.
    secured.once("secure", () => {
      if (!settle()) return;
      this.completed++;
      // Its data waits until the connection is set up and resumes it.
      secured.pause();
      handlers.secured(secured);
      this.onSettled();
    });
  }

  /**
   * The server is stopping: a handshake still moving goes on (its client is owed its answers
   * once it is done); one whose client sent nothing for `quietMs` is owed nothing and is closed.
   */
  drain(quietMs: number): void {
    this.#drainChecks.begin(quietMs, this.#pending);
  }

  /** At the drain deadline: every handshake still under way is reset; resolves when all are closed. */
  resetPending(): { count: number; closed: Promise<void> } {
    const sockets = [...this.#pending];
    const closed = Promise.all(
      sockets.map((socket) => new Promise<void>((resolve) => socket.once("close", () => resolve()))),
    ).then(() => {});
    for (const socket of sockets) {
      this.#closedByServer.add(socket);
      socket.resetAndDestroy();
    }
    return { count: sockets.length, closed };
  }
}
