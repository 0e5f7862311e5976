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

import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { HAS_BENCH, runLoad } from "./soak/load.js";
import { Probe, quietWindow } from "./soak/probe.js";
import { killChildren, MAYUS, openDescriptors, residentMiB, scrape, startServer } from "./soak/server-process.js";
import { runWorker, WORKER_KINDS, type WorkerKind } from "./soak/workers.js";

const MiB = 1024 * 1024;

function write(line = ""): void {
  process.stdout.write(`${line}\n`);
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
