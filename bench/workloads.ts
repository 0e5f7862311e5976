/**
 * The suite's workloads W1-W5 (W6, idle connections, is bench/idle.ts): what each one sends,
 * mayus's target ratio to C, and one round's flags for the C load client (which drives every
 * server) and for `mayus bench` (measured against the C client, its own table); W1 again under
 * a window, and W3 and W4 again on one core, which say what a round trip costs where the
 * others say how long it takes.
 */

import { allowedCpuList, cpusOfList, programRuns } from "./processes.js";
import type { Mode } from "./servers.js";

/**
 * The CPUs this process may run on, when the one-core rows can be run (more than one, and
 * `taskset` there); none otherwise, and the rows are left out.
 */
export function coresForOneCoreRows(): number[] {
  const list = allowedCpuList();
  return list !== undefined && programRuns("taskset", "--version") ? cpusOfList(list) : [];
}

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
/** The windowed W1 row's limit on unanswered bytes (what `mayus bench --pattern stream` keeps). */
const W1_WINDOW_BYTES = 2 * MiB;

export interface Workload {
  id: string;
  title: string;
  /** The transform mayus (and Python) run in; C always does ascii, the naive server toUpperCase. */
  mode: Mode;
  metric: "MB/s" | "msg/s";
  /** mayus's target ratio to C; none for the rows that explain another (window, one core). */
  target: number | null;
  /** `mayus bench`'s target: its figure against the C server over the C client's. */
  benchTarget: number | null;
  /**
   * Rounds, each running every server once in turn: the machine's load changes within seconds,
   * so servers measured minutes apart would compare the machine, not the servers.
   */
  rounds: number;
  /** The C load client's flags for one round (its share of the duration or of the bytes). */
  clientArgs: string[];
  /** `mayus bench`'s flags for the same round. */
  benchArgs: string[];
  /** Seconds one round's client may take at most (warm-up + duration), before the margin. */
  roundSeconds: number;
  /**
   * Client and server pinned to this one core (`taskset`) for the workload. A one-connection
   * ping-pong is otherwise placed by the scheduler, round by round: on one core a round trip
   * costs the client's CPU plus the server's; on two it costs the cross-core wake-ups, which
   * in these virtual machines are slow enough to hide the server's cost (compare W3 with
   * "W3 1 core" in docs/performance.md).
   */
  sharedCore?: number;
}

/** What a round's client command starts with: `taskset -c CORE` for a one-core workload. */
export function clientPrefix(workload: Workload): string[] {
  return workload.sharedCore === undefined ? [] : ["taskset", "-c", String(workload.sharedCore)];
}

/**
 * @example
 * workloads(true).map((workload) => workload.id); // ["W1 ascii", ..., "W4", "W3 1 core", "W4 1 core", "W5"]
 */
export function workloads(quick: boolean, rounds = quick ? 1 : 3, cores = coresForOneCoreRows()): Workload[] {
  const durationSeconds = quick ? 0.8 : 6;
  const warmupSeconds = quick ? 0.2 : 0.5;
  const timing = ["--duration", String(durationSeconds / rounds), "--warmup", String(warmupSeconds)];
  // A bulk round ends when its bytes are through; the duration only caps a stuck one.
  const bulkBytes = quick ? 128 * MiB : GiB;
  const bulkCapSeconds = quick ? 1.2 : 30;
  const bulkName = `${quick ? "128 MiB" : "1 GiB"}${rounds > 1 ? " a round" : ""}`;
  const bulkTiming = [
    "--total-bytes",
    String(bulkBytes),
    "--duration",
    String(bulkCapSeconds),
    "--warmup",
    String(warmupSeconds),
  ];
  const bulk = (text: string, window?: number) => ({
    clientArgs: [
      ...["--pattern", "stream", "--size", String(64 * KiB), "--text", text, ...bulkTiming],
      ...(window === undefined ? [] : ["--window", String(window)]),
    ],
    benchArgs: ["--pattern", "stream", "--size", String(64 * KiB), "--text", text, ...bulkTiming],
  });
  const bulkRun = { metric: "MB/s", rounds, roundSeconds: bulkCapSeconds + warmupSeconds, benchTarget: 0.8 } as const;
  const pingpong = {
    metric: "msg/s",
    mode: "unicode",
    rounds,
    roundSeconds: durationSeconds / rounds + warmupSeconds,
    benchTarget: 0.9,
  } as const;
  const messages = (connections: number, size: number, pattern = "pingpong") => ({
    clientArgs: ["--pattern", pattern, "--connections", String(connections), "--size", String(size), ...timing],
    benchArgs: ["--pattern", pattern, "--connections", String(connections), "--size", String(size), ...timing],
  });
  const w3 = messages(1, 512);
  const w4 = {
    clientArgs: ["--pattern", "udp", "--size", "64", ...timing],
    benchArgs: ["--udp", "--connections", "1", "--size", "64", ...timing],
  };
  return [
    { id: "W1 ascii", title: `bulk ${bulkName}, ascii mode`, mode: "ascii", target: 0.9, ...bulk("ascii"), ...bulkRun },
    {
      id: "W1 unicode",
      title: `bulk ${bulkName}, unicode, ASCII text`,
      mode: "unicode",
      target: 0.8,
      ...bulk("ascii"),
      ...bulkRun,
    },
    {
      id: "W1 spanish",
      title: `bulk ${bulkName}, unicode, Spanish text`,
      mode: "unicode",
      target: 0.5,
      ...bulk("spanish"),
      ...bulkRun,
    },
    // The suite's former W1: at most 2 MiB unanswered measures turnaround, not throughput.
    {
      id: "W1 window",
      title: `bulk ${bulkName}, ascii, 2 MiB window`,
      mode: "ascii",
      target: null,
      ...bulk("ascii", W1_WINDOW_BYTES),
      ...bulkRun,
      benchTarget: null,
    },
    { id: "W2", title: "ping-pong, 50 conn., 512 B", target: 0.85, ...messages(50, 512), ...pingpong },
    { id: "W3", title: "ping-pong, 1 conn., 512 B", target: 0.95, ...w3, ...pingpong },
    { id: "W4", title: "UDP 64 B, stop-and-wait, 1 client", target: 0.95, ...w4, ...pingpong },
    // W3 and W4 again with client and server on one core: what each round trip costs in CPU.
    ...(cores.length > 1
      ? [
          { id: "W3 1 core", title: "W3, client+server on 1 core", ...w3 },
          { id: "W4 1 core", title: "W4, client+server on 1 core", ...w4 },
        ].map((workload) => ({
          ...workload,
          ...pingpong,
          target: null,
          benchTarget: null,
          sharedCore: cores[cores.length - 1],
        }))
      : []),
    { id: "W5", title: "connect+64 B+close, 4 at once", target: 0.8, ...messages(4, 64, "connect"), ...pingpong },
  ];
}
