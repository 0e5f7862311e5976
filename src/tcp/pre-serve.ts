/** The TCP server's steps between accept and serve: the PROXY header, admission, the TLS handshake. */

import { Buffer } from "node:buffer";
import { constants } from "node:crypto";
import type { Socket } from "node:net";
import { createSecureContext, TLSSocket } from "node:tls";
import { unmapIPv4 } from "../address/address.js";
import { descriptorOf } from "../node-internals/tcp-handle.js";
import type { Logger } from "../observability/logger.js";
import { RateLimitedLog } from "../observability/rate-limited-log.js";
import type { TcpAdmission } from "./admission.js";
import { peerAddressOf } from "./peer-address.js";
import { ProxyHeaderStage } from "./proxy/proxy-header-stage.js";
import { SocketReader } from "./socket-reader.js";
import {
  type ResolvedTcpServerOptions,
  TCP_DEFAULTS,
  type TcpServerStatistics,
  type TcpTlsOptions,
} from "./tcp-server-options.js";
import { TlsHandshakes } from "./tls/tls-handshakes.js";

const EMPTY: Buffer = Buffer.alloc(0);

export interface PreServeHandlers {
  /** Whether the server still serves new clients (listening, or draining what it accepted). */
  accepting(): boolean;
  /** Past every step: serve the connection (`initial`: its bytes already read, after a PROXY header). */
  open(socket: Socket, reader: SocketReader, address: string, remotePort: number | undefined, initial: Buffer): void;
  /** A socket left a step (opened, refused, failed): a drain waiting for it may be over. */
  left(): void;
}

/**
 * An accepted socket goes through, in order: its PROXY header (`--proxy-protocol`), so the
 * client is the one the header names; admission of that client (`TcpAdmission`); its TLS
 * handshake (`--tls`). Sockets still in a step are not connections yet, but hold a slot.
 */
export class PreServe {
  /** `--proxy-protocol`: sockets still sending their PROXY header; undefined without it. */
  readonly #proxyHeaders: ProxyHeaderStage | undefined;
  /** `--tls`: each admitted socket's handshake, before it is served; undefined for plain TCP. */
  readonly #tls: TlsHandshakes | undefined;

  constructor(
    options: Readonly<ResolvedTcpServerOptions>,
    tls: TcpTlsOptions | undefined,
    readonly admission: TcpAdmission,
    logger: Logger,
    readonly handlers: PreServeHandlers,
  ) {
    this.#proxyHeaders = options.proxyProtocol
      ? new ProxyHeaderStage(options.maxAwaitingHeaderPerAddress, options.proxyHeaderTimeoutMs, admission, {
          serve: (socket, reader, address, port, rest) => this.#admit(socket, reader, address, port, rest),
          left: handlers.left,
        })
      : undefined;
    this.#tls =
      tls === undefined
        ? undefined
        : new TlsHandshakes(
            // No renegotiation (TLS 1.2; 1.3 has none): each one costs the server a handshake's
            // cryptography, and Node only reports a flood of them, it lets them go on.
            createSecureContext({ cert: tls.cert, key: tls.key, secureOptions: constants.SSL_OP_NO_RENEGOTIATION }),
            tls.handshakeTimeoutMs ?? TCP_DEFAULTS.tlsHandshakeTimeoutMs,
            new RateLimitedLog(logger),
            handlers.left,
          );
  }

  /** Sockets in a step now (a PROXY header or a TLS handshake under way). */
  get pendingCount(): number {
    return (this.#proxyHeaders?.size ?? 0) + (this.#tls?.pendingCount ?? 0);
  }

  /** A socket just accepted, not read from yet: its steps begin. */
  start(socket: Socket, reader: SocketReader): void {
    if (this.#proxyHeaders !== undefined) {
      this.#proxyHeaders.accept(socket, reader);
      return;
    }
    const peer = peerAddressOf(socket, descriptorOf(socket));
    this.#admit(socket, reader, peer.address, peer.port, EMPTY);
  }

  statistics(): Pick<TcpServerStatistics, "healthChecks" | "connectionsAwaitingHeader" | "tls"> {
    return {
      healthChecks: this.#proxyHeaders?.healthChecks ?? 0,
      connectionsAwaitingHeader: this.#proxyHeaders?.size ?? 0,
      ...(this.#tls === undefined ? {} : { tls: this.#tls.statistics() }),
    };
  }

  /** The drain began: each step goes on while its client sends, and is closed once it is quiet. */
  drain(quietMs: number): void {
    this.#proxyHeaders?.drain(quietMs);
    this.#tls?.drain(quietMs);
  }

  /** At the drain deadline: every socket still in a step is reset; `closed` resolves when all are. */
  resetPending(): { count: number; closed: Promise<void> | undefined } {
    const awaitingHeader = this.#proxyHeaders?.resetAll() ?? 0;
    const handshakes = this.#tls?.resetPending();
    return { count: awaitingHeader + (handshakes?.count ?? 0), closed: handshakes?.closed };
  }

  #admit(
    socket: Socket,
    reader: SocketReader,
    remoteAddress: string | undefined,
    remotePort: number | undefined,
    initial: Buffer,
  ): void {
    if (!this.handlers.accepting()) {
      this.admission.refuse("draining", remoteAddress, socket, undefined, remotePort);
      return;
    }
    const address = unmapIPv4(remoteAddress ?? "?");
    // Here, not at accept: under --proxy-protocol the client is the one the header names.
    if (!this.admission.admit(address, socket, remotePort)) return;
    if (this.#tls !== undefined && !(socket instanceof TLSSocket)) {
      // The handshake first (it holds this client's slot); then the connection, on the TLS socket.
      this.#tls.start(socket, initial, {
        secured: (secured) =>
          this.handlers.open(secured, new SocketReader(secured, undefined), address, remotePort, EMPTY),
        failed: () => this.admission.release(address),
      });
      return;
    }
    this.handlers.open(socket, reader, address, remotePort, initial);
  }
}
