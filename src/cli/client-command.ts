/**
 * `mayus client`: interactive on a terminal (the lesson's prompt, line editing, history),
 * or piped (stdin to the server, replies to stdout, byte for byte).
 */

import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { formatAddress } from "../address/address.js";
import { readLines } from "../client/lines.js";
import { TcpClient } from "../client/tcp-client.js";
import type { ClientTlsOptions } from "../client/tls-connect.js";
import { UDP_CLIENT_DEFAULTS, UdpClient, type UdpRetry } from "../client/udp-client.js";
import { pipeLines } from "../client/udp-pipeline.js";
import { EXIT_CODES, MayusError, usageError } from "../errors.js";
import { t } from "../i18n/index.js";
import { HEXDUMP_DEFAULTS, withHexdump } from "../observability/hexdump.js";
import type { Tracer } from "../observability/trace.js";
import { createTracePrinter } from "../observability/trace-printer.js";
import { addClientTlsOptions, clientTlsFrom } from "./client-tls.js";
import { errorPrefix } from "./colour.js";
import { checkedTransform, durationOption, languageOption, newCommand, option, withExamples } from "./command-kit.js";
import { type ConnectBudget, connectBudget, connectTimeoutFrom } from "./connect-timeout.js";
import { integerIn } from "./option-parsers.js";
import {
  type AddressFamily,
  addFamilyOptions,
  addTargetArguments,
  familyFrom,
  resolveFamily,
  targetFrom,
} from "./target.js";

export interface ClientOptions {
  host: string;
  port: number;
  udp: boolean;
  /** UDP: the RTO until the first reply is measured. */
  timeoutMs: number;
  minRtoMs: number;
  maxRtoMs: number;
  /** UDP: how long one line may take before it fails. */
  deadlineMs: number;
  /** UDP: a cap on tries after the first, if given. */
  retries?: number;
  /** UDP, piped: lines waiting for their reply at once. */
  window: number;
  /** UDP, piped: bytes of lines read and not yet printed. */
  holdBytes: number;
  trace?: Tracer;
  locale?: string;
  /** `-4`/`-6`: look the host up in this family only. */
  family?: AddressFamily;
  /** `-w`/`--connect-timeout`: the most the lookup and connect may take. */
  connectTimeoutMs?: number;
  /** TCP over TLS (`--tls`, `--ca`, `--insecure`). */
  tls?: ClientTlsOptions;
}

/** The options once the host is resolved, with what is left of `-w` for the connect. */
type RunOptions = ClientOptions & { budget: ConnectBudget };

export async function runClient(given: ClientOptions): Promise<number> {
  const budget = connectBudget(given.connectTimeoutMs);
  const lookup = resolveFamily("client", given, given.family);
  const target = await budget.within(lookup, formatAddress(given.host, given.port));
  const options: RunOptions = { ...given, ...target, budget };
  const interactive = process.stdin.isTTY === true;
  if (options.udp) return interactive ? udpInteractive(options) : udpPiped(options);
  return interactive ? tcpInteractive(options) : tcpPiped(options);
}

/** Prints an error for one line (one line on stderr) and gives its exit code. */
function reportLineError(error: unknown): number {
  if (!(error instanceof MayusError)) throw error;
  process.stderr.write(`${errorPrefix()}${error.message}\n`);
  return error.exitCode;
}

function newUdpClient(options: ClientOptions, onRetry?: (retry: UdpRetry) => void): UdpClient {
  return new UdpClient({
    host: options.host,
    port: options.port,
    timeoutMs: options.timeoutMs,
    minRtoMs: options.minRtoMs,
    maxRtoMs: options.maxRtoMs,
    deadlineMs: options.deadlineMs,
    retries: options.retries,
    transform: { locale: options.locale },
    trace: options.trace,
    onRetry,
  });
}

/** Lines that only fail alone (no reply, too long) let the client go on; others end it. */
function isLineFailure(error: unknown): boolean {
  return error instanceof MayusError && (error.kind === "timeout" || error.kind === "datagram-too-long");
}

/**
 * Piped UDP: up to `window` lines waiting for replies at once; replies are printed in input
 * order, each line's error where its reply would have been.
 */
async function udpPiped(options: RunOptions): Promise<number> {
  const client = newUdpClient(options);
  await opened(client.open(), options);
  let exitCode: number = EXIT_CODES.ok;
  try {
    const request = (payload: Buffer, line: number) => client.request(payload, line);
    await pipeLines(request, readLines(process.stdin), options, async (outcome) => {
      if ("reply" in outcome) {
        await writeOut(Buffer.concat([outcome.reply, NEWLINE]));
        return true;
      }
      exitCode = reportLineError(outcome.error);
      return isLineFailure(outcome.error);
    });
  } finally {
    client.close();
  }
  return exitCode;
}

