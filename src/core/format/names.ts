// Day and month names for people, written out here so that output never depends on the ICU
// locale data bundled with a given Node build.
import type { Lang } from "../../i18n/lang.js";

/** Index 1 = Monday ... 7 = Sunday (ISO weekday). Index 0 is unused. */
const WEEKDAYS: Record<Lang, readonly string[]> = {
  id: ["", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
  en: ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
};

/** Index 1 = January ... 12 = December. Index 0 is unused. */
const MONTHS: Record<Lang, readonly string[]> = {
  id: [
    "",
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
  ],
  en: [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
  ],
};

/** Name of an ISO weekday (1 = Monday ... 7 = Sunday). */
export function weekdayName(isoWeekday: number, lang: Lang): string {
  const name = WEEKDAYS[lang][isoWeekday];
  if (!name) throw new RangeError(`invalid ISO weekday: ${isoWeekday}`);
  return name;
}

/** Name of a month (1 = January ... 12 = December). */
export function monthName(month: number, lang: Lang): string {
  const name = MONTHS[lang][month];
  if (!name) throw new RangeError(`invalid month: ${month}`);
  return name;
}
