/** --proxy-protocol: sockets awaiting their PROXY header, bounded per peer, closed when quiet at a drain. */

import type { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import { unmapIPv4 } from "../../address/address.js";
import type { TcpAdmission } from "../admission.js";
import { DrainQuietChecks } from "../drain-quiet.js";
import type { SocketReader } from "../socket-reader.js";
import { readProxyHeader } from "./proxy-header-reader.js";

export interface ProxyHeaderStageHandlers {
  /** The header named the client (`rest`: its bytes after the header): serve it. */
  serve(
    socket: Socket,
    reader: SocketReader,
    address: string | undefined,
    port: number | undefined,
    rest: Buffer,
  ): void;
  /** A socket left the stage (served, refused, closed): a drain waiting for it may be over. */
  left(): void;
}

/**
 * The step between accept and serve under --proxy-protocol. The peer here is the load
 * balancer, so the limit is per balancer address (`maxAwaitingHeaderPerAddress`); the
 * client's own limits are checked once its header names it.
 */
export class ProxyHeaderStage {
  /** PROXY LOCAL connections with no payload (load balancer health checks), closed quietly. */
  healthChecks = 0;
  /** Sockets accepted but still sending their PROXY header, and their readers. */
  readonly #awaiting = new Map<Socket, SocketReader>();
  /** How many of those come from each peer address (the balancer's). */
  readonly #awaitingPerAddress = new Map<string, number>();
  /** Once the drain began: sockets still waiting, and any that come after, closed when quiet. */
  readonly #drainChecks = new DrainQuietChecks(
    (socket) => this.#awaiting.has(socket),
    (socket) => this.admission.refuse("draining", socket.remoteAddress, socket),
    // The reader's count: batched reads are not Node's, and its socket.bytesRead does not see them.
    (socket) => this.#awaiting.get(socket)?.bytesRead ?? socket.bytesRead,
  );

  constructor(
    readonly maxAwaitingPerAddress: number,
    readonly headerTimeoutMs: number,
    readonly admission: TcpAdmission,
    readonly handlers: ProxyHeaderStageHandlers,
  ) {}

  /** Sockets waiting for their header now. */
  get size(): number {
    return this.#awaiting.size;
  }

  /** Reads `socket`'s header, then hands it to `handlers.serve` (or refuses it). */
  accept(socket: Socket, reader: SocketReader): void {
    const peerAddress = unmapIPv4(socket.remoteAddress ?? "?");
    const awaitingFromPeer = (this.#awaitingPerAddress.get(peerAddress) ?? 0) + 1;
    if (awaitingFromPeer > this.maxAwaitingPerAddress) {
      this.admission.refuse("max-awaiting-header-per-address", peerAddress, socket);
      return;
    }
    this.#awaitingPerAddress.set(peerAddress, awaitingFromPeer);
    this.#awaiting.set(socket, reader);
    this.#drainChecks.watch(socket);
    let awaiting = true;
    const headerDone = () => {
      if (!awaiting) return;
      awaiting = false;
      this.#awaiting.delete(socket);
      const left = (this.#awaitingPerAddress.get(peerAddress) ?? 1) - 1;
      if (left > 0) this.#awaitingPerAddress.set(peerAddress, left);
      else this.#awaitingPerAddress.delete(peerAddress);
      // A drain waiting for the last header (refused, or a health check) is over.
      this.handlers.left();
    };
    socket.once("close", headerDone);
    readProxyHeader(socket, reader, this.headerTimeoutMs, {
      onHeader: (address, port, rest, isLocal) => {
        // A LOCAL header with nothing after it is a load balancer's health check: it
        // proved the server accepts connections; close it quietly, count it apart.
        if (isLocal && rest.length === 0) {
          this.healthChecks++;
          socket.destroy();
        } else this.handlers.serve(socket, reader, address, port, rest);
        // After serve, so that a drain waiting for this header sees its connection.
        headerDone();
      },
      onRefused: (detail) => {
        this.admission.refuse("proxy-header", socket.remoteAddress, socket, detail);
        headerDone();
      },
    });
  }

  /**
   * The drain began: a socket still reading its header goes on while bytes come (the header
   * and the client's bytes may be here already: they are served, draining, once it is read);
   * one that has sent nothing for `quietMs` is owed nothing and is closed.
   */
  drain(quietMs: number): void {
    this.#drainChecks.begin(quietMs, this.#awaiting.keys());
  }

  /** The drain timed out: resets (RST) every socket still waiting; returns how many. */
  resetAll(): number {
    let count = 0;
    for (const socket of this.#awaiting.keys()) {
      count++;
      socket.resetAndDestroy();
    }
    return count;
  }
}
