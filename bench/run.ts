/**
 * `npm run bench [-- --quick]`: starts the C epoll, Python asyncio, naive Node and mayus
 * servers, runs workloads W1-W6 against each with the same load generator (`mayus bench
 * --json`, a fresh child process per run), prints one table of absolute figures and ratios
 * to C from this one run, and writes docs/bench/results.json and docs/bench/results.svg.
 *
 * Options: --quick (under a minute: smaller totals, shorter runs, 2,000 idle connections),
 * --only W2,W6 and --servers c,mayus (a partial run, which does not write docs/bench),
 * --rounds N (rounds per workload: 8 full, 1 quick; a run with another count is partial too),
 * --chart-only (redraws docs/bench/results.svg from docs/bench/results.json, measuring nothing).
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { type ChartGroup, renderChart } from "./chart.js";
import { holdIdleConnections, type IdleResult } from "./idle.js";
import { measureWorkload } from "./load-runs.js";
import { stopAllChildren } from "./processes.js";
import {
  formatFigure,
  idleLabel,
  idleTable,
  latencyTable,
  mainTable,
  roundsText,
  type WorkloadRecord,
} from "./results-tables.js";
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
import { grouped } from "./table.js";
import { clientPrefix, workloads } from "./workloads.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const COLORS: Record<ServerKind, string> = { c: "#5f6368", python: "#3776ab", naive: "#7cb342", mayus: "#e4572e" };

/**
 * Workers for W6's multi-process row: 10,000 connections each on average, so that the busiest
 * (the kernel spreads connections unevenly among workers accepting on one socket) stays under
 * a 20,000 descriptor limit.
 */
function idleWorkers(count: number): number {
  return Math.max(2, Math.ceil(count / 10_000));
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
      rounds: { type: "string" },
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
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 100)) {
    process.stderr.write(`bench: --rounds takes a whole number from 1 to 100, not '${values.rounds}'\n`);
    process.exitCode = 2;
    return;
  }
  const partial = only !== undefined || values.servers !== undefined || rounds !== undefined;
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
    const plan = workloads(quick, rounds).filter((workload) => selected(workload.id));
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
        targetText:
          workload.target === null
            ? "-"
            : `>= ${workload.target.toFixed(2)}${workload.aboveServer ? ` and > ${SERVER_LABELS[workload.aboveServer]}` : ""}`,
        met: null,
        rounds: workload.rounds,
        loadArgs: [
          ...clientPrefix(workload),
          ...["mayus", "bench", "127.0.0.1", "PORT", "--json", "--mode", "MODE", ...workload.roundArgs],
        ],
        runs: [],
      };
      const servers = kinds.flatMap((kind) => serverFor(kind, workload.mode) ?? []);
      record.runs = await measureWorkload(workload, servers);
      for (const run of record.runs) {
        const shown =
          run.figure === null
            ? run.error
            : `${formatFigure(workload.metric, run.figure)} ${workload.metric}${roundsText(run)}`;
        process.stderr.write(`bench: ${workload.id.padEnd(10)} ${SERVER_LABELS[run.server].padEnd(14)} ${shown}\n`);
      }
      const mayus = record.runs.find((run) => run.server === "mayus");
      const above = record.runs.find((run) => run.server === workload.aboveServer)?.figure;
      if (mayus?.ratioToC != null && workload.target !== null) {
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
          "(ratio to C in parentheses: the median of the rounds' ratios, each round running the servers back to back; ! = some answers were wrong, see results.json)",
          "",
          latencyTable(records, kinds),
          "",
        ]
      : []),
    ...(idle.length > 0 ? [idleTable(idle), ""] : []),
  ].join("\n");
  process.stdout.write(`${report}\n`);

  if (partial) {
    process.stderr.write("bench: partial run (--only, --servers or --rounds): docs/bench not written\n");
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