const NEWLINE = Buffer.from("\n");

/** The client's lookup and connect, within `-w` if given. */
function opened(step: Promise<void>, options: RunOptions): Promise<void> {
  return options.budget.within(step, formatAddress(options.host, options.port));
}

/** On a terminal each retry is shown, as the lesson's client would: the timeout, then the new try. */
async function udpInteractive(options: RunOptions): Promise<number> {
  const client = newUdpClient(options, ({ waitedMs, attempt }) => {
    // Not an error, so not prefixed "mayus:" like one: a step of the lesson, shown as it happens.
    process.stderr.write(`${t("client.retrying", { waitedMs, attempt })}\n`);
  });
  await opened(client.open(), options);
  let exitCode: number = EXIT_CODES.ok;
  let lineNumber = 0;
  const terminal = promptOn();
  try {
    for (;;) {
      const line = await question(terminal);
      if (line === undefined) break;
      lineNumber++;
      try {
        const reply = await client.request(Buffer.from(line), lineNumber);
        process.stdout.write(`${reply.toString()}\n`);
      } catch (error) {
        exitCode = reportLineError(error);
        if (!isLineFailure(error)) break;
      }
    }
  } finally {
    terminal.close();
    client.close();
  }
  return exitCode;
}

async function tcpPiped(options: RunOptions): Promise<number> {
  const client = new TcpClient({ host: options.host, port: options.port, trace: options.trace, tls: options.tls });
  client.on("reply", (bytes: Buffer) => {
    if (!process.stdout.write(bytes)) {
      client.pause();
      process.stdout.once("drain", () => client.resume());
    }
  });
  await opened(client.open(), options);
  for await (const chunk of process.stdin) await client.write(chunk as Buffer);
  await client.end();
  await writeOut(Buffer.alloc(0));
  return EXIT_CODES.ok;
}

async function tcpInteractive(options: RunOptions): Promise<number> {
  const client = new TcpClient({ host: options.host, port: options.port, trace: options.trace, tls: options.tls });
  client.on("reply", (bytes: Buffer) => process.stdout.write(bytes));
  await opened(client.open(), options);
  const terminal = promptOn();
  try {
    for (;;) {
      const line = await question(terminal);
      if (line === undefined) break;
      await client.write(Buffer.from(`${line}\n`));
      await client.answered();
    }
    await client.end();
  } finally {
    terminal.close();
    client.destroy();
  }
  return EXIT_CODES.ok;
}

/**
 * The prompt, with line editing and history, on the terminal: stdout, or stderr when stdout is
 * piped (`mayus client | tee answers.txt`), so that the pipe gets the answers and nothing else,
 * as `read -p` does.
 */
function promptOn(): ReturnType<typeof createInterface> {
  const output = process.stdout.isTTY === true ? process.stdout : process.stderr;
  return createInterface({ input: process.stdin, output, historySize: 1000 });
}

/** The next line typed at the prompt, or `undefined` on Ctrl-D. */
function question(terminal: ReturnType<typeof createInterface>): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const onClose = () => resolve(undefined);
    terminal.once("close", onClose);
    terminal.question(t("client.prompt")).then(
      (line) => {
        terminal.off("close", onClose);
        resolve(line);
      },
      (error: Error) => (error.name === "AbortError" ? resolve(undefined) : reject(error)),
    );
  });
}

function writeOut(bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(bytes, (error) => (error ? reject(error) : resolve())));
}

/** `--trace` (`-v`) and `--hexdump` lines on stderr, or no tracer when neither is on. */
function clientTracer(trace: boolean, hexdumpBytes: number | undefined): Tracer | undefined {
  const write = (line: string) => process.stderr.write(`${line}\n`);
  const printer = trace ? createTracePrinter(write) : undefined;
  return hexdumpBytes === undefined ? printer : withHexdump(write, hexdumpBytes, printer);
}

