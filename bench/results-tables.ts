/**
 * The suite's report as Markdown tables: figures and ratios to C per workload (the C load
 * client driving every server), latency and server CPU, `mayus bench` against the C client,
 * and W6's idle connections. Printed by `npm run bench` and pasted into docs/performance.md
 * as they are.
 */

import type { IdleResult } from "./idle.js";
import type { RunRecord } from "./load-runs.js";
import { SERVER_LABELS, type ServerKind } from "./servers.js";
import { grouped, markdownTable } from "./table.js";
import type { Workload } from "./workloads.js";

/** One workload's runs, one per server, with its target and whether mayus met it. */
export interface WorkloadRecord {
  id: string;
  title: string;
  metric: Workload["metric"];
  target: number | null;
  targetText: string;
  met: boolean | null;
  rounds: number;
  /** One round's C load client command (PORT and ANSWER stand for each server's). */
  loadArgs: string[];
  runs: RunRecord[];
  /** `mayus bench` (as built, and with MAYUS_NATIVE=0) and the C client against the C server, in the same rounds. */
  benchRuns: RunRecord[];
  benchTarget: number | null;
  benchMet: boolean | null;
}

/** "0.81-0.93": the lowest and highest of a run's per-round ratios to C ("-" with one round). */
export function roundRange(run: RunRecord): string {
  const ratios = run.roundRatiosToC.filter((ratio): ratio is number => ratio !== null);
  if (ratios.length < 2) return "-";
  return `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}`;
}

/** ", rounds 0.81-0.93 of C" when the run had several rounds. */
export function roundsText(run: RunRecord): string {
  const range = roundRange(run);
  return range === "-" || run.server === "c" ? "" : `, rounds ${range} of C`;
}

export function formatFigure(metric: Workload["metric"], value: number): string {
  return grouped(value, metric === "MB/s" && value < 100 ? 1 : 0);
}

export function mainTable(records: WorkloadRecord[], kinds: readonly ServerKind[]): string {
  const header = [
    "workload",
    "",
    "metric",
    ...kinds.map((kind) => SERVER_LABELS[kind]),
    "mayus/C",
    "mayus/C per round",
    "target",
    "met",
  ];
  const rows = records.map((record) => {
    const cells = kinds.map((kind) => {
      const run = record.runs.find((each) => each.server === kind);
      if (run === undefined || run.figure === null) return run?.error ? "failed" : "-";
      // The C client stops at the first wrong byte: its figure would say nothing.
      if ((run.result?.errors.wrongAnswers ?? 0) > 0) return "wrong answers";
      const wrong = wrongMark(run);
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
      mayus === undefined ? "-" : roundRange(mayus),
      record.targetText,
      record.met === null ? "-" : record.met ? "yes" : "no",
    ];
  });
  return markdownTable(header, rows);
}

/** Ping-pong rows: latency and server CPU per message; bulk rows: server CPU per GB. */
export function latencyTable(records: WorkloadRecord[], kinds: readonly ServerKind[]): string {
  const header = ["workload", ...kinds.map((kind) => `${SERVER_LABELS[kind]}: p50 / p99 µs; CPU`)];
  const rows = records.map((record) => [
    record.id,
    ...kinds.map((kind) => {
      const run = record.runs.find((each) => each.server === kind);
      const latency = run?.result?.latency;
      if (run === undefined || latency === undefined) return "-";
      if (record.metric === "MB/s") {
        const perGigabyte = run.serverCpuSecondsPerGigabyte;
        return perGigabyte === null ? "-" : `CPU ${grouped(perGigabyte, 2)} s/GB`;
      }
      const cpu = run.serverCpuMicrosecondsPerMessage;
      return `${grouped(latency.p50)} / ${grouped(latency.p99)}; ${cpu === null ? "-" : grouped(cpu, 1)} µs/msg`;
    }),
  ]);
  return markdownTable(header, rows);
}

/** `mayus bench` against the C server, as a fraction of the C client's figure in the same rounds. */
export function loadGeneratorTable(records: WorkloadRecord[]): string {
  const header = [
    "workload",
    "metric",
    "C client",
    "mayus bench",
    "engine",
    "mayus bench/C client",
    "per round",
    "no native",
    "no native/C client",
    "target",
    "met",
  ];
  const rows = records.flatMap((record) => {
    const c = record.benchRuns.find((run) => run.client === "c");
    const bench = record.benchRuns.find((run) => run.client === "mayus bench");
    const noNative = record.benchRuns.find((run) => run.client === "mayus bench, no native");
    if (c === undefined || bench === undefined) return [];
    const ratio = (run: RunRecord | undefined) => (run?.ratioToC == null ? "-" : run.ratioToC.toFixed(2));
    const figure = (run: RunRecord) =>
      run.figure === null ? "failed" : `${formatFigure(record.metric, run.figure)}${wrongMark(run)}`;
    return [
      [
        record.id,
        record.metric,
        figure(c),
        figure(bench),
        bench.result?.engine ?? "-",
        ratio(bench),
        roundRange(bench),
        noNative === undefined ? "-" : figure(noNative),
        ratio(noNative),
        record.benchTarget === null ? "-" : `>= ${record.benchTarget.toFixed(2)}`,
        record.benchMet === null ? "-" : record.benchMet ? "yes" : "no",
      ],
    ];
  });
  return markdownTable(header, rows);
}

function wrongMark(run: RunRecord): string {
  return (run.result?.errors.total ?? 0) > 0 ? " !" : "";
}

export function idleTable(results: IdleResult[]): string {
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
export function idleLabel(result: IdleResult): string {
  const workers = result.workers ?? 1;
  return workers > 1
    ? `${SERVER_LABELS[result.kind]} --workers ${workers} (workers accept)`
    : SERVER_LABELS[result.kind];
}
