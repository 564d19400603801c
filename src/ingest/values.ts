// Cell value parsers (pure): each returns the value or a bilingual reason for the rejection.
import { DateTime } from "luxon";
import type { Bilingual } from "../i18n/lang.js";
import type { Channel, Complexity, EventKind, Instant, ReportType } from "../core/types.js";
import {
  cellText,
  isCellProblem,
  isEmptyValue,
  matchKey,
  truncate,
  type CellValue,
} from "./cells.js";
import type { ValueTable } from "./aliases.js";

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: Bilingual };

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function fail<T = never>(id: string, en: string): Parsed<T> {
  return { ok: false, reason: { id, en } };
}

/** Reason for a cell whose formula or error value cannot be read. */
function problemReason<T>(v: CellValue): Parsed<T> | undefined {
  if (!isCellProblem(v)) return undefined;
  if (v.problem === "formula_without_result")
    return fail(
      `sel berisi rumus tanpa hasil tersimpan (=${truncate(v.detail, 60)}); Pantau tidak menghitung rumus: buka dan simpan ulang berkas di Excel, atau tempel sebagai nilai`,
      `the cell holds a formula without a stored result (=${truncate(v.detail, 60)}); Pantau never evaluates formulas: open and save the file in Excel, or paste as values`,
    );
  return fail(`sel berisi nilai galat ${v.detail}`, `the cell holds the error value ${v.detail}`);
}

/** Text starting like a spreadsheet formula: never a valid date or ID. */
export function looksLikeFormula(text: string): boolean {
  return /^[=+@]/.test(text.trim()) || /^-\s*\S/.test(text.trim());
}

// ---------------------------------------------------------------------------------------------
// Dates

/** Reports older or newer than this are typing mistakes (or numbers taken for Excel dates). */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

const MONTHS: Record<string, number> = {};
const MONTH_NAMES: [number, string[]][] = [
  [1, ["januari", "jan", "january"]],
  [2, ["februari", "pebruari", "feb", "peb", "february"]],
  [3, ["maret", "mar", "march"]],
  [4, ["april", "apr"]],
  [5, ["mei", "may"]],
  [6, ["juni", "jun", "june"]],
  [7, ["juli", "jul", "july"]],
  [8, ["agustus", "agu", "agt", "ags", "agst", "aug", "august"]],
  [9, ["september", "sep", "sept"]],
  [10, ["oktober", "okt", "october", "oct"]],
  [11, ["november", "nopember", "nov", "nop"]],
  [12, ["desember", "des", "december", "dec"]],
];
for (const [n, names] of MONTH_NAMES) for (const name of names) MONTHS[name] = n;

const WEEKDAYS: Record<string, number> = {
  senin: 1, selasa: 2, rabu: 3, kamis: 4, jumat: 5, sabtu: 6, minggu: 7, ahad: 7,
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
  mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7,
}; // prettier-ignore

/** Offsets of the Indonesian zone abbreviations (minutes east of UTC). */
const ZONE_ABBREVIATIONS: Record<string, number> = { wib: 420, wita: 480, wit: 540 };

const TIME = String.raw`(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,](\d{1,9}))?)?(?:\s*([ap])\.?m\.?)?`;
const TIME_PREFIX = String.raw`(?:,?\s*(?:pukul|pkl\.?|jam|at)?\s*)`;
const OFFSET = String.raw`(?:\s*(z|utc|gmt|[+-]\d{2}(?::?\d{2})?|wib|wita|wit))?`;

const ISO_RE = new RegExp(
  String.raw`^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:(?:t|\s+)${TIME})?${OFFSET}$`,
  "i",
);
const DMY_RE = new RegExp(
  String.raw`^(\d{1,2})([/.-])(\d{1,2})\2(\d{1,4})(?:(?:t|\s+)${TIME_PREFIX}${TIME})?${OFFSET}$`,
  "i",
);
const D_MON_Y_RE = new RegExp(
  String.raw`^(\d{1,2})[\s-]+([a-z]+)\.?[\s-]+(\d{1,4})(?:${TIME_PREFIX}${TIME})?${OFFSET}$`,
  "i",
);
const MON_D_Y_RE = new RegExp(
  String.raw`^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{1,4})(?:${TIME_PREFIX}${TIME})?${OFFSET}$`,
  "i",
);
const SERIAL_TEXT_RE = /^\d{5}(?:\.\d+)?$/;

