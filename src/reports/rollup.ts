// The report rollups (migrations/20261128000004_rollups.ts, the month-end open / overdue counts of
// …_month_open_rollup.ts) recomputed from raw rows: the
// recomputation is written here independently of the triggers, so that comparing the two
// (rollupDifferences) checks the incremental maintenance, and rebuildRollups can restore the
// tables from sla_clocks and reports after a disaster, a zone change or a change of office hours.
import type { Knex } from "knex";
import { MONTH_END_ZONE } from "./queries.js";

type Db = Knex | Knex.Transaction;

/** Local month (agency zone, else Asia/Jakarta) of an instant column, as a date. */
const localMonth = (col: string): string =>
  `date_trunc('month', ${col} AT TIME ZONE coalesce(a.zone, 'Asia/Jakarta'))::date`;

const STOPPED = `FROM sla_clocks c LEFT JOIN agencies a ON a.code = c.opd WHERE c.stopped_at IS NOT NULL`;
const ANSWERED = `${STOPPED} AND c.outcome IN ('met', 'breached')`;

/** First month whose first instant (MONTH_END_ZONE) is after the instant `col`. */
const monthAfter = (col: string): string =>
  `(date_trunc('month', ${col} AT TIME ZONE '${MONTH_END_ZONE}') + interval '1 month')::date`;

/**
 * month_open_deltas from the clocks as islands: each clock covers the months [a, b) (open: a
 * after its start, b after its stop or never) and [a2, b) (overdue: a2 after the later of start
 * and due); per report, agency and kind the overlapping or adjacent ranges are merged (a range
 * starts an island when it begins after every earlier one has ended) and each island adds +1 at
 * its first month and -1 at its end.
 */
const MONTH_OPEN_SELECT = `SELECT * FROM (WITH m AS (
    SELECT tracking_id, opd, ${monthAfter("started_at")} AS a,
      coalesce(${monthAfter("stopped_at")}, 'infinity'::date) AS b,
      ${monthAfter("greatest(started_at, due_at)")} AS a2, due_at
    FROM sla_clocks),
  iv AS (
    SELECT tracking_id, opd, 'open' AS kind, a, b FROM m WHERE a < b
    UNION ALL
    SELECT tracking_id, opd, 'overdue', a2, b FROM m WHERE due_at IS NOT NULL AND a2 < b),
  reach AS (
    SELECT *, max(b) OVER (PARTITION BY tracking_id, opd, kind ORDER BY a, b
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached FROM iv),
  numbered AS (
    SELECT *, count(*) FILTER (WHERE reached IS NULL OR a > reached)
      OVER (PARTITION BY tracking_id, opd, kind ORDER BY a, b ROWS UNBOUNDED PRECEDING) AS island
    FROM reach),
  islands AS (
    SELECT opd, kind, min(a) AS a, max(b) AS b FROM numbered
     GROUP BY tracking_id, opd, kind, island),
  edges AS (
    SELECT opd, kind, a AS month, 1 AS d FROM islands
    UNION ALL
    SELECT opd, kind, b, -1 FROM islands WHERE b <> 'infinity'::date)
  SELECT opd, month, coalesce(sum(d) FILTER (WHERE kind = 'open'), 0)::int,
    coalesce(sum(d) FILTER (WHERE kind = 'overdue'), 0)::int
  FROM edges GROUP BY opd, month
  HAVING coalesce(sum(d) FILTER (WHERE kind = 'open'), 0) <> 0
      OR coalesce(sum(d) FILTER (WHERE kind = 'overdue'), 0) <> 0) month_open`;

interface Recomputation {
  columns: string;
  select: string;
}

