/** `mayus completion bash|zsh|fish`: prints the completion script for that shell. */

import { Argument, type Command } from "commander";
import { t } from "../i18n/index.js";
import { languageOption, newCommand, withExamples } from "./command-kit.js";
import { describeProgram } from "./command-model.js";
import { completionScript, SHELLS, type Shell } from "./completion.js";

/** The subcommand; `program` is read when it runs, so every subcommand is there by then. */
export function completionCommand(program: Command): Command {
  const command = newCommand("completion", "completion.description")
    .addArgument(new Argument("<shell>", t("completion.argument.shell")).choices(SHELLS))
    .addOption(languageOption())
    .action((shell: Shell) => {
      process.stdout.write(completionScript(shell, describeProgram(program)));
    });
  return withExamples(command, [
    { command: "source <(mayus completion bash)", description: "cli.example.completion.bash" },
    { command: "mayus completion zsh > ~/.zfunc/_mayus", description: "cli.example.completion.zsh" },
    {
      command: "mayus completion fish > ~/.config/fish/completions/mayus.fish",
      description: "cli.example.completion.fish",
    },
  ]);
}
