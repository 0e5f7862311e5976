/** The soak's load: the four workers at once, the ping-pong one as `mayus bench` where it is built. */

import { fork, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MAYUS, ROOT, track } from "./server-process.js";
import { WORKER_KINDS, type WorkerReport } from "./workers.js";

/** The soak's entry: a worker is the same script run with `--worker KIND`. */
const SCRIPT = fileURLToPath(new URL("../soak.ts", import.meta.url));
/** Whether `mayus bench` is built: it then drives the ping-pong load, checking every answer. */
export const HAS_BENCH = existsSync(fileURLToPath(new URL("../../dist/cli/bench-command.js", import.meta.url)));

export interface LoadResult {
  reports: WorkerReport[];
  failures: string[];
}

/** Runs the four workers for `seconds`; each stops by itself, and is killed if it overstays. */
export async function runLoad(port: number, seconds: number): Promise<LoadResult> {
  const failures: string[] = [];
  const reports: WorkerReport[] = [];
  const runs = WORKER_KINDS.map(async (kind) => {
    if (kind === "tcp-pingpong" && HAS_BENCH) {
      const bench = await runBench(port, seconds);
      reports.push(bench.report);
      if (bench.failure) failures.push(bench.failure);
      return;
    }
    const child = track(fork(SCRIPT, ["--worker", kind, "--port", String(port), "--duration", String(seconds)]));
    const killer = setTimeout(() => child.kill("SIGKILL"), (seconds + 20) * 1000);
    let report: WorkerReport | undefined;
    child.on("message", (message: WorkerReport) => {
      report = message;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)));
    clearTimeout(killer);
    if (report === undefined || code !== 0) failures.push(`worker ${kind} ended with code ${code} and no report`);
    else reports.push(report);
  });
  await Promise.all(runs);
  return { reports, failures };
}

/** The ping-pong worker as `mayus bench` (it checks every answer itself, exit 1 if any was wrong). */
async function runBench(port: number, seconds: number): Promise<{ report: WorkerReport; failure?: string }> {
  const args = [MAYUS, "bench", "127.0.0.1", String(port), "--connections", "16", "--size", "1024"];
  const child = track(
    spawn(process.execPath, [...args, "--text", "spanish", "--duration", String(seconds), "--json"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let out = "";
  let err = "";
  child.stdout?.on("data", (text: Buffer) => {
    out += text;
  });
  child.stderr?.on("data", (text: Buffer) => {
    err += text;
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), (seconds + 20) * 1000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)));
  clearTimeout(killer);
  const report: WorkerReport = { kind: "tcp-pingpong (bench)", operations: 0, bytes: 0, wrong: 0, errors: 0, lost: 0 };
  try {
    const result = JSON.parse(out) as { messages?: number; messagesPerSecond?: number; errors?: { total?: number } };
    report.operations = result.messages ?? 0;
    report.bytes = report.operations * 1024;
    report.errors = result.errors?.total ?? 0;
    report.detail = `${Math.round(result.messagesPerSecond ?? 0)} messages/s`;
  } catch {
    report.detail = "no JSON report";
  }
  const failure =
    code === 0 ? undefined : `mayus bench exited ${code}: ${(err || out).trim().split("\n").slice(-3).join(" / ")}`;
  return { report, failure };
}
