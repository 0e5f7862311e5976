/**
 * The choices a transform is made with (mode and locale), their validation, and the
 * documented bound on how much the output may grow.
 */

/**
 * `unicode`: full Unicode uppercase of well-formed UTF-8. `ascii`: only `a`-`z` change.
 * `echo`: nothing changes (an RFC 862 echo service).
 */
export type TransformMode = "unicode" | "ascii" | "echo";

export const TRANSFORM_MODES: readonly TransformMode[] = ["unicode", "ascii", "echo"];

export interface TransformOptions {
  /** Default `unicode`. */
  mode?: TransformMode;
  /**
   * A BCP 47 language tag (`tr`, `az`, `lt`, `el`...) for language rules, as
   * `toLocaleUpperCase(locale)` applies them. Only with `mode: "unicode"`.
   */
  locale?: string;
}

/** Output bytes per input byte, at most: unicode mode (`ΐ` is 2 bytes, its uppercase 6). */
export const MAX_UNICODE_GROWTH = 3;
/** Output bytes per input byte in ascii and echo modes: exactly one. */
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
    if (mode !== "unicode") throw new TransformOptionsError("locale", options.locale);
    try {
      [locale] = Intl.getCanonicalLocales(options.locale);
    } catch (error) {
      throw new TransformOptionsError("locale", options.locale, { cause: error });
    }
  }
  return { mode, locale };
}
