/**
 * Runs one workload for a list of contestants (a server and the load generator driving it:
 * the C load client, or `mayus bench --json` for its own table): in rounds, each round
 * running every contestant once (a fresh client process) in a rotating order, then adds the
 * rounds up per contestant. A ratio to C is the median of its rounds' ratios to the C server
 * driven by the C client: each round's contestants ran back to back, so a burst of other
 * work on the machine moves one round's ratio, not the result.
 */

import type { BenchErrors, BenchResult, LatencySummary } from "../src/load/options.js";
import { allowedCpuList, cpuSeconds, pinProcess, startChild } from "./processes.js";
import { MAYUS, type Mode, type Server, type ServerKind } from "./servers.js";
import { clientPrefix, type Workload } from "./workloads.js";

/**
 * The load generators: the C load client (bench/c/load-client.c), `mayus bench`, and `mayus
 * bench` with MAYUS_NATIVE=0 (its TypeScript generator, where the default runs its native loop).
 */
export type LoadClient = "c" | "mayus bench" | "mayus bench, no native";

/** One column of a workload: a server and what drives it. */
export interface Contestant {
  server: Server;
  client: LoadClient;
}

export interface RunRecord {
  server: ServerKind;
  client: LoadClient;
  serverMode: Mode;
  /** MB/s or msg/s over all rounds (their bytes or messages over their measured time). */
  figure: number | null;
  /** The median of `roundRatiosToC`. */
  ratioToC: number | null;
  /** Each round's figure over C's in the same round. */
  roundRatiosToC: (number | null)[];
  serverCpuMicrosecondsPerMessage: number | null;
  /** Server CPU seconds per 10^9 bytes answered, warm-up included when the client says it (bulk rows). */
  serverCpuSecondsPerGigabyte: number | null;
  /** The rounds added up; latency percentiles are the median of the rounds' (max: the largest). */
  result: BenchResult | null;
  rounds: BenchResult[];
  error?: string;
}

/** What the C client adds to the shape of `mayus bench --json`. */
interface WarmupBytes {
  warmupBytesReceived?: number;
}

interface Round {
  result?: BenchResult;
  cpuSeconds: number;
  error?: string;
}

/** One round's client command line for a contestant. */
export function clientCommand(contestant: Contestant, workload: Workload, loadClient: string): string[] {
  const { server } = contestant;
  const command =
    contestant.client === "c"
      ? [loadClient, "--port", String(server.port), "--answer", server.answer, ...workload.clientArgs]
      : [process.execPath, MAYUS, "bench", "127.0.0.1", String(server.port), "--json", "--mode", server.mode];
  return [...clientPrefix(workload), ...command, ...(contestant.client === "c" ? [] : workload.benchArgs)];
}

/** One run of a load generator against one server. */
async function runRound(contestant: Contestant, workload: Workload, loadClient: string): Promise<Round> {
  const { server } = contestant;
  const cpuBefore = cpuSeconds(server.child.pid);
  const [command = loadClient, ...commandArgs] = clientCommand(contestant, workload, loadClient);
  const env = contestant.client === "mayus bench, no native" ? { MAYUS_NATIVE: "0" } : {};
  const client = startChild(command, commandArgs, { env });
  const timer = setTimeout(() => client.process.kill("SIGKILL"), (workload.roundSeconds + 30) * 1000);
  const code = await client.exited;
  clearTimeout(timer);
  const cpu = cpuSeconds(server.child.pid) - cpuBefore;
  try {
    const result = JSON.parse(client.stdout()) as BenchResult;
    // The C client exits 1 after a wrong answer, with the result (errors.wrongAnswers) printed.
    if (code !== 0 && result.errors.wrongAnswers === 0) throw new Error(`exit ${code}`);
    return { result, cpuSeconds: cpu };
  } catch {
    return { cpuSeconds: cpu, error: `exit ${code}: ${client.stderr().trim().split("\n").pop() ?? ""}` };
  }
}

