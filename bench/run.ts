/**
 * `npm run bench [-- --quick]`: starts the C epoll, Python asyncio, naive Node and mayus
 * servers, runs workloads W1-W6 against each with the same load generator (`mayus bench
 * --json`, a fresh child process per run), prints one table of absolute figures and ratios
 * to C from this one run, and writes docs/bench/results.json and docs/bench/results.svg.
 *
 * Options: --quick (under a minute: smaller totals, shorter runs, 2,000 idle connections),
 * --only W2,W6 and --servers c,mayus (a partial run, which does not write docs/bench),
 * --chart-only (redraws docs/bench/results.svg from docs/bench/results.json, measuring nothing).
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { parseArgs } from "node:util";
import type { BenchResult } from "../src/bench/options.js";
import { type ChartGroup, renderChart } from "./chart.js";
import { holdIdleConnections, type IdleResult } from "./idle.js";
import { cpuSeconds, startChild, stopAllChildren } from "./processes.js";
import {
  compileC,
  MAYUS,
  type Mode,
  ROOT,
  SERVER_KINDS,
  SERVER_LABELS,
  type Server,
  type ServerKind,
  startServer,
} from "./servers.js";
import { grouped, markdownTable } from "./table.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const COLORS: Record<ServerKind, string> = { c: "#5f6368", python: "#3776ab", naive: "#7cb342", mayus: "#e4572e" };

interface Workload {
  id: string;
  title: string;
  /** The transform mayus (and Python) run in; C always does ascii, the naive server toUpperCase. */
  mode: Mode;
  metric: "MB/s" | "msg/s";
  target: number;
  /** W2 also wants mayus above Python asyncio. */
  aboveServer?: ServerKind;
  args: string[];
  /** Seconds the client may take at most (warm-up + duration), before the margin. */
  seconds: number;
}

interface RunRecord {
  server: ServerKind;
  serverMode: Mode;
  figure: number | null;
  ratioToC: number | null;
  serverCpuMicrosecondsPerMessage: number | null;
  result: BenchResult | null;
  error?: string;
}

interface WorkloadRecord {
  id: string;
  title: string;
  metric: Workload["metric"];
  target: number;
  targetText: string;
  met: boolean | null;
  loadArgs: string[];
  runs: RunRecord[];
}

/**
 * Workers for W6's multi-process row: 10,000 connections each on average, so that the busiest
 * (the kernel spreads connections unevenly among workers accepting on one socket) stays under
 * a 20,000 descriptor limit.
 */
function idleWorkers(count: number): number {
  return Math.max(2, Math.ceil(count / 10_000));
}

function workloads(quick: boolean): Workload[] {
  const duration = quick ? 0.8 : 10;
  const warmup = quick ? 0.2 : 1;
  const timing = ["--duration", String(duration), "--warmup", String(warmup)];
  const bulkBytes = quick ? 128 * MiB : GiB;
  const bulkCap = quick ? 1.2 : 60;
  const bulkName = quick ? "128 MiB" : "1 GiB";
  const bulk = (text: string) => [
    "--pattern",
    "stream",
    "--size",
    String(64 * 1024),
    "--text",
    text,
    "--total-bytes",
    String(bulkBytes),
    "--duration",
    String(bulkCap),
    "--warmup",
    String(warmup),
  ];
  const pingpong = { metric: "msg/s", mode: "unicode", seconds: duration + warmup } as const;
  return [
    {
      id: "W1 ascii",
      title: `bulk ${bulkName}, 1 conn., ascii mode`,
      mode: "ascii",
      metric: "MB/s",
      target: 0.9,
      args: bulk("ascii"),
      seconds: bulkCap + warmup,
    },
    {
      id: "W1 unicode",
      title: `bulk ${bulkName}, unicode, ASCII text`,
      mode: "unicode",
      metric: "MB/s",
      target: 0.8,
      args: bulk("ascii"),
      seconds: bulkCap + warmup,
    },
    {
      id: "W1 spanish",
      title: `bulk ${bulkName}, unicode, Spanish text`,
      mode: "unicode",
      metric: "MB/s",
      target: 0.5,
      args: bulk("spanish"),
      seconds: bulkCap + warmup,
    },
    {
      id: "W2",
      title: "ping-pong, 50 conn., 512 B",
      target: 0.75,
      aboveServer: "python",
      args: ["--connections", "50", "--size", "512", ...timing],
      ...pingpong,
    },
    {
      id: "W3",
      title: "ping-pong, 1 conn., 512 B",
      target: 0.9,
      args: ["--connections", "1", "--size", "512", ...timing],
      ...pingpong,
    },
    {
      id: "W4",
      title: "UDP 64 B, stop-and-wait, 1 client",
      target: 0.9,
      args: ["--udp", "--connections", "1", "--size", "64", ...timing],
      ...pingpong,
    },
    {
      id: "W5",
      title: "connect+64 B+close, 4 at once",
      target: 0.8,
      args: ["--pattern", "connect", "--connections", "4", "--size", "64", ...timing],
      ...pingpong,
    },
  ];
}

