/**
 * `npm run soak [-- --duration 60]`: a soak test of `mayus serve`. Starts the server as a child
 * process on loopback, drives mixed TCP and UDP load at it from four worker processes (ping-pong,
 * connection churn with resets and half-finished characters, streaming with a slow reader,
 * datagrams from several source addresses), and compares the server before and after:
 *
 *   - RSS and open descriptors, read from /proc/PID (outside the server);
 *   - V8 heap after the most recent garbage collection, from the server's `--trace-gc` lines;
 *   - event-loop delay p99, from the server's own /metrics (perf_hooks' monitorEventLoopDelay),
 *     and, as a client-side proxy, the round trip of a 1-byte TCP request every 100 ms.
 *
 * "Start" is measured after a short warm-up and 2 s of quiet, "end" after the load stops and
 * 2 s of quiet. Exit 1 when RSS, descriptors or heap grew past their bounds, the event loop is
 * slow when idle, an answer was wrong, or the server did not drain and exit 0. Everything is
 * bounded in time, on 127.0.0.0/8 only, and no process is left behind. Needs `npm run build`.
 */

import { type ChildProcess, fork, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { get } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createUppercaser, uppercase } from "../src/transform/index.js";
import { tcpConnect } from "../test/support/sockets.js";

const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const MAYUS = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const HAS_BENCH = existsSync(fileURLToPath(new URL("../dist/cli/bench-command.js", import.meta.url)));
const MiB = 1024 * 1024;

const WORKER_KINDS = ["tcp-pingpong", "tcp-churn", "tcp-stream", "udp"] as const;
type WorkerKind = (typeof WORKER_KINDS)[number];

interface WorkerReport {
  kind: string;
  /** Exchanges completed (messages, connections, streams, datagrams). */
  operations: number;
  bytes: number;
  /** Answers that were not the transform of what was sent: always a failure. */
  wrong: number;
  /** Connections that failed unexpectedly. */
  errors: number;
  /** UDP datagrams with no reply in time (UDP may lose; reported, not a failure). */
  lost: number;
  detail?: string;
}

function write(line = ""): void {
  process.stdout.write(`${line}\n`);
}

// ---------------------------------------------------------------------------------------------
// Load workers: each runs in its own process until its deadline, then reports over IPC.
// ---------------------------------------------------------------------------------------------

/** Text with accents and ñ (2-byte UTF-8), and now and then a character that grows (ß, ŉ). */
function randomText(maxBytes: number): Buffer {
  const words = ["hola", "señor", "ñandú", "canción", "straße", "ŉ", "mayús", "año", "pingüino", "ÿ", "x"];
  const parts: string[] = [];
  let length = 0;
  const target = 1 + Math.floor(Math.random() * maxBytes);
  while (length < target) {
    const word = words[Math.floor(Math.random() * words.length)];
    parts.push(word);
    length += Buffer.byteLength(word) + 1;
  }
  return Buffer.from(parts.join(" "));
}

/** Sends, half-closes, collects the answer until the server closes (or `timeoutMs`). */
async function exchangeOnce(port: number, payload: Buffer, timeoutMs = 10_000): Promise<Buffer> {
  const socket = await tcpConnect(port);
  const parts: Buffer[] = [];
  socket.on("data", (part: Buffer) => parts.push(part));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.end(payload);
    });
  } finally {
    socket.destroy();
  }
  return Buffer.concat(parts);
}

async function pingPongWorker(port: number, deadline: number, report: WorkerReport): Promise<void> {
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      const socket = await tcpConnect(port);
      socket.on("error", () => {});
      try {
        while (Date.now() < deadline && !socket.destroyed) {
          const message = randomText(1500);
          const expected = uppercase(message);
          const answer = await new Promise<Buffer>((resolve, reject) => {
            const parts: Buffer[] = [];
            let length = 0;
            const timer = setTimeout(() => reject(new Error("no answer within 10 s")), 10_000);
            const onData = (part: Buffer) => {
              parts.push(part);
              length += part.length;
              if (length < expected.length) return;
              clearTimeout(timer);
              socket.off("data", onData);
              resolve(Buffer.concat(parts));
            };
            socket.on("data", onData);
            socket.write(message);
          });
          if (!answer.equals(expected)) report.wrong++;
          report.operations++;
          report.bytes += message.length;
        }
      } catch {
        report.errors++;
      } finally {
        socket.destroy();
      }
    }),
  );
}

