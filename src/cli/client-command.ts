/**
 * `mayus client`: interactive on a terminal (the lesson's prompt, line editing, history),
 * or piped (stdin to the server, replies to stdout, byte for byte).
 */

import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { readLines } from "../client/lines.js";
import { TcpClient } from "../client/tcp-client.js";
import { UDP_CLIENT_DEFAULTS, UdpClient } from "../client/udp-client.js";
import { EXIT_CODES, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import { DEFAULT_PORT } from "../net/address.js";
import type { Tracer } from "../observability/trace.js";
import { createTracePrinter } from "../observability/trace-printer.js";
import { checkedTransform, languageOption, newCommand, option, PORT } from "./command-kit.js";
import { integerIn } from "./option-parsers.js";

export interface ClientOptions {
  host: string;
  port: number;
  udp: boolean;
  timeoutMs: number;
  retries: number;
  /** UDP, piped: lines in flight at once. */
  window: number;
  trace?: Tracer;
  locale?: string;
}

export async function runClient(options: ClientOptions): Promise<number> {
  const interactive = process.stdin.isTTY === true;
  if (options.udp) return interactive ? udpInteractive(options) : udpPiped(options);
  return interactive ? tcpInteractive(options) : tcpPiped(options);
}

/** Prints an error for one line (one line on stderr) and gives its exit code. */
function reportLineError(error: unknown): number {
  if (!(error instanceof MayusError)) throw error;
  process.stderr.write(`mayus: ${error.message}\n`);
  return error.exitCode;
}

function newUdpClient(options: ClientOptions): UdpClient {
  return new UdpClient({
    host: options.host,
    port: options.port,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    transform: { locale: options.locale },
    trace: options.trace,
  });
}

/** Lines that only fail alone (no reply, too long) let the client go on; others end it. */
function isLineFailure(error: unknown): boolean {
  return error instanceof MayusError && (error.kind === "timeout" || error.kind === "datagram-too-long");
}

/**
 * Piped UDP: up to `window` lines in flight at once; replies are printed in input order,
 * each line's error where its reply would have been.
 */
async function udpPiped(options: ClientOptions): Promise<number> {
  const client = newUdpClient(options);
  await client.open();
  let exitCode: number = EXIT_CODES.ok;
  let stopped = false;
  const inFlight: Array<Promise<Buffer | unknown>> = [];
  const settleOldest = async () => {
    const result = await inFlight.shift();
    if (Buffer.isBuffer(result)) return writeOut(Buffer.concat([result, NEWLINE]));
    exitCode = reportLineError(result);
    if (!isLineFailure(result)) stopped = true;
  };
  let lineNumber = 0;
  try {
    for await (const line of readLines(process.stdin)) {
      lineNumber++;
      inFlight.push(client.request(line, lineNumber).catch((error: unknown) => error));
      if (inFlight.length >= options.window) await settleOldest();
      if (stopped) break;
    }
    while (inFlight.length > 0 && !stopped) await settleOldest();
  } finally {
    client.close();
  }
  return exitCode;
}

const NEWLINE = Buffer.from("\n");

async function udpInteractive(options: ClientOptions): Promise<number> {
  const client = newUdpClient(options);
  await client.open();
  let exitCode: number = EXIT_CODES.ok;
  let lineNumber = 0;
  const terminal = createInterface({ input: process.stdin, output: process.stdout, historySize: 1000 });
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

async function tcpPiped(options: ClientOptions): Promise<number> {
  const client = new TcpClient({ host: options.host, port: options.port, trace: options.trace });
  client.on("reply", (bytes: Buffer) => {
    if (!process.stdout.write(bytes)) {
      client.pause();
      process.stdout.once("drain", () => client.resume());
    }
  });
  await client.connect();
  for await (const chunk of process.stdin) await client.write(chunk as Buffer);
  await client.end();
  await writeOut(Buffer.alloc(0));
  return EXIT_CODES.ok;
}

async function tcpInteractive(options: ClientOptions): Promise<number> {
  const client = new TcpClient({ host: options.host, port: options.port, trace: options.trace });
  client.on("reply", (bytes: Buffer) => process.stdout.write(bytes));
  await client.connect();
  const terminal = createInterface({ input: process.stdin, output: process.stdout, historySize: 1000 });
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

/** The `client` subcommand: `[host] [port]` and flags to `runClient`. */
export function clientCommand(): Command {
  return newCommand("client", "client.description")
    .argument("[host]", t("client.argument.host"), "localhost")
    .argument("[port]", t("client.argument.port"), PORT, DEFAULT_PORT)
    .addOption(option("--udp", "option.clientUdp", "MAYUS_CLIENT_UDP"))
    .addOption(
      option("--timeout <ms>", "option.timeout", "MAYUS_TIMEOUT")
        .argParser(integerIn("--timeout", 1, 3_600_000))
        .default(UDP_CLIENT_DEFAULTS.timeoutMs),
    )
    .addOption(
      option("--retries <count>", "option.retries", "MAYUS_RETRIES")
        .argParser(integerIn("--retries", 0, 100))
        .default(UDP_CLIENT_DEFAULTS.retries),
    )
    .addOption(
      option("--window <count>", "option.window", "MAYUS_WINDOW")
        .argParser(integerIn("--window", 1, 1024))
        .default(UDP_CLIENT_DEFAULTS.window),
    )
    .addOption(option("--locale <tag>", "option.locale", "MAYUS_LOCALE"))
    .addOption(option("--trace", "option.clientTrace", "MAYUS_CLIENT_TRACE"))
    .addOption(languageOption())
    .action(async (host: string, port: number, flags) => {
      const { locale } = checkedTransform("unicode", flags.locale);
      process.exitCode = await runClient({
        host,
        port,
        udp: Boolean(flags.udp),
        timeoutMs: flags.timeout,
        retries: flags.retries,
        window: flags.window,
        trace: flags.trace ? createTracePrinter((line) => process.stderr.write(`${line}\n`)) : undefined,
        locale,
      });
    });
}