/** Rebuilds dist/ when a source file is newer than the built command. */
function ensureBuilt(): void {
  const builtMs = (() => {
    try {
      return statSync(MAYUS).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const newest = (directory: string): number =>
    readdirSync(directory, { withFileTypes: true }).reduce((latest, entry) => {
      const path = `${directory}/${entry.name}`;
      if (entry.isDirectory()) return Math.max(latest, newest(path));
      return entry.name.endsWith(".ts") ? Math.max(latest, statSync(path).mtimeMs) : latest;
    }, 0);
  if (newest(`${ROOT}src`) > builtMs) {
    process.stderr.write("bench: dist/ is older than src/: npm run build\n");
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  }
}

/** One run of the load generator against one server, as a child process. */
async function runLoad(server: Server, workload: Workload): Promise<RunRecord> {
  const args = [MAYUS, "bench", "127.0.0.1", String(server.port), "--json", "--mode", server.mode, ...workload.args];
  const cpuBefore = cpuSeconds(server.child.pid);
  const client = startChild(process.execPath, args);
  const timer = setTimeout(() => client.process.kill("SIGKILL"), (workload.seconds + 30) * 1000);
  const code = await client.exited;
  clearTimeout(timer);
  const cpu = cpuSeconds(server.child.pid) - cpuBefore;
  const record: RunRecord = {
    server: server.kind,
    serverMode: server.mode,
    figure: null,
    ratioToC: null,
    serverCpuMicrosecondsPerMessage: null,
    result: null,
  };
  try {
    const result = JSON.parse(client.stdout()) as BenchResult;
    record.result = result;
    record.figure = workload.metric === "MB/s" ? result.megabytesPerSecond : result.messagesPerSecond;
    record.serverCpuMicrosecondsPerMessage =
      result.messages > 0 ? Math.round((cpu / result.messages) * 1e7) / 10 : null;
  } catch {
    record.error = `exit ${code}: ${client.stderr().trim().split("\n").pop() ?? ""}`;
  }
  return record;
}

function formatFigure(metric: Workload["metric"], value: number): string {
  return grouped(value, metric === "MB/s" && value < 100 ? 1 : 0);
}

function machine() {
  let nproc = cpus().length;
  try {
    nproc = Number(execFileSync("nproc", { encoding: "utf8" }).trim());
  } catch {
    // nproc is missing: the CPU count will do.
  }
  return {
    nproc,
    cpuModel: cpus()[0]?.model ?? "unknown",
    node: process.version,
    kernel: release(),
    memoryGiB: Math.round(totalmem() / GiB),
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

function mainTable(records: WorkloadRecord[], kinds: readonly ServerKind[]): string {
  const header = ["workload", "", "metric", ...kinds.map((kind) => SERVER_LABELS[kind]), "mayus/C", "target", "met"];
  const rows = records.map((record) => {
    const cells = kinds.map((kind) => {
      const run = record.runs.find((each) => each.server === kind);
      if (run === undefined || run.figure === null) return run?.error ? "failed" : "-";
      const wrong = (run.result?.errors.total ?? 0) > 0 ? " !" : "";
      const ratio = kind === "c" || run.ratioToC === null ? "" : ` (${run.ratioToC.toFixed(2)})`;
      return `${formatFigure(record.metric, run.figure)}${ratio}${wrong}`;
    });
    const mayus = record.runs.find((each) => each.server === "mayus");
    return [
      record.id,
      record.title,
      record.metric,
      ...cells,
      mayus?.ratioToC == null ? "-" : mayus.ratioToC.toFixed(2),
      record.targetText,
      record.met === null ? "-" : record.met ? "yes" : "no",
    ];
  });
  return markdownTable(header, rows);
}

function latencyTable(records: WorkloadRecord[], kinds: readonly ServerKind[]): string {
  const header = ["workload", ...kinds.map((kind) => `${SERVER_LABELS[kind]} p50 / p99 µs; CPU µs/msg`)];
  const rows = records.map((record) => [
    record.id,
    ...kinds.map((kind) => {
      const run = record.runs.find((each) => each.server === kind);
      const latency = run?.result?.latency;
      if (latency === undefined) return "-";
      const cpu = run?.serverCpuMicrosecondsPerMessage;
      return `${grouped(latency.p50)} / ${grouped(latency.p99)}; ${cpu == null ? "-" : grouped(cpu, 1)}`;
    }),
  ]);
  return markdownTable(header, rows);
}

function idleTable(results: IdleResult[]): string {
  const header = [
    "W6 server",
    "held / target",
    "failed",
    "closed by server",
    "RSS before → after (MiB)",
    "KiB per conn.",
    "fresh client served",
    "fd limit",
  ];
  const rows = results.map((result) => [
    idleLabel(result),
    `${grouped(result.held)} / ${grouped(result.target)}`,
    grouped(result.failed),
    grouped(result.closedByServer),
    `${grouped(result.rssBeforeKiB / 1024, 1)} → ${grouped(result.rssAfterKiB / 1024, 1)}`,
    result.perConnectionKiB === null ? "-" : grouped(result.perConnectionKiB, 2),
    result.freshClientServed ? "yes" : "no",
    grouped(result.serverDescriptorLimit),
  ]);
  return markdownTable(header, rows);
}

/** The server's name, with its worker count when it ran several processes. */
function idleLabel(result: IdleResult): string {
  const workers = result.workers ?? 1;
  return workers > 1
    ? `${SERVER_LABELS[result.kind]} --workers ${workers} (workers accept)`
    : SERVER_LABELS[result.kind];
}

function chartInput(records: WorkloadRecord[], idle: IdleResult[], kinds: readonly ServerKind[], subtitle: string) {
  const series = kinds.map((kind) => ({ key: kind, label: SERVER_LABELS[kind], color: COLORS[kind] }));
  const ratioGroups: ChartGroup[] = records.map((record) => ({
    title: record.id,
    subtitle: record.title,
    target: record.target,
    bars: Object.fromEntries(
      record.runs.map((run) => [
        run.server,
        {
          value: run.ratioToC,
          label:
            run.figure === null
              ? "failed"
              : `${formatFigure(record.metric, run.figure)} ${record.metric}${run.ratioToC === null ? "" : ` (${run.ratioToC.toFixed(2)})`}${(run.result?.errors.total ?? 0) > 0 ? " wrong answers" : ""}`,
        },
      ]),
    ),
  }));
  // One group for the single-process servers (the issue's W6), one per multi-process run.
  const memoryGroups: ChartGroup[] = [];
  for (const result of idle) {
    const title = (result.workers ?? 1) > 1 ? `W6, ${result.workers} workers` : "W6";
    let group = memoryGroups.find((each) => each.title === title);
    if (group === undefined) {
      group = { title, subtitle: `${grouped(result.target)} idle connections`, target: 8, bars: {} };
      memoryGroups.push(group);
    }
    group.bars[result.kind] = {
      value: result.perConnectionKiB,
      label: `${result.perConnectionKiB === null ? "-" : grouped(result.perConnectionKiB, 2)} KiB, ${grouped(result.held)} held${result.freshClientServed ? "" : ", fresh client NOT served"}`,
    };
  }
  return {
    title: "mayus benchmark: uppercase servers side by side on loopback",
    subtitle,
    series,
    ratioGroups,
    memoryGroups,
  };
}

function chartSubtitle(command: string, isoDate: string, host: ReturnType<typeof machine>): string {
  return `${command}, ${isoDate.slice(0, 10)}, ${host.nproc} cores (${host.cpuModel}), node ${host.node}; a shared, busy machine: compare ratios, not absolute figures`;
}

/** What results.json holds (the parts the chart needs). */
interface SavedResults {
  command: string;
  generatedAt: string;
  machine: ReturnType<typeof machine>;
  workloads: WorkloadRecord[];
  idleConnections: IdleResult[];
}

/** Redraws the chart from the saved results. */
function redrawChart(directory: string): void {
  const saved = JSON.parse(readFileSync(`${directory}/results.json`, "utf8")) as SavedResults;
  const kinds = SERVER_KINDS.filter(
    (kind) =>
      saved.workloads.some((record) => record.runs.some((run) => run.server === kind)) ||
      saved.idleConnections.some((result) => result.kind === kind),
  );
  const subtitle = chartSubtitle(saved.command, saved.generatedAt, saved.machine);
  writeFileSync(
    `${directory}/results.svg`,
    renderChart(chartInput(saved.workloads, saved.idleConnections, kinds, subtitle)),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      servers: { type: "string" },
      "chart-only": { type: "boolean", default: false },
    },
  });
  if (values["chart-only"]) {
    redrawChart(`${ROOT}docs/bench`);
    process.stderr.write("bench: redrew docs/bench/results.svg from docs/bench/results.json\n");
    return;
  }
  const quick = values.quick ?? false;
  const only = values.only?.split(",").map((id) => id.trim().toUpperCase());
  const kinds = values.servers
    ? SERVER_KINDS.filter((kind) => values.servers?.split(",").includes(kind))
    : [...SERVER_KINDS];
  const partial = only !== undefined || values.servers !== undefined;
  const selected = (id: string) => only === undefined || only.some((prefix) => id.toUpperCase().startsWith(prefix));
  const startedMs = Date.now();
  const host = machine();
  process.stderr.write(
    `bench: ${quick ? "quick" : "full"} run, ${host.nproc} cores, node ${host.node}, load ${host.loadAverageAtStart.join(" ")}\n`,
  );

  ensureBuilt();
  const scratch = mkdtempSync(`${tmpdir()}/mayus-bench-`);
  const records: WorkloadRecord[] = [];
  const idle: IdleResult[] = [];
  const commands: Partial<Record<string, string>> = {};
  try {
    const cBinary = compileC(scratch);
    const plan = workloads(quick).filter((workload) => selected(workload.id));
    const modes = [...new Set(plan.map((workload) => workload.mode))];
    // Every server the workloads need, started at once and kept for the whole run (idle ones cost nothing).
    const servers = new Map<string, Server>();
    await Promise.all(
      kinds.flatMap((kind) =>
        (kind === "c" || kind === "naive" ? modes.slice(0, 1) : modes).map(async (mode) => {
          const server = await startServer(kind, mode, { cBinary });
          servers.set(kind === "c" || kind === "naive" ? kind : `${kind}:${mode}`, server);
          commands[`${kind}${kind === "c" || kind === "naive" ? "" : ` (${mode})`}`] = server.command;
        }),
      ),
    );
    const serverFor = (kind: ServerKind, mode: Mode) => servers.get(kind) ?? servers.get(`${kind}:${mode}`);

    for (const workload of plan) {
      const record: WorkloadRecord = {
        id: workload.id,
        title: workload.title,
        metric: workload.metric,
        target: workload.target,
        targetText: `>= ${workload.target.toFixed(2)}${workload.aboveServer ? ` and > ${SERVER_LABELS[workload.aboveServer]}` : ""}`,
        met: null,
        loadArgs: ["mayus", "bench", "127.0.0.1", "PORT", "--json", "--mode", "MODE", ...workload.args],
        runs: [],
      };
      for (const kind of kinds) {
        const server = serverFor(kind, workload.mode);
        if (server === undefined) continue;
        const run = await runLoad(server, workload);
        record.runs.push(run);
        const shown =
          run.figure === null ? run.error : `${formatFigure(workload.metric, run.figure)} ${workload.metric}`;
        process.stderr.write(`bench: ${workload.id.padEnd(10)} ${SERVER_LABELS[kind].padEnd(14)} ${shown}\n`);
      }
      const c = record.runs.find((run) => run.server === "c")?.figure;
      for (const run of record.runs) {
        if (c && run.figure !== null) run.ratioToC = Math.round((run.figure / c) * 1000) / 1000;
      }
      const mayus = record.runs.find((run) => run.server === "mayus");
      const above = record.runs.find((run) => run.server === workload.aboveServer)?.figure;
      if (mayus?.ratioToC != null) {
        record.met =
          mayus.ratioToC >= workload.target &&
          (mayus.result?.errors.total ?? 0) === 0 &&
          (above == null || (mayus.figure ?? 0) > above);
      }
      records.push(record);
    }
    // The other servers are done; W6 starts a fresh one of each kind with the descriptor limit raised.
    await Promise.all([...servers.values()].map((server) => server.child.stop()));
    if (selected("W6")) {
      const count = quick ? 2000 : 100_000;
      for (const kind of kinds) {
        idle.push(await holdIdleConnections(kind, count, cBinary));
      }
      // One process cannot hold more connections than its descriptor limit (20,000 here);
      // --workers spreads them, each worker under its own limit.
      if (kinds.includes("mayus")) idle.push(await holdIdleConnections("mayus", count, cBinary, idleWorkers(count)));
      for (const result of idle) {
        process.stderr.write(
          `bench: W6         ${idleLabel(result).padEnd(14)} ${grouped(result.held)} held, ${result.perConnectionKiB ?? "-"} KiB each, fresh client ${result.freshClientServed ? "served" : "NOT served"}\n`,
        );
      }
    }
  } finally {
    await stopAllChildren();
    rmSync(scratch, { recursive: true, force: true });
  }

  const elapsedSeconds = Math.round((Date.now() - startedMs) / 100) / 10;
  const command = quick ? "npm run bench -- --quick" : "npm run bench";
  const generatedAt = new Date().toISOString();
  const subtitle = chartSubtitle(command, generatedAt, host);
  const report = [
    `mayus benchmark (${quick ? "quick" : "full"}, ${elapsedSeconds} s): ${host.nproc} cores, ${host.cpuModel}, node ${host.node}, Linux ${host.kernel}`,
    "Figures from a shared machine (other work running, client and server on the same 2 cores): only ratios from the same run count.",
    "",
    ...(records.length > 0
      ? [
          mainTable(records, kinds),
          "",
          "(ratio to C in parentheses; ! = some answers were wrong, see results.json)",
          "",
          latencyTable(records, kinds),
          "",
        ]
      : []),
    ...(idle.length > 0 ? [idleTable(idle), ""] : []),
  ].join("\n");
  process.stdout.write(`${report}\n`);

  if (partial) {
    process.stderr.write("bench: partial run (--only/--servers): docs/bench not written\n");
    return;
  }
  const directory = `${ROOT}docs/bench`;
  mkdirSync(directory, { recursive: true });
  const results = {
    generatedAt,
    command,
    quick,
    elapsedSeconds,
    machine: { ...host, loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100) },
    note: "Measured on a shared, busy machine (other engineers' tests running; client and server share the cores). Only ratios measured in the same run are meaningful. Latency is recorded in nanoseconds and reported in microseconds.",
    servers: commands,
    workloads: records,
    idleConnections: idle,
  };
  writeFileSync(`${directory}/results.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${directory}/results.svg`, renderChart(chartInput(records, idle, kinds, subtitle)));
  process.stderr.write("bench: wrote docs/bench/results.json and docs/bench/results.svg\n");
}

main().catch(async (error: unknown) => {
  await stopAllChildren();
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
