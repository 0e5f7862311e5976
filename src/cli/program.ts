/**
 * The `mayus` command line: commander definitions for `serve` and `client`, every flag with
 * an environment variable, messages in the user's language, and errors as one line with a
 * distinct exit code (no stack traces for user mistakes).
 */

import { readFileSync } from "node:fs";
import { type Argument, Command, CommanderError, Help, Option } from "commander";
import { UDP_CLIENT_DEFAULTS } from "../client/udp-client.js";
import { EXIT_CODES, MayusError } from "../errors.js";
import { getLanguage, LANGUAGES, type Language, languageFromEnvironment, setLanguage, t } from "../i18n/index.js";
import { DEFAULT_PORT } from "../net/address.js";
import { createLogger, LOG_FORMATS, LOG_LEVELS } from "../observability/logger.js";
import { TCP_DEFAULTS } from "../tcp/tcp-server.js";
import { resolveTransformOptions, TRANSFORM_MODES, TransformOptionsError } from "../transform/index.js";
import { runClient } from "./client-command.js";
import { integerIn, oneOf } from "./option-parsers.js";
import { runServe, SERVE_DEFAULTS } from "./serve-command.js";

const PORT = integerIn("--port", 0, 65_535);

/** The titles commander writes in help, in the current language. */
function translateTitles(text: string): string {
  if (getLanguage() === "en") return text;
  return text
    .replace(/^Usage:/gm, t("help.usage"))
    .replace(/^Options:/gm, t("help.options"))
    .replace(/^Commands:/gm, t("help.commands"))
    .replace(/^Arguments:/gm, t("help.arguments"));
}

/** "(default: ..., env: ...)" after a description, in the current language. */
function withExtras(description: string, extras: Array<[string, string | undefined]>): string {
  const shown = extras.filter(([, value]) => value !== undefined).map(([label, value]) => `${label}: ${value}`);
  return shown.length > 0 ? `${description} (${shown.join(", ")})` : description;
}

const helpConfiguration = {
  formatHelp: (command: Command, helper: Help) =>
    translateTitles(Help.prototype.formatHelp.call(helper, command, helper)),
  optionDescription: (shown: Option) =>
    withExtras(shown.description ?? "", [
      [t("help.choices"), shown.argChoices?.join(", ")],
      [t("help.default"), shown.defaultValue === undefined ? undefined : String(shown.defaultValue)],
      [t("help.env"), shown.envVar],
    ]),
  argumentDescription: (shown: Argument) =>
    withExtras(shown.description, [
      [t("help.default"), shown.defaultValue === undefined ? undefined : String(shown.defaultValue)],
    ]),
};

function option(flags: string, descriptionKey: Parameters<typeof t>[0], environment?: string): Option {
  const created = new Option(flags, t(descriptionKey));
  return environment === undefined ? created : created.env(environment);
}

function languageOption(): Option {
  return option("--lang <language>", "option.lang", "MAYUS_LANG").argParser(
    oneOf(LANGUAGES, (value) => t("error.invalidLang", { value })),
  );
}