/** Short connections, some of them rude: resets, a FIN mid-character, silence. */
async function churnWorker(port: number, deadline: number, report: WorkerReport): Promise<void> {
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < deadline) {
        const roll = Math.random();
        try {
          if (roll < 0.7) {
            const message = randomText(4000);
            const answer = await exchangeOnce(port, message);
            if (!answer.equals(uppercase(message))) report.wrong++;
            report.bytes += message.length;
          } else if (roll < 0.8) {
            const socket = await tcpConnect(port);
            socket.on("error", () => {});
            socket.write(randomText(20_000));
            await sleep(Math.random() * 5);
            socket.resetAndDestroy();
          } else if (roll < 0.9) {
            const answer = await exchangeOnce(port, Buffer.from([0x61, 0xc3]));
            if (!answer.equals(Buffer.from([0x41, 0xc3]))) report.wrong++;
          } else {
            const socket = await tcpConnect(port);
            socket.on("error", () => {});
            await sleep(50);
            socket.destroy();
          }
          report.operations++;
        } catch {
          report.errors++;
        }
      }
    }),
  );
}

/** Streams 8 MB at a time, reading concurrently; one of the readers is slow (pauses often). */
async function streamWorker(port: number, deadline: number, report: WorkerReport): Promise<void> {
  const block = Buffer.alloc(8 * MiB);
  for (let index = 0; index < block.length; index++) block[index] = 0x61 + (index % 26);
  await Promise.all(
    [false, false, true].map(async (slowReader) => {
      while (Date.now() < deadline) {
        try {
          const socket = await tcpConnect(port);
          let received = 0;
          let wrong = false;
          const done = new Promise<void>((resolve, reject) => {
            socket.on("data", (part: Buffer) => {
              for (let index = 0; index < part.length; index++) {
                if (part[index] !== block[received + index] - 0x20) wrong = true;
              }
              received += part.length;
              if (slowReader && Math.random() < 0.05) {
                socket.pause();
                setTimeout(() => socket.resume(), 50);
              }
            });
            socket.once("close", () => resolve());
            socket.once("error", reject);
          });
          for (let offset = 0; offset < block.length; offset += 256 * 1024) {
            if (!socket.write(block.subarray(offset, offset + 256 * 1024))) {
              await new Promise((resolve) => socket.once("drain", resolve));
            }
          }
          socket.end();
          await done;
          if (wrong || received !== block.length) report.wrong++;
          report.operations++;
          report.bytes += block.length;
        } catch {
          report.errors++;
        }
      }
    }),
  );
}

/** Datagrams from four source addresses, each paced below the per-source rate limit. */
async function udpWorker(port: number, deadline: number, report: WorkerReport): Promise<void> {
  await Promise.all(
    [21, 22, 23, 24].map(async (last) => {
      const socket = createSocket("udp4");
      socket.on("error", () => {});
      await new Promise<void>((resolve) => socket.bind(0, `127.0.0.${last}`, resolve));
      try {
        let sent = 0;
        const started = Date.now();
        while (Date.now() < deadline) {
          // At most 1,000 a second from this address (the default limit is 2,000 per source).
          const ahead = sent - (Date.now() - started);
          if (ahead > 0) await sleep(ahead);
          const message = randomText(1400);
          const expected = createUppercaser().transformOwned(Buffer.from(message), { keepGrowingCharacters: true });
          const reply = await new Promise<Buffer | undefined>((resolve) => {
            const timer = setTimeout(() => {
              socket.off("message", onMessage);
              resolve(undefined);
            }, 500);
            const onMessage = (data: Buffer) => {
              clearTimeout(timer);
              resolve(data);
            };
            socket.once("message", onMessage);
            socket.send(message, port, "127.0.0.1");
          });
          sent++;
          if (reply === undefined) report.lost++;
          else if (!reply.equals(expected)) report.wrong++;
          else report.operations++;
          report.bytes += message.length;
        }
      } finally {
        socket.close();
      }
    }),
  );
}

