/**
 * The `mayus` command line: the subcommands together, the language chosen before any help
 * text is built, and errors as one line with a distinct exit code (no stack traces for user
 * mistakes).
 */

import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { EXIT_CODES, MayusError } from "../errors.js";
import { type Language, languageFromEnvironment, setLanguage, t } from "../i18n/index.js";
import { benchCommand } from "./bench-command.js";
import { clientCommand } from "./client-command.js";
import { useColour } from "./colour.js";
import { helpCommand, helpConfiguration, languageOption, readSwitchVariables } from "./command-kit.js";
import { translateCommanderMessage } from "./commander-messages.js";
import { completionCommand } from "./completion-command.js";
import { commandName, type ErrorOutput, errorOutput, jsonLogsRequested } from "./error-output.js";
import { heartbeatCommand } from "./heartbeat-command.js";
import { pingCommand } from "./ping-command.js";
import { serveCommand } from "./serve-command.js";
import { guardStandardOutput } from "./standard-output.js";

function version(): string {
  const packageJson = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
}

export function buildProgram(output: ErrorOutput = errorOutput(false)): Command {
  const program = new Command("mayus")
    .description(t("program.description"))
    .version(version(), "-V, --version", t("program.version"))
    .helpOption("-h, --help", t("program.help"))
    .addOption(languageOption())
    .helpCommand("help [command]", t("program.helpCommand"))
    .showHelpAfterError(false)
    .exitOverride();

  program.addCommand(serveCommand());
  program.addCommand(clientCommand());
  program.addCommand(pingCommand());
  program.addCommand(benchCommand());
  program.addCommand(heartbeatCommand());
  program.addCommand(completionCommand(program));

  for (const command of [program, ...program.commands]) {
    const help = helpCommand(command === program ? "" : command.name());
    command.exitOverride().configureOutput({
      outputError: (text) => output.error(commanderErrorLine(text, help), EXIT_CODES.usage, "usage"),
      writeOut: writeHelp,
      getOutHasColors: () => useColour(process.stdout),
      getErrHasColors: () => useColour(process.stderr),
    });
    command.configureHelp(helpConfiguration);
  }
  return program;
}

/**
 * Help and version go to stdout in more than one write; piped into `head`, the pipe may close
 * between them, and that EPIPE is the reader's choice, not an error worth a stack trace.
 */
function writeHelp(text: string): void {
  if (process.stdout.listenerCount("error") === 0) process.stdout.on("error", () => {});
  process.stdout.write(text);
}

/** Commander's error as one translated line ending with the help to read. */
function commanderErrorLine(text: string, help: string): string {
  const message = translateCommanderMessage(text.replace(/^error: /, ""))
    .trimEnd()
    .replace(/\n/g, " ");
  return t("cli.usageHint", { message, help });
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
  const output = errorOutput(jsonLogsRequested(argv));
  guardStandardOutput(commandName(argv), output);
  const program = buildProgram(output);
  try {
    readSwitchVariables();
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; parse errors were already printed by commander.
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    if (error instanceof MayusError) {
      output.error(error.message, error.exitCode, error.kind);
      return error.exitCode;
    }
    const reason = error instanceof Error ? error.message : String(error);
    output.error(t("error.internal", { reason }), EXIT_CODES.failure, "internal");
    if (process.env.MAYUS_DEBUG) console.error(error);
    return EXIT_CODES.failure;
  }
}
