/**
 * A whole bench run: checks the options, looks the host up once, splits the connections
 * among worker threads (or runs them in this thread), and adds up what they measured.
 */

import { lookup } from "node:dns/promises";
import { createHistogram, performance, type RecordableHistogram } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { formatAddress } from "../address/address.js";
import { connectError, MayusError, usageError } from "../errors.js";
import { getLanguage, t } from "../i18n/index.js";
import { MAX_IPV4_DATAGRAM_BYTES } from "../udp/reply-uppercaser.js";
import type { GeneratorPlan } from "./generator.js";
import type { BenchOptions, BenchResult, LatencySummary } from "./options.js";
import { buildMessage } from "./payload.js";
import { createGenerator, runShare, type ShareOutcome } from "./share.js";
import type { WorkerInput, WorkerMessage } from "./worker.js";

/** Largest UDP payload over IPv6 (65,535 - 8 UDP header; the IPv6 header is not counted). */
const MAX_IPV6_DATAGRAM_BYTES = 65_527;
const PROGRESS_INTERVAL_MS = 250;

/** What the live display is told, every quarter of a second. */
export interface BenchProgress {
  phase: "warmup" | "measure";
  /** Time in the current phase. */
  elapsedMs: number;
  messages: number;
  bytesReceived: number;
  errors: number;
}

/**
 * Runs the load the options describe against a server and returns the measurements; when
 * `interrupted` resolves (Ctrl-C), the measurement ends there, as if its time were up.
 * Throws a `MayusError` for bad options (usage) or a server that is not there.
 *
 * @example
 * ```ts
 * import { BENCH_DEFAULTS } from "./options.js";
 * import { runBench } from "./run-bench.js";
 * const result = await runBench({ ...BENCH_DEFAULTS, host: "127.0.0.1", port: 12000, udp: false, durationMs: 200 });
 * console.log(result.messagesPerSecond, result.latency.p99, result.errors.total);
 * ```
 */
export async function runBench(
  options: BenchOptions,
  onProgress: (progress: BenchProgress) => void = () => {},
  interrupted?: Promise<void>,
): Promise<BenchResult> {
  const address = await resolve(options);
  const plans = splitPlans(options, address);
  const outcomes =
    plans.length === 1
      ? [await runInThisThread(plans[0], options, onProgress, interrupted)]
      : await runInWorkers(plans, options, onProgress, interrupted);
  return summarize(options, address, plans.length, outcomes);
}

async function resolve(options: BenchOptions): Promise<string> {
  if (options.udp && options.pattern !== "pingpong") {
    throw usageError(t("bench.error.udpPattern", { pattern: options.pattern }));
  }
  let address: string;
  try {
    address = (await lookup(options.host)).address;
  } catch (error) {
    throw connectError(error as NodeJS.ErrnoException, options.host, formatAddress(options.host, options.port));
  }
  const limit = address.includes(":") ? MAX_IPV6_DATAGRAM_BYTES : MAX_IPV4_DATAGRAM_BYTES;
  if (options.udp && options.sizeBytes > limit) {
    throw usageError(t("bench.error.udpSize", { size: options.sizeBytes, limit }));
  }
  return address;
}

/** One plan per thread; connections, rate and budget divided as evenly as whole numbers allow. */
function splitPlans(options: BenchOptions, address: string): GeneratorPlan[] {
  const threads = Math.max(1, Math.min(options.workers, options.connections));
  const budget = options.totalBytes === undefined ? undefined : Math.ceil(options.totalBytes / options.sizeBytes);
  const share = (total: number, index: number) => Math.floor(total / threads) + (index < total % threads ? 1 : 0);
  return Array.from({ length: threads }, (_, index) => {
    const connections = share(options.connections, index);
    return {
      protocol: options.udp ? "udp" : "tcp",
      address,
      port: options.port,
      host: options.host,
      connections,
      pattern: options.pattern,
      sizeBytes: options.sizeBytes,
      mode: options.mode,
      ...(options.locale === undefined ? {} : { locale: options.locale }),
      text: options.text,
      ratePerSecond:
        options.ratePerSecond === undefined ? undefined : (options.ratePerSecond * connections) / options.connections,
      messageBudget: budget === undefined ? undefined : share(budget, index),
      udpTimeoutMs: options.udpTimeoutMs,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    };
  });
}