async function runWorker(kind: WorkerKind, port: number, seconds: number): Promise<void> {
  const report: WorkerReport = { kind, operations: 0, bytes: 0, wrong: 0, errors: 0, lost: 0 };
  const deadline = Date.now() + seconds * 1000;
  const loops = {
    "tcp-pingpong": pingPongWorker,
    "tcp-churn": churnWorker,
    "tcp-stream": streamWorker,
    udp: udpWorker,
  };
  await loops[kind](port, deadline, report);
  process.send?.(report);
  process.disconnect?.();
}

// ---------------------------------------------------------------------------------------------
// The soak itself.
// ---------------------------------------------------------------------------------------------

/** Every process started here: killed on the way out, whatever way that is. */
const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

interface Server {
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

async function startServer(): Promise<Server> {
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

function residentMiB(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** One Prometheus value from the server's /metrics (a fresh connection, closed after). */
function scrape(port: number, name: string): Promise<number | undefined> {
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

/** A 1-byte request every 100 ms on one connection; the round trips, by phase. */
class Probe {
  readonly samples = new Map<string, number[]>();
  phase = "fresh";
  #socket: Socket | undefined;
  #timer: NodeJS.Timeout | undefined;

  async start(port: number): Promise<void> {
    this.#socket = await tcpConnect(port);
    this.#socket.on("error", () => {});
    let sentAt = 0;
    let waiting = false;
    this.#socket.on("data", () => {
      if (!waiting) return;
      waiting = false;
      const list = this.samples.get(this.phase) ?? [];
      list.push(performance.now() - sentAt);
      this.samples.set(this.phase, list);
    });
    this.#timer = setInterval(() => {
      if (waiting) return; // the last one is still out: its time counts when it comes
      waiting = true;
      sentAt = performance.now();
      this.#socket?.write("p");
    }, 100);
  }

  p99(phase: string): number | undefined {
    const list = [...(this.samples.get(phase) ?? [])].sort((a, b) => a - b);
    if (list.length === 0) return undefined;
    return list[Math.min(list.length - 1, Math.ceil(list.length * 0.99) - 1)];
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#socket?.destroy();
  }
}

interface Snapshot {
  rssMiB: number;
  descriptors: number;
  heapAfterGcMiB: number | undefined;
  gc: string;
  /** The server's own event-loop delay p99 over the window, from /metrics. */
  loopDelayP99Ms: number | undefined;
  probeP99Ms: number | undefined;
}

/** Measures a quiet window of `seconds`: the probe runs, the server's loop-delay histogram restarts. */
async function quietWindow(server: Server, probe: Probe, phase: string, seconds = 2): Promise<Snapshot> {
  const metricsPort = server.metricsPort ?? 0;
  await scrape(metricsPort, "nodejs_eventloop_lag_p99_seconds"); // resets the server's histogram
  probe.phase = phase;
  await sleep(seconds * 1000);
  const rssMiB = residentMiB(server.pid);
  const descriptors = openDescriptors(server.pid);
  const lag = await scrape(metricsPort, "nodejs_eventloop_lag_p99_seconds");
  const gc = server.lastGc();
  probe.phase = "between";
  return {
    rssMiB,
    descriptors,
    heapAfterGcMiB: gc?.heapAfterMiB,
    gc: gc === undefined ? "no GC yet" : `${gc.kind} at ${(gc.atMs / 1000).toFixed(1)} s`,
    loopDelayP99Ms: lag === undefined ? undefined : lag * 1000,
    probeP99Ms: probe.p99(phase),
  };
}

interface LoadResult {
  reports: WorkerReport[];
  failures: string[];
}

