// Local date and time formatting for people ("Senin, 3 Maret 2025 10:12 WIB") and machines
// (ISO 8601 with the local offset). Pure: the zone is always an explicit argument.
import { DateTime } from "luxon";
import type { Lang } from "../../i18n/lang.js";
import type { Instant, LocalDate } from "../types.js";
import { monthName, weekdayName } from "./names.js";

const INDONESIAN_ZONES: Readonly<Record<string, string>> = {
  "Asia/Jakarta": "WIB",
  "Asia/Pontianak": "WIB",
  "Asia/Makassar": "WITA",
  "Asia/Jayapura": "WIT",
};

function inZone(t: Instant, zone: string): DateTime {
  const dt = DateTime.fromMillis(t, { zone });
  if (!dt.isValid) throw new RangeError(`cannot place ${t} in zone ${zone}: ${dt.invalidReason}`);
  return dt;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * Abbreviation of a zone at an instant: WIB (Asia/Jakarta, Asia/Pontianak), WITA (Asia/Makassar),
 * WIT (Asia/Jayapura); any other zone gets Luxon's short offset name (e.g. "GMT+7", "CET").
 */
export function zoneAbbreviation(zone: string, t: Instant): string {
  return INDONESIAN_ZONES[zone] ?? inZone(t, zone).offsetNameShort ?? zone;
}

/**
 * "Senin, 3 Maret 2025" / "Monday, 3 March 2025" for a local date "yyyy-mm-dd"; without the
 * weekday ("3 Maret 2025") when `withWeekday` is false.
 */
export function formatLocalDate(date: LocalDate, lang: Lang, withWeekday = true): string {
  const dt = DateTime.fromISO(date, { zone: "UTC" });
  if (!dt.isValid) throw new RangeError(`invalid local date: ${date}`);
  const day = `${dt.day} ${monthName(dt.month, lang)} ${dt.year}`;
  return withWeekday ? `${weekdayName(dt.weekday, lang)}, ${day}` : day;
}

/**
 * Results of formatLocal, remembered: a scan's emails show the same instants (due dates at local
 * midnight) thousands of times, and placing an instant in a zone is the costly part. Bounded:
 * cleared when full. The function stays pure (same arguments, same text).
 */
const formatted = new Map<string, string>();
const FORMATTED_MAX = 10_000;

/** "Senin, 3 Maret 2025 10:12 WIB" / "Monday, 3 March 2025 10:12 WIB" (24-hour clock). */
export function formatLocal(t: Instant, zone: string, lang: Lang): string {
  const key = `${t}|${zone}|${lang}`;
  const known = formatted.get(key);
  if (known !== undefined) return known;
  const dt = inZone(t, zone);
  const date = `${weekdayName(dt.weekday, lang)}, ${dt.day} ${monthName(dt.month, lang)} ${dt.year}`;
  const text = `${date} ${pad2(dt.hour)}:${pad2(dt.minute)} ${zoneAbbreviation(zone, t)}`;
  if (formatted.size >= FORMATTED_MAX) formatted.clear();
  formatted.set(key, text);
  return text;
}

/** ISO 8601 with the local offset, e.g. "2025-03-07T00:00:00+07:00" (milliseconds only if any). */
export function formatIsoLocal(t: Instant, zone: string): string {
  const iso = inZone(t, zone).toISO({ suppressMilliseconds: true });
  if (iso === null) throw new RangeError(`cannot format ${t} in zone ${zone}`);
  return iso;
}