/** The `client` subcommand: `[host] [port]` (or ncat's `HOST:PORT`) and flags to `runClient`. */
export function clientCommand(): Command {
  const command = addTargetArguments(newCommand("client", "client.description"), {
    host: "client.argument.host",
    port: "client.argument.port",
  })
    .addOption(option("-u, --udp", "option.clientUdp", "MAYUS_CLIENT_UDP"))
    .addOption(
      durationOption("-w, --wait <seconds>", "cli.option.wait", undefined, {
        bareUnit: "s",
        minMs: 1,
        maxMs: 3_600_000,
      }),
    )
    .addOption(
      durationOption("--connect-timeout <ms>", "cli.option.connectTimeout", "MAYUS_CONNECT_TIMEOUT", {
        bareUnit: "ms",
        minMs: 1,
        maxMs: 3_600_000,
      }),
    );
  addFamilyOptions(command)
    .addOption(
      durationOption("--timeout <ms>", "option.timeout", "MAYUS_TIMEOUT", {
        bareUnit: "ms",
        minMs: 1,
        maxMs: 3_600_000,
      }).default(UDP_CLIENT_DEFAULTS.timeoutMs),
    )
    .addOption(
      durationOption("--min-rto <ms>", "option.minRto", "MAYUS_MIN_RTO", {
        bareUnit: "ms",
        minMs: 1,
        maxMs: 3_600_000,
      }).default(UDP_CLIENT_DEFAULTS.minRtoMs),
    )
    .addOption(
      durationOption("--max-rto <ms>", "option.maxRto", "MAYUS_MAX_RTO", {
        bareUnit: "ms",
        minMs: 1,
        maxMs: 3_600_000,
      }).default(UDP_CLIENT_DEFAULTS.maxRtoMs),
    )
    .addOption(
      durationOption("--deadline <ms>", "option.deadline", "MAYUS_DEADLINE", {
        bareUnit: "ms",
        minMs: 1,
        maxMs: 86_400_000,
      }).default(UDP_CLIENT_DEFAULTS.deadlineMs),
    )
    .addOption(
      option("--retries <count>", "option.retries", "MAYUS_RETRIES").argParser(integerIn("--retries", 0, 1000)),
    )
    .addOption(
      option("--window <count>", "option.window", "MAYUS_WINDOW")
        .argParser(integerIn("--window", 1, 1024))
        .default(UDP_CLIENT_DEFAULTS.window),
    )
    .addOption(
      option("--hold-bytes <bytes>", "option.holdBytes", "MAYUS_HOLD_BYTES")
        .argParser(integerIn("--hold-bytes", 1, 1_073_741_824))
        .default(UDP_CLIENT_DEFAULTS.holdBytes),
    )
    .addOption(option("--locale <tag>", "option.locale", "MAYUS_LOCALE"))
    .addOption(option("--trace", "option.clientTrace", "MAYUS_CLIENT_TRACE"))
    .addOption(option("-v, --verbose", "cli.option.verbose"))
    .addOption(option("--hexdump", "option.hexdump", "MAYUS_CLIENT_HEXDUMP"))
    .addOption(
      option("--hexdump-bytes <bytes>", "option.hexdumpBytes", "MAYUS_CLIENT_HEXDUMP_BYTES")
        .argParser(integerIn("--hexdump-bytes", HEXDUMP_DEFAULTS.minBytes, HEXDUMP_DEFAULTS.maxBytes))
        .default(HEXDUMP_DEFAULTS.bytes),
    )
    .addOption(languageOption());
  addClientTlsOptions(command, "MAYUS_CLIENT").action(
    async (hostArgument: string, portArgument: string | number, flags, self: Command) => {
      const { host, port } = targetFrom("client", hostArgument, portArgument);
      const connectTimeoutMs = connectTimeoutFrom(flags, self.getOptionValueSource("connectTimeout"));
      const { locale } = checkedTransform("unicode", flags.locale);
      if (flags.minRto > flags.maxRto) {
        throw usageError(t("error.rtoBounds", { min: flags.minRto, max: flags.maxRto }));
      }
      process.exitCode = await runClient({
        host,
        port,
        udp: Boolean(flags.udp),
        timeoutMs: flags.timeout,
        minRtoMs: flags.minRto,
        maxRtoMs: flags.maxRto,
        deadlineMs: flags.deadline,
        retries: flags.retries,
        window: flags.window,
        holdBytes: flags.holdBytes,
        trace: clientTracer(Boolean(flags.trace || flags.verbose), flags.hexdump ? flags.hexdumpBytes : undefined),
        locale,
        family: familyFrom(flags),
        connectTimeoutMs,
        tls: clientTlsFrom(flags, Boolean(flags.udp), host),
      });
    },
  );
  return withExamples(command, [
    { command: "printf 'hello\\n' | mayus client localhost:12000", description: "cli.example.client.tcp" },
    { command: "mayus client -u [::1]:12000", description: "cli.example.client.udp" },
    { command: "mayus client -4 -w 2 -v example.org 12000", description: "cli.example.client.verbose" },
  ]);
}