/** Runs the four workers for `seconds`; each stops by itself, and is killed if it overstays. */
async function runLoad(port: number, seconds: number): Promise<LoadResult> {
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

function formatNumber(value: number | undefined, digits = 1): string {
  return value === undefined || Number.isNaN(value) ? "n/a" : value.toFixed(digits);
}

async function soak(options: {
  seconds: number;
  maxRssGrowthMiB: number;
  maxDescriptorGrowth: number;
  maxHeapGrowthMiB: number;
  maxLoopDelayMs: number;
}): Promise<number> {
  if (!existsSync(MAYUS)) {
    process.stderr.write("soak: dist/cli/main.js is missing: run `npm run build` first\n");
    return 2;
  }
  const warmupSeconds = Math.min(10, Math.max(2, Math.round(options.seconds / 10)));
  const server = await startServer();
  write(`mayus soak: ${options.seconds} s of mixed load from ${WORKER_KINDS.length} worker processes`);
  write(`  server: mayus serve, pid ${server.pid}, tcp and udp 127.0.0.1:${server.port}`);
  write(`  load: ${WORKER_KINDS.join(", ")}${HAS_BENCH ? " (tcp-pingpong is `mayus bench`)" : ""}`);
  write("  RSS and descriptors: /proc/PID; heap after GC: the server's --trace-gc lines (most recent GC);");
  write("  event-loop delay p99: the server's /metrics (monitorEventLoopDelay), and as a client-side proxy");
  write("  the round trip of a 1-byte TCP request sent every 100 ms.");
  const probe = new Probe();
  await probe.start(server.port);
  const failures: string[] = [];
  try {
    const fresh = await quietWindow(server, probe, "fresh", 1);
    write(`warm-up: ${warmupSeconds} s of the same load...`);
    const warmup = await runLoad(server.port, warmupSeconds);
    failures.push(...warmup.failures);
    const start = await quietWindow(server, probe, "start");
    write(`load: ${options.seconds} s...`);
    probe.phase = "load";
    const loadStarted = performance.now();
    let peakRss = start.rssMiB;
    let peakDescriptors = start.descriptors;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, residentMiB(server.pid));
      peakDescriptors = Math.max(peakDescriptors, openDescriptors(server.pid));
    }, 1000);
    await scrape(server.metricsPort ?? 0, "nodejs_eventloop_lag_p99_seconds");
    const load = await runLoad(server.port, options.seconds);
    const loadDelay = await scrape(server.metricsPort ?? 0, "nodejs_eventloop_lag_p99_seconds");
    clearInterval(sampler);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const loadProbe = probe.p99("load");
    failures.push(...load.failures);
    probe.phase = "settle";
    await sleep(2000); // settling
    const end = await quietWindow(server, probe, "end");

    write();
    write("                              fresh      start        end     growth      bound");
    const row = (name: string, values: (number | undefined)[], digits: number, growth?: number, bound?: string) =>
      write(
        `${name.padEnd(26)}${values.map((value) => formatNumber(value, digits).padStart(11)).join("")}` +
          `${formatNumber(growth, digits).padStart(11)}${(bound ?? "").padStart(11)}`,
      );
    row(
      "RSS (MiB)",
      [fresh.rssMiB, start.rssMiB, end.rssMiB],
      1,
      end.rssMiB - start.rssMiB,
      `+${options.maxRssGrowthMiB}`,
    );
    row(
      "open descriptors",
      [fresh.descriptors, start.descriptors, end.descriptors],
      0,
      end.descriptors - start.descriptors,
      `+${options.maxDescriptorGrowth}`,
    );
    const heapGrowth =
      end.heapAfterGcMiB === undefined || start.heapAfterGcMiB === undefined
        ? undefined
        : end.heapAfterGcMiB - start.heapAfterGcMiB;
    row(
      "heap after GC (MiB)",
      [fresh.heapAfterGcMiB, start.heapAfterGcMiB, end.heapAfterGcMiB],
      1,
      heapGrowth,
      `+${options.maxHeapGrowthMiB}`,
    );
    row(
      "loop delay p99 (ms)",
      [fresh.loopDelayP99Ms, start.loopDelayP99Ms, end.loopDelayP99Ms],
      1,
      undefined,
      `<${options.maxLoopDelayMs}`,
    );
    row("probe round trip p99 (ms)", [fresh.probeP99Ms, start.probeP99Ms, end.probeP99Ms], 1);
    write(`  (last GC: start ${start.gc}; end ${end.gc})`);
    write(
      `during the load (${loadSeconds.toFixed(1)} s): peak RSS ${peakRss.toFixed(1)} MiB, peak descriptors ${peakDescriptors}, ` +
        `loop delay p99 ${formatNumber(loadDelay === undefined ? undefined : loadDelay * 1000)} ms, ` +
        `probe p99 ${formatNumber(loadProbe)} ms`,
    );
    for (const report of load.reports) {
      write(
        `  ${report.kind.padEnd(28)} ${String(report.operations).padStart(9)} done, ${(report.bytes / MiB).toFixed(0).padStart(6)} MiB sent, ` +
          `${report.wrong} wrong, ${report.errors} errors${report.kind === "udp" ? `, ${report.lost} without reply` : ""}` +
          `${report.detail ? ` (${report.detail})` : ""}`,
      );
      if (report.wrong > 0) failures.push(`${report.kind}: ${report.wrong} wrong answers`);
    }

    if (end.rssMiB - start.rssMiB > options.maxRssGrowthMiB) {
      failures.push(`RSS grew by ${(end.rssMiB - start.rssMiB).toFixed(1)} MiB (bound ${options.maxRssGrowthMiB})`);
    }
    if (end.descriptors - start.descriptors > options.maxDescriptorGrowth) {
      failures.push(
        `descriptors grew by ${end.descriptors - start.descriptors} (bound ${options.maxDescriptorGrowth})`,
      );
    }
    if (heapGrowth !== undefined && heapGrowth > options.maxHeapGrowthMiB) {
      failures.push(`heap after GC grew by ${heapGrowth.toFixed(1)} MiB (bound ${options.maxHeapGrowthMiB})`);
    }
    if (end.loopDelayP99Ms !== undefined && end.loopDelayP99Ms > options.maxLoopDelayMs) {
      failures.push(`idle event-loop delay p99 ${end.loopDelayP99Ms.toFixed(1)} ms (bound ${options.maxLoopDelayMs})`);
    }
  } finally {
    probe.stop();
  }

  // The server must still drain and exit 0 after all that.
  server.child.kill("SIGTERM");
  const killer = setTimeout(() => server.child.kill("SIGKILL"), 15_000);
  const code = await server.exited;
  clearTimeout(killer);
  if (code !== 0)
    failures.push(`the server exited ${code} on SIGTERM: ${server.stderr().trim().split("\n").slice(-2).join(" / ")}`);
  const warnings = server
    .stderr()
    .split("\n")
    .filter((line) => /WARN|"level":40/.test(line)).length;
  write(`server: exit ${code} after SIGTERM; ${warnings} warning lines logged (rate-limited refusals and drops)`);

  if (failures.length > 0) {
    write(`soak: FAIL\n${failures.map((failure) => `  - ${failure}`).join("\n")}`);
    return 1;
  }
  write("soak: PASS");
  return 0;
}

