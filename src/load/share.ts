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
 * After the measured time, how long a TCP share waits at most for the answers still on their
 * way before it closes its connections (LoadGenerator.settle).
 */
export const SETTLE_GRACE_MS = 1_000;

/** An interruption that never comes. */
const NEVER = new Promise<void>(() => {});

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
 * budget is answered, or `interrupted` resolves: Ctrl-C), then (TCP) up to SETTLE_GRACE_MS
 * for the answers in flight, uncounted, and stops it. `onMeasure` is called when measuring begins.
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
  onMeasure: () => void = () => {},
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
    onMeasure();
    const startedMs = performance.now();
    await Promise.race([sleep(timing.durationMs), generator.done, interrupted]);
    const elapsedMs = performance.now() - startedMs;
    const unanswered = generator.inFlight;
    const { tally, engine } = generator;
    const outcome = { counters: tally.counters(), histogram: tally.histogram, elapsedMs, unanswered, engine };
    // TCP only: a UDP server has no connection to reset, and a lost datagram's answer never comes.
    if (generator.plan.protocol === "tcp") await generator.settle(SETTLE_GRACE_MS);
    generator.stopped = true;
    return outcome;
  } finally {
    clearTimeout(timer);
    generator.stop();
  }
}
