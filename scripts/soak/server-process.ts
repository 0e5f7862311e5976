/**
 * The soak's server: `mayus serve` as a child process, with what is read from outside it (RSS
 * and descriptors from /proc, the heap from --trace-gc, /metrics); every process the soak
 * starts is tracked here, so none is left behind.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { get } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const MAYUS = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** Every process started here: killed on the way out, whatever way that is. */
export const children = new Set<ChildProcess>();
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

export interface Server {
  child: ChildProcess;
  pid: number;
  port: number;
  metricsPort: number | undefined;
  stdout(): string;
  stderr(): string;
  /** Heap used after the most recent GC, from --trace-gc. */
  lastGc(): { kind: string; heapAfterMiB: number; atMs: number } | undefined;
  exited: Promise<number | null>;
}

export async function startServer(): Promise<Server> {
  const args = ["--trace-gc", MAYUS, "serve", "--port", "0", "--host", "127.0.0.1"];
  const operations = ["--metrics-port", "0", "--metrics-host", "127.0.0.1", "--log-level", "warn"];
  const child = track(spawn(process.execPath, [...args, ...operations], { cwd: ROOT, stdio: "pipe" }));
  let out = "";
  let err = "";
  let lastGc: ReturnType<Server["lastGc"]>;
  let pending = "";
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stdout?.on("data", (text: string) => {
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      // [pid:0x...]   1234 ms: Mark-Compact 9.3 (17.1) -> 7.2 (17.4) MB, ...
      const gc = line.match(
        /\s([\d.]+) ms: ([A-Za-z -]+?)(?: \([a-z ]+\))? ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/,
      );
      if (gc) lastGc = { kind: gc[2], heapAfterMiB: Number(gc[4]), atMs: Number(gc[1]) };
      else out += `${line}\n`;
    }
  });
  child.stderr?.on("data", (text: string) => {
    err += text;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const tcp = out.match(/tcp \S*:(\d+)/);
    const udp = out.match(/udp \S*:(\d+)/);
    const metrics = out.match(/metrics on http port (\d+)/);
    if (tcp && udp && metrics) {
      return {
        child,
        pid: child.pid ?? 0,
        port: Number(tcp[1]),
        metricsPort: Number(metrics[1]),
        stdout: () => out,
        stderr: () => err,
        lastGc: () => lastGc,
        exited,
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`mayus serve did not start; stdout: ${out} stderr: ${err}`);
    }
    await sleep(20);
  }
}

export function residentMiB(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** One Prometheus value from the server's /metrics (a fresh connection, closed after). */
export function scrape(port: number, name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = get({ host: "127.0.0.1", port, path: "/metrics", agent: false, timeout: 5000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (text: string) => {
        body += text;
      });
      response.on("end", () => {
        const line = body.split("\n").find((candidate) => candidate.startsWith(`${name} `));
        resolve(line === undefined ? undefined : Number(line.split(" ")[1]));
      });
    });
    request.on("error", () => resolve(undefined));
    request.on("timeout", () => request.destroy());
  });
}

/** Kills every process the soak started (on its way out, whatever way that is). */
export function killChildren(): void {
  for (const child of children) child.kill("SIGKILL");
}
