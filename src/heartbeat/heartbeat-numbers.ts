/** Decimal numbers in the heartbeat and ping lines, written as the current language writes them. */

import { getLanguage } from "../i18n/index.js";

/**
 * `value` with at most `maxFractionDigits` decimals and the language's decimal mark, without
 * grouping (a delay of 3021 ms stays 3021) and without a sign on a value that rounds to 0.
 *
 * @example
 * ```ts
 * import { decimal } from "./heartbeat-numbers.js";
 * decimal(0.2, 3); // "0.2" in English, "0,2" in Spanish
 * ```
 */
export function decimal(value: number, maxFractionDigits: number, minFractionDigits = 0): string {
  const scale = 10 ** maxFractionDigits;
  const rounded = Math.round(value * scale) / scale;
  // `|| 0` turns -0 into 0: Intl would write "-0".
  return new Intl.NumberFormat(getLanguage(), {
    minimumFractionDigits: minFractionDigits,
    maximumFractionDigits: maxFractionDigits,
    useGrouping: false,
  }).format(rounded || 0);
}

/**
 * A number already written with a dot (`33.3333`, as C's `%g` writes it) with the language's
 * decimal mark instead, its digits unchanged: `33,3333` in Spanish.
 */
export function withDecimalMark(dotted: string): string {
  const mark = new Intl.NumberFormat(getLanguage()).formatToParts(0.5).find((part) => part.type === "decimal");
  return dotted.replace(".", mark?.value ?? ".");
}

/** Milliseconds as people read them: 0.412, 12.5, 3021 (no more than three decimals). */
export function milliseconds(valueMs: number): string {
  return decimal(valueMs, 3);
}

/** Seconds to a tenth, from milliseconds: 5000 → 5, 8240 → 8.2 (8,2 in Spanish). */
export function seconds(valueMs: number): string {
  return decimal(valueMs / 1000, 1);
}
