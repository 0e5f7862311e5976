/**
 * `mayus ping`: the lesson's UDP pinger lab, printed as `ping` prints it (one line per ping,
 * then the statistics); Ctrl-C ends it early with the statistics so far, as with `ping`.
 */

import type { Command } from "commander";
import { formatAddress } from "../address/address.js";
import { EXIT_CODES, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import { formatLossPercent, formatReplyTimeMs, formatRtt } from "../ping/ping-statistics.js";
import { PINGER_DEFAULTS, Pinger, type PingResult, type PingSummary } from "../ping/pinger.js";
import { durationOption, languageOption, newCommand, option, withExamples } from "./command-kit.js";
import { integerIn } from "./option-parsers.js";
import { addFamilyOptions, addTargetArguments, familyFrom, resolveFamily, targetFrom } from "./target.js";

export interface PingOptions {
  host: string;
  port: number;
  count: number;
  intervalMs: number;
  timeoutMs: number;
}

/**
 * Pings, printing each line as its ping is settled, then the statistics. Resolves with exit
 * code 0 when at least one reply came back; rejects with a `MayusError` (kind `timeout` when
 * none did, after the statistics; `connection-refused` when nothing listens on the port).
 *
 * @example
 * ```ts
 * import { runPing } from "./ping-command.js";
 * process.exitCode = await runPing({ host: "127.0.0.1", port: 12000, count: 3, intervalMs: 100, timeoutMs: 1000 });
 * ```
 */
export async function runPing(options: PingOptions): Promise<number> {
  const pinger = new Pinger(options);
  await pinger.open();
  const target = formatAddress(options.host, options.port);
  const shown = pinger.address === target ? target : `${target} (${pinger.address})`;
  const header = options.count === 1 ? "ping.header.one" : "ping.header.other";
  writeLine(t(header, { target: shown, count: options.count }));
  pinger.on("result", (result) => writeLine(resultLine(result)));
  const stop = () => pinger.stop();
  process.once("SIGINT", stop);
  let summary: PingSummary;
  try {
    summary = await pinger.run();
  } finally {
    process.off("SIGINT", stop);
  }
  for (const line of summaryLines(target, summary)) writeLine(line);
  if (summary.received === 0) {
    throw new MayusError("timeout", t("ping.error.noReply", { address: pinger.address, count: summary.transmitted }));
  }
  return EXIT_CODES.ok;
}

function resultLine(result: PingResult): string {
  return result.status === "reply"
    ? t("ping.reply", { from: result.from, sequence: result.sequence, time: formatReplyTimeMs(result.rttMs) })
    : t("ping.timeout", { sequence: result.sequence });
}

/** A blank line, the title, the packets and, if anything came back, the rtt line. */
function summaryLines(target: string, summary: PingSummary): string[] {
  // Late echoes are shown like ping's duplicates; neither counts as received.
  let extra = "";
  if (summary.duplicates > 0) extra += t("ping.statistics.duplicates", { count: summary.duplicates });
  if (summary.late > 0) extra += t("ping.statistics.late", { count: summary.late });
  const lines = [
    "",
    t("ping.statistics.title", { target }),
    t("ping.statistics.packets", {
      transmitted: summary.transmitted,
      received: summary.received,
      extra,
      loss: formatLossPercent(summary.lossPercent),
    }),
  ];
  if (summary.rtt !== undefined) lines.push(t("ping.statistics.rtt", { rtt: formatRtt(summary.rtt) }));
  return lines;
}

function writeLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Seconds to milliseconds, to the microsecond (so 0.07 s is 70 ms, not 70.00000000000001). */
function secondsToMs(seconds: number): number {
  return Math.round(seconds * 1_000_000) / 1000;
}

/** The `ping` subcommand: `[host] [port]` (or `HOST:PORT`) and flags to `runPing`. */
export function pingCommand(): Command {
  const command = addTargetArguments(newCommand("ping", "ping.description"), {
    host: "ping.argument.host",
    port: "ping.argument.port",
  });
  addFamilyOptions(command)
    .addOption(
      option("-c, --count <count>", "ping.option.count", "MAYUS_PING_COUNT")
        .argParser(integerIn("--count", 1, 1_000_000))
        .default(PINGER_DEFAULTS.count),
    )
    .addOption(
      durationOption("-i, --interval <seconds>", "ping.option.interval", "MAYUS_PING_INTERVAL", {
        bareUnit: "s",
        minMs: 1,
        maxMs: 3_600_000,
      }).default(PINGER_DEFAULTS.intervalMs / 1000),
    )
    .addOption(
      durationOption("-W, --timeout <seconds>", "ping.option.timeout", "MAYUS_PING_TIMEOUT", {
        bareUnit: "s",
        minMs: 1,
        maxMs: 3_600_000,
      }).default(PINGER_DEFAULTS.timeoutMs / 1000),
    )
    .addOption(languageOption())
    .action(async (hostArgument: string, portArgument: string | number, flags: PingFlags) => {
      const target = await resolveFamily("ping", targetFrom("ping", hostArgument, portArgument), familyFrom(flags));
      process.exitCode = await runPing({
        ...target,
        count: flags.count,
        intervalMs: secondsToMs(flags.interval),
        timeoutMs: secondsToMs(flags.timeout),
      });
    });
  return withExamples(command, [
    { command: "mayus ping -c 3 -i 0.2 localhost:12000", description: "cli.example.ping.count" },
    { command: "mayus ping -W 0.5 [::1]:12000", description: "cli.example.ping.v6" },
    { command: "mayus ping -4 localhost", description: "cli.example.ping.v4" },
  ]);
}

interface PingFlags {
  count: number;
  interval: number;
  timeout: number;
  ipv4?: boolean;
  ipv6?: boolean;
}
