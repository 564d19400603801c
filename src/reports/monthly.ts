// `pantau report monthly --month 2026-10`: the official calendar-month scorecard for leadership.
// Every agency of the directory (zero rows included), ranked by compliance, with its reports open
// and overdue at the month's end as the stored clock instants say (not the current state).
import type { Knex } from "knex";
import { DateTime } from "luxon";
import type { Bilingual } from "../i18n/lang.js";
import { hoursPerDayNote, listAgencies } from "./agencies.js";
import {
  emptyFigures,
  escalationLevels,
  fetchFigures,
  figuresKey,
  type Figures,
} from "./figures.js";
import { DEFINITION_NOTES, uncoveredYearNotes } from "./notes.js";
import { MONTH_END_ZONE, openAtInstant, openAtMonthStart, type Source } from "./queries.js";

type Db = Knex | Knex.Transaction;

export interface MonthlyOptions {
  /** "yyyy-mm". */
  month: string;
  source?: Source;
  zone: string;
  coveredYears: readonly number[];
  hoursPerDay: number;
  /**
   * Count the reports open and overdue at the month's end (default true). The web summary asks
   * only for the month's compliance and ranks, and skips this scan over every clock.
   */
  openAtEnd?: boolean;
}

export interface MonthlyRow {
  /** Competition rank by compliance (1, 2, 2, 4); null when nothing was measured. */
  rank: number | null;
  opd: string | null;
  name: string;
  figures: Figures;
  /** Distinct reports with a clock of this agency open at the month's last instant. */
  openAtEnd: number;
  /** Of those, reports with such a clock past its due instant. */
  overdueAtEnd: number;
}

export interface MonthlyReport {
  kind: "monthly";
  month: string;
  /** The month's end: first instant of the next month in the deployment zone (ms). */
  endsAt: number;
  source: Source;
  levels: number[];
  rows: MonthlyRow[];
  total: MonthlyRow;
  notes: Bilingual[];
}

export function parseMonth(text: string): { year: number; month: number } | null {
  const m = /^(\d{4})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12 || year < 2000 || year > 2100) return null;
  return { year, month };
}

const firstDay = (d: DateTime): string => d.toFormat("yyyy-MM-dd");

/**
 * Reports open and overdue per agency at `end` (a month's first instant in `zone`): from the
 * month-end rollup when reading rollups in its zone, else from the raw clocks (the same figures,
 * tested equal; the raw read costs a pass over every clock).
 */
function openAtEnd(db: Db, source: Source, zone: string, end: DateTime) {
  return source === "rollup" && zone === MONTH_END_ZONE
    ? openAtMonthStart(db, firstDay(end))
    : openAtInstant(db, end.toMillis());
}

export async function monthlyReport(db: Db, o: MonthlyOptions): Promise<MonthlyReport> {
  const parsed = parseMonth(o.month);
  if (!parsed) throw new RangeError(`invalid month "${o.month}" (yyyy-mm)`);
  const source = o.source ?? "rollup";
  const start = DateTime.fromObject({ ...parsed, day: 1 }, { zone: o.zone });
  const next = start.plus({ months: 1 });
  const common = {
    source,
    range: { from: firstDay(start), to: firstDay(next) },
    instants: { from: start.toMillis(), to: next.toMillis() },
    zone: o.zone,
    grouping: "all" as const,
  };
  const [perAgency, regency, openRows] = await Promise.all([
    fetchFigures(db, { ...common, scope: { perAgency: true } }),
    fetchFigures(db, { ...common, scope: { perAgency: false } }),
    o.openAtEnd === false ? Promise.resolve([]) : openAtEnd(db, source, o.zone, next),
  ]);
  const open = new Map(openRows.map((r) => [r.opd, r]));
  const agencies = await listAgencies(db);
  const withData = new Set(
    [...[...perAgency.keys()].map((k) => k.split("|")[0] ?? ""), ...open.keys()].filter(Boolean),
  );
  const rows: MonthlyRow[] = agencies
    .filter((a) => a.active || withData.has(a.code))
    .map((a) => ({
      rank: null,
      opd: a.code,
      name: a.name,
      figures: perAgency.get(figuresKey(a.code, 0)) ?? emptyFigures(),
      openAtEnd: open.get(a.code)?.open ?? 0,
      overdueAtEnd: open.get(a.code)?.overdue ?? 0,
    }));
  const measured = (r: MonthlyRow): number =>
    r.figures.compliance.met + r.figures.compliance.breached;
  rows.sort((a, b) => {
    const sa = a.figures.compliance.share;
    const sb = b.figures.compliance.share;
    if (sa !== sb) {
      if (sa === null) return 1;
      if (sb === null) return -1;
      return sb - sa;
    }
    return (
      measured(b) - measured(a) ||
      a.overdueAtEnd - b.overdueAtEnd ||
      (a.opd ?? "").localeCompare(b.opd ?? "")
    );
  });
  rows.forEach((r, i) => {
    const share = r.figures.compliance.share;
    if (share === null) return;
    const previous = rows[i - 1];
    r.rank = previous && previous.figures.compliance.share === share ? previous.rank : i + 1;
  });
  const total: MonthlyRow = {
    rank: null,
    opd: null,
    name: "",
    figures: regency.get(figuresKey(null, 0)) ?? emptyFigures(),
    openAtEnd: [...open.values()].reduce((s, r) => s + r.open, 0),
    overdueAtEnd: [...open.values()].reduce((s, r) => s + r.overdue, 0),
  };
  const notes = [
    ...uncoveredYearNotes(parsed.year, parsed.year, o.coveredYears),
    ...(await hoursPerDayNote(db, o.hoursPerDay)),
    {
      id: "Terbuka/terlambat akhir bulan = laporan dengan tahap OPD yang masih berjalan pada saat terakhir bulan (WIB) dan, untuk terlambat, sudah melewati batas waktunya.",
      en: "Open/overdue at month end = reports with a stage of the agency still running at the month's last instant (WIB) and, for overdue, already past its due instant.",
    },
    {
      id: "Peringkat menurut kepatuhan (semua tahap); nilai sama berbagi peringkat; OPD tanpa tahap terukur tidak diberi peringkat.",
      en: "Ranked by compliance (all stages); equal values share a rank; agencies with no measured stage are not ranked.",
    },
    ...DEFINITION_NOTES,
  ];
  return {
    kind: "monthly",
    month: o.month,
    endsAt: next.toMillis(),
    source,
    levels: escalationLevels([...rows.map((r) => r.figures), total.figures]),
    rows,
    total,
    notes,
  };
}