const FORMATS_HINT: Bilingual = {
  id: "gunakan misalnya 2024-07-09 14:03, 09/07/2024 14.03, 9 Juli 2024 14.03 atau sel tanggal Excel",
  en: "use e.g. 2024-07-09 14:03, 09/07/2024 14.03, 9 July 2024 14.03 or an Excel date cell",
};

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

function badDate(text: string, why: Bilingual): Parsed<Instant> {
  return fail(
    `tanggal ${JSON.stringify(truncate(text, 60))} ${why.id}`,
    `date ${JSON.stringify(truncate(text, 60))} ${why.en}`,
  );
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * The zone's UTC offset (minutes) for every wall time of one local hour, or null when the hour
 * holds a transition (or a gap) and each time must go through Luxon. Luxon's zone arithmetic
 * (Intl) costs microseconds per call; an import of 100,000 rows has a few thousand distinct
 * hours (readTable + normalizeRows went from 1.7× to about 1.3× the bare exceljs read).
 */
const dayOffsets = new Map<string, number | null>();

/**
 * The zone's UTC offset (minutes) for every wall time of that local date, or null when the
 * offset changes during the day (a DST transition) or the date does not exist in the zone:
 * those wall times are then resolved exactly by luxon. One luxon computation per zone and day,
 * instead of two per date read: an export holds thousands of dates on the same days.
 */
function dayOffset(w: WallTime, zone: string): number | null {
  const key = `${zone}|${w.year}|${w.month}|${w.day}`;
  let offset = dayOffsets.get(key);
  if (offset === undefined) {
    const base = { year: w.year, month: w.month, day: w.day };
    const first = DateTime.fromObject({ ...base, hour: 0, minute: 0 }, { zone });
    const last = DateTime.fromObject(
      { ...base, hour: 23, minute: 59, second: 59, millisecond: 999 },
      { zone },
    );
    // Both ends of the day exist as written and share one offset: no transition in between
    // (no zone changes its offset twice within a day).
    offset =
      first.isValid &&
      last.isValid &&
      first.offset === last.offset &&
      first.day === w.day &&
      first.hour === 0 &&
      first.minute === 0 &&
      last.day === w.day &&
      last.hour === 23 &&
      last.minute === 59
        ? first.offset
        : null;
    if (dayOffsets.size >= 50_000) dayOffsets.clear();
    dayOffsets.set(key, offset);
  }
  return offset;
}

/** Checks ranges and turns a wall time (in `zone`, or at `offsetMinutes`) into an instant. */
function toInstant(
  text: string,
  w: WallTime,
  zone: string,
  offsetMinutes: number | undefined,
): Parsed<Instant> {
  if (w.month < 1 || w.month > 12)
    return badDate(text, {
      id: `tidak mungkin: bulan ${w.month}`,
      en: `is impossible: month ${w.month}`,
    });
  const dim = daysInMonth(w.year, w.month);
  if (w.day < 1 || w.day > dim)
    return badDate(text, {
      id: `tidak mungkin: bulan itu hanya ${dim} hari`,
      en: `is impossible: that month has ${dim} days`,
    });
  if (w.hour > 23 || w.minute > 59 || w.second > 59)
    return badDate(text, {
      id: "tidak mungkin: jam harus 00:00–23:59:59",
      en: "is impossible: the time must be 00:00–23:59:59",
    });
  if (w.year < MIN_YEAR || w.year > MAX_YEAR)
    return badDate(text, {
      id: `di luar rentang yang masuk akal (${MIN_YEAR}–${MAX_YEAR})`,
      en: `is outside the plausible range (${MIN_YEAR}–${MAX_YEAR})`,
    });
  if (offsetMinutes !== undefined) {
    const utc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
    return ok(utc - offsetMinutes * 60_000);
  }
  const fixed = dayOffset(w, zone);
  if (fixed !== null) {
    const utc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
    return ok(utc - fixed * 60_000);
  }
  const dt = DateTime.fromObject(w, { zone });
  if (!dt.isValid)
    return badDate(text, { id: `tidak valid di zona ${zone}`, en: `is invalid in zone ${zone}` });
  if (dt.hour !== w.hour || dt.minute !== w.minute)
    return badDate(text, {
      id: `tidak ada di zona ${zone} (pergantian jam musim panas)`,
      en: `does not exist in zone ${zone} (daylight saving gap)`,
    });
  return ok(dt.toMillis());
}

function parseOffset(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const r = raw.toLowerCase();
  if (r === "z" || r === "utc" || r === "gmt") return 0;
  const abbr = ZONE_ABBREVIATIONS[r];
  if (abbr !== undefined) return abbr;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(r);
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === "-" ? -minutes : minutes;
}

function timeOf(
  g: (string | undefined)[],
): { hour: number; minute: number; second: number; millisecond: number } | Bilingual {
  const [h, mi, s, frac, ampm] = g;
  if (h === undefined) return { hour: 0, minute: 0, second: 0, millisecond: 0 };
  let hour = Number(h);
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12)
      return {
        id: "tidak mungkin: jam AM/PM harus 1–12",
        en: "is impossible: an AM/PM hour must be 1–12",
      };
    hour = (hour % 12) + (ampm.toLowerCase() === "p" ? 12 : 0);
  }
  const millisecond = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  return { hour, minute: Number(mi), second: Number(s ?? 0), millisecond };
}

