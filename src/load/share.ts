/**
 * One thread's part of a run: the generator for its plan, and its timeline (warm-up, then
 * the measured time, cut short when a `--total-bytes` budget is spent).
 */

import { performance, type RecordableHistogram } from "node:perf_hooks";
import type { GeneratorPlan, LoadEngine, LoadGenerator } from "./generator.js";
import { TcpLoadGenerator } from "./load-generator.js";
import { loadLoop, NativeTcpLoadGenerator, nativeLoadFits } from "./native-tcp-load.js";
import type { TallyCounters } from "./tally.js";
import { UdpLoadGenerator } from "./udp-load.js";

/**
 * After the measured time, how long a TCP share waits for the answers still on their way
 * before it closes its connections (LoadGenerator.settle): twice what they take at the rate
 * measured, at least SETTLE_MIN_MS (a server that answered nothing), at most SETTLE_MAX_MS.
 */
export const SETTLE_MIN_MS = 1_000;
export const SETTLE_MAX_MS = 5_000;

/** The wait for `inFlight` answers from a server that answered `answered` in `elapsedMs`. */
export function settleGraceMs(inFlight: number, answered: number, elapsedMs: number): number {
  const expectedMs = answered > 0 ? (inFlight * elapsedMs) / answered : 0;
  return Math.min(SETTLE_MAX_MS, Math.max(SETTLE_MIN_MS, 2 * expectedMs));
}

/** An interruption that never comes. */
const NEVER = new Promise<void>(() => {});

/** Told when the measured time begins, and when it is over (what comes after is not counted). */
export interface ShareHooks {
  measuring?(): void;
  measured?(): void;
}

/** What a share reports at the end. */
export interface ShareOutcome {
  counters: TallyCounters;
  histogram: RecordableHistogram;
  elapsedMs: number;
  unanswered: number;
  engine: LoadEngine;
}

/**
 * The generator for a plan (TCP or UDP): the native load loop where it is built and measures
 * the same thing (nativeLoadFits), else the TypeScript generator.
 *
 * @example
 * ```ts
 * import { createGenerator } from "./share.js";
 * const generator = createGenerator({ protocol: "udp", address: "127.0.0.1", host: "127.0.0.1", port: 12000,
 *   connections: 1, pattern: "pingpong", sizeBytes: 64, mode: "unicode", text: "ascii", udpTimeoutMs: 1000 });
 * await generator.open(); // a UdpLoadGenerator: its socket has had a first reply
 * generator.stop();
 * ```
 */
export function createGenerator(plan: GeneratorPlan): LoadGenerator {
  if (plan.protocol === "udp") return new UdpLoadGenerator(plan);
  const native = nativeLoadFits(plan) ? loadLoop().module : undefined;
  if (native !== undefined) return new NativeTcpLoadGenerator(native, plan);
  return new TcpLoadGenerator(plan);
}

/**
 * Runs an opened generator: `warmupMs` of load, then `durationMs` measured (or until its
 * budget is answered, or `interrupted` resolves: Ctrl-C), then (TCP) a while (settleGraceMs)
 * for the answers in flight, uncounted, and stops it.
 *
 * @example
 * ```ts
 * import { createGenerator, runShare } from "./share.js";
 * const generator = createGenerator({ protocol: "tcp", address: "127.0.0.1", host: "127.0.0.1", port: 12000,
 *   connections: 1, pattern: "pingpong", sizeBytes: 64, mode: "unicode", text: "ascii", udpTimeoutMs: 1000 });
 * await generator.open();
 * const outcome = await runShare(generator, { warmupMs: 0, durationMs: 200 });
 * outcome.counters.messages; // answers in those 200 ms
 * ```
 */
export async function runShare(
  generator: LoadGenerator,
  timing: { warmupMs: number; durationMs: number },
  phases: ShareHooks = {},
  interrupted: Promise<void> = NEVER,
): Promise<ShareOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
  try {
    if (timing.warmupMs > 0) {
      // Answers to warm-up messages that arrive after it are counted: the pipeline is kept full.
      generator.start();
      await Promise.race([sleep(timing.warmupMs), generator.done, interrupted]);
      clearTimeout(timer);
      generator.beginMeasurement(generator.plan.messageBudget);
    } else {
      generator.beginMeasurement(generator.plan.messageBudget);
      generator.start();
    }
    phases.measuring?.();
    const startedMs = performance.now();
    await Promise.race([sleep(timing.durationMs), generator.done, interrupted]);
    const elapsedMs = performance.now() - startedMs;
    const unanswered = generator.inFlight;
    const { tally, engine } = generator;
    const outcome = { counters: tally.counters(), histogram: tally.histogram, elapsedMs, unanswered, engine };
    phases.measured?.();
    // TCP only: a UDP server has no connection to reset, and a lost datagram's answer never comes.
    if (generator.plan.protocol === "tcp") {
      await generator.settle(settleGraceMs(unanswered, outcome.counters.messages, elapsedMs));
    }
    generator.stopped = true;
    return outcome;
  } finally {
    clearTimeout(timer);
    generator.stop();
  }
}
