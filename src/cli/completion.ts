/**
 * Shell completion scripts for bash, zsh and fish, generated from the command model (so a
 * new flag completes as soon as it parses); no runtime call back into mayus is needed.
 */

import type { CommandModel, OptionModel, ProgramModel } from "./command-model.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** Single-quoted for sh, bash, zsh and fish alike (fish also reads `\'` inside quotes). */
function quote(text: string, shell: Shell): string {
  return shell === "fish" ? `'${text.replace(/[\\']/g, "\\$&")}'` : `'${text.replace(/'/g, "'\\''")}'`;
}

function names(option: OptionModel): string[] {
  return [option.short, option.long].filter((name): name is string => name !== undefined);
}

// ---------------------------------------------------------------------------------------------
// bash: one function; the subcommand is the first word that names one.

function bashCase(model: CommandModel, commandNames: readonly string[] = []): string {
  const words = [...model.options.flatMap(names), ...commandNames].join(" ");
  const valued = model.options.filter((option) => option.value !== undefined);
  const lines = [`    ${model.name === "" ? '""' : model.name})`, '      case "$prev" in'];
  for (const option of valued) {
    const reply =
      option.choices === undefined
        ? ""
        : `COMPREPLY=($(compgen -W ${quote(option.choices.join(" "), "bash")} -- "$cur")); `;
    lines.push(`        ${names(option).join("|")}) ${reply}return ;;`);
  }
  lines.push("      esac");
  const positional = model.arguments.find((argument) => argument.choices !== undefined)?.choices ?? [];
  lines.push(`      words=${quote([words, ...positional].join(" "), "bash")} ;;`);
  return lines.join("\n");
}

function bashScript(model: ProgramModel): string {
  const commandNames = model.commandNames.map((command) => command.name);
  const top = { ...model.program, name: "" };
  return `# bash completion for mayus: source <(mayus completion bash)
_mayus() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" command="" words i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${commandNames.join("|")}) command="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$command" in
${[bashCase(top, commandNames), ...model.commands.map((command) => bashCase(command))].join("\n")}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _mayus mayus
`;
}

// ---------------------------------------------------------------------------------------------
// zsh: _arguments, one state per subcommand.

/** Text inside an _arguments `[...]` or after `:`: brackets and colons would end it early. */
function zshText(text: string): string {
  return text.replace(/[[\]]/g, (bracket) => (bracket === "[" ? "(" : ")")).replace(/:/g, "\\:");
}

function zshOption(option: OptionModel): string {
  const all = names(option);
  const exclusive = all.length > 1 ? `(${all.join(" ")})` : "";
  const spelled = all.length > 1 ? `{${all.join(",")}}` : all[0];
  let value = "";
  if (option.value !== undefined) {
    const label = zshText(option.value.slice(1, -1));
    value = option.choices === undefined ? `:${label}: ` : `:${label}:(${option.choices.join(" ")})`;
  }
  const spec = `[${zshText(option.description)}]${value}`;
  return all.length > 1
    ? `${quote(exclusive, "zsh")}${spelled}${quote(spec, "zsh")}`
    : quote(`${spelled}${spec}`, "zsh");
}

function zshArguments(model: CommandModel): string {
  const specs = model.options.map(zshOption);
  model.arguments.forEach((argument, index) => {
    const optional = argument.required ? "" : ":";
    const action =
      argument.choices !== undefined ? `(${argument.choices.join(" ")})` : argument.name === "host" ? "_hosts" : " ";
    specs.push(quote(`${index + 1}:${optional}${argument.name}:${action}`, "zsh"));
  });
  return specs.join(" \\\n        ");
}

function zshScript(model: ProgramModel): string {
  const commands = model.commandNames.map((command) => quote(`${command.name}:${zshText(command.description)}`, "zsh"));
  const cases = model.commands.map(
    (command) => `      ${command.name})\n        _arguments ${zshArguments(command)} ;;`,
  );
  return `#compdef mayus
# zsh completion for mayus: source <(mayus completion zsh), or save as _mayus in $fpath
_mayus() {
  local -a commands
  commands=(${commands.join(" ")})
  local curcontext="$curcontext" state line
  _arguments -C ${zshArguments(model.program)} \\
    '1: :->command' '*:: :->argument'
  case $state in
    command) _describe 'command' commands ;;
    argument)
      case $words[1] in
${cases.join("\n")}
      esac ;;
  esac
}
if [ "$funcstack[1]" = "_mayus" ]; then _mayus "$@"; else compdef _mayus mayus; fi
`;
}

// ---------------------------------------------------------------------------------------------
// fish: one `complete` line per option, conditioned on the subcommand.

function fishOption(option: OptionModel, condition: string): string {
  const parts = ["complete -c mayus", `-n ${quote(condition, "fish")}`];
  if (option.short !== undefined) parts.push(`-s ${option.short.slice(1)}`);
  if (option.long !== undefined) parts.push(`-l ${option.long.slice(2)}`);
  if (option.value !== undefined)
    parts.push(option.choices === undefined ? "-r" : `-x -a ${quote(option.choices.join(" "), "fish")}`);
  parts.push(`-d ${quote(option.description, "fish")}`);
  return parts.join(" ");
}

function fishScript(model: ProgramModel): string {
  const lines = ["# fish completion for mayus: mayus completion fish | source", "complete -c mayus -f"];
  const top = "__fish_use_subcommand";
  for (const command of model.commandNames) {
    lines.push(`complete -c mayus -n ${top} -a ${command.name} -d ${quote(command.description, "fish")}`);
  }
  for (const option of model.program.options) lines.push(fishOption(option, top));
  for (const command of model.commands) {
    const condition = `__fish_seen_subcommand_from ${command.name}`;
    for (const option of command.options) lines.push(fishOption(option, condition));
    for (const argument of command.arguments) {
      if (argument.choices !== undefined) {
        lines.push(`complete -c mayus -n ${quote(condition, "fish")} -a ${quote(argument.choices.join(" "), "fish")}`);
      } else if (argument.name === "host") {
        lines.push(`complete -c mayus -n ${quote(condition, "fish")} -a '(__fish_print_hostnames)'`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * @example
 * ```ts
 * import { completionScript } from "./completion.js";
 * import { describeProgram } from "./command-model.js";
 * import { buildProgram } from "./program.js";
 * process.stdout.write(completionScript("bash", describeProgram(buildProgram())));
 * ```
 */
export function completionScript(shell: Shell, model: ProgramModel): string {
  if (shell === "bash") return bashScript(model);
  if (shell === "zsh") return zshScript(model);
  return fishScript(model);
}