function killChildren(): void {
  for (const child of children) child.kill("SIGKILL");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "60" },
      worker: { type: "string" },
      port: { type: "string" },
      "max-rss-growth-mib": { type: "string", default: "64" },
      "max-fd-growth": { type: "string", default: "8" },
      "max-heap-growth-mib": { type: "string", default: "32" },
      "max-loop-delay-ms": { type: "string", default: "100" },
    },
  });
  const seconds = Number(values.duration);
  if (!(seconds > 0 && seconds <= 24 * 3600)) {
    process.stderr.write(`soak: --duration must be a number of seconds (got ${values.duration})\n`);
    return 2;
  }
  if (values.worker !== undefined) {
    const kind = values.worker as WorkerKind;
    if (!WORKER_KINDS.includes(kind)) throw new Error(`unknown worker ${kind}`);
    await runWorker(kind, Number(values.port), seconds);
    return 0;
  }
  process.on("exit", killChildren);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      process.stderr.write(`soak: ${signal}: stopping the server and the workers\n`);
      killChildren();
      process.exit(130);
    });
  }
  const bounds = {
    maxRssGrowthMiB: Number(values["max-rss-growth-mib"]),
    maxDescriptorGrowth: Number(values["max-fd-growth"]),
    maxHeapGrowthMiB: Number(values["max-heap-growth-mib"]),
    maxLoopDelayMs: Number(values["max-loop-delay-ms"]),
  };
  const invalid = Object.entries(bounds).find(([, value]) => !Number.isFinite(value));
  if (invalid !== undefined) {
    process.stderr.write(`soak: a bound must be a number (${invalid[0]})\n`);
    return 2;
  }
  return soak({ seconds, ...bounds });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`soak: ${error.stack ?? error.message}\n`);
    killChildren();
    process.exitCode = 1;
  },
);