/** Each rollup table: its columns and the SELECT that recomputes it from raw rows. */
export const ROLLUP_TABLES: Readonly<Record<string, Recomputation>> = {
  rollup_received_month: {
    columns: "opd, month, channel, type, received",
    select: `SELECT coalesce(r.opd, ''), ${localMonth("r.received_at")}, coalesce(r.channel, ''),
        r.type, count(*)::int
      FROM reports r LEFT JOIN agencies a ON a.code = r.opd GROUP BY 1, 2, 3, 4`,
  },
  rollup_clock_month: {
    columns:
      "opd, stage, month, target_unit, stopped, met, breached, redisposed, cancelled, used_ms_sum",
    select: `SELECT c.opd, c.stage, ${localMonth("c.stopped_at")}, c.target_unit, count(*)::int,
        (count(*) FILTER (WHERE c.outcome = 'met'))::int,
        (count(*) FILTER (WHERE c.outcome = 'breached'))::int,
        (count(*) FILTER (WHERE c.outcome = 'redisposed'))::int,
        (count(*) FILTER (WHERE c.outcome = 'cancelled'))::int,
        coalesce(sum(c.used_ms::numeric) FILTER (WHERE c.outcome IN ('met', 'breached')), 0)
      ${STOPPED} GROUP BY 1, 2, 3, 4`,
  },
  rollup_used_month: {
    columns: "opd, stage, month, used_bucket, n",
    select: `SELECT c.opd, c.stage, ${localMonth("c.stopped_at")},
        pantau_used_bucket(c.used_ms, c.target_unit), count(*)::int
      ${ANSWERED} GROUP BY 1, 2, 3, 4`,
  },
  rollup_used_year: {
    columns: "opd, stage, year, used_bucket, n",
    select: `SELECT c.opd, c.stage, extract(year FROM ${localMonth("c.stopped_at")})::int,
        pantau_used_bucket(c.used_ms, c.target_unit), count(*)::int
      ${ANSWERED} GROUP BY 1, 2, 3, 4`,
  },
  rollup_used_year_day: {
    columns: "opd, stage, year, used_day, n",
    select: `SELECT c.opd, c.stage, extract(year FROM ${localMonth("c.stopped_at")})::int,
        (pantau_used_bucket(c.used_ms, c.target_unit) / 100)::int, count(*)::int
      ${ANSWERED} GROUP BY 1, 2, 3, 4`,
  },
  month_open_deltas: {
    columns: "opd, month, open_delta, overdue_delta",
    select: MONTH_OPEN_SELECT,
  },
  // Open clocks per (opd, stage) by class as of computed_at, for /metrics and the summary page
  // (migrations/20261201010000_open_clock_counts.ts; read by src/store/openClockCounts.ts).
  open_clock_counts: {
    columns: "opd, stage, open, at_risk, overdue, unsure",
    select: `SELECT opd, stage, (count(*) FILTER (WHERE class = 'open'))::int,
        (count(*) FILTER (WHERE class = 'at_risk'))::int,
        (count(*) FILTER (WHERE class = 'overdue'))::int,
        (count(*) FILTER (WHERE class = 'unsure'))::int
      FROM (SELECT c.opd, c.stage, pantau_open_clock_class(c.stopped_at, c.outcome, c.started_at,
          c.at_risk_at, c.due_at, c.next_check_at, c.computed_at) AS class
        FROM sla_clocks c WHERE c.stopped_at IS NULL AND c.outcome IN ('open', 'breached')) x
      GROUP BY 1, 2`,
  },
};

/** The SQL functions that turn used_ms into a bucket; hours per working day from the config. */
function bucketFunctions(hoursPerDay: number): string[] {
  if (!(hoursPerDay > 0 && hoursPerDay <= 24)) throw new RangeError(`hours per day ${hoursPerDay}`);
  return [
    `CREATE OR REPLACE FUNCTION pantau_used_bucket(used_ms double precision, unit text)
RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT round(used_ms::numeric * 100
    / CASE unit WHEN 'wh' THEN ${3_600_000 * hoursPerDay} ELSE 86400000 END)::bigint
$fn$`,
    `CREATE OR REPLACE FUNCTION pantau_rollup_hours_per_day() RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ SELECT ${hoursPerDay}::numeric $fn$`,
  ];
}

/** Working hours in a working day according to the configured office hours. */
export function hoursPerDayOf(calendar: {
  officeOpenMinute: number;
  officeCloseMinute: number;
}): number {
  return (calendar.officeCloseMinute - calendar.officeOpenMinute) / 60;
}

/** The hours per working day the rollup buckets were built with. */
export async function rollupHoursPerDay(db: Db): Promise<number> {
  const result = (await db.raw(`SELECT pantau_rollup_hours_per_day()::float8 AS h`)) as {
    rows: { h: number }[];
  };
  return Number(result.rows[0]?.h);
}

export interface RebuildResult {
  /** Rows written per table. */
  rows: Record<string, number>;
  hoursPerDay: number;
}

/**
 * Empties the rollups and recomputes them from sla_clocks and reports, in one transaction that
 * holds writers of those tables off (SHARE lock) so that no trigger update is lost meanwhile.
 */
export async function rebuildRollups(knex: Knex, hoursPerDay: number): Promise<RebuildResult> {
  return knex.transaction(async (trx) => {
    await trx.raw(`LOCK TABLE sla_clocks, reports IN SHARE MODE`);
    for (const sql of bucketFunctions(hoursPerDay)) await trx.raw(sql);
    const rows: Record<string, number> = {};
    for (const [table, r] of Object.entries(ROLLUP_TABLES)) {
      await trx.raw(`DELETE FROM ${table}`);
      // In key order: the reports read these tables by primary-key ranges.
      const result = (await trx.raw(
        `INSERT INTO ${table} (${r.columns}) ${r.select} ORDER BY 1, 2, 3, 4`,
      )) as {
        rowCount?: number;
        affectedRows?: number;
      };
      rows[table] = Number(result.rowCount ?? result.affectedRows ?? 0);
    }
    return { rows, hoursPerDay };
  });
}

/** Rows that differ between each rollup table and its recomputation (0 everywhere: exact). */
export async function rollupDifferences(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [table, r] of Object.entries(ROLLUP_TABLES)) {
    const result = (await db.raw(
      `SELECT count(*)::int AS n FROM (
         (SELECT ${r.columns} FROM ${table} EXCEPT ALL ${r.select})
         UNION ALL
         (${r.select} EXCEPT ALL SELECT ${r.columns} FROM ${table})) d`,
    )) as { rows: { n: number }[] };
    out[table] = Number(result.rows[0]?.n ?? 0);
  }
  return out;
}
