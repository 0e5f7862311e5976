/**
 * The command line as plain data, read from commander's own definitions: what the shell
 * completion scripts and the man page are generated from, so they list what parsing accepts.
 */

import type { Argument, Command, Option } from "commander";
import { t } from "../i18n/index.js";
import { examplesOf } from "./command-kit.js";

export interface OptionModel {
  /** `-u`, if it has a short form. */
  short?: string;
  /** `--udp`, if it has a long form. */
  long?: string;
  /** The value's placeholder (`<ms>`), for options that take one. */
  value?: string;
  /** The words the value must be one of, if fixed. */
  choices?: readonly string[];
  /** The help text alone. */
  description: string;
  /** The help text with default and environment variable, as `--help` shows it. */
  fullDescription: string;
}

export interface ArgumentModel {
  name: string;
  required: boolean;
  choices?: readonly string[];
  fullDescription: string;
}

export interface CommandModel {
  name: string;
  description: string;
  /** `[options] [host] [port]`, as `--help` writes it. */
  usage: string;
  options: OptionModel[];
  arguments: ArgumentModel[];
  examples: ReadonlyArray<{ command: string; description: string }>;
}

export interface ProgramModel {
  program: CommandModel;
  commands: CommandModel[];
  /** Every subcommand name `mayus` accepts, `help` included, with its description. */
  commandNames: ReadonlyArray<{ name: string; description: string }>;
}

/** Fixed choices: commander's `.choices()`, or the words a `oneOf` parser carries. */
function choicesOf(definition: Option | Argument): readonly string[] | undefined {
  if (definition.argChoices !== undefined) return definition.argChoices;
  const parser = (definition as { parseArg?: { choices?: readonly string[] } }).parseArg;
  return parser?.choices;
}

function describeCommand(command: Command): CommandModel {
  const help = command.createHelp();
  return {
    name: command.name(),
    description: command.description(),
    usage: command.usage(),
    options: help.visibleOptions(command).map((option) => ({
      short: option.short,
      long: option.long,
      value: option.flags.match(/[<[][^>\]]*[>\]]/)?.[0],
      choices: choicesOf(option),
      description: option.description,
      fullDescription: help.optionDescription(option),
    })),
    arguments: help.visibleArguments(command).map((argument) => ({
      name: argument.name(),
      required: argument.required,
      choices: choicesOf(argument),
      fullDescription: help.argumentDescription(argument),
    })),
    examples: examplesOf(command).map((example) => ({
      command: example.command,
      description: t(example.description),
    })),
  };
}

/**
 * @example
 * ```ts
 * import { describeProgram } from "./command-model.js";
 * import { buildProgram } from "./program.js";
 * const { commands } = describeProgram(buildProgram());
 * commands.map((command) => command.name); // ["serve", "client", "ping", "bench", "completion"]
 * ```
 */
export function describeProgram(program: Command): ProgramModel {
  const commandNames = program
    .createHelp()
    .visibleCommands(program)
    .map((command) => ({ name: command.name(), description: command.description() }));
  return { program: describeCommand(program), commands: program.commands.map(describeCommand), commandNames };
}
