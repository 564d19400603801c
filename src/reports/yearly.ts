// `pantau report yearly`: per agency and year, with the change against the previous year and
// the regency totals; all figures computed in SQL (from the rollups, or from raw rows).
import type { Knex } from "knex";
import { DateTime } from "luxon";
import type { Bilingual } from "../i18n/lang.js";
import {
  changes,
  emptyFigures,
  escalationLevels,
  fetchFigures,
  figuresKey,
  type Changes,
  type Figures,
} from "./figures.js";
import { DEFINITION_NOTES, uncoveredYearNotes } from "./notes.js";
import type { Source } from "./queries.js";
import { hoursPerDayNote, listAgencies } from "./agencies.js";

type Db = Knex | Knex.Transaction;

export type YearlySort = "improvement" | "compliance" | "volume";

export interface YearlyOptions {
  from: number;
  to: number;
  opd?: string;
  sort: YearlySort;
  source?: Source;
  /** Deployment zone (escalation years). */
  zone: string;
  coveredYears: readonly number[];
  /** Configured working hours per working day (checked against the rollup's). */
  hoursPerDay: number;
}

export interface YearlyRow {
  /** null for the regency totals. */
  opd: string | null;
  name: string;
  year: number;
  figures: Figures;
  change: Changes;
}

export interface YearlyReport {
  kind: "yearly";
  from: number;
  to: number;
  opd: string | null;
  sort: YearlySort;
  source: Source;
  levels: number[];
  /** Agencies in the chosen order, each with its years ascending. */
  rows: YearlyRow[];
  /** Regency totals, one per year. */
  totals: YearlyRow[];
  notes: Bilingual[];
}

export class UnknownReportAgencyError extends Error {
  readonly code = "UNKNOWN_REPORT_AGENCY";
  constructor(readonly opd: string) {
    super(
      `OPD "${opd}" tidak dikenal di basis data. / Agency "${opd}" is not known to the database.`,
    );
  }
}

const yearStart = (year: number, zone: string): number =>
  DateTime.fromObject({ year, month: 1, day: 1 }, { zone }).toMillis();

export async function yearlyReport(db: Db, o: YearlyOptions): Promise<YearlyReport> {
  if (!Number.isInteger(o.from) || !Number.isInteger(o.to) || o.from > o.to)
    throw new RangeError(`invalid year range ${o.from}–${o.to}`);
  const source = o.source ?? "rollup";
  const agencies = await listAgencies(db);
  if (o.opd && !agencies.some((a) => a.code === o.opd)) throw new UnknownReportAgencyError(o.opd);
  // One year before the range, for the change of its first year.
  const common = {
    source,
    range: { from: `${o.from - 1}-01-01`, to: `${o.to + 1}-01-01` },
    instants: { from: yearStart(o.from - 1, o.zone), to: yearStart(o.to + 1, o.zone) },
    zone: o.zone,
    grouping: "year" as const,
  };
  const [perAgency, regency] = await Promise.all([
    fetchFigures(db, {
      ...common,
      scope: { perAgency: true, ...(o.opd ? { opds: [o.opd] } : {}) },
    }),
    fetchFigures(db, { ...common, scope: { perAgency: false } }),
  ]);

  const years: number[] = [];
  for (let y = o.from; y <= o.to; y++) years.push(y);
  const withData = new Set([...perAgency.keys()].map((k) => k.split("|")[0] ?? ""));
  const shown = agencies.filter((a) =>
    o.opd ? a.code === o.opd : a.active || withData.has(a.code),
  );
  const build = (opd: string | null, name: string, map: Map<string, Figures>): YearlyRow[] =>
    years.map((year) => {
      const figures = map.get(figuresKey(opd, year)) ?? emptyFigures();
      return {
        opd,
        name,
        year,
        figures,
        change: changes(figures, map.get(figuresKey(opd, year - 1))),
      };
    });
  const groups = shown.map((a) => build(a.code, a.name, perAgency));
  const last = (g: YearlyRow[]): YearlyRow => g[g.length - 1] as YearlyRow;
  const key = (g: YearlyRow[]): number | null => {
    const r = last(g);
    if (o.sort === "volume") return r.figures.received;
    if (o.sort === "compliance") return r.figures.compliance.share;
    return r.change.compliance.value;
  };
  groups.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) {
      if (ka === null) return 1;
      if (kb === null) return -1;
      return kb - ka;
    }
    return (last(a).opd ?? "").localeCompare(last(b).opd ?? "");
  });
  const rows = groups.flat();
  const totals = build(null, "", regency);
  const notes = [
    ...uncoveredYearNotes(o.from, o.to, o.coveredYears),
    ...(await hoursPerDayNote(db, o.hoursPerDay)),
    ...DEFINITION_NOTES,
  ];
  return {
    kind: "yearly",
    from: o.from,
    to: o.to,
    opd: o.opd ?? null,
    sort: o.sort,
    source,
    levels: escalationLevels([...rows, ...totals].map((r) => r.figures)),
    rows,
    totals,
    notes,
  };
}

/** Years that hold data in the rollups (the default range of the yearly report). */
export async function rollupYears(db: Db): Promise<{ first: number; last: number } | null> {
  const result = (await db.raw(
    `SELECT min(y)::int AS first, max(y)::int AS last FROM (
       SELECT extract(year FROM min(month))::int AS y FROM rollup_received_month
       UNION ALL SELECT extract(year FROM max(month))::int FROM rollup_received_month
       UNION ALL SELECT extract(year FROM min(month))::int FROM rollup_clock_month
       UNION ALL SELECT extract(year FROM max(month))::int FROM rollup_clock_month) x`,
  )) as { rows: { first: number | null; last: number | null }[] };
  const r = result.rows[0];
  if (!r || r.first === null || r.last === null) return null;
  return { first: Number(r.first), last: Number(r.last) };
}
