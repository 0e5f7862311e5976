/**
 * What every subcommand is built from: flags with an environment variable and translated
 * help, the shared `--lang` and `--port` parsers, and transform options checked as usage.
 */

import { type Argument, Command, Help, Option } from "commander";
import { MayusError } from "../errors.js";
import { getLanguage, LANGUAGES, type MessageKey, t } from "../i18n/index.js";
import {
  LOCALE_MODES,
  resolveTransformOptions,
  type TransformMode,
  TransformOptionsError,
} from "../transform/index.js";
import { bold } from "./colour.js";
import { type DurationUnit, durationIn, durationUnitName, integerIn, oneOf } from "./option-parsers.js";

export const PORT = integerIn("--port", 0, 65_535);

/** The titles commander writes in help, in the current language. */
function translateTitles(text: string): string {
  if (getLanguage() === "en") return text;
  return text
    .replace(/^Usage:/gm, t("help.usage"))
    .replace(/^Options:/gm, t("help.options"))
    .replace(/^Commands:/gm, t("help.commands"))
    .replace(/^Arguments:/gm, t("help.arguments"))
    .replace(/\[options\]/g, `[${t("help.optionsWord")}]`)
    .replace(/\[command\]/g, `[${t("help.commandWord")}]`);
}

/** Section titles in bold; commander strips the codes again where colour is off. */
function boldTitles(text: string): string {
  const titles = (["help.usage", "help.options", "help.commands", "help.arguments"] as const).map((key) => t(key));
  return text.replace(/^[^\s:]+:/gm, (title) => (titles.includes(title) ? bold(title) : title));
}

/** "(default: ..., env: ...)" after a description, in the current language. */
function withExtras(description: string, extras: Array<[string, string | undefined]>): string {
  const shown = extras.filter(([, value]) => value !== undefined).map(([label, value]) => `${label}: ${value}`);
  return shown.length > 0 ? `${description} (${shown.join(", ")})` : description;
}

/** For a duration flag (its parser from `durationIn`), what it accepts: its bare unit and the suffixes. */
function durationUnitsOf(shown: Option): string | undefined {
  const unit = (shown.parseArg as { durationUnit?: DurationUnit } | undefined)?.durationUnit;
  if (unit === undefined) return undefined;
  return t("help.durationUnits", { unit: durationUnitName(unit) });
}

export const helpConfiguration = {
  formatHelp: (command: Command, helper: Help) =>
    boldTitles(translateTitles(Help.prototype.formatHelp.call(helper, command, helper))),
  optionDescription: (shown: Option) =>
    withExtras(shown.description ?? "", [
      [t("help.choices"), shown.argChoices?.join(", ")],
      [t("help.units"), durationUnitsOf(shown)],
      [t("help.default"), shown.defaultValue === undefined ? undefined : String(shown.defaultValue)],
      [t("help.env"), shown.envVar],
    ]),
  argumentDescription: (shown: Argument) =>
    withExtras(shown.description, [
      [t("help.default"), shown.defaultValue === undefined ? undefined : String(shown.defaultValue)],
    ]),
};

export function option(flags: string, descriptionKey: Parameters<typeof t>[0], environment?: string): Option {
  const created = new Option(flags, t(descriptionKey));
  if (environment === undefined) return created;
  // Commander turns a switch on whenever its variable is set, even to "0": read those ourselves.
  if (!flags.includes("<")) SWITCH_VARIABLES.add(environment);
  return created.env(environment);
}

/**
 * A duration flag (`--idle-timeout <ms>`): `option` with the parser for its range and bare
 * unit, its error messages naming the flag as `flags` spells it (the long name).
 */
export function durationOption(
  flags: string,
  descriptionKey: Parameters<typeof t>[0],
  environment: string | undefined,
  range: { bareUnit: DurationUnit; minMs: number; maxMs: number },
): Option {
  const longName = /--[a-z-]+/.exec(flags)?.[0];
  if (longName === undefined) throw new Error(`a duration flag needs a long name: ${flags}`);
  return option(flags, descriptionKey, environment).argParser(
    durationIn(longName, range.bareUnit, range.minMs, range.maxMs),
  );
}

/** Environment variables of on/off flags (`MAYUS_TCP`...). */
const SWITCH_VARIABLES = new Set<string>();
const ON = ["1", "true", "yes", "on"];
const OFF = ["0", "false", "no", "off", ""];

/**
 * Before parsing: a switch's variable set to 0/false/no/off (or empty) is removed, so the
 * switch stays off; 1/true/yes/on turn it on; anything else is a usage error.
 */
export function readSwitchVariables(environment: NodeJS.ProcessEnv = process.env): void {
  for (const name of SWITCH_VARIABLES) {
    const value = environment[name];
    if (value === undefined) continue;
    const word = value.trim().toLowerCase();
    if (OFF.includes(word)) delete environment[name];
    else if (!ON.includes(word)) {
      throw new MayusError("usage", t("error.invalidSwitch", { name, value: JSON.stringify(value) }));
    }
  }
}

export function languageOption(): Option {
  return option("--lang <language>", "option.lang", "MAYUS_LANG").argParser(
    oneOf(LANGUAGES, (value) => t("error.invalidLang", { value })),
  );
}

/** Mode and locale checked as the transform will use them; a bad one is a usage error. */
export function checkedTransform(mode: TransformMode, locale: string | undefined) {
  try {
    return resolveTransformOptions({ mode, locale });
  } catch (error) {
    if (!(error instanceof TransformOptionsError)) throw error;
    const key = LOCALE_MODES.includes(mode) ? "error.invalidLocale" : "error.localeWithAscii";
    throw new MayusError("usage", t(key, { value: error.value }), { cause: error });
  }
}

/** The command that shows a subcommand's help: `mayus client --help`. */
export function helpCommand(command: string): string {
  return command === "" ? "mayus --help" : `mayus ${command} --help`;
}

/** A usage error that says which subcommand's help to read. */
export function commandUsageError(command: string, message: string, cause?: unknown): MayusError {
  return new MayusError("usage", t("cli.usageHint", { message, help: helpCommand(command) }), { cause });
}

/** One example at the end of a subcommand's help (and in the man page). */
export interface Example {
  command: string;
  description: MessageKey;
}

const EXAMPLES = new WeakMap<Command, readonly Example[]>();

/** Three examples end each subcommand's `--help`. */
export function withExamples(command: Command, examples: readonly Example[]): Command {
  EXAMPLES.set(command, examples);
  return command.addHelpText("after", () => {
    const lines = examples.map((example) => `  ${example.command}\n      ${t(example.description)}`);
    return `\n${t("cli.examples")}\n${lines.join("\n")}`;
  });
}

export function examplesOf(command: Command): readonly Example[] {
  return EXAMPLES.get(command) ?? [];
}

/** A subcommand with the shared help text, `--help` and `--lang`. */
export function newCommand(name: string, descriptionKey: Parameters<typeof t>[0]): Command {
  return new Command(name)
    .description(t(descriptionKey))
    .helpOption("-h, --help", t("program.help"))
    .configureHelp(helpConfiguration);
}
