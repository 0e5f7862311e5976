/**
 * Message catalogues and the choice of language: `--lang`, else `LC_ALL`, `LC_MESSAGES`,
 * `LANG` (the POSIX order), else English.
 */

import { en, es, type MessageKey } from "./messages/index.js";

export type Language = "en" | "es";
export const LANGUAGES: readonly Language[] = ["en", "es"];
export type { MessageKey };

const catalogues: Record<Language, Record<MessageKey, string>> = { en, es };

let current: Language = "en";

/** The language the environment asks for (`LC_ALL` over `LC_MESSAGES` over `LANG`). */
export function languageFromEnvironment(environment: NodeJS.ProcessEnv = process.env): Language {
  for (const name of ["LC_ALL", "LC_MESSAGES", "LANG"]) {
    const value = environment[name];
    if (value === undefined || value === "") continue;
    return value.toLowerCase().startsWith("es") ? "es" : "en";
  }
  return "en";
}

export function setLanguage(language: Language): void {
  current = language;
}

export function getLanguage(): Language {
  return current;
}

/**
 * The message for a key in the current language, with `{name}` placeholders filled.
 *
 * @example
 * ```ts
 * import { t } from "./index.js";
 * t("error.hostNotFound", { host: "nowhere" }); // "host not found: nowhere: check the name"
 * ```
 */
export function t(key: MessageKey, parameters: Record<string, string | number> = {}): string {
  return translate(current, key, parameters);
}

/** As `t`, in a given language rather than the process's (a web page speaks its own). */
export function translate(
  language: Language,
  key: MessageKey,
  parameters: Record<string, string | number> = {},
): string {
  const template = catalogues[language][key];
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in parameters ? String(parameters[name]) : placeholder,
  );
}

export function catalogue(language: Language): Readonly<Record<MessageKey, string>> {
  return catalogues[language];
}
