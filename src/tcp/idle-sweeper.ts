/**
 * One timer for the idle timeouts of all connections, instead of a timer per socket that
 * is re-armed on every read and write: connections note the current tick when bytes move,
 * and a sweep a few times per timeout closes those that have not moved for long enough.
 */

/** Sweeps per idle timeout: a connection is closed within 1/4 of the timeout after it expires. */
export const SWEEPS_PER_TIMEOUT = 4;

export interface IdleConnection {
  /** The tick at which bytes last moved either way. */
  lastActiveTick: number;
  closeForIdleness(): void;
}

/**
 * @example
 * ```ts
 * import { type IdleConnection, IdleSweeper } from "./idle-sweeper.js";
 * const connections = new Set<IdleConnection>(); // a server's open connections
 * const sweeper = new IdleSweeper(300_000, () => connections);
 * sweeper.start(); // connections set `lastActiveTick = sweeper.tick` when bytes move
 * sweeper.stop();
 * ```
 */
export class IdleSweeper {
  #tick = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly idleTimeoutMs: number,
    readonly connections: () => Iterable<IdleConnection>,
  ) {}

  /** The clock connections read when bytes move (an integer that grows at each sweep). */
  get tick(): number {
    return this.#tick;
  }

  start(): void {
    if (this.idleTimeoutMs <= 0 || this.#timer !== undefined) return;
    const intervalMs = Math.max(1, Math.floor(this.idleTimeoutMs / SWEEPS_PER_TIMEOUT));
    this.#timer = setInterval(() => this.sweep(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Advances the clock and closes every connection idle for a whole timeout. */
  sweep(): void {
    this.#tick++;
    for (const connection of this.connections()) {
      if (this.#tick - connection.lastActiveTick > SWEEPS_PER_TIMEOUT) connection.closeForIdleness();
    }
  }
}
