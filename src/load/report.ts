/**
 * The end report of a bench run, for people (in the current language, numbers grouped the
 * way it writes them) and for machines (`--json`).
 */

import { formatAddress } from "../address/address.js";
import { getLanguage, t } from "../i18n/index.js";
import type { BenchResult } from "./options.js";

/**
 * A number with `fractionDigits` decimals, grouped as the current language writes it.
 *
 * @example
 * ```ts
 * import { formatNumber } from "./report.js";
 * formatNumber(12345.678, 1); // "12,345.7" in English, "12.345,7" in Spanish
 * ```
 */
export function formatNumber(value: number, fractionDigits = 0): string {
  return new Intl.NumberFormat(getLanguage(), {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(value);
}

/**
 * The report as lines of text: what ran, messages, throughput, latency percentiles, errors.
 *
 * @example
 * ```ts
 * import { formatReport } from "./report.js";
 * import { BENCH_DEFAULTS } from "./options.js";
 * import { runBench } from "./run-bench.js";
 * const options = { ...BENCH_DEFAULTS, host: "127.0.0.1", port: 12000, udp: false, durationMs: 200 };
 * process.stdout.write(formatReport(await runBench(options)));
 * ```
 */
export function formatReport(result: BenchResult): string {
  const { latency, errors } = result;
  const rate =
    result.ratePerSecond === null
      ? t("bench.report.closedLoop")
      : t("bench.report.openLoop", { rate: formatNumber(result.ratePerSecond) });
  const lines = [
    t("bench.report.title", {
      protocol: `${result.protocol.toUpperCase()}${result.tls ? "+TLS" : ""}`,
      address: formatAddress(result.address, result.port),
      pattern: result.pattern,
      connections: formatNumber(result.connections),
      size: formatNumber(result.sizeBytes),
    }),
    t("bench.report.setup", {
      mode: result.locale == null ? result.mode : `${result.mode} (${result.locale})`,
      text: result.text,
      workers: result.workers,
      rate,
      elapsed: formatNumber(result.elapsedSeconds, 2),
    }),
    t("bench.report.engine", { engine: result.engine ?? "node" }),
    t("bench.report.messages", {
      messages: formatNumber(result.messages),
      rate: formatNumber(result.messagesPerSecond, 1),
    }),
    t("bench.report.throughput", { megabytes: formatNumber(result.megabytesPerSecond, 2) }),
    latency.samples === 0
      ? t("bench.report.noLatency")
      : t("bench.report.latency", {
          p50: formatNumber(latency.p50, 1),
          p90: formatNumber(latency.p90, 1),
          p99: formatNumber(latency.p99, 1),
          p999: formatNumber(latency.p999, 1),
          max: formatNumber(latency.max, 1),
        }),
    t("bench.report.errors", {
      total: formatNumber(errors.total),
      mismatches: formatNumber(errors.wrongAnswers),
      connection: formatNumber(errors.connection),
      timeouts: formatNumber(errors.timeouts),
    }),
  ];
  if (result.lateReplies > 0) {
    lines.push(
      t("bench.report.unanswered", { count: formatNumber(result.unanswered), late: formatNumber(result.lateReplies) }),
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The result as `--json` prints it.
 *
 * @example
 * ```ts
 * import { formatJson } from "./report.js";
 * import { BENCH_DEFAULTS } from "./options.js";
 * import { runBench } from "./run-bench.js";
 * const result = await runBench({ ...BENCH_DEFAULTS, host: "127.0.0.1", port: 12000, udp: false, durationMs: 200 });
 * JSON.parse(formatJson(result)).messagesPerSecond;
 * ```
 */
export function formatJson(result: BenchResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
