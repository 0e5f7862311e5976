/**
 * `man mayus`: the manual page in roff, generated from the command model (the options
 * commander parses, their help, defaults, variables and each subcommand's examples).
 */

import { EXIT_CODES } from "../errors.js";
import { setLanguage, t } from "../i18n/index.js";
import { type CommandModel, describeProgram, type OptionModel, type ProgramModel } from "./command-model.js";
import { buildProgram } from "./program.js";

/** Text as roff prints it: backslashes escaped, hyphens as minus signs, no control lines. */
function roff(text: string): string {
  return text.replace(/\\/g, "\\e").replace(/-/g, "\\-").replace(/^[.']/gm, "\\&$&");
}

function optionTerm(option: OptionModel): string {
  const spelled = [option.short, option.long]
    .filter((name): name is string => name !== undefined)
    .map((name) => `\\fB${roff(name)}\\fR`)
    .join(", ");
  return option.value === undefined ? spelled : `${spelled} \\fI${roff(option.value)}\\fR`;
}

function optionList(options: readonly OptionModel[]): string[] {
  return options.flatMap((option) => [".TP", optionTerm(option), roff(option.fullDescription)]);
}

function commandSection(command: CommandModel): string[] {
  const lines = [`.SS "mayus ${roff(command.name)} ${roff(command.usage)}"`, roff(command.description)];
  if (command.arguments.length > 0) {
    lines.push(".PP", roff(t("man.arguments")), ".RS");
    for (const argument of command.arguments) {
      lines.push(".TP", `\\fI${roff(argument.name)}\\fR`, roff(argument.fullDescription));
    }
    lines.push(".RE");
  }
  lines.push(".PP", roff(t("help.options")), ".RS", ...optionList(command.options), ".RE");
  if (command.examples.length > 0) {
    lines.push(".PP", roff(t("cli.examples")), ".RS");
    for (const example of command.examples) {
      lines.push(".PP", ".nf", `\\fB${roff(example.command)}\\fR`, ".fi", roff(example.description));
    }
    lines.push(".RE");
  }
  return lines;
}

/**
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { manPage } from "./man-page.js";
 * import { describeProgram } from "./command-model.js";
 * import { buildProgram } from "./program.js";
 * writeFileSync("mayus.1", manPage(describeProgram(buildProgram()), "0.1.0"));
 * ```
 */
export function manPage(model: ProgramModel, version: string): string {
  const { program, commands } = model;
  const lines = [
    `.TH MAYUS 1 "" "mayus ${roff(version)}" "mayus"`,
    `.SH ${t("man.name")}`,
    `mayus \\- ${roff(program.description)}`,
    `.SH ${t("man.synopsis")}`,
    ...commands.flatMap((command) => [".PP", `\\fBmayus ${roff(command.name)}\\fR ${roff(command.usage)}`]),
    `.SH ${t("man.description")}`,
    roff(program.description),
    `.SH ${t("man.globalOptions")}`,
    ...optionList(program.options),
    `.SH ${t("man.commands")}`,
    ...commands.flatMap(commandSection),
    `.SH ${t("man.environment")}`,
    roff(t("man.environmentText")),
    `.SH ${t("man.exitStatus")}`,
    ...Object.entries(EXIT_CODES).flatMap(([kind, code]) => [".TP", String(code), roff(kind)]),
    `.SH ${t("man.seeAlso")}`,
    "\\fBncat\\fR(1), \\fBnc\\fR(1), \\fBsocat\\fR(1)",
  ];
  return `${lines.join("\n")}\n`;
}

/** The page as the build writes it (man/mayus.1): English, whatever the builder's locale. */
export function englishManPage(): string {
  setLanguage("en");
  const program = buildProgram();
  return manPage(describeProgram(program), program.version() ?? "");
}
