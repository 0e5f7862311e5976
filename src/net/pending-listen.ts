/**
 * A server's listen() under way, kept so that a close() called meanwhile (a signal during
 * startup) can wait for it and close what it opens: shared by TcpServer and UdpServer.
 */

/**
 * @example
 * const pending = new PendingListen();
 * const listening = pending.track(bindAndListen());
 * // in close(): a listen still under way settles first
 * if (pending.settled !== undefined) await pending.settled;
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