async function runInThisThread(
  plan: GeneratorPlan,
  options: BenchOptions,
  onProgress: (progress: BenchProgress) => void,
  interrupted: Promise<void> | undefined,
): Promise<ShareOutcome> {
  const generator = createGenerator(plan);
  await generator.open();
  let phase: BenchProgress["phase"] = "warmup";
  let phaseStartMs = performance.now();
  const ticker = setInterval(() => {
    const elapsedMs = performance.now() - phaseStartMs;
    // A turn of the loop that comes late (a stalled process) runs this before the timer that
    // ends the measured time, though both are due: past that time, nothing to show (as in
    // runInWorkers), not "1.7 s of 1.5 s".
    if (phase === "measure" && elapsedMs >= options.durationMs) return;
    const { tally } = generator;
    onProgress({
      phase,
      elapsedMs,
      messages: tally.messages,
      bytesReceived: tally.bytesReceived,
      errors: tally.errors,
    });
  }, PROGRESS_INTERVAL_MS);
  try {
    const phases = {
      measuring: () => {
        phase = "measure";
        phaseStartMs = performance.now();
      },
      // What comes after (the answers in flight, uncounted) is no progress to show.
      measured: () => clearInterval(ticker),
    };
    return await runShare(generator, options, phases, interrupted);
  } finally {
    clearInterval(ticker);
  }
}

/** The worker's file beside this one: `.js` when built, `.ts` when run through tsx. */
function workerUrl(): URL {
  const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
  return new URL(`./worker.${extension}`, import.meta.url);
}