function yearOf(y: string): number | Bilingual {
  if (y.length === 4) return Number(y);
  if (y.length === 2)
    return {
      id: "ambigu: tahun dua digit; tulis tahun empat digit (2024)",
      en: "is ambiguous: two-digit year; write the year with four digits (2024)",
    };
  return {
    id: "tidak valid: tahun harus empat digit",
    en: "is invalid: the year must have four digits",
  };
}

/** Days of an Excel 1900-system serial → wall time; serial 60 (29 Feb 1900) does not exist. */
function fromSerial(text: string, serial: number, zone: string): Parsed<Instant> {
  if (!Number.isFinite(serial) || serial < 1)
    return badDate(text, {
      id: "bukan nomor seri tanggal Excel yang valid",
      en: "is not a valid Excel date serial number",
    });
  if (Math.floor(serial) === 60)
    return badDate(text, {
      id: "tidak mungkin: 29 Februari 1900 tidak ada (galat kabisat Excel)",
      en: "is impossible: 29 February 1900 does not exist (Excel leap-year bug)",
    });
  const days = Math.floor(serial);
  // Serials after the fictitious 29 Feb 1900 count from 30 Dec 1899, earlier ones from 31 Dec.
  const epochDay = days > 60 ? days - 25569 : days - 25568;
  const seconds = Math.round((serial - days) * 86400);
  const d = new Date(epochDay * 86_400_000 + seconds * 1000);
  return toInstant(text, utcWall(d), zone, undefined);
}

function utcWall(d: Date): WallTime {
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: 0,
  };
}

/**
 * A date cell → epoch ms. Accepts ISO 8601 (offset optional), dd/mm/yyyy and dd-mm-yyyy (always
 * day first), Indonesian and English month names, optional time HH:mm[:ss] or HH.mm[.ss] and a
 * WIB/WITA/WIT or numeric offset, Excel serial numbers (1900 system) and xlsx date cells (their
 * UTC fields are the wall time). Without an offset the time is local to `zone`. Two-digit years
 * and impossible dates are rejected, never guessed.
 */
