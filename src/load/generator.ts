/**
 * What every load generator shares: the plan it runs (its share of the connections), its
 * tally, the budget of messages a `--total-bytes` run may send, and the promise that says
 * it has nothing left to do.
 */

import { performance } from "node:perf_hooks";
import type { ClientTlsOptions } from "../client/tls-connect.js";
import type { TransformMode } from "../transform/index.js";
import type { BenchPattern, BenchText } from "./options.js";
import { Tally } from "./tally.js";

/** How often settle() looks whether the answers in flight are in. */
const SETTLE_POLL_MS = 5;

/** `native`: the C load loop (load-loop.c); `node`: Node's sockets. */
export type LoadEngine = "native" | "node";

/** One thread's share of a run; plain data, so it can be handed to a worker thread. */
export interface GeneratorPlan {
  protocol: "tcp" | "udp";
  /** The server's numeric address (looked up once, before the run). */
  address: string;
  port: number;
  /** As the user wrote it, for error messages. */
  host: string;
  connections: number;
  pattern: BenchPattern;
  sizeBytes: number;
  mode: TransformMode;
  /** The server's language rules, if any (`--locale`). */
  locale?: string;
  text: BenchText;
  /** Messages per second over this share's connections; undefined for a closed loop. */
  ratePerSecond?: number;
  /** Messages this share may send once measuring starts; undefined for no limit. */
  messageBudget?: number;
  udpTimeoutMs: number;
  /** TCP over TLS (`--tls`): plain data, so it crosses to worker threads. */
  tls?: ClientTlsOptions;
}

/**
 * The base of the TCP and UDP generators.
 *
 * @example
 * ```ts
 * import { createGenerator } from "./share.js";
 * const generator = createGenerator({ protocol: "tcp", address: "127.0.0.1", host: "127.0.0.1", port: 12000,
 *   connections: 2, pattern: "pingpong", sizeBytes: 64, mode: "unicode", text: "ascii", udpTimeoutMs: 1000 });
 * await generator.open(); // a TcpLoadGenerator: its connections are open
 * generator.start();
 * generator.beginMeasurement(100); // at most 100 more messages
 * await generator.done;
 * generator.stop();
 * ```
 */
export abstract class LoadGenerator {
  /** What is counted; settle() puts a fresh one in its place, so the measurement's stays as it was. */
  tally = new Tally();
  /** Once true, nothing more is sent and nothing more is counted. */
  stopped = false;
  /** What drives the sockets: Node's (the TypeScript generators) or the native load loop. */
  readonly engine: LoadEngine = "node";
  /** Messages sent and not yet answered, over all connections. */
  inFlight = 0;
  /** Resolves when the budget is spent and answered, or when every connection is gone. */
  readonly done: Promise<void>;
  #remaining = Number.POSITIVE_INFINITY;
  #resolveDone: () => void = () => {};

  constructor(readonly plan: GeneratorPlan) {
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
  }

  /** Connects (TCP) or checks that the server answers (UDP); throws a `MayusError` if not. */
  abstract open(): Promise<void>;
  /** Starts sending on every connection. */
  abstract start(): void;
  /** Stops sending and closes every socket; nothing is left running. */
  abstract stop(): void;

  /** Starts counting afresh; from now on at most `messageBudget` messages are sent. */
  beginMeasurement(messageBudget?: number): void {
    this.tally.reset();
    this.#remaining = messageBudget ?? Number.POSITIVE_INFINITY;
    this.checkDone();
  }

  /**
   * The measurement is over: nothing more is sent, and up to `graceMs` goes to the answers
   * already on their way, counted in a tally nobody reads. So stop() closes connections whose
   * answers are all in, with a FIN, not ones the server is still answering, with a reset that
   * the server under test would count as an error.
   */
  async settle(graceMs: number): Promise<void> {
    this.#remaining = 0;
    this.tally = new Tally();
    const deadline = performance.now() + graceMs;
    while (!this.stopped && this.inFlight > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
  }

  /** Messages the budget still allows (Infinity without a `--total-bytes` budget). */
  get budgetLeft(): number {
    return this.#remaining;
  }

  /** How many of `wanted` messages may be sent now (they are taken from the budget). */
  takeBudget(wanted: number): number {
    const granted = Math.min(wanted, this.#remaining);
    this.#remaining -= granted;
    return granted;
  }

  /** Resolves `done` when the budget is spent and every message sent was answered. */
  checkDone(): void {
    if (this.#remaining === 0 && this.inFlight === 0) this.#resolveDone();
  }

  /** Every connection is gone: there is nothing more to measure. */
  finishEarly(): void {
    this.#resolveDone();
  }
}