async function runInWorkers(
  plans: GeneratorPlan[],
  options: BenchOptions,
  onProgress: (progress: BenchProgress) => void,
  interrupted: Promise<void> | undefined,
): Promise<ShareOutcome[]> {
  const latest = plans.map(() => ({ messages: 0, bytesReceived: 0, errors: 0 }));
  const outcomes: ShareOutcome[] = [];
  const workers: Worker[] = [];
  let ready = 0;
  let phaseStartMs = 0;
  let ticker: NodeJS.Timeout | undefined;
  // Each worker is told, also one made after the interruption (it then stops as soon as it goes).
  let stopAsked = false;
  void interrupted?.then(() => {
    stopAsked = true;
    for (const worker of workers) worker.postMessage("stop");
  });
  try {
    await new Promise<void>((resolve, reject) => {
      plans.forEach((plan, index) => {
        const input: WorkerInput = {
          plan,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
          language: getLanguage(),
          progressIntervalMs: PROGRESS_INTERVAL_MS,
        };
        const worker = new Worker(workerUrl(), { workerData: input });
        workers.push(worker);
        if (stopAsked) worker.postMessage("stop");
        worker.on("error", (error) =>
          reject(new MayusError("connection-failed", t("bench.error.worker", { reason: error.message }))),
        );
        worker.on("message", (message: WorkerMessage) => {
          switch (message.type) {
            case "ready":
              if (++ready === plans.length) {
                phaseStartMs = performance.now();
                for (const each of workers) each.postMessage("go");
                ticker = setInterval(() => {
                  const elapsedMs = performance.now() - phaseStartMs;
                  // Past the measured time (or Ctrl-C): the workers wait for answers uncounted.
                  if (stopAsked || elapsedMs >= options.warmupMs + options.durationMs) {
                    clearInterval(ticker);
                    return;
                  }
                  const warming = elapsedMs < options.warmupMs;
                  onProgress({
                    phase: warming ? "warmup" : "measure",
                    elapsedMs: warming ? elapsedMs : elapsedMs - options.warmupMs,
                    messages: latest.reduce((sum, each) => sum + each.messages, 0),
                    bytesReceived: latest.reduce((sum, each) => sum + each.bytesReceived, 0),
                    errors: latest.reduce((sum, each) => sum + each.errors, 0),
                  });
                }, PROGRESS_INTERVAL_MS);
              }
              break;
            case "progress":
              latest[index] = message;
              break;
            case "done":
              outcomes.push(message.outcome);
              if (outcomes.length === plans.length) resolve();
              break;
            case "error":
              reject(
                message.kind === undefined ? new Error(message.message) : new MayusError(message.kind, message.message),
              );
              break;
          }
        });
      });
    });
    return outcomes;
  } finally {
    clearInterval(ticker);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function microseconds(nanoseconds: number): number {
  return Math.round(nanoseconds / 100) / 10;
}

function latencySummary(histogram: RecordableHistogram): LatencySummary {
  const samples = histogram.count;
  const at = (percentile: number) => (samples === 0 ? 0 : microseconds(histogram.percentile(percentile)));
  return {
    recordedIn: "nanoseconds",
    unit: "microseconds",
    samples,
    min: samples === 0 ? 0 : microseconds(histogram.min),
    mean: samples === 0 ? 0 : microseconds(histogram.mean),
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: samples === 0 ? 0 : microseconds(histogram.max),
  };
}

function summarize(options: BenchOptions, address: string, threads: number, outcomes: ShareOutcome[]): BenchResult {
  const histogram = createHistogram();
  const sum = { messages: 0, bytesSent: 0, bytesReceived: 0, wrongAnswers: 0, connection: 0, timeouts: 0, late: 0 };
  let elapsedMs = 0;
  let unanswered = 0;
  for (const outcome of outcomes) {
    histogram.add(outcome.histogram);
    const { counters } = outcome;
    sum.messages += counters.messages;
    sum.bytesSent += counters.bytesSent;
    sum.bytesReceived += counters.bytesReceived;
    sum.wrongAnswers += counters.wrongAnswers;
    sum.connection += counters.connectionErrors;
    sum.timeouts += counters.timeouts;
    sum.late += counters.lateReplies;
    elapsedMs = Math.max(elapsedMs, outcome.elapsedMs);
    unanswered += outcome.unanswered;
  }
  const elapsedSeconds = elapsedMs / 1000;
  const perSecond = (count: number) => (elapsedSeconds > 0 ? count / elapsedSeconds : 0);
  return {
    protocol: options.udp ? "udp" : "tcp",
    tls: options.tls !== undefined,
    host: options.host,
    address,
    port: options.port,
    pattern: options.pattern,
    mode: options.mode,
    locale: options.locale ?? null,
    text: options.text,
    connections: options.connections,
    sizeBytes: options.sizeBytes,
    answerBytes: buildMessage(options.sizeBytes, options.text, options, { datagram: options.udp }).expected.length,
    ratePerSecond: options.ratePerSecond ?? null,
    workers: threads,
    engine: outcomes.every((outcome) => outcome.engine === "native") ? "native" : "node",
    durationSeconds: options.durationMs / 1000,
    warmupSeconds: options.warmupMs / 1000,
    elapsedSeconds: Math.round(elapsedSeconds * 1000) / 1000,
    messages: sum.messages,
    bytesSent: sum.bytesSent,
    bytesReceived: sum.bytesReceived,
    messagesPerSecond: Math.round(perSecond(sum.messages) * 10) / 10,
    megabytesPerSecond: Math.round(perSecond(sum.bytesReceived) / 1000) / 1000,
    latency: latencySummary(histogram),
    errors: {
      total: sum.wrongAnswers + sum.connection + sum.timeouts,
      wrongAnswers: sum.wrongAnswers,
      connection: sum.connection,
      timeouts: sum.timeouts,
    },
    unanswered,
    lateReplies: sum.late,
  };
}
