/**
 * Runs one workload against every server: in rounds, each round running the load generator
 * (`mayus bench --json`, a fresh child process) once per server in a rotating order, then
 * adds the rounds up per server. A server's ratio to C is the median of its rounds' ratios:
 * each round's servers ran back to back, so a burst of other work on the machine moves one
 * round's ratio, not the result.
 */

import type { BenchErrors, BenchResult, LatencySummary } from "../src/bench/options.js";
import { allowedCpuList, cpuSeconds, pinProcess, startChild } from "./processes.js";
import { MAYUS, type Mode, type Server, type ServerKind } from "./servers.js";
import { clientPrefix, type Workload } from "./workloads.js";

export interface RunRecord {
  server: ServerKind;
  serverMode: Mode;
  /** MB/s or msg/s over all rounds (their bytes or messages over their measured time). */
  figure: number | null;
  /** The median of `roundRatiosToC`. */
  ratioToC: number | null;
  /** Each round's figure over C's in the same round. */
  roundRatiosToC: (number | null)[];
  serverCpuMicrosecondsPerMessage: number | null;
  /** The rounds added up; latency percentiles are the median of the rounds' (max: the largest). */
  result: BenchResult | null;
  rounds: BenchResult[];
  error?: string;
}

interface Round {
  result?: BenchResult;
  cpuSeconds: number;
  error?: string;
}

/** One run of the load generator against one server. */
async function runRound(server: Server, workload: Workload): Promise<Round> {
  const args = [
    MAYUS,
    "bench",
    "127.0.0.1",
    String(server.port),
    "--json",
    "--mode",
    server.mode,
    ...workload.roundArgs,
  ];
  const cpuBefore = cpuSeconds(server.child.pid);
  const [command = process.execPath, ...commandArgs] = [...clientPrefix(workload), process.execPath, ...args];
  const client = startChild(command, commandArgs);
  const timer = setTimeout(() => client.process.kill("SIGKILL"), (workload.roundSeconds + 30) * 1000);
  const code = await client.exited;
  clearTimeout(timer);
  const cpu = cpuSeconds(server.child.pid) - cpuBefore;
  try {
    return { result: JSON.parse(client.stdout()) as BenchResult, cpuSeconds: cpu };
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
 * Every server through `workload.rounds` rounds; in round r the servers start at the r-th, so
 * none always runs right after the same neighbour. A server that fails a round gets no figure.
 *
 * @example
 * const runs = await measureWorkload(workload, [cServer, mayusServer]);
 * runs[1].ratioToC; // mayus over C, from all rounds
 */
export async function measureWorkload(workload: Workload, servers: Server[]): Promise<RunRecord[]> {
  const rounds = new Map<Server, Round[]>(servers.map((server) => [server, []]));
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
      for (let turn = 0; turn < servers.length; turn++) {
        const server = servers[(round + turn) % servers.length] as Server;
        rounds.get(server)?.push(await runRound(server, workload));
      }
    }
  } finally {
    if (core !== undefined) {
      for (const [server, cpuList] of before) if (cpuList !== undefined) pinProcess(server.child.pid, cpuList);
    }
  }
  const records = servers.map((server): RunRecord => {
    const done = rounds.get(server) ?? [];
    const failed = done.find((each) => each.result === undefined);
    const results = done.flatMap((each) => (each.result === undefined ? [] : [each.result]));
    const record: RunRecord = {
      server: server.kind,
      serverMode: server.mode,
      figure: null,
      ratioToC: null,
      roundRatiosToC: [],
      serverCpuMicrosecondsPerMessage: null,
      result: null,
      rounds: results,
    };
    if (failed !== undefined || results.length === 0) return { ...record, error: failed?.error ?? "no rounds" };
    const result = combineRounds(results);
    const cpu = done.reduce((total, each) => total + each.cpuSeconds, 0);
    return {
      ...record,
      figure: figureOf(workload, result),
      result,
      serverCpuMicrosecondsPerMessage: result.messages > 0 ? Math.round((cpu / result.messages) * 1e7) / 10 : null,
    };
  });
  const c = records.find((record) => record.server === "c");
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
