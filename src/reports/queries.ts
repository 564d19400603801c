// The aggregates behind the yearly and monthly reports, computed in SQL either from the rollups
// (what the commands use) or from the raw sla_clocks and reports (the reference the rollups are
// tested and benchmarked against). Both paths use the same definitions:
// - a clock counts in the local month (agency zone) of its stop, a report in that of its receipt;
// - share within target = met / (met + breached), null when nothing was measured;
// - percentiles are nearest-rank (PostgreSQL percentile_disc): the smallest value v such that at
//   least p·N of the N values are ≤ v, i.e. the value at rank ceil(p·N) in ascending order; the
//   values are business days to stop rounded to 0.01 day (pantau_used_bucket).
import type { Knex } from "knex";

type Db = Knex | Knex.Transaction;

export type Source = "rollup" | "raw";

/** A half-open range of local months, as "yyyy-mm-dd" first days: [from, to). */
export interface MonthRange {
  from: string;
  to: string;
}

/**
 * "year": one row per calendar year (period yyyy); "month": one row per local month (period
 * yyyymm, e.g. 202610); "all": one row for the whole range (period 0).
 */
export type Grouping = "year" | "month" | "all";

export interface Scope {
  /** null: the whole regency (one row per period, opd null). */
  perAgency: boolean;
  /** Only these agencies (per-agency scope). */
  opds?: readonly string[];
}

export interface ClockAggregate {
  opd: string | null;
  period: number;
  frMet: number;
  frBreached: number;
  frShare: number | null;
  resMet: number;
  resBreached: number;
  resShare: number | null;
  met: number;
  breached: number;
  compliance: number | null;
  redisposed: number;
  cancelled: number;
}

export interface PercentileAggregate {
  opd: string | null;
  period: number;
  frMedian: number | null;
  frP90: number | null;
  resMedian: number | null;
  resP90: number | null;
}

export interface ReceivedAggregate {
  opd: string | null;
  period: number;
  received: number;
}

/** The period of a grouping from a first-of-month date (or a local timestamp) expression. */
export const periodExpr = (grouping: Grouping, monthCol: string): string =>
  grouping === "year"
    ? `extract(year FROM ${monthCol})::int`
    : grouping === "month"
      ? `(extract(year FROM ${monthCol}) * 100 + extract(month FROM ${monthCol}))::int`
      : `0`;

const localMonth = (col: string): string =>
  `date_trunc('month', ${col} AT TIME ZONE coalesce(a.zone, 'Asia/Jakarta'))::date`;

interface Built {
  sql: string;
  bindings: unknown[];
}

function opdFilter(scope: Scope, col: string, bindings: unknown[]): string {
  if (!scope.perAgency || !scope.opds) return "";
  bindings.push([...scope.opds]);
  return ` AND ${col} = ANY(?::text[])`;
}

/** Stopped clocks in the range, one row per (opd, stage, month) with outcome counts. */
function clockSource(source: Source, range: MonthRange, scope: Scope, bindings: unknown[]): string {
  if (source === "rollup") {
    bindings.push(range.from, range.to);
    return `SELECT opd, stage, month, met, breached, redisposed, cancelled FROM rollup_clock_month
      WHERE month >= ?::date AND month < ?::date${opdFilter(scope, "opd", bindings)}`;
  }
  // The instant filter (a day of margin for any zone) lets the index on stopped_at work.
  bindings.push(range.from, range.to);
  const inner = `SELECT c.opd, c.stage, ${localMonth("c.stopped_at")} AS month, c.outcome
      FROM sla_clocks c LEFT JOIN agencies a ON a.code = c.opd
     WHERE c.stopped_at IS NOT NULL
       AND c.stopped_at >= ?::date - interval '1 day' AND c.stopped_at < ?::date + interval '1 day'
       ${opdFilter(scope, "c.opd", bindings)}`;
  bindings.push(range.from, range.to);
  return `SELECT opd, stage, month, (outcome = 'met')::int AS met, (outcome = 'breached')::int AS breached,
      (outcome = 'redisposed')::int AS redisposed, (outcome = 'cancelled')::int AS cancelled
    FROM (${inner}) x WHERE month >= ?::date AND month < ?::date`;
}

const share = (stage: string | null): string => {
  const f = stage ? ` FILTER (WHERE stage = '${stage}')` : "";
  return `(sum(met)${f})::float8 / nullif(sum(met + breached)${f}, 0)`;
};

