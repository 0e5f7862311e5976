/**
 * `mayus bench [HOST] [PORT]`: loads a server over TCP or UDP for a bounded time, shows the
 * progress live, and reports throughput, latency percentiles and errors (or `--json`).
 */

import { once } from "node:events";
import type { Command } from "commander";
import { formatAddress } from "../address/address.js";
import { EXIT_CODES, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import { BENCH_DEFAULTS, BENCH_PATTERNS, BENCH_TEXTS, type BenchOptions } from "../load/options.js";
import { ProgressDisplay } from "../load/progress.js";
import { formatJson, formatReport } from "../load/report.js";
import { runBench } from "../load/run-bench.js";
import { TRANSFORM_MODES } from "../transform/index.js";
import { addClientTlsOptions, clientTlsFrom } from "./client-tls.js";
import { checkedTransform, durationOption, languageOption, newCommand, option, withExamples } from "./command-kit.js";
import { integerIn, oneOf } from "./option-parsers.js";
import { addFamilyOptions, addTargetArguments, familyFrom, resolveFamily, targetFrom } from "./target.js";

/** The exit code of a process that Ctrl-C (SIGINT) ended: 128 + the signal's number, as shells say. */
const INTERRUPTED_EXIT_CODE = 130;

/**
 * Runs a bench with a progress display on stderr and the report on stdout; resolves with the
 * exit code: 0, or 1 when any answer was wrong or a connection failed during the run. A run
 * in which nothing was answered, and nothing failed either (a server that reads and never
 * answers), measured nothing: after the report it throws a `timeout` MayusError (exit 5).
 * Ctrl-C ends the measurement early and reports what it measured (exit 130 if nothing).
 *
 * @example
 * ```ts
 * import { runBenchCommand } from "./bench-command.js";
 * import { BENCH_DEFAULTS } from "../load/options.js";
 * const options = { ...BENCH_DEFAULTS, host: "127.0.0.1", port: 12000, udp: false, durationMs: 200 };
 * process.exitCode = await runBenchCommand(options, false);
 * ```
 */
export async function runBenchCommand(options: BenchOptions, json: boolean): Promise<number> {
  const progress = new ProgressDisplay(process.stderr, options);
  // Ctrl-C ends the measurement there and reports it, as ping does; a second one exits at once.
  const interruption = new AbortController();
  const interrupted = once(interruption.signal, "abort").then(() => {});
  const onInterrupt = () => interruption.abort();
  process.once("SIGINT", onInterrupt);
  let result: Awaited<ReturnType<typeof runBench>>;
  try {
    result = await runBench(options, (update) => progress.update(update), interrupted);
  } finally {
    process.off("SIGINT", onInterrupt);
    progress.finish();
  }
  process.stdout.write(json ? formatJson(result) : formatReport(result));
  if (result.errors.total > 0) return EXIT_CODES.failure;
  // Interrupted before any answer was measured (in the warm-up, say): the shell's code for Ctrl-C.
  if (result.messages === 0 && interruption.signal.aborted) return INTERRUPTED_EXIT_CODE;
  if (result.messages === 0) {
    const address = formatAddress(result.address, result.port);
    throw new MayusError("timeout", t("bench.error.noAnswer", { address, seconds: result.elapsedSeconds }));
  }
  return EXIT_CODES.ok;
}

/** The `bench` subcommand: `[host] [port]` and flags (each with a `MAYUS_BENCH_*` variable). */
export function benchCommand(): Command {
  const command = addTargetArguments(newCommand("bench", "bench.description"), {
    host: "bench.argument.host",
    port: "bench.argument.port",
  }).addOption(option("-u, --udp", "bench.option.udp", "MAYUS_BENCH_UDP"));
  addFamilyOptions(command)
    .addOption(
      option("--connections <count>", "bench.option.connections", "MAYUS_BENCH_CONNECTIONS")
        .argParser(integerIn("--connections", 1, 100_000))
        .default(BENCH_DEFAULTS.connections),
    )
    .addOption(
      option("--size <bytes>", "bench.option.size", "MAYUS_BENCH_SIZE")
        .argParser(integerIn("--size", 1, 16 * 1024 * 1024))
        .default(BENCH_DEFAULTS.sizeBytes),
    )
    .addOption(
      durationOption("--duration <seconds>", "bench.option.duration", "MAYUS_BENCH_DURATION", {
        bareUnit: "s",
        minMs: 1,
        maxMs: 86_400_000,
      }).default(BENCH_DEFAULTS.durationMs / 1000),
    )
    .addOption(
      durationOption("--warmup <seconds>", "bench.option.warmup", "MAYUS_BENCH_WARMUP", {
        bareUnit: "s",
        minMs: 0,
        maxMs: 3_600_000,
      }).default(BENCH_DEFAULTS.warmupMs / 1000),
    )
    .addOption(
      option("--pattern <pattern>", "bench.option.pattern", "MAYUS_BENCH_PATTERN")
        .argParser(oneOf(BENCH_PATTERNS, (value) => t("bench.error.invalidPattern", { value })))
        .default(BENCH_DEFAULTS.pattern),
    )
    .addOption(
      option("--rate <messages>", "bench.option.rate", "MAYUS_BENCH_RATE").argParser(
        integerIn("--rate", 1, 100_000_000),
      ),
    )
    .addOption(
      option("--mode <mode>", "bench.option.mode", "MAYUS_BENCH_MODE")
        .argParser(oneOf(TRANSFORM_MODES, (value) => t("error.invalidMode", { value })))
        .default(BENCH_DEFAULTS.mode),
    )
    .addOption(option("--locale <tag>", "bench.option.locale", "MAYUS_BENCH_LOCALE"))
    .addOption(
      option("--text <text>", "bench.option.text", "MAYUS_BENCH_TEXT")
        .argParser(oneOf(BENCH_TEXTS, (value) => t("bench.error.invalidText", { value })))
        .default(BENCH_DEFAULTS.text),
    )
    .addOption(
      option("--total-bytes <bytes>", "bench.option.totalBytes", "MAYUS_BENCH_TOTAL_BYTES").argParser(
        integerIn("--total-bytes", 1, Number.MAX_SAFE_INTEGER),
      ),
    )
    .addOption(
      option("--workers <count>", "bench.option.workers", "MAYUS_BENCH_WORKERS")
        .argParser(integerIn("--workers", 1, 64))
        .default(BENCH_DEFAULTS.workers),
    )
    .addOption(option("--json", "bench.option.json", "MAYUS_BENCH_JSON"))
    .addOption(languageOption());
  addClientTlsOptions(command, "MAYUS_BENCH").action(
    async (hostArgument: string, portArgument: string | number, flags) => {
      const typed = targetFrom("bench", hostArgument, portArgument);
      const { locale } = checkedTransform(flags.mode, flags.locale);
      const tls = clientTlsFrom(flags, Boolean(flags.udp), typed.host);
      const target = await resolveFamily("bench", typed, familyFrom(flags));
      process.exitCode = await runBenchCommand(
        {
          ...target,
          udp: Boolean(flags.udp),
          connections: flags.connections,
          sizeBytes: flags.size,
          durationMs: Math.round(flags.duration * 1000),
          warmupMs: Math.round(flags.warmup * 1000),
          pattern: flags.pattern,
          ratePerSecond: flags.rate,
          mode: flags.mode,
          ...(locale === undefined ? {} : { locale }),
          text: flags.text,
          totalBytes: flags.totalBytes,
          workers: flags.workers,
          udpTimeoutMs: BENCH_DEFAULTS.udpTimeoutMs,
          ...(tls === undefined ? {} : { tls }),
        },
        Boolean(flags.json),
      );
    },
  );
  return withExamples(command, [
    { command: "mayus bench --connections 50 --duration 10 localhost:12000", description: "cli.example.bench.tcp" },
    { command: "mayus bench -u --duration 5 --json [::1]:12000", description: "cli.example.bench.udp" },
    {
      command: "mayus bench --pattern stream --total-bytes 1073741824 localhost",
      description: "cli.example.bench.stream",
    },
  ]);
}
