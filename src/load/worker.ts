/**
 * A worker thread's share of a bench run: opens its connections, says it is ready, waits for
 * the word to go, runs (until its time is up, or the word to stop), and sends back its
 * counters and latency histogram.
 */

import { parentPort, workerData } from "node:worker_threads";
import { MayusError } from "../errors.js";
import { type Language, setLanguage } from "../i18n/index.js";
import type { GeneratorPlan } from "./generator.js";
import { createGenerator, runShare, type ShareOutcome } from "./share.js";

/** What the main thread gives each worker. */
export interface WorkerInput {
  plan: GeneratorPlan;
  warmupMs: number;
  durationMs: number;
  language: Language;
  progressIntervalMs: number;
}

/** What a worker says, in order: ready, progress..., done (or error at any point). */
export type WorkerMessage =
  | { type: "ready" }
  | { type: "progress"; messages: number; bytesReceived: number; errors: number }
  | { type: "done"; outcome: ShareOutcome }
  | { type: "error"; kind?: MayusError["kind"]; message: string };

const port = parentPort;
if (port !== null) {
  const input = workerData as WorkerInput;
  setLanguage(input.language);
  const post = (message: WorkerMessage) => port.postMessage(message);
  // The main thread's words: "go", and "stop" (Ctrl-C: the measurement ends there), which may
  // come at any time, even while the connections open: listened for from the start.
  let go: () => void = () => {};
  let stop: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    go = resolve;
  });
  const interrupted = new Promise<void>((resolve) => {
    stop = resolve;
  });
  port.on("message", (word: "go" | "stop") => (word === "go" ? go() : stop()));
  const generator = createGenerator(input.plan);
  try {
    await generator.open();
    post({ type: "ready" });
    await started;
    const ticker = setInterval(() => {
      const { tally } = generator;
      post({ type: "progress", messages: tally.messages, bytesReceived: tally.bytesReceived, errors: tally.errors });
    }, input.progressIntervalMs);
    try {
      const phases = { measured: () => clearInterval(ticker) };
      post({ type: "done", outcome: await runShare(generator, input, phases, interrupted) });
    } finally {
      clearInterval(ticker);
    }
  } catch (error) {
    generator.stop();
    post(
      error instanceof MayusError
        ? { type: "error", kind: error.kind, message: error.message }
        : { type: "error", message: error instanceof Error ? error.message : String(error) },
    );
  }
}
