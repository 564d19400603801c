// Test fixtures: Indonesian holidays 2024–2026 copied (inlined, not parsed at test time, so the
// tests do not depend on files outside the repository) from /work/shared/reference/holidays-id.yaml,
// the SKB 3 Menteri decrees and their amendments. Do not edit dates here without the yaml.
import type { CalendarSpec, Holiday, IsoWeekday } from "../../../src/core/types.js";

export const HOLIDAYS_ID: readonly Holiday[] = [
  // 2024
  { date: "2024-01-01", name: "Tahun Baru 2024 Masehi", kind: "national" },
  { date: "2024-02-08", name: "Isra Mikraj Nabi Muhammad SAW", kind: "national" },
  { date: "2024-02-10", name: "Tahun Baru Imlek 2575 Kongzili", kind: "national" },
  { date: "2024-03-11", name: "Hari Suci Nyepi Tahun Baru Saka 1946", kind: "national" },
  { date: "2024-03-29", name: "Wafat Isa Almasih", kind: "national" },
  { date: "2024-03-31", name: "Hari Paskah", kind: "national" },
  { date: "2024-04-10", name: "Hari Raya Idul Fitri 1445 H", kind: "national" },
  { date: "2024-04-11", name: "Hari Raya Idul Fitri 1445 H", kind: "national" },
  { date: "2024-05-01", name: "Hari Buruh Internasional", kind: "national" },
  { date: "2024-05-09", name: "Kenaikan Isa Almasih", kind: "national" },
  { date: "2024-05-23", name: "Hari Raya Waisak 2568 BE", kind: "national" },
  { date: "2024-06-01", name: "Hari Lahir Pancasila", kind: "national" },
  { date: "2024-06-17", name: "Hari Raya Idul Adha 1445 H", kind: "national" },
  { date: "2024-07-07", name: "Tahun Baru Islam 1446 H", kind: "national" },
  { date: "2024-08-17", name: "Hari Kemerdekaan Republik Indonesia", kind: "national" },
  { date: "2024-09-16", name: "Maulid Nabi Muhammad SAW", kind: "national" },
  { date: "2024-12-25", name: "Hari Raya Natal", kind: "national" },
  { date: "2024-02-09", name: "Cuti Bersama Imlek", kind: "collective" },
  { date: "2024-03-12", name: "Cuti Bersama Nyepi", kind: "collective" },
  { date: "2024-04-08", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  { date: "2024-04-09", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  { date: "2024-04-12", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  { date: "2024-04-15", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  { date: "2024-05-10", name: "Cuti Bersama Kenaikan Isa Almasih", kind: "collective" },
  { date: "2024-05-24", name: "Cuti Bersama Waisak", kind: "collective" },
  { date: "2024-06-18", name: "Cuti Bersama Idul Adha", kind: "collective" },
  { date: "2024-12-26", name: "Cuti Bersama Natal", kind: "collective" },
  { date: "2024-02-14", name: "Pemilihan Umum", kind: "special" },
  { date: "2024-11-27", name: "Pemilihan Kepala Daerah Serentak", kind: "special" },
  // 2025
  { date: "2025-01-01", name: "Tahun Baru 2025 Masehi", kind: "national" },
  { date: "2025-01-27", name: "Isra Mikraj Nabi Muhammad SAW", kind: "national" },
  { date: "2025-01-29", name: "Tahun Baru Imlek 2576 Kongzili", kind: "national" },
  { date: "2025-03-29", name: "Hari Suci Nyepi Tahun Baru Saka 1947", kind: "national" },
  { date: "2025-03-31", name: "Hari Raya Idul Fitri 1446 H", kind: "national" },
  { date: "2025-04-01", name: "Hari Raya Idul Fitri 1446 H", kind: "national" },
  { date: "2025-04-18", name: "Wafat Isa Almasih", kind: "national" },
  { date: "2025-04-20", name: "Hari Paskah", kind: "national" },
  { date: "2025-05-01", name: "Hari Buruh Internasional", kind: "national" },
  { date: "2025-05-12", name: "Hari Raya Waisak 2569 BE", kind: "national" },
  { date: "2025-05-29", name: "Kenaikan Isa Almasih", kind: "national" },
  { date: "2025-06-01", name: "Hari Lahir Pancasila", kind: "national" },
  { date: "2025-06-06", name: "Hari Raya Idul Adha 1446 H", kind: "national" },
  { date: "2025-06-27", name: "Tahun Baru Islam 1447 H", kind: "national" },
  { date: "2025-08-17", name: "Hari Kemerdekaan Republik Indonesia", kind: "national" },
  { date: "2025-09-05", name: "Maulid Nabi Muhammad SAW", kind: "national" },
  { date: "2025-12-25", name: "Hari Raya Natal", kind: "national" },
  { date: "2025-01-28", name: "Cuti Bersama Imlek", kind: "collective" },
  { date: "2025-03-28", name: "Cuti Bersama Nyepi", kind: "collective" },
  { date: "2025-04-02", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  { date: "2025-04-03", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  { date: "2025-04-04", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  { date: "2025-04-07", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  { date: "2025-05-13", name: "Cuti Bersama Waisak", kind: "collective" },
  { date: "2025-05-30", name: "Cuti Bersama Kenaikan Isa Almasih", kind: "collective" },
  { date: "2025-06-09", name: "Cuti Bersama Idul Adha", kind: "collective" },
  {
    date: "2025-08-18",
    name: "Cuti Bersama Hari Kemerdekaan (added August 2025)",
    kind: "collective",
  },
  { date: "2025-12-26", name: "Cuti Bersama Natal", kind: "collective" },
  // 2026
  { date: "2026-01-01", name: "Tahun Baru 2026 Masehi", kind: "national" },
  { date: "2026-01-16", name: "Isra Mikraj Nabi Muhammad SAW", kind: "national" },
  { date: "2026-02-17", name: "Tahun Baru Imlek 2577 Kongzili", kind: "national" },
  { date: "2026-03-19", name: "Hari Suci Nyepi Tahun Baru Saka 1948", kind: "national" },
  { date: "2026-03-21", name: "Hari Raya Idul Fitri 1447 H", kind: "national" },
  { date: "2026-03-22", name: "Hari Raya Idul Fitri 1447 H", kind: "national" },
  { date: "2026-04-03", name: "Wafat Isa Almasih", kind: "national" },
  { date: "2026-04-05", name: "Hari Paskah", kind: "national" },
  { date: "2026-05-01", name: "Hari Buruh Internasional", kind: "national" },
  { date: "2026-05-14", name: "Kenaikan Isa Almasih", kind: "national" },
  { date: "2026-05-27", name: "Hari Raya Idul Adha 1447 H", kind: "national" },
  { date: "2026-05-31", name: "Hari Raya Waisak 2570 BE", kind: "national" },
  { date: "2026-06-01", name: "Hari Lahir Pancasila", kind: "national" },
  { date: "2026-06-16", name: "Tahun Baru Islam 1448 H", kind: "national" },
  { date: "2026-08-17", name: "Hari Kemerdekaan Republik Indonesia", kind: "national" },
  { date: "2026-08-25", name: "Maulid Nabi Muhammad SAW", kind: "national" },
  { date: "2026-12-25", name: "Hari Raya Natal", kind: "national" },
  { date: "2026-02-16", name: "Cuti Bersama Imlek", kind: "collective" },
  { date: "2026-03-18", name: "Cuti Bersama Nyepi", kind: "collective" },
  { date: "2026-03-20", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  { date: "2026-03-23", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  { date: "2026-03-24", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  { date: "2026-05-15", name: "Cuti Bersama Kenaikan Isa Almasih", kind: "collective" },
  { date: "2026-05-28", name: "Cuti Bersama Idul Adha", kind: "collective" },
  { date: "2026-12-24", name: "Cuti Bersama Natal", kind: "collective" },
];

/** Kabupaten Malang default: Mon–Fri 08:00–16:00 WIB with the decree holidays 2024–2026. */
export const MALANG: CalendarSpec = {
  zone: "Asia/Jakarta",
  workingWeekdays: [1, 2, 3, 4, 5],
  officeOpenMinute: 8 * 60,
  officeCloseMinute: 16 * 60,
  holidays: HOLIDAYS_ID,
  coveredYears: [2024, 2025, 2026],
};

/** A calendar spec with overrides (other zones, the peers' calendars in the public vectors). */
export function spec(over: Partial<CalendarSpec>): CalendarSpec {
  return { ...MALANG, ...over };
}

export const MON_FRI: readonly IsoWeekday[] = [1, 2, 3, 4, 5];
export const EVERY_DAY: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

/** Instant of an ISO local date-time with an explicit offset, e.g. at("2025-03-03T10:00", 7). */
export function at(local: string, offsetHours: number): number {
  const sign = offsetHours < 0 ? "-" : "+";
  const abs = Math.abs(offsetHours);
  const hh = String(Math.floor(abs)).padStart(2, "0");
  const mm = String(Math.round((abs % 1) * 60)).padStart(2, "0");
  const t = Date.parse(`${local}:00${sign}${hh}:${mm}`);
  if (Number.isNaN(t)) throw new Error(`bad fixture time ${local}`);
  return t;
}

/** Instant of a local WIB (UTC+7) date-time, "2025-03-03T10:00". */
export function wib(local: string): number {
  return at(local, 7);
}

/** Instant of an ISO UTC string. */
export function utc(iso: string): number {
  return Date.parse(iso);
}

/** Seeded PRNG (mulberry32) for reproducible property tests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