export async function clockAggregates(
  db: Db,
  source: Source,
  range: MonthRange,
  grouping: Grouping,
  scope: Scope,
): Promise<ClockAggregate[]> {
  const bindings: unknown[] = [];
  const src = clockSource(source, range, scope, bindings);
  const opd = scope.perAgency ? "opd" : "NULL::text";
  const sql = `SELECT ${opd} AS opd, ${periodExpr(grouping, "month")} AS period,
      coalesce(sum(met) FILTER (WHERE stage = 'first_response'), 0)::int AS fr_met,
      coalesce(sum(breached) FILTER (WHERE stage = 'first_response'), 0)::int AS fr_breached,
      ${share("first_response")} AS fr_share,
      coalesce(sum(met) FILTER (WHERE stage = 'resolution'), 0)::int AS res_met,
      coalesce(sum(breached) FILTER (WHERE stage = 'resolution'), 0)::int AS res_breached,
      ${share("resolution")} AS res_share,
      sum(met)::int AS met, sum(breached)::int AS breached, ${share(null)} AS compliance,
      sum(redisposed)::int AS redisposed, sum(cancelled)::int AS cancelled
    FROM (${src}) s GROUP BY 1, 2 ORDER BY 1, 2`;
  const rows = await query<Record<string, unknown>>(db, { sql, bindings });
  return rows.map((r) => ({
    opd: (r.opd as string | null) ?? null,
    period: Number(r.period),
    frMet: Number(r.fr_met),
    frBreached: Number(r.fr_breached),
    frShare: num(r.fr_share),
    resMet: Number(r.res_met),
    resBreached: Number(r.res_breached),
    resShare: num(r.res_share),
    met: Number(r.met),
    breached: Number(r.breached),
    compliance: num(r.compliance),
    redisposed: Number(r.redisposed),
    cancelled: Number(r.cancelled),
  }));
}

export async function receivedAggregates(
  db: Db,
  source: Source,
  range: MonthRange,
  grouping: Grouping,
  scope: Scope,
): Promise<ReceivedAggregate[]> {
  const bindings: unknown[] = [];
  let src: string;
  if (source === "rollup") {
    bindings.push(range.from, range.to);
    src = `SELECT opd, month, received FROM rollup_received_month
      WHERE month >= ?::date AND month < ?::date${opdFilter(scope, "opd", bindings)}`;
  } else {
    bindings.push(range.from, range.to);
    const inner = `SELECT coalesce(r.opd, '') AS opd, ${localMonth("r.received_at")} AS month
        FROM reports r LEFT JOIN agencies a ON a.code = r.opd
       WHERE r.received_at >= ?::date - interval '1 day' AND r.received_at < ?::date + interval '1 day'
       ${opdFilter(scope, "r.opd", bindings)}`;
    bindings.push(range.from, range.to);
    src = `SELECT opd, month, 1 AS received FROM (${inner}) x
      WHERE month >= ?::date AND month < ?::date`;
  }
  const opd = scope.perAgency ? "opd" : "NULL::text";
  const where = scope.perAgency ? `WHERE opd <> ''` : "";
  const sql = `SELECT ${opd} AS opd, ${periodExpr(grouping, "month")} AS period,
      sum(received)::int AS received FROM (${src}) s ${where} GROUP BY 1, 2 ORDER BY 1, 2`;
  const rows = await query<Record<string, unknown>>(db, { sql, bindings });
  return rows.map((r) => ({
    opd: (r.opd as string | null) ?? null,
    period: Number(r.period),
    received: Number(r.received),
  }));
}

const STAGES_MEASURED = `('first_response', 'resolution')`;

/** The four percentile columns from (opd, period, stage, p, bucket) rows. */
const PIVOT = `
  (max(bucket) FILTER (WHERE stage = 'first_response' AND p = 0.5))::float8 / 100 AS fr_median,
  (max(bucket) FILTER (WHERE stage = 'first_response' AND p = 0.9))::float8 / 100 AS fr_p90,
  (max(bucket) FILTER (WHERE stage = 'resolution' AND p = 0.5))::float8 / 100 AS res_median,
  (max(bucket) FILTER (WHERE stage = 'resolution' AND p = 0.9))::float8 / 100 AS res_p90`;

