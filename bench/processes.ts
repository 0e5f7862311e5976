/**
 * The suite's child processes: every one is started through here, with the descriptor limit
 * raised as far as allowed, read through /proc (RSS, CPU time, limits), and stopped at the
 * end, even when the suite fails or is interrupted.
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const children = new Set<ChildProcess>();

function killAll(signal: NodeJS.Signals): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

process.on("exit", () => killAll("SIGKILL"));
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    killAll("SIGKILL");
    process.kill(process.pid, signal);
  });
}

/** A started child: its output so far, its exit, and a stop that always ends it. */
export interface Child {
  process: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `command args...` with the descriptor limit raised (`ulimit -n` through `sh -c`,
 * then `exec`, so the pid is the program's own).
 *
 * @example
 * const child = startChild("python3", ["bench/python/asyncio_server.py", "--port", "0"]);
 * await waitForOutput(child, /ready tcp (\d+)/);
 * await child.stop();
 */
export function startChild(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Child {
  const script = 'ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';
  const child = spawn("sh", ["-c", script, "sh", command, ...args], {
    env: { ...process.env, LANG: "C", LC_ALL: "", LC_MESSAGES: "", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err = (err + chunk).slice(-20_000);
  });
  child.stdin?.on("error", () => {});
  const exited = new Promise<number | null>((resolve) => {
    child.on("close", (code) => {
      children.delete(child);
      resolve(code);
    });
  });
  return {
    process: child,
    pid: child.pid ?? 0,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(graceMs = 3000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      await exited;
    },
  };
}

/** Stops every child still running (the suite's `finally`). */
export async function stopAllChildren(): Promise<void> {
  killAll("SIGTERM");
  const deadline = Date.now() + 3000;
  while (children.size > 0 && Date.now() < deadline) await sleep(50);
  killAll("SIGKILL");
}

/** Waits until the child's stdout matches, or fails with what it printed. */
export async function waitForOutput(child: Child, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = child.stdout().match(pattern);
    if (match) return match;
    if (child.process.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no ${pattern} from ${child.process.spawnargs.join(" ")}: ${child.stdout()} ${child.stderr()}`);
    }
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Lets every thread of process `pid` run only on `cpuList` ("1", "0-1"), as `taskset -a -p -c`
 * does. Threads the process starts later inherit it. False if it could not (no `taskset`, the
 * process gone, a CPU not allowed here).
 */
export function pinProcess(pid: number, cpuList: string): boolean {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", cpuList, String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The CPUs process `pid` may run on, as a list ("0-1", "0,2-3"; Cpus_allowed_list in /proc). */
export function allowedCpuList(pid: number | "self" = "self"): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, "utf8").match(/^Cpus_allowed_list:\s*(\S+)/m)?.[1];
  } catch {
    return undefined;
  }
}

/** The CPU numbers of a list such as "0-1" or "0,2-3". */
export function cpusOfList(list: string): number[] {
  return list.split(",").flatMap((range) => {
    const [first, last = first] = range.split("-").map(Number);
    if (first === undefined || last === undefined || !(last >= first)) return [];
    return Array.from({ length: last - first + 1 }, (_, index) => first + index);
  });
}

/** Whether `program args...` runs here and exits 0 (a tool's `--version`, say). */
export function programRuns(program: string, ...args: string[]): boolean {
  try {
    execFileSync(program, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Resident memory of a process in KiB (VmRSS in /proc/PID/status); 0 once it is gone. */
export function rssKiB(pid: number): number {
  try {
    const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pids of a process and all its descendants (a cluster's primary and its workers). */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let index = 0; index < tree.length; index++) {
    try {
      for (const task of readdirSync(`/proc/${tree[index]}/task`)) {
        const children = readFileSync(`/proc/${tree[index]}/task/${task}/children`, "utf8").trim();
        if (children !== "") tree.push(...children.split(" ").map(Number));
      }
    } catch {
      // The process ended meanwhile: it has no children left to count.
    }
  }
  return tree;
}

/** Resident memory of a process and its descendants together, in KiB. */
export function treeRssKiB(pid: number): number {
  return processTree(pid).reduce((sum, each) => sum + rssKiB(each), 0);
}

/** CPU time (user + system) a process has used, in seconds (/proc/PID/stat, 100 ticks a second). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** The soft limit on open descriptors of a process ("Max open files" in /proc/PID/limits). */
export function descriptorLimit(pid: number): number {
  const match = readFileSync(`/proc/${pid}/limits`, "utf8").match(/^Max open files\s+(\d+)/m);
  return match ? Number(match[1]) : 0;
}
