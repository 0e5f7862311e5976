/**
 * Test support: start the real `mayus` command, the Python lesson peers and other programs
 * as child processes, wait for their ready lines, and make sure none is left behind.
 */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const MAYUS = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
export const PEERS = fileURLToPath(new URL("../peers/", import.meta.url));

/** Every child a test starts, so a failed test still leaves no process behind. */
const children = new Set<ChildProcess>();
function killChildren(): void {
  for (const child of children) child.kill("SIGKILL");
}
process.on("exit", killChildren);
// A test run stopped by a signal (a timeout, Ctrl-C) must not leave servers behind either.
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  process.once(signal, () => {
    killChildren();
    process.kill(process.pid, signal);
  });
}

/**
 * Whether an external program (python3, nc, socat) is here. In CI (CI=true) a missing peer
 * fails the run instead of skipping: `.ci/run` must install it.
 */
export function peerAvailable(program: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.CI === "true") throw new Error(`${program} is missing, and CI must have it: install it in .ci/run`);
    return false;
  }
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface Started {
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): Buffer;
  stderr(): string;
  /** Resolves when the process exits. */
  exited: Promise<Finished>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<Finished>;
}

/**
 * The built CLI with `args`, allowed `limit` descriptors (soft and hard, as `ulimit -n` sets
 * them), as on a crowded machine: `bash` sets the limit, then becomes the CLI (same pid).
 */
export function startMayusWithDescriptorLimit(limit: number, args: readonly string[]): Started {
  return start("bash", ["-c", `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, MAYUS, ...args]);
}

/**
 * `ownGroup`: the child leads a new process group (its pid is the group id), so that every
 * process it starts can be found afterwards with `processesInGroup`, whatever else runs here.
 */
export function start(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; ownGroup?: boolean } = {},
): Started {
  const child = spawn(command, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, LANG: "C", LC_ALL: "", LC_MESSAGES: "", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: options.ownGroup === true,
  });
  children.add(child);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
  child.stdin?.on("error", () => {}); // a child that exits early closes its stdin: not our concern here
  const exited = new Promise<Finished>((resolve) => {
    child.on("close", (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() });
    });
  });
  return {
    child,
    stdout: () => Buffer.concat(out),
    stderr: () => Buffer.concat(err).toString(),
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        const finished = await exited;
        clearTimeout(timer);
        return finished;
      }
      return exited;
    },
  };
}

/** Waits until the process's stdout matches, or fails with what it printed so far. */
export function waitForOutput(started: Started, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  return waitForText(started, "stdout", pattern, timeoutMs);
}

/** Waits until the process's stderr matches, or fails with what it printed so far. */
export function waitForStderr(started: Started, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  return waitForText(started, "stderr", pattern, timeoutMs);
}

async function waitForText(
  started: Started,
  stream: "stdout" | "stderr",
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = started[stream]().toString().match(pattern);
    if (match) return match;
    if (started.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no ${pattern} on ${stream}; stdout: ${started.stdout()} stderr: ${started.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface MayusServer extends Started {
  tcpPort: number;
  udpPort: number;
}

/** Starts `mayus serve` on a kernel-chosen port (127.0.0.1 unless `--host` is given). */
export async function startMayusServer(
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<MayusServer> {
  const hostArgs = args.includes("--host") ? [] : ["--host", "127.0.0.1"];
  const started = start(process.execPath, [MAYUS, "serve", "--port", "0", ...hostArgs, ...args], { env });
  const wantsTcp = !args.includes("--udp") || args.includes("--tcp");
  const wantsUdp = !args.includes("--tcp") || args.includes("--udp");
  const tcp = wantsTcp ? await waitForOutput(started, /tcp \S*:(\d+)/) : undefined;
  const udp = wantsUdp ? await waitForOutput(started, /udp \S*:(\d+)/) : undefined;
  return { ...started, tcpPort: Number(tcp?.[1] ?? 0), udpPort: Number(udp?.[1] ?? 0) };
}

/** Runs a command to its end with the given stdin; kills it after `timeoutMs`. */
export async function run(
  command: string,
  args: readonly string[],
  input: Buffer | string = "",
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string; ownGroup?: boolean } = {},
): Promise<Finished & { pid: number }> {
  const started = start(command, args, options);
  const timer = setTimeout(() => started.child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
  started.child.stdin?.end(input);
  const finished = await started.exited;
  clearTimeout(timer);
  return { ...finished, pid: started.child.pid ?? 0 };
}

/**
 * The processes still in a process group (`ps` lines: pid and command), for a run started with
 * `ownGroup`: what that run left behind, and nothing that another test running here started.
 */
export function processesInGroup(groupId: number): string[] {
  return (
    execFileSync("ps", ["-eo", "pgid=,pid=,stat=,args="], { encoding: "utf8" })
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      // A zombie (stat Z) has exited; it waits only for a parent to reap it.
      .filter(([pgid, , stat]) => Number(pgid) === groupId && !stat?.startsWith("Z"))
      .map(([, pid, , ...command]) => `${pid} ${command.join(" ")}`)
  );
}

/** Runs `mayus ARGS...` with stdin. */
export function runMayus(
  args: readonly string[],
  input: Buffer | string = "",
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Finished> {
  return run(process.execPath, [MAYUS, ...args], input, options);
}

/** Starts one of the Python lesson peers' servers and reads its port from `ready PROTO PORT`. */
export async function startPythonServer(
  script: string,
  args: readonly string[] = [],
): Promise<Started & { port: number }> {
  const started = start("python3", ["-u", `${PEERS}${script}`, ...args]);
  const match = await waitForOutput(started, /ready (?:tcp|udp) (\d+)/);
  return { ...started, port: Number(match[1]) };
}