/** Raw clocks: percentile_disc over the bucket of every met or breached clock. */
function rawPercentiles(range: MonthRange, grouping: Grouping, scope: Scope): Built {
  const bindings: unknown[] = [range.from, range.to];
  const inner = `SELECT c.opd, c.stage, ${localMonth("c.stopped_at")} AS month,
        pantau_used_bucket(c.used_ms, c.target_unit) AS bucket
      FROM sla_clocks c LEFT JOIN agencies a ON a.code = c.opd
     WHERE c.stopped_at IS NOT NULL AND c.outcome IN ('met', 'breached')
       AND c.stage IN ${STAGES_MEASURED}
       AND c.stopped_at >= ?::date - interval '1 day' AND c.stopped_at < ?::date + interval '1 day'
       ${opdFilter(scope, "c.opd", bindings)}`;
  bindings.push(range.from, range.to);
  const opd = scope.perAgency ? "opd" : "NULL::text";
  const sql = `WITH x AS (SELECT * FROM (${inner}) i WHERE month >= ?::date AND month < ?::date),
    q AS (
      SELECT ${opd} AS opd, ${periodExpr(grouping, "month")} AS period, stage, 0.5 AS p,
             percentile_disc(0.5::float8) WITHIN GROUP (ORDER BY bucket) AS bucket
        FROM x GROUP BY 1, 2, 3
      UNION ALL
      SELECT ${opd}, ${periodExpr(grouping, "month")}, stage, 0.9,
             percentile_disc(0.9::float8) WITHIN GROUP (ORDER BY bucket)
        FROM x GROUP BY 1, 2, 3)
    SELECT opd, period, ${PIVOT} FROM q GROUP BY 1, 2 ORDER BY 1, 2`;
  return { sql, bindings };
}

/**
 * Rollup, any range: the distribution of rollup_used_month, walked in bucket order; the
 * percentile is the first bucket whose cumulative count reaches ceil(p·N) (float8 arithmetic, as
 * percentile_disc computes it).
 */
function monthBucketPercentiles(range: MonthRange, grouping: Grouping, scope: Scope): Built {
  const bindings: unknown[] = [range.from, range.to];
  const filter = opdFilter(scope, "opd", bindings);
  const opd = scope.perAgency ? "opd" : "NULL::text";
  const sql = `WITH b AS (
      SELECT ${opd} AS opd, ${periodExpr(grouping, "month")} AS period, stage, used_bucket,
             sum(n) AS n
        FROM rollup_used_month
       WHERE month >= ?::date AND month < ?::date AND stage IN ${STAGES_MEASURED}${filter}
       GROUP BY 1, 2, 3, 4),
    c AS (
      SELECT opd, period, stage, used_bucket,
             sum(n) OVER (PARTITION BY opd, period, stage ORDER BY used_bucket) AS cum,
             sum(n) OVER (PARTITION BY opd, period, stage) AS total
        FROM b),
    q AS (
      SELECT opd, period, stage, p.p, min(c.used_bucket) AS bucket
        FROM c CROSS JOIN (VALUES (0.5), (0.9)) AS p(p)
       WHERE c.cum >= ceil(p.p::float8 * c.total::float8)
       GROUP BY 1, 2, 3, 4)
    SELECT opd, period, ${PIVOT} FROM q GROUP BY 1, 2 ORDER BY 1, 2`;
  return { sql, bindings };
}

/**
 * Rollup, whole years: two levels. The whole-day counts (rollup_used_year_day) locate the day
 * holding rank ceil(p·N) and the rank within it; the 0.01-day buckets of that one day
 * (rollup_used_year, by index) give the value. Same result as walking every bucket, reading a
 * small fraction of the rows.
 */
function yearBucketPercentiles(years: { from: number; to: number }, scope: Scope): Built {
  const bindings: unknown[] = [years.from, years.to];
  const filter = opdFilter(scope, "opd", bindings);
  // Per agency the rows are already one per key (no re-aggregation; the primary key's order
  // serves the window); the regency sums the agencies first.
  const d = scope.perAgency
    ? `SELECT opd, stage, year, used_day, n
         FROM rollup_used_year_day
        WHERE year >= ? AND year <= ? AND stage IN ${STAGES_MEASURED}${filter}`
    : `SELECT NULL::text AS opd, stage, year, used_day, sum(n)::int AS n
         FROM rollup_used_year_day
        WHERE year >= ? AND year <= ? AND stage IN ${STAGES_MEASURED}
        GROUP BY stage, year, used_day`;
  const sql = `WITH d AS (${d}),
    c AS (
      SELECT opd, stage, year, used_day, n,
             sum(n) OVER w AS cum,
             sum(n) OVER (PARTITION BY opd, stage, year) AS total
        FROM d
      WINDOW w AS (PARTITION BY opd, stage, year ORDER BY used_day)),
    h AS (
      SELECT c.opd, c.stage, c.year, p.p, c.used_day, k.k - (c.cum - c.n) AS k_in_day
        FROM c CROSS JOIN (VALUES (0.5), (0.9)) AS p(p)
        CROSS JOIN LATERAL (SELECT ceil(p.p::float8 * c.total::float8)::bigint AS k) k
       WHERE c.cum >= k.k AND c.cum - c.n < k.k),
    q AS (
      SELECT h.opd, h.year AS period, h.stage, h.p, f.bucket
        FROM h CROSS JOIN LATERAL (
          SELECT min(used_bucket) AS bucket FROM (
            SELECT used_bucket, sum(n) OVER (ORDER BY used_bucket) AS cum FROM (
              SELECT used_bucket, sum(n) AS n FROM rollup_used_year y
               WHERE ${scope.perAgency ? "y.opd = h.opd AND " : ""}y.stage = h.stage
                 AND y.year = h.year
                 AND y.used_bucket >= h.used_day * 100 AND y.used_bucket < h.used_day * 100 + 100
               GROUP BY used_bucket) y0) y1
           WHERE y1.cum >= h.k_in_day) f)
    SELECT opd, period, ${PIVOT} FROM q GROUP BY 1, 2 ORDER BY 1, 2`;
  return { sql, bindings };
}

