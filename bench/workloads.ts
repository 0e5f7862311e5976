/**
 * The suite's workloads W1-W5 (W6, idle connections, is bench/idle.ts): what each one sends,
 * its target ratio to C, and the load generator's flags for one round of it; and W3 and W4
 * again on one core, which say what a round trip costs where the others say how long it takes.
 */

import { allowedCpuList, cpusOfList, programRuns } from "./processes.js";
import type { Mode, ServerKind } from "./servers.js";

/**
 * The CPUs this process may run on, when the one-core rows can be run (more than one, and
 * `taskset` there); none otherwise, and the rows are left out.
 */
export function coresForOneCoreRows(): number[] {
  const list = allowedCpuList();
  return list !== undefined && programRuns("taskset", "--version") ? cpusOfList(list) : [];
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export interface Workload {
  id: string;
  title: string;
  /** The transform mayus (and Python) run in; C always does ascii, the naive server toUpperCase. */
  mode: Mode;
  metric: "MB/s" | "msg/s";
  /** mayus's target ratio to C; none for the rows that explain another (the one-core ones). */
  target: number | null;
  /** W2 also wants mayus above Python asyncio. */
  aboveServer?: ServerKind;
  /**
   * Rounds, each running every server once in turn: the machine's load changes within seconds,
   * so servers measured minutes apart would compare the machine, not the servers.
   */
  rounds: number;
  /** The load generator's flags for one round (its share of the duration or of the bytes). */
  roundArgs: string[];
  /** Seconds one round's client may take at most (warm-up + duration), before the margin. */
  roundSeconds: number;
  /**
   * Client and server pinned to this one core (`taskset`) for the workload. A one-connection
   * ping-pong is otherwise placed by the scheduler, round by round: on one core a round trip
   * costs the client's CPU plus the server's; on two it costs the cross-core wake-ups, which
   * in these virtual machines take 30-500 µs and hide the server's cost.
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
export function workloads(quick: boolean, rounds = quick ? 1 : 8, cores = coresForOneCoreRows()): Workload[] {
  const durationSeconds = quick ? 0.8 : 10;
  const warmupSeconds = quick ? 0.2 : 0.5;
  const timing = ["--duration", String(durationSeconds / rounds), "--warmup", String(warmupSeconds)];
  const bulkBytes = quick ? 128 * MiB : GiB;
  // A bulk round ends when its bytes are through; the duration only caps a stuck one.
  const bulkCapSeconds = quick ? 1.2 : 30;
  const bulkName = quick ? "128 MiB" : "1 GiB";
  const bulk = (text: string) => [
    "--pattern",
    "stream",
    "--size",
    String(64 * 1024),
    "--text",
    text,
    "--total-bytes",
    String(Math.round(bulkBytes / rounds)),
    "--duration",
    String(bulkCapSeconds),
    "--warmup",
    String(warmupSeconds),
  ];
  const bulkRun = { metric: "MB/s", rounds, roundSeconds: bulkCapSeconds + warmupSeconds } as const;
  const pingpong = {
    metric: "msg/s",
    mode: "unicode",
    rounds,
    roundSeconds: durationSeconds / rounds + warmupSeconds,
  } as const;
  const w3Args = ["--connections", "1", "--size", "512", ...timing];
  const w4Args = ["--udp", "--connections", "1", "--size", "64", ...timing];
  return [
    {
      id: "W1 ascii",
      title: `bulk ${bulkName}, 1 conn., ascii mode`,
      mode: "ascii",
      target: 0.9,
      roundArgs: bulk("ascii"),
      ...bulkRun,
    },
    {
      id: "W1 unicode",
      title: `bulk ${bulkName}, unicode, ASCII text`,
      mode: "unicode",
      target: 0.8,
      roundArgs: bulk("ascii"),
      ...bulkRun,
    },
    {
      id: "W1 spanish",
      title: `bulk ${bulkName}, unicode, Spanish text`,
      mode: "unicode",
      target: 0.5,
      roundArgs: bulk("spanish"),
      ...bulkRun,
    },
    {
      id: "W2",
      title: "ping-pong, 50 conn., 512 B",
      target: 0.75,
      aboveServer: "python",
      roundArgs: ["--connections", "50", "--size", "512", ...timing],
      ...pingpong,
    },
    {
      id: "W3",
      title: "ping-pong, 1 conn., 512 B",
      target: 0.9,
      roundArgs: w3Args,
      ...pingpong,
    },
    {
      id: "W4",
      title: "UDP 64 B, stop-and-wait, 1 client",
      target: 0.9,
      roundArgs: w4Args,
      ...pingpong,
    },
    // W3 and W4 again with client and server on one core: what each round trip costs in CPU.
    ...(cores.length > 1
      ? [
          { id: "W3 1 core", title: "W3, client+server on 1 core", target: null, roundArgs: w3Args, ...pingpong },
          { id: "W4 1 core", title: "W4, client+server on 1 core", target: null, roundArgs: w4Args, ...pingpong },
        ].map((workload) => ({ ...workload, sharedCore: cores[cores.length - 1] }))
      : []),
    {
      id: "W5",
      title: "connect+64 B+close, 4 at once",
      target: 0.8,
      roundArgs: ["--pattern", "connect", "--connections", "4", "--size", "64", ...timing],
      ...pingpong,
    },
  ];
}
