// Figures and instants for the pages, in the conventions of the CLI: shares as
// `pantau report` shows them ("92,6%", "–" when nothing was measured), counts with a thousands
// dot in Indonesian, instants in WIB with Indonesian month names ("Senin, 3 Maret 2025 10:00 WIB").
import { formatLocal } from "../core/format/index.js";
import type { Instant } from "../core/types.js";
import { pick, type Lang } from "../i18n/lang.js";
import { displayCell } from "../reports/index.js";

export type Tr = (id: string, en: string) => string;

export const translator =
  (lang: Lang): Tr =>
  (id, en) =>
    pick(lang, { id, en });

/** A share 0–1 as the reports show it; "–" for null (no decided clock in the period). */
export const shareText = (share: number | null, lang: Lang): string =>
  displayCell("share", share, lang);

/** A count: "1.234" (id) / "1,234" (en). */
export const countText = (n: number, lang: Lang): string =>
  n.toLocaleString(lang === "en" ? "en-GB" : "id-ID", { maximumFractionDigits: 0 });

/** Indonesian writes the time of day with a dot ("10.00 WIB"); English keeps "10:00 WIB". */
export const localTimes = (text: string, lang: Lang): string =>
  lang === "id" ? text.replace(/\b(\d{2}):(\d{2}) (WIB|WITA|WIT)\b/g, "$1.$2 $3") : text;

/** "Senin, 3 Maret 2025 10.00 WIB" / "Monday, 3 March 2025 10:00 WIB"; "–" for null. */
export const instantText = (t: Instant | null, zone: string, lang: Lang): string =>
  t === null ? "–" : localTimes(formatLocal(t, zone, lang), lang);
