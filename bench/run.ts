/**
 * `npm run bench [-- --quick]`: starts the C epoll server, the same C server echoing only (the
 * machine's limit), Python asyncio, naive Node, mayus and mayus with MAYUS_NATIVE=0; runs
 * workloads W1-W6 against each with the same C load client (bench/c/load-client.c, a fresh
 * process per round, every answer byte checked); measures `mayus bench` (as built, and with
 * MAYUS_NATIVE=0) against the C server as a fraction of the C client; prints the tables of
 * this one run and writes docs/bench/results.json and docs/bench/results.svg.
 *
 * Options: --quick (under a minute: smaller totals, shorter runs, 2,000 idle connections),
 * --only W2,W6 and --servers c,mayus (a partial run, which does not write docs/bench),
 * --rounds N (rounds per workload: 3 full, 1 quick; more steady the medians on a busy machine,
 *   and a run of every workload and server with more rounds still writes docs/bench),
 * --no-bench-table (leaves out `mayus bench`'s table; partial),
 * --chart-only (redraws docs/bench/results.svg from docs/bench/results.json, measuring nothing).
 */

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { scriptArguments } from "./arguments.js";
import { type ChartGroup, renderChart } from "./chart.js";
import { holdIdleConnections, type IdleResult } from "./idle.js";
import { type Contestant, measureWorkload } from "./load-runs.js";
import { stopAllChildren } from "./processes.js";
import {
  formatFigure,
  idleLabel,
  idleTable,
  latencyTable,
  loadGeneratorTable,
  mainTable,
  roundsText,
  type WorkloadRecord,
} from "./results-tables.js";
import {
  CLASSIC_KINDS,
  compileC,
  compileLoadClient,
  hasOneMode,
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
const COLORS: Record<ServerKind, string> = {
  echo: "#b0b4b8",
  c: "#5f6368",
  python: "#3776ab",
  naive: "#7cb342",
  mayus: "#e4572e",
  "mayus-ts": "#f2a541",
};
/** mayus must beat these on every row (issue #17). */
const ABOVE_KINDS: readonly ServerKind[] = ["python", "naive"];

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
  const values = scriptArguments("bench", {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    only: { type: "string" },
    servers: { type: "string" },
    "no-bench-table": { type: "boolean", default: false },
    "chart-only": { type: "boolean", default: false },
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
  const partial = only !== undefined || values.servers !== undefined || values["no-bench-table"] === true;
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
    const loadClient = compileLoadClient(scratch);
    const plan = workloads(quick, rounds).filter((workload) => selected(workload.id));
    const modes = [...new Set(plan.map((workload) => workload.mode))];
    // Every server the workloads need, started at once and kept for the whole run (idle ones cost nothing).
    const servers = new Map<string, Server>();
    await Promise.all(
      kinds.flatMap((kind) =>
        (hasOneMode(kind) ? modes.slice(0, 1) : modes).map(async (mode) => {
          const server = await startServer(kind, mode, { cBinary });
          servers.set(hasOneMode(kind) ? kind : `${kind}:${mode}`, server);
          commands[`${kind}${hasOneMode(kind) ? "" : ` (${mode})`}`] = server.command;
        }),
      ),
    );
    const serverFor = (kind: ServerKind, mode: Mode) => servers.get(kind) ?? servers.get(`${kind}:${mode}`);

    for (const workload of plan) {
      const above = ABOVE_KINDS.filter((kind) => kinds.includes(kind)).map((kind) => SERVER_LABELS[kind]);
      const record: WorkloadRecord = {
        id: workload.id,
        title: workload.title,
        metric: workload.metric,
        target: workload.target,
        targetText:
          workload.target === null
            ? "-"
            : `>= ${workload.target.toFixed(2)}${above.length > 0 ? `, > ${above.join(", ")}` : ""}`,
        met: null,
        rounds: workload.rounds,
        loadArgs: [
          ...clientPrefix(workload),
          ...["bench/c/load-client", "--port", "PORT", "--answer", "ANSWER", ...workload.clientArgs],
        ],
        runs: [],
        benchRuns: [],
        benchTarget: workload.benchTarget,
        benchMet: null,
      };
      const servers = kinds.flatMap((kind) => serverFor(kind, workload.mode) ?? []);
      const contestants = servers.map((server): Contestant => ({ server, client: "c" }));
      record.runs = await measureWorkload(workload, contestants, loadClient);
      for (const run of record.runs) {
        const shown =
          run.figure === null
            ? run.error
            : `${formatFigure(workload.metric, run.figure)} ${workload.metric}${roundsText(run)}`;
        process.stderr.write(`bench: ${workload.id.padEnd(10)} ${SERVER_LABELS[run.server].padEnd(22)} ${shown}\n`);
      }
      const mayus = record.runs.find((run) => run.server === "mayus");
      if (mayus?.ratioToC != null && workload.target !== null) {
        const beaten = record.runs.filter((run) => ABOVE_KINDS.includes(run.server));
        record.met =
          mayus.ratioToC >= workload.target &&
          (mayus.result?.errors.total ?? 0) === 0 &&
          beaten.every((run) => run.figure === null || (mayus.figure ?? 0) > run.figure);
      }
      // mayus bench's own table: it and the C client against the C server, in the same rounds.
      const cServer = serverFor("c", workload.mode);
      if (cServer !== undefined && workload.benchTarget !== null && !values["no-bench-table"]) {
        record.benchRuns = await measureWorkload(
          workload,
          [
            { server: cServer, client: "c" },
            { server: cServer, client: "mayus bench" },
            { server: cServer, client: "mayus bench, no native" },
          ],
          loadClient,
        );
        for (const run of record.benchRuns.filter((each) => each.client !== "c")) {
          const engine = run.result?.engine === undefined ? "" : ` (${run.result.engine} engine)`;
          process.stderr.write(
            `bench: ${workload.id.padEnd(10)} ${run.client.padEnd(22)} ${run.figure === null ? run.error : `${formatFigure(workload.metric, run.figure)} ${workload.metric}, ${run.ratioToC} of the C client${engine}`}\n`,
          );
        }
        const bench = record.benchRuns.find((run) => run.client === "mayus bench");
        if (bench !== undefined) {
          if (bench.ratioToC !== null) {
            record.benchMet = bench.ratioToC >= workload.benchTarget && (bench.result?.errors.total ?? 0) === 0;
          }
        }
      }
      records.push(record);
    }
    // The other servers are done; W6 starts a fresh one of each kind with the descriptor limit raised.
    await Promise.all([...servers.values()].map((server) => server.child.stop()));
    if (selected("W6")) {
      const count = quick ? 2000 : 100_000;
      for (const kind of kinds.filter((each) => (CLASSIC_KINDS as readonly ServerKind[]).includes(each))) {
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
          "(the C load client drives every server; ratio to C in parentheses: the median of the rounds' ratios, each round running the servers back to back; ! = some answers were wrong, see results.json)",
          "",
          latencyTable(records, kinds),
          "",
          ...(records.some((record) => record.benchRuns.length > 0)
            ? [
                "`mayus bench` against the C server, as a fraction of the C client in the same rounds:",
                "",
                loadGeneratorTable(records),
                "",
              ]
            : []),
        ]
      : []),
    ...(idle.length > 0 ? [idleTable(idle), ""] : []),
  ].join("\n");
  process.stdout.write(`${report}\n`);

  if (partial) {
    process.stderr.write("bench: partial run (--only, --servers or --no-bench-table): docs/bench not written\n");
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