export function parseDate(v: CellValue, zone: string): Parsed<Instant> {
  const problem = problemReason<Instant>(v);
  if (problem) return problem;
  if (v === null || (typeof v === "string" && v.trim() === ""))
    return fail("tanggal kosong", "the date is empty");
  if (typeof v === "boolean")
    return fail(`tanggal tidak valid: ${String(v)}`, `invalid date: ${String(v)}`);
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return fail("tanggal tidak valid", "invalid date");
    // exceljs: UTC fields = wall time; round away float noise to the nearest second.
    const rounded = new Date(Math.round(v.getTime() / 1000) * 1000);
    return toInstant(cellText(v), utcWall(rounded), zone, undefined);
  }
  if (typeof v === "number") return fromSerial(String(v), v, zone);
  const text = cellText(v).trim().replace(/\s+/g, " ");
  if (looksLikeFormula(text))
    return badDate(text, {
      id: "tampak seperti rumus, bukan tanggal",
      en: "looks like a formula, not a date",
    });
  if (SERIAL_TEXT_RE.test(text)) return fromSerial(text, Number(text), zone);

  let y: string | undefined, mo: number | undefined, d: string | undefined;
  let timeGroups: (string | undefined)[] = [];
  let offsetRaw: string | undefined;
  let weekday: number | undefined;
  let rest = text;
  const wd = /^([a-z']+)\s*,?\s+/i.exec(rest);
  if (wd?.[1] !== undefined) {
    const n = WEEKDAYS[wd[1].toLowerCase().replace("'", "")];
    if (n !== undefined) {
      weekday = n;
      rest = rest.slice(wd[0].length);
    }
  }
  let m: RegExpExecArray | null;
  if ((m = ISO_RE.exec(rest))) {
    y = m[1];
    mo = Number(m[3]);
    d = m[4];
    timeGroups = m.slice(5, 10);
    offsetRaw = m[10];
  } else if ((m = DMY_RE.exec(rest))) {
    d = m[1];
    mo = Number(m[3]);
    y = m[4];
    timeGroups = m.slice(5, 10);
    offsetRaw = m[10];
  } else if ((m = D_MON_Y_RE.exec(rest)) || (m = MON_D_Y_RE.exec(rest))) {
    const dayFirst = /^\d/.test(rest);
    const name = (dayFirst ? m[2] : m[1]) ?? "";
    const month = MONTHS[name.toLowerCase()];
    if (month === undefined)
      return badDate(text, {
        id: `memuat nama bulan yang tidak dikenal ${JSON.stringify(name)}`,
        en: `has an unknown month name ${JSON.stringify(name)}`,
      });
    d = dayFirst ? m[1] : m[2];
    mo = month;
    y = m[3];
    timeGroups = m.slice(4, 9);
    offsetRaw = m[9];
  } else {
    return badDate(text, {
      id: `tidak dikenali: ${FORMATS_HINT.id}`,
      en: `is not recognised: ${FORMATS_HINT.en}`,
    });
  }
  const year = yearOf(y ?? "");
  if (typeof year !== "number") return badDate(text, year);
  const time = timeOf(timeGroups);
  if ("id" in time) return badDate(text, time);
  const offset = parseOffset(offsetRaw);
  const wall: WallTime = { year, month: mo ?? 0, day: Number(d), ...time };
  const out = toInstant(text, wall, zone, offset);
  if (out.ok && weekday !== undefined) {
    const actual = DateTime.utc(wall.year, wall.month, wall.day).weekday;
    if (actual !== weekday)
      return badDate(text, {
        id: "bertentangan: nama hari tidak cocok dengan tanggalnya",
        en: "is contradictory: the weekday does not match the date",
      });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tracking IDs

export const MAX_TRACKING_ID_DIGITS = 20;

/** A LAPOR! tracking ID: digits only (spaces removed); numeric cells accepted when exact. */
export function parseTrackingId(v: CellValue): Parsed<string> {
  const problem = problemReason<string>(v);
  if (problem) return problem;
  if (typeof v === "number") {
    if (!Number.isFinite(v) || !Number.isInteger(v) || v < 0)
      return fail(
        `ID tracking ${String(v)} tidak valid: harus bilangan bulat positif`,
        `tracking ID ${String(v)} is invalid: it must be a positive whole number`,
      );
    if (!Number.isSafeInteger(v))
      return fail(
        `ID tracking ${String(v)} terlalu besar untuk sel angka: digit terakhir mungkin hilang; format kolom sebagai Teks`,
        `tracking ID ${String(v)} is too large for a number cell: trailing digits may be lost; format the column as Text`,
      );
    return ok(String(v));
  }
  if (typeof v !== "string")
    return fail(`ID tracking tidak valid: ${cellText(v)}`, `invalid tracking ID: ${cellText(v)}`);
  const raw = v.trim();
  if (raw === "") return fail("ID tracking kosong", "the tracking ID is empty");
  const shown = JSON.stringify(truncate(raw, 40));
  if (/^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i.test(raw))
    return fail(
      `ID tracking ${shown} ditulis dalam notasi ilmiah: digitnya hilang; format kolom sebagai Teks dan ekspor ulang`,
      `tracking ID ${shown} is in scientific notation: its digits are lost; format the column as Text and export again`,
    );
  if (looksLikeFormula(raw))
    return fail(
      `ID tracking ${shown} tidak valid: hanya boleh angka (diawali ${raw[0]})`,
      `tracking ID ${shown} is invalid: digits only (starts with ${raw[0]})`,
    );
  const digits = raw.replace(/^'/, "").replace(/[\s\u00a0\u202f]+/g, "");
  if (!/^\d+$/.test(digits))
    return fail(
      `ID tracking ${shown} tidak valid: hanya boleh angka`,
      `tracking ID ${shown} is invalid: digits only`,
    );
  if (digits.length > MAX_TRACKING_ID_DIGITS)
    return fail(
      `ID tracking ${shown} terlalu panjang: paling banyak ${MAX_TRACKING_ID_DIGITS} digit`,
      `tracking ID ${shown} is too long: at most ${MAX_TRACKING_ID_DIGITS} digits`,
    );
  return ok(digits);
}

// ---------------------------------------------------------------------------------------------
// Enumerations through the alias tables

function lookup<T extends string>(v: CellValue, table: ValueTable<T>, what: Bilingual): Parsed<T> {
  const problem = problemReason<T>(v);
  if (problem) return problem;
  const text = cellText(v).trim();
  const found = table.get(matchKey(text));
  if (found !== undefined) return ok(found);
  // The first alias of each value, for the message.
  const accepted = new Map<T, string>();
  for (const [, canonical] of table)
    if (!accepted.has(canonical)) accepted.set(canonical, canonical);
  const list = [...accepted.keys()].join(", ");
  return fail(
    `${what.id} ${JSON.stringify(truncate(text, 60))} tidak dikenal; yang diterima: ${list} (beserta aliasnya, lihat docs/import.md)`,
    `unknown ${what.en} ${JSON.stringify(truncate(text, 60))}; accepted: ${list} (and their aliases, see docs/import.md)`,
  );
}

/** Channel; empty → null. */
export function parseChannel(v: CellValue, table: ValueTable<Channel>): Parsed<Channel | null> {
  if (isEmptyValue(v)) return ok(null);
  return lookup(v, table, { id: "kanal", en: "channel" });
}

/** Report type; empty → "pengaduan" (what LAPOR! assumes before classification). */
export function parseReportType(v: CellValue, table: ValueTable<ReportType>): Parsed<ReportType> {
  if (isEmptyValue(v)) return ok("pengaduan");
  return lookup(v, table, { id: "klasifikasi", en: "classification" });
}

/** Complexity; empty → "unknown". */
export function parseComplexity(v: CellValue, table: ValueTable<Complexity>): Parsed<Complexity> {
  if (isEmptyValue(v)) return ok("unknown");
  return lookup(v, table, { id: "kompleksitas", en: "complexity" });
}

/** Yes/no; empty → false. */
export function parseBoolean(v: CellValue, table: ValueTable<"true" | "false">): Parsed<boolean> {
  if (typeof v === "boolean") return ok(v);
  if (isEmptyValue(v)) return ok(false);
  const r = lookup(v, table, { id: "nilai ya/tidak", en: "yes/no value" });
  return r.ok ? ok(r.value === "true") : r;
}

/** Event kind of an event-log row. */
export function parseEventKind(v: CellValue, table: ValueTable<EventKind>): Parsed<EventKind> {
  if (isEmptyValue(v)) return fail("jenis peristiwa kosong", "the event is empty");
  return lookup(v, table, { id: "peristiwa", en: "event" });
}

/** Free text (category): trimmed, at most 200 characters, empty → null. */
export function parseText(v: CellValue): Parsed<string | null> {
  const problem = problemReason<string | null>(v);
  if (problem) return problem;
  if (isEmptyValue(v)) return ok(null);
  return ok(truncate(cellText(v).trim().replace(/\s+/g, " "), 200));
}

// ---------------------------------------------------------------------------------------------
// Reporter contact (presence only; the value itself is never kept)

export type ContactState = "absent" | "valid" | "invalid";

/**
 * Whether a reporter contact cell holds a plausible phone number (8–15 digits, written with
 * digits, spaces, "+", "-", ".", "/" and parentheses only) or email address, nothing, or something
 * malformed ("0812-ABC-99").
 */
export function contactState(v: CellValue, kind: "phone" | "email"): ContactState {
  if (isEmptyValue(v)) return "absent";
  if (isCellProblem(v)) return "invalid";
  const text = cellText(v).trim();
  if (kind === "email") return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text) ? "valid" : "invalid";
  const digits = text.match(/\d/g)?.length ?? 0;
  return /^[+()\d\s./-]+$/.test(text) && digits >= 8 && digits <= 15 ? "valid" : "invalid";
}

/** A plausible phone number or email address is present in the cell (see contactState). */
export function hasContact(v: CellValue, kind: "phone" | "email"): boolean {
  return contactState(v, kind) === "valid";
}