export async function percentileAggregates(
  db: Db,
  source: Source,
  range: MonthRange,
  grouping: Grouping,
  scope: Scope,
): Promise<PercentileAggregate[]> {
  let built: Built;
  if (source === "raw") built = rawPercentiles(range, grouping, scope);
  else if (grouping === "year" && wholeYears(range))
    built = yearBucketPercentiles(
      { from: Number(range.from.slice(0, 4)), to: Number(range.to.slice(0, 4)) - 1 },
      scope,
    );
  else built = monthBucketPercentiles(range, grouping, scope);
  const rows = await query<Record<string, unknown>>(db, built);
  return rows.map((r) => ({
    opd: (r.opd as string | null) ?? null,
    period: Number(r.period),
    frMedian: num(r.fr_median),
    frP90: num(r.fr_p90),
    resMedian: num(r.res_median),
    resP90: num(r.res_p90),
  }));
}

function wholeYears(range: MonthRange): boolean {
  return range.from.endsWith("-01-01") && range.to.endsWith("-01-01");
}

export interface OverdueAggregate {
  opd: string;
  open: number;
  overdue: number;
}

/**
 * Clocks open at the instant `end` (started before it, not stopped before it) and, of those,
 * past due (due_at < end), per agency; distinct reports. From the stored started/stopped/due
 * instants, not from the clocks' current state.
 */
export async function openAtInstant(db: Db, end: number): Promise<OverdueAggregate[]> {
  const at = new Date(end);
  const rows = await query<{ opd: string; open: number; overdue: number }>(db, {
    sql: `SELECT opd, count(DISTINCT tracking_id)::int AS open,
          (count(DISTINCT tracking_id) FILTER (WHERE due_at < ?))::int AS overdue
        FROM sla_clocks
       WHERE started_at < ? AND (stopped_at IS NULL OR stopped_at >= ?)
       GROUP BY opd ORDER BY opd`,
    bindings: [at, at, at],
  });
  return rows.map((r) => ({ opd: r.opd, open: Number(r.open), overdue: Number(r.overdue) }));
}

/**
 * The zone of the month starts kept in month_open_deltas (migrations/…_month_open_rollup.ts): the
 * regency's. A deployment whose zone differs reads the raw clocks (openAtInstant).
 */
export const MONTH_END_ZONE = "Asia/Jakarta";

/**
 * openAtInstant at the first instant of a month in MONTH_END_ZONE (`month`: "yyyy-mm-01"), from
 * month_open_deltas: per agency, the sums of the deltas of every month up to it. Same rows as
 * openAtInstant (agencies with at least one open report, ordered by code).
 */
export async function openAtMonthStart(db: Db, month: string): Promise<OverdueAggregate[]> {
  const rows = await query<{ opd: string; open: number; overdue: number }>(db, {
    sql: `SELECT opd, sum(open_delta)::int AS open, sum(overdue_delta)::int AS overdue
        FROM month_open_deltas WHERE month <= ?::date
       GROUP BY opd HAVING sum(open_delta) <> 0 ORDER BY opd`,
    bindings: [month],
  });
  return rows.map((r) => ({ opd: r.opd, open: Number(r.open), overdue: Number(r.overdue) }));
}

export async function query<T>(db: Db, built: Built): Promise<T[]> {
  const result = (await db.raw(built.sql, built.bindings as Knex.RawBinding[])) as { rows: T[] };
  return result.rows;
}

function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