function figureOf(workload: Workload, result: BenchResult): number {
  return workload.metric === "MB/s" ? result.megabytesPerSecond : result.messagesPerSecond;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The rounds as one result: counts added, rates over the summed time, latency as described on RunRecord. */
export function combineRounds(results: BenchResult[]): BenchResult {
  const first = results[0];
  if (first === undefined) throw new Error("combineRounds: no rounds");
  const sum = (pick: (result: BenchResult) => number) => results.reduce((total, result) => total + pick(result), 0);
  const elapsedSeconds = sum((result) => result.elapsedSeconds);
  const messages = sum((result) => result.messages);
  const bytesReceived = sum((result) => result.bytesReceived);
  const latencyOf = (key: Exclude<keyof LatencySummary, "recordedIn" | "unit">) =>
    median(results.map((result) => result.latency[key]));
  const errors = (key: keyof BenchErrors) => sum((result) => result.errors[key]);
  return {
    ...first,
    durationSeconds: sum((result) => result.durationSeconds),
    elapsedSeconds,
    messages,
    bytesSent: sum((result) => result.bytesSent),
    bytesReceived,
    messagesPerSecond: elapsedSeconds > 0 ? messages / elapsedSeconds : 0,
    megabytesPerSecond: elapsedSeconds > 0 ? bytesReceived / elapsedSeconds / 1e6 : 0,
    latency: {
      ...first.latency,
      samples: sum((result) => result.latency.samples),
      min: Math.min(...results.map((result) => result.latency.min)),
      mean: latencyOf("mean"),
      p50: latencyOf("p50"),
      p90: latencyOf("p90"),
      p99: latencyOf("p99"),
      p999: latencyOf("p999"),
      max: Math.max(...results.map((result) => result.latency.max)),
    },
    errors: {
      total: errors("total"),
      wrongAnswers: errors("wrongAnswers"),
      connection: errors("connection"),
      timeouts: errors("timeouts"),
    },
    unanswered: sum((result) => result.unanswered),
    lateReplies: sum((result) => result.lateReplies),
  };
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/**
 * Every contestant through `workload.rounds` rounds; in round r they start at the r-th, so
 * none always runs right after the same neighbour. One that fails a round gets no figure.
 * `loadClient` is the compiled C load client.
 *
 * @example
 * const runs = await measureWorkload(workload, [{ server: cServer, client: "c" }, { server: mayus, client: "c" }], loadClient);
 * runs[1].ratioToC; // mayus over C, from all rounds
 */
export async function measureWorkload(
  workload: Workload,
  contestants: Contestant[],
  loadClient: string,
): Promise<RunRecord[]> {
  const servers = [...new Set(contestants.map((contestant) => contestant.server))];
  const rounds = new Map<Contestant, Round[]>(contestants.map((contestant) => [contestant, []]));
  const core = workload.sharedCore;
  // Each client is pinned as it starts (runRound); the servers for the whole workload, then
  // given back the CPUs they had.
  const before = new Map(servers.map((server) => [server, allowedCpuList(server.child.pid)]));
  try {
    if (core !== undefined) {
      for (const server of servers) {
        if (!pinProcess(server.child.pid, String(core))) throw new Error(`taskset could not pin ${server.command}`);
      }
    }
    for (let round = 0; round < workload.rounds; round++) {
      for (let turn = 0; turn < contestants.length; turn++) {
        const contestant = contestants[(round + turn) % contestants.length] as Contestant;
        rounds.get(contestant)?.push(await runRound(contestant, workload, loadClient));
      }
    }
  } finally {
    if (core !== undefined) {
      for (const [server, cpuList] of before) if (cpuList !== undefined) pinProcess(server.child.pid, cpuList);
    }
  }
  const records = contestants.map((contestant): RunRecord => {
    const { server, client } = contestant;
    const done = rounds.get(contestant) ?? [];
    const failed = done.find((each) => each.result === undefined);
    const results = done.flatMap((each) => (each.result === undefined ? [] : [each.result]));
    const record: RunRecord = {
      server: server.kind,
      client,
      serverMode: server.mode,
      figure: null,
      ratioToC: null,
      roundRatiosToC: [],
      serverCpuMicrosecondsPerMessage: null,
      serverCpuSecondsPerGigabyte: null,
      result: null,
      rounds: results,
    };
    if (failed !== undefined || results.length === 0) return { ...record, error: failed?.error ?? "no rounds" };
    const result = combineRounds(results);
    const cpu = done.reduce((total, each) => total + each.cpuSeconds, 0);
    // The C client reports the bytes of its warm-up too: the server's CPU covers them.
    const warmupBytes = results.reduce((total, each) => total + ((each as WarmupBytes).warmupBytesReceived ?? 0), 0);
    return {
      ...record,
      figure: figureOf(workload, result),
      result,
      serverCpuMicrosecondsPerMessage: result.messages > 0 ? Math.round((cpu / result.messages) * 1e7) / 10 : null,
      serverCpuSecondsPerGigabyte:
        workload.metric === "MB/s" && result.bytesReceived > 0
          ? round3(cpu / ((result.bytesReceived + warmupBytes) / 1e9))
          : null,
    };
  });
  const c = records.find((record) => record.server === "c" && record.client === "c");
  if (c === undefined || c.error !== undefined) return records;
  for (const record of records) {
    if (record.error !== undefined) continue;
    record.roundRatiosToC = record.rounds.map((result, index) => {
      const cRound = c.rounds[index];
      return cRound === undefined ? null : round3(figureOf(workload, result) / figureOf(workload, cRound));
    });
    const ratios = record.roundRatiosToC.filter((ratio): ratio is number => ratio !== null);
    if (ratios.length > 0) record.ratioToC = round3(median(ratios));
  }
  return records;
}
