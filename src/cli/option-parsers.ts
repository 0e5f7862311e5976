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

/** The unit a bare number is read in: each flag keeps the one it always had. */
export type DurationUnit = "ms" | "s";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * A duration as a person writes it, in milliseconds: `250ms`, `2s`, `1.5m`, `1h`, or a bare
 * number in `bareUnit`. `undefined` when it is none of these (no `1e3`, no negative).
 *
 * @example
 * ```ts
 * import { parseDurationMs } from "./option-parsers.js";
 * parseDurationMs("2s", "ms"); // 2000
 * parseDurationMs("2", "s"); // 2000: a bare number is in the flag's own unit
 * parseDurationMs("1.5m", "ms"); // 90000
 * parseDurationMs("-2s", "ms"); // undefined
 * ```
 */
export function parseDurationMs(text: string, bareUnit: DurationUnit): number | undefined {
  const match = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (match === null) return undefined;
  const unit = (match[2] ?? bareUnit) as keyof typeof UNIT_MS;
  // To the microsecond, so 0.07 s is 70 ms, not 70.00000000000001.
  return Math.round(Number(match[1]) * UNIT_MS[unit] * 1000) / 1000;
}

/** 3600000 → "1h", 1500 → "1500ms": the largest unit that divides it, for error messages. */
export function formatDurationMs(milliseconds: number): string {
  for (const unit of ["h", "m", "s"] as const) {
    if (milliseconds > 0 && milliseconds % UNIT_MS[unit] === 0) return `${milliseconds / UNIT_MS[unit]}${unit}`;
  }
  return `${milliseconds}ms`;
}

/** "milliseconds" or "seconds", in the user's language: what a bare number means. */
export function durationUnitName(unit: DurationUnit): string {
  return unit === "ms" ? t("duration.milliseconds") : t("duration.seconds");
}

/**
 * A duration flag: any unit suffix (`250ms`, `2s`, `1m`, `1h`), a bare number in `bareUnit`;
 * from `minMs` to `maxMs`. Returns the value in `bareUnit`, as the flag always has; a flag in
 * milliseconds takes whole milliseconds only. The unit rides on the parser, for the help text.
 */
export function durationIn(
  option: string,
  bareUnit: DurationUnit,
  minMs: number,
  maxMs: number,
): ((value: string) => number) & { durationUnit: DurationUnit } {
  const parse = (value: string): number => {
    const milliseconds = parseDurationMs(value, bareUnit);
    if (
      milliseconds === undefined ||
      milliseconds < minMs ||
      milliseconds > maxMs ||
      (bareUnit === "ms" && !Number.isInteger(milliseconds))
    ) {
      throw new InvalidArgumentError(
        t("error.invalidDuration", {
          option,
          min: formatDurationMs(minMs),
          max: formatDurationMs(maxMs),
          unit: durationUnitName(bareUnit),
          value: JSON.stringify(value),
        }),
      );
    }
    return bareUnit === "ms" ? milliseconds : milliseconds / 1000;
  };
  return Object.assign(parse, { durationUnit: bareUnit });
}
