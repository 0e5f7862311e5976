/** Parsers for flag values: each turns a bad value into a usage error that says what is wanted. */

import { InvalidArgumentError } from "commander";
import { t } from "../i18n/index.js";

/** A whole number in [min, max], for commander's `argParser`. */
export function integerIn(option: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(t("error.invalidNumber", { option, min, max, value: JSON.stringify(value) }));
    }
    return number;
  };
}

/** One of a fixed set of words; the words ride on the parser, for completion and the man page. */
export function oneOf<T extends string>(
  choices: readonly T[],
  message: (value: string) => string,
): ((value: string) => T) & { choices: readonly T[] } {
  const parse = (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(message(value));
    return value as T;
  };
  return Object.assign(parse, { choices });
}

/** A decimal number in [min, max] (probabilities, seconds, factors). */
export function numberIn(option: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    // Plain decimals only (`0.2`, `.5`, `3`): no `1e3`, `0x10` or `Infinity`.
    if (!/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(value) || number < min || number > max) {
      throw new InvalidArgumentError(t("error.invalidDecimal", { option, min, max, value: JSON.stringify(value) }));
    }
    return number;
  };
}
