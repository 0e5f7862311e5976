/**
 * One catalogue file per area of the tool, each with English and Spanish side by side; the
 * type makes the Spanish side list exactly the English keys.
 */
export function defineMessages<const English extends Record<string, string>>(
  en: English,
  es: { [Key in keyof English]: string },
): { en: English; es: { [Key in keyof English]: string } } {
  return { en, es };
}
