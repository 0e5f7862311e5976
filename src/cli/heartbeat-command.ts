/**
 * `mayus heartbeat`: the pinger lab's extension, a numbered, timestamped UDP heartbeat every
 * interval until `--count` or Ctrl-C, then a summary; and `serve --heartbeat`'s flags, kept
 * here beside the command they go with.
 */

import { type Command, InvalidArgumentError } from "commander";
import { formatAddress } from "../address/address.js";
import { EXIT_CODES, usageError } from "../errors.js";
import { decimal } from "../heartbeat/heartbeat-numbers.js";
import { HEARTBEAT_SENDER_DEFAULTS, HeartbeatSender } from "../heartbeat/heartbeat-sender.js";
import { HEARTBEAT_DEFAULTS, HEARTBEAT_RANGES, type HeartbeatOptions } from "../heartbeat/heartbeat-table.js";
import { t } from "../i18n/index.js";
import { durationOption, languageOption, newCommand, option, withExamples } from "./command-kit.js";
import { integerIn } from "./option-parsers.js";
import { addFamilyOptions, addTargetArguments, familyFrom, resolveFamily, targetFrom } from "./target.js";

export interface HeartbeatRunOptions {
  host: string;
  port: number;
  count?: number;
  intervalMs: number;
  skip: ReadonlySet<number>;
}

/** Sends, one line per heartbeat, then the summary; resolves with exit code 0. */
export async function runHeartbeat(options: HeartbeatRunOptions): Promise<number> {
  const sender = new HeartbeatSender(options);
  await sender.open();
  const target = formatAddress(options.host, options.port);
  const shown = sender.address === target ? target : `${target} (${sender.address})`;
  writeLine(t("heartbeat.header", { target: shown, interval: decimal(options.intervalMs / 1000, 3) }));
  sender.on("heartbeat", ({ sequence, skipped }) =>
    writeLine(t(skipped ? "heartbeat.skipped" : "heartbeat.sent", { sequence })),
  );
  const stop = () => sender.stop();
  process.once("SIGINT", stop);
  try {
    const summary = await sender.run();
    writeLine("");
    writeLine(t("heartbeat.statistics.title", { target }));
    writeLine(t("heartbeat.statistics.counts", { ...summary }));
  } finally {
    process.off("SIGINT", stop);
  }
  return EXIT_CODES.ok;
}

function writeLine(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `--skip 3,4` (repeatable): the sequence numbers not to send. */
function skipList(value: string, previous: Set<number> | undefined): Set<number> {
  const numbers = value.split(",").map((part) => part.trim());
  if (numbers.some((part) => !/^[1-9]\d{0,15}$/.test(part)))
    throw new InvalidArgumentError(t("heartbeat.error.invalidSkip", { value: JSON.stringify(value) }));
  return new Set([...(previous ?? []), ...numbers.map(Number)]);
}

/** The `heartbeat` subcommand: `[host] [port]` (or `HOST:PORT`) and flags to `runHeartbeat`. */
export function heartbeatCommand(): Command {
  const command = addTargetArguments(newCommand("heartbeat", "heartbeat.description"), {
    host: "heartbeat.argument.host",
    port: "heartbeat.argument.port",
  });
  addFamilyOptions(command)
    .addOption(
      option("-c, --count <count>", "heartbeat.option.count", "MAYUS_HEARTBEAT_COUNT").argParser(
        integerIn("--count", 1, Number.MAX_SAFE_INTEGER),
      ),
    )
    .addOption(
      durationOption("-i, --interval <seconds>", "heartbeat.option.interval", "MAYUS_HEARTBEAT_INTERVAL", {
        bareUnit: "s",
        minMs: 1,
        maxMs: 3_600_000,
      }).default(HEARTBEAT_SENDER_DEFAULTS.intervalMs / 1000),
    )
    .addOption(option("--skip <numbers>", "heartbeat.option.skip", "MAYUS_HEARTBEAT_SKIP").argParser(skipList))
    .addOption(languageOption())
    .action(async (hostArgument: string, portArgument: string | number, flags: HeartbeatFlags) => {
      const target = await resolveFamily(
        "heartbeat",
        targetFrom("heartbeat", hostArgument, portArgument),
        familyFrom(flags),
      );
      process.exitCode = await runHeartbeat({
        ...target,
        count: flags.count,
        intervalMs: Math.round(flags.interval * 1_000_000) / 1000,
        skip: flags.skip ?? new Set(),
      });
    });
  return withExamples(command, [
    { command: "mayus heartbeat localhost:12000", description: "cli.example.heartbeat.forever" },
    { command: "mayus heartbeat -c 10 -i 0.2 --skip 3,4 localhost", description: "cli.example.heartbeat.skip" },
    { command: "mayus heartbeat -i 0.5 [::1]:12000", description: "cli.example.heartbeat.v6" },
  ]);
}

interface HeartbeatFlags {
  count?: number;
  interval: number;
  skip?: Set<number>;
  ipv4?: boolean;
  ipv6?: boolean;
}

/** `serve --heartbeat`, `--heartbeat-timeout MS`, `--heartbeat-max-senders N` (after `--lang` in its help). */
export function addHeartbeatServeOptions(command: Command): Command {
  // Either tuning flag, given on the command line or in the environment, implies --heartbeat
  // (as --cert implies --tls): a limit typed for a table that is off would be silently ignored.
  command.hook("preAction", (serve) => {
    const given = (name: string) => ["cli", "env"].includes(serve.getOptionValueSource(name) ?? "");
    if (given("heartbeatTimeout") || given("heartbeatMaxSenders")) serve.setOptionValue("heartbeat", true);
  });
  return command
    .addOption(option("--heartbeat", "option.heartbeat", "MAYUS_HEARTBEAT"))
    .addOption(
      durationOption("--heartbeat-timeout <ms>", "option.heartbeatTimeout", "MAYUS_HEARTBEAT_TIMEOUT", {
        bareUnit: "ms",
        minMs: HEARTBEAT_RANGES.timeoutMs.min,
        maxMs: HEARTBEAT_RANGES.timeoutMs.max,
      }).default(HEARTBEAT_DEFAULTS.timeoutMs),
    )
    .addOption(
      option("--heartbeat-max-senders <count>", "option.heartbeatMaxSenders", "MAYUS_HEARTBEAT_MAX_SENDERS")
        .argParser(
          integerIn("--heartbeat-max-senders", HEARTBEAT_RANGES.maxSenders.min, HEARTBEAT_RANGES.maxSenders.max),
        )
        .default(HEARTBEAT_DEFAULTS.maxSenders),
    );
}

/** The heartbeat table's options from serve's flags, or undefined without `--heartbeat`. */
export function heartbeatOptionsFrom(
  flags: { heartbeat?: boolean; heartbeatTimeout?: number; heartbeatMaxSenders?: number },
  serves: { udp: boolean; workers: number },
): HeartbeatOptions | undefined {
  if (!flags.heartbeat) return undefined;
  if (!serves.udp) throw usageError(t("heartbeat.error.needsUdp"));
  if (serves.workers > 1) throw usageError(t("heartbeat.error.workers"));
  return { timeoutMs: flags.heartbeatTimeout, maxSenders: flags.heartbeatMaxSenders };
}
