/**
 * The choices a transform is made with (mode and locale), their validation, and the
 * documented bound on how much the output may grow.
 */

/**
 * `unicode`: full Unicode uppercase of well-formed UTF-8. `ascii`: only `a`-`z` change.
 * `lower` and `lower-ascii`: the same two, lowercase (`lower-ascii`: only `A`-`Z` change).
 * `echo`: nothing changes (an RFC 862 echo service).
 */
export type TransformMode = "unicode" | "ascii" | "lower" | "lower-ascii" | "echo";

export const TRANSFORM_MODES: readonly TransformMode[] = ["unicode", "ascii", "lower", "lower-ascii", "echo"];

/** The modes that take a `locale` (the full mappings, up and down). */
export const LOCALE_MODES: readonly TransformMode[] = ["unicode", "lower"];

export interface TransformOptions {
  /** Default `unicode`. */
  mode?: TransformMode;
  /**
   * A BCP 47 language tag (`tr`, `az`, `lt`, `el`...) for language rules, as
   * `toLocaleUpperCase(locale)` (`toLocaleLowerCase` in `lower` mode) applies them. Only with
   * `mode: "unicode"` or `"lower"`.
   */
  locale?: string;
}

/** Output bytes per input byte, at most: unicode mode (`ΐ` is 2 bytes, its uppercase 6). */
export const MAX_UNICODE_GROWTH = 3;
/**
 * Output bytes per input byte, at most: lower mode without a locale (`İ` is 2 bytes, its
 * lowercase `i̇` 3; so are `Ⱥ` and `Ⱦ`, whose lowercase is a 3-byte letter). lowercaser.test.ts
 * checks it over every code point.
 */
export const MAX_LOWERCASE_GROWTH = 1.5;
/**
 * The same bound with a locale: Lithuanian `Ì` (2 bytes) lowercases to `i̇̀` (5); Turkish `I`
 * (1 byte) to `ı` (2).
 */
export const MAX_LOCALE_LOWERCASE_GROWTH = 2.5;
/** Output bytes per input byte in ascii, lower-ascii and echo modes: exactly one. */
export const ASCII_GROWTH = 1;

/** The options are not usable: an unknown mode, or a malformed locale tag. */
export class TransformOptionsError extends Error {
  override readonly name = "TransformOptionsError";
  constructor(
    readonly option: "mode" | "locale",
    readonly value: string,
    options?: ErrorOptions,
  ) {
    super(`invalid ${option}: ${JSON.stringify(value)}`, options);
  }
}

/** Checks the options and returns them with defaults filled in and the locale canonical. */
export function resolveTransformOptions(options: TransformOptions = {}): Required<Pick<TransformOptions, "mode">> & {
  locale: string | undefined;
} {
  const mode = options.mode ?? "unicode";
  if (!TRANSFORM_MODES.includes(mode)) throw new TransformOptionsError("mode", String(mode));
  let locale: string | undefined;
  if (options.locale !== undefined) {
    if (!LOCALE_MODES.includes(mode)) throw new TransformOptionsError("locale", options.locale);
    try {
      [locale] = Intl.getCanonicalLocales(options.locale);
    } catch (error) {
      throw new TransformOptionsError("locale", options.locale, { cause: error });
    }
  }
  return { mode, locale };
}

/** Output bytes per input byte, at most, for a mode and locale (resolved options). */
export function maxGrowthOf(mode: TransformMode, locale: string | undefined): number {
  if (mode === "unicode") return MAX_UNICODE_GROWTH;
  if (mode === "lower") return locale === undefined ? MAX_LOWERCASE_GROWTH : MAX_LOCALE_LOWERCASE_GROWTH;
  return ASCII_GROWTH;
}
