/**
 * Commander writes its own usage errors in English; this puts them in the user's language
 * through the catalogue, phrase by phrase (our own parsers' messages are already translated).
 */

import { type MessageKey, t } from "../i18n/index.js";

/** Commander's phrases, as it writes them, and the catalogue key that says the same. */
const PHRASES: ReadonlyArray<[RegExp, MessageKey, readonly string[]]> = [
  [/option '([^']+)' argument '([^']*)' is invalid\./, "commander.invalidArgument", ["option", "value"]],
  [
    /option '([^']+)' value '([^']*)' from env '([^']+)' is invalid\./,
    "commander.invalidEnvironmentValue",
    ["option", "value", "variable"],
  ],
  [
    /command-argument value '([^']*)' is invalid for argument '([^']+)'\./,
    "commander.invalidCommandArgument",
    ["value", "argument"],
  ],
  [/Allowed choices are ([^\n]+)\./, "commander.allowedChoices", ["choices"]],
  [/missing required argument '([^']+)'/, "commander.missingArgument", ["argument"]],
  [/option '([^']+)' argument missing/, "commander.optionArgumentMissing", ["option"]],
  [/unknown option '([^']+)'/, "commander.unknownOption", ["option"]],
  [/option '([^']+)' cannot be used with option '([^']+)'/, "commander.conflictingOptions", ["option", "other"]],
  [/unknown command '([^']+)'/, "commander.unknownCommand", ["command"]],
  [
    /too many arguments(?: for '([^']+)')?\. Expected (\d+) arguments? but got (\d+)\./,
    "commander.tooManyArguments",
    ["command", "expected", "received"],
  ],
  [/\(Did you mean (?:one of )?([^?]+)\?\)/, "commander.didYouMean", ["names"]],
];

/**
 * @example
 * ```ts
 * import { translateCommanderMessage } from "./commander-messages.js";
 * translateCommanderMessage("unknown option '--x'"); // "opción desconocida '--x'" in Spanish
 * ```
 */
export function translateCommanderMessage(message: string): string {
  let translated = message;
  for (const [pattern, key, names] of PHRASES) {
    translated = translated.replace(pattern, (...groups: string[]) => {
      const parameters: Record<string, string> = {};
      names.forEach((name, index) => {
        parameters[name] = groups[index + 1] ?? "";
      });
      return t(key, parameters);
    });
  }
  return translated;
}
