/**
 * The suite's scripts read their flags with `node:util`'s parseArgs; a flag they do not know
 * (or a value missing) is a usage error, said in one line with the flags they take, not a
 * stack trace.
 */

import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * `parseArgs({ options })` over this process's arguments; on a usage error, prints
 * `SCRIPT: <what>; its flags: --a, --b` to stderr and exits 2.
 *
 * @example
 * const values = scriptArguments("bench", { quick: { type: "boolean", default: false } });
 */
export function scriptArguments<T extends Options>(
  script: string,
  options: T,
): ReturnType<typeof parseArgs<{ options: T }>>["values"] {
  try {
    return parseArgs({ options }).values;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (!code.startsWith("ERR_PARSE_ARGS_")) throw error;
    const flags = Object.entries(options).map(
      ([name, option]) => `--${name}${option.type === "string" ? " VALUE" : ""}`,
    );
    process.stderr.write(`${script}: ${(error as Error).message}; its flags: ${flags.join(", ")}\n`);
    process.exit(2);
  }
}
