/**
 * A server's listen() under way, kept so that a close() called meanwhile (a signal during
 * startup) can wait for it and close what it opens: shared by TcpServer and UdpServer.
 */

/**
 * @example
 * ```ts
 * import { once } from "node:events";
 * import { createServer } from "node:net";
 * import { PendingListen } from "./pending-listen.js";
 * const server = createServer();
 * const pending = new PendingListen();
 * const bindAndListen = async () => {
 *   server.listen(0, "127.0.0.1");
 *   await once(server, "listening");
 * };
 * const listening = pending.track(bindAndListen());
 * // in close(): a listen still under way settles first
 * if (pending.settled !== undefined) await pending.settled;
 * await listening;
 * server.close();
 * ```
 */
export class PendingListen {
  #settled: Promise<void> | undefined;

  /** Returns `listening` as it is, remembering it until it settles. */
  track<T>(listening: Promise<T>): Promise<T> {
    const settled = listening.then(
      () => {},
      () => {},
    );
    this.#settled = settled;
    settled.then(() => {
      if (this.#settled === settled) this.#settled = undefined;
    });
    return listening;
  }

  /** Undefined when no listen is under way; else resolves (never rejects) once it settles. */
  get settled(): Promise<void> | undefined {
    return this.#settled;
  }
}
