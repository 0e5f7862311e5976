/**
 * The native load engine for closed-loop plain-TCP ping-pong and connect runs: load-loop.c
 * drives the sockets from one epoll, and this generator keeps the run's timeline and tally
 * in JavaScript, calling it for short slices back to back.
 */

import type { Buffer } from "node:buffer";
import { isIP } from "node:net";
import { getSystemErrorName } from "node:util";
import { formatAddress } from "../address/address.js";
import { connectError } from "../errors.js";
import { type LoadedNativeModule, loadNativeModule } from "../io/native-module.js";
import { type GeneratorPlan, type LoadEngine, LoadGenerator } from "./generator.js";
import { buildMessage } from "./payload.js";

/** The functions of load-loop.c (its opening comment says what each does). */
export interface LoadLoop {
  open(address: string, port: number, pattern: number, connections: number, payload: Buffer, expected: Buffer): object;
  run(handle: object, sliceMs: number, budget: number, counters: Float64Array, latenciesNs: Float64Array): number;
  close(handle: object): void;
}

let loaded: LoadedNativeModule<LoadLoop> | undefined;

/**
 * The native functions, or undefined where the module was not built, does not load, or
 * MAYUS_NATIVE=0 (`unavailable` says why). Loaded on first use: `mayus serve` never maps it.
 */
export function loadLoop(): LoadedNativeModule<LoadLoop> {
  loaded ??= loadNativeModule<LoadLoop>("load-loop", ["open", "run", "close"]);
  return loaded;
}

/**
 * Longest a slice runs before JavaScript gets the thread back: timers (duration, warm-up,
 * progress), worker messages and signals wait at most this long.
 */
const SLICE_MS = 20;
/** Latencies one slice can hand back (load-loop.c stops a slice before it could overflow). */
const LATENCY_SLOTS = 16_384;
/** The layout of `run`'s counters (load-loop.c, enum counter). */
const Counter = {
  messages: 0,
  bytesSent: 1,
  bytesReceived: 2,
  wrongAnswers: 3,
  connectionErrors: 4,
  started: 5,
  inFlight: 6,
  live: 7,
  openState: 8,
  count: 9,
} as const;
const PATTERN_CODES = { pingpong: 0, connect: 1 } as const;

/**
 * Whether the native engine measures the same thing the TypeScript generator would: plain
 * TCP (no TLS), ping-pong or connect, closed loop, a numeric address without a zone.
 */
export function nativeLoadFits(plan: GeneratorPlan): boolean {
  return (
    plan.protocol === "tcp" &&
    plan.tls === undefined &&
    plan.ratePerSecond === undefined &&
    (plan.pattern === "pingpong" || plan.pattern === "connect") &&
    isIP(plan.address) !== 0 &&
    !plan.address.includes("%")
  );
}

/**
 * @example
 * ```ts
 * import { NativeTcpLoadGenerator, loadLoop } from "./native-tcp-load.js";
 * const { module } = loadLoop();
 * if (module !== undefined) {
 *   const generator = new NativeTcpLoadGenerator(module, { protocol: "tcp", address: "127.0.0.1", host: "127.0.0.1",
 *     port: 12000, connections: 4, pattern: "pingpong", sizeBytes: 512, mode: "unicode", text: "ascii", udpTimeoutMs: 1000 });
 *   await generator.open();
 *   generator.start();
 *   generator.beginMeasurement(100);
 *   await generator.done;
 *   generator.stop();
 * }
 * ```
 */
export class NativeTcpLoadGenerator extends LoadGenerator {
  override readonly engine: LoadEngine = "native";
  readonly #loop: LoadLoop;
  readonly #handle: object;
  readonly #counters = new Float64Array(Counter.count);
  readonly #latenciesNs = new Float64Array(LATENCY_SLOTS);
  #immediate: NodeJS.Immediate | undefined;
  #closed = false;

  constructor(loop: LoadLoop, plan: GeneratorPlan) {
    super(plan);
    if (plan.pattern !== "pingpong" && plan.pattern !== "connect") throw new Error(`no native ${plan.pattern} load`);
    const { payload, expected } = buildMessage(plan.sizeBytes, plan.text, plan);
    this.#loop = loop;
    this.#handle = loop.open(plan.address, plan.port, PATTERN_CODES[plan.pattern], plan.connections, payload, expected);
  }

  /** Connects every connection (ping-pong) or one probe (connect); rejects as the TypeScript generator does. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const step = (): void => {
        this.#immediate = undefined;
        if (!this.#closed) this.#slice();
        const state = this.#counters[Counter.openState] ?? 0;
        if (this.#closed || state === 1) {
          resolve();
          return;
        }
        if (state === 0) {
          this.#immediate = setImmediate(step);
          return;
        }
        this.stop();
        const code = getSystemErrorName(state);
        const address = formatAddress(this.plan.address, this.plan.port);
        const error: NodeJS.ErrnoException = Object.assign(new Error(`connect ${code} ${address}`), {
          code,
          errno: state,
          syscall: "connect",
        });
        reject(connectError(error, this.plan.host, address));
      };
      step();
    });
  }

  start(): void {
    const pump = (): void => {
      this.#immediate = undefined;
      if (this.stopped || this.#closed) return;
      this.#slice();
      // setImmediate, not a loop: timers, worker messages and signals run between slices.
      if (!this.stopped && !this.#closed) this.#immediate = setImmediate(pump);
    };
    pump();
  }

  stop(): void {
    this.stopped = true;
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    if (this.#closed) return;
    this.#closed = true;
    this.#loop.close(this.#handle);
  }

  /** One slice of the loop, and what it did added to the tally. */
  #slice(): void {
    const counters = this.#counters;
    const latencies = this.#latenciesNs;
    const opening = counters[Counter.openState] !== 1;
    const budget = opening ? 0 : this.budgetLeft;
    const recorded = this.#loop.run(this.#handle, SLICE_MS, budget, counters, latencies);
    const tally = this.tally;
    tally.messages += counters[Counter.messages] ?? 0;
    tally.bytesSent += counters[Counter.bytesSent] ?? 0;
    tally.bytesReceived += counters[Counter.bytesReceived] ?? 0;
    tally.wrongAnswers += counters[Counter.wrongAnswers] ?? 0;
    tally.connectionErrors += counters[Counter.connectionErrors] ?? 0;
    this.takeBudget(counters[Counter.started] ?? 0);
    this.inFlight = counters[Counter.inFlight] ?? 0;
    for (let index = 0; index < recorded; index++) tally.histogram.record(latencies[index] ?? 1);
    if (opening) return;
    // Every persistent connection is gone (closed or reset by the server): nothing more to measure.
    if (this.plan.pattern === "pingpong" && counters[Counter.live] === 0) this.finishEarly();
    this.checkDone();
  }
}