function version(): string {
  const packageJson = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command("mayus")
    .description(t("program.description"))
    .version(version(), "-V, --version", t("program.version"))
    .helpOption("-h, --help", t("program.help"))
    .addOption(languageOption())
    .helpCommand("help [command]", t("program.helpCommand"))
    .showHelpAfterError(false)
    .exitOverride();

  program
    .command("serve")
    .description(t("serve.description"))
    .helpOption("-h, --help", t("program.help"))
    .addOption(option("--tcp", "option.tcp", "MAYUS_TCP"))
    .addOption(option("--udp", "option.udp", "MAYUS_UDP"))
    .addOption(option("-p, --port <port>", "option.port", "MAYUS_PORT").argParser(PORT).default(DEFAULT_PORT))
    .addOption(option("--host <address>", "option.host", "MAYUS_HOST"))
    .addOption(
      option("--mode <mode>", "option.mode", "MAYUS_MODE")
        .argParser(oneOf(TRANSFORM_MODES, (value) => t("error.invalidMode", { value })))
        .default("unicode"),
    )
    .addOption(option("--locale <tag>", "option.locale", "MAYUS_LOCALE"))
    .addOption(
      option("--max-connections <count>", "option.maxConnections", "MAYUS_MAX_CONNECTIONS")
        .argParser(integerIn("--max-connections", 1, 1_000_000))
        .default(TCP_DEFAULTS.maxConnections),
    )
    .addOption(
      option("--idle-timeout <ms>", "option.idleTimeout", "MAYUS_IDLE_TIMEOUT")
        .argParser(integerIn("--idle-timeout", 0, 86_400_000))
        .default(TCP_DEFAULTS.idleTimeoutMs),
    )
    .addOption(
      option("--drain-timeout <ms>", "option.drainTimeout", "MAYUS_DRAIN_TIMEOUT")
        .argParser(integerIn("--drain-timeout", 0, 3_600_000))
        .default(SERVE_DEFAULTS.drainTimeoutMs),
    )
    .addOption(option("--log-level <level>", "option.logLevel", "MAYUS_LOG_LEVEL").choices(LOG_LEVELS).default("info"))
    .addOption(
      option("--log-format <format>", "option.logFormat", "MAYUS_LOG_FORMAT").choices(LOG_FORMATS).default("text"),
    )
    .addOption(languageOption())
    .action(async (flags) => {
      const bothOrNeither = Boolean(flags.tcp) === Boolean(flags.udp);
      const transform = checkedTransform(flags.mode, flags.locale);
      const logger = createLogger({ level: flags.logLevel, format: flags.logFormat });
      process.exitCode = await runServe(
        {
          tcp: bothOrNeither || Boolean(flags.tcp),
          udp: bothOrNeither || Boolean(flags.udp),
          host: flags.host,
          port: flags.port,
          transform,
          maxConnections: flags.maxConnections,
          idleTimeoutMs: flags.idleTimeout,
          drainTimeoutMs: flags.drainTimeout,
        },
        logger,
      );
    });

  program
    .command("client")
    .description(t("client.description"))
    .helpOption("-h, --help", t("program.help"))
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
    .addOption(option("--locale <tag>", "option.locale", "MAYUS_LOCALE"))
    .addOption(languageOption())
    .action(async (host: string, port: number, flags) => {
      const { locale } = checkedTransform("unicode", flags.locale);
      process.exitCode = await runClient({
        host,
        port,
        udp: Boolean(flags.udp),
        timeoutMs: flags.timeout,
        retries: flags.retries,
        locale,
      });
    });

  for (const command of [program, ...program.commands]) {
    command
      .exitOverride()
      .configureOutput({ outputError: (text, write) => write(`mayus: ${text.replace(/^error: /, "")}`) });
    command.configureHelp(helpConfiguration);
  }
  return program;
}

function checkedTransform(mode: "unicode" | "ascii", locale: string | undefined) {
  try {
    return resolveTransformOptions({ mode, locale });
  } catch (error) {
    if (!(error instanceof TransformOptionsError)) throw error;
    const key = mode === "ascii" ? "error.localeWithAscii" : "error.invalidLocale";
    throw new MayusError("usage", t(key, { value: error.value }), { cause: error });
  }
}

/** `--lang` must be known before the help texts are built, so it is read ahead. */
function languageFromArguments(argv: readonly string[]): Language | undefined {
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const value =
      argument === "--lang" ? argv[index + 1] : argument.startsWith("--lang=") ? argument.slice(7) : undefined;
    if (value === "en" || value === "es") return value;
  }
  const fromEnvironment = process.env.MAYUS_LANG;
  return fromEnvironment === "en" || fromEnvironment === "es" ? fromEnvironment : undefined;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  setLanguage(languageFromArguments(argv) ?? languageFromEnvironment());
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; parse errors were already printed by commander.
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    if (error instanceof MayusError) {
      process.stderr.write(`mayus: ${error.message}\n`);
      return error.exitCode;
    }
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`mayus: ${t("error.internal", { reason })}\n`);
    if (process.env.MAYUS_DEBUG) console.error(error);
    return EXIT_CODES.failure;
  }
}
