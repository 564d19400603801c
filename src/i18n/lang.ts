// The two languages of Pantau's user-facing text: Bahasa Indonesia (default) and English.

export type Lang = "id" | "en";

/** A user-facing text in both languages. */
export interface Bilingual {
  id: string;
  en: string;
}

/** Picks the text for `lang`. */
export function pick(lang: Lang, text: Bilingual): string {
  return lang === "en" ? text.en : text.id;
}

/** Parses a language setting ("id", "en", "id_ID.UTF-8"...) and defaults to Indonesian. */
export function parseLang(value: string | undefined): Lang {
  if (!value) return "id";
  return value.toLowerCase().startsWith("en") ? "en" : "id";
}
