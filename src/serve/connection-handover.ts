/**
 * The cluster primary's TCP listener: it accepts each client itself and hands the socket to a
 * worker, round robin, over the worker's IPC channel (as Node's own cluster does), but keeps
 * what Node's cluster cannot promise at shutdown: it stops accepting first, then waits until
 * every accepted socket has reached a worker, and only then lets the workers drain. Node's
 * round-robin handle closes the sockets still queued for workers when the last worker stops
 * listening, and their clients are reset with nothing answered.
 */

import type { Worker } from "node:cluster";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { formatAddress } from "../address/address.js";
import { listenError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { Tracer } from "../observability/trace.js";
import { closeAfterBacklog } from "../tcp/listener-close.js";

/** The message a socket travels with to a worker. */
export const HANDOVER_MESSAGE = { type: "mayus:connection" } as const;

export class ConnectionHandover {
  readonly #server: Server;
  readonly #workers: Worker[] = [];
  #next = 0;
  #accepted = 0;
  /** Sockets accepted and sent, whose send has not completed yet. */
  #inFlight = 0;
  #onSettled: Array<() => void> = [];
  /** Sockets accepted while no worker could take them (all had exited): closed with a reset. */
  refusedNoWorker = 0;

  constructor(
    readonly host: string | undefined,
    readonly port: number,
    readonly logger: Logger,
    /** `--trace`: the listener's socket, bind and listen steps are here, in the primary, not in a worker. */
    readonly trace?: Tracer,
  ) {
    // Paused at accept: the bytes stay in the kernel for the worker to read.
    this.#server = createServer({ pauseOnConnect: true }, (socket) => {
      this.#accepted++;
      this.#handOver(socket, 0);
    });
  }

  listen(): Promise<AddressInfo> {
    const { host, port } = this;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, "tcp", host ?? "::", port));
      this.#server.once("error", onError);
      this.#server.listen({ host, port, ipv6Only: false }, () => {
        this.#server.off("error", onError);
        this.#server.on("error", (error) => this.logger.error({ err: error }, "tcp listener error"));
        const bound = this.#server.address() as AddressInfo;
        // Node's listen() does the lesson's three steps at once, as TcpServer traces them.
        const at = formatAddress(bound.address, bound.port);
        for (const step of ["socket", "bind", "listen"] as const) this.trace?.({ step, protocol: "tcp", peer: at });
        resolve(bound);
      });
    });
  }

  /** A worker that serves handed-over sockets (it said it is listening). */
  addWorker(worker: Worker): void {
    this.#workers.push(worker);
  }

  removeWorker(worker: Worker): void {
    const index = this.#workers.indexOf(worker);
    if (index >= 0) this.#workers.splice(index, 1);
  }

  /**
   * Stops accepting, and resolves once every socket accepted so far has been handed over:
   * after that, a message to the workers arrives behind every socket (IPC keeps order).
   */
  async close(timeoutMs: number): Promise<void> {
    await closeAfterBacklog(this.#server, () => this.#accepted);
    if (this.#inFlight === 0) return;
    // Bounded: a send to a worker that dies meanwhile may never report back.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.#onSettled.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  #handOver(socket: Socket, attempt: number): void {
    const worker = this.#pick();
    if (worker === undefined || attempt >= this.#workers.length + 1) {
      this.refusedNoWorker++;
      this.logger.warn({ peer: socket.remoteAddress }, "no worker to hand a connection to: reset");
      socket.resetAndDestroy();
      return;
    }
    this.#inFlight++;
    // keepOpen: our copy of the descriptor stays until the send completes, so a send that
    // fails (the worker just exited) can go to another worker instead.
    worker.send(HANDOVER_MESSAGE, socket, { keepOpen: true }, (error) => {
      if (error) {
        this.removeWorker(worker);
        this.#handOver(socket, attempt + 1);
      } else socket.destroy();
      this.#inFlight--;
      if (this.#inFlight === 0) for (const resolve of this.#onSettled.splice(0)) resolve();
    });
  }

  #pick(): Worker | undefined {
    for (let tries = 0; tries < this.#workers.length; tries++) {
      const worker = this.#workers[this.#next++ % this.#workers.length];
      if (worker.isConnected()) return worker;
    }
    return undefined;
  }
}
