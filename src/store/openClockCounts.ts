// Open / at-risk / overdue clocks per (agency, stage) at an instant, from the counts kept at
// write time (open_clock_counts, migrations/20261201010000_open_clock_counts.ts) corrected by
// the clocks whose class may have changed since they were written (next_check_at <= now, on the
// scan's index), and the oldest open and overdue instants from one index probe per group. The
// result equals OPEN_CLOCKS_GROUP_BY (the GROUP BY over every open clock it replaces), which is
// still run when the counts cannot answer exactly: some row classed `unsure` (a writer's
// next_check_at later than a change of class) or `now` before the newest computed_at written.
import type { Knex } from "knex";
import type { Instant, Stage } from "../core/types.js";

type Db = Knex | Knex.Transaction;

export interface OpenClockCountRow {
  opd: string;
  stage: Stage;
  open: number;
  atRisk: number;
  overdue: number;
  oldestDueAt: Instant | null;
  oldestStartedAt: Instant | null;
}

interface RawRow {
  opd: string;
  stage: Stage;
  open: number;
  at_risk: number;
  overdue: number;
  oldest_due_at: Date | string | null;
  oldest_started_at: Date | string | null;
}

/** The read-time aggregate over every open clock (five bindings: now). */
export const OPEN_CLOCKS_GROUP_BY = `select opd, stage,
        count(*)::int as open,
        count(*) filter (where at_risk_at <= ? and due_at > ?)::int as at_risk,
        count(*) filter (where due_at <= ?)::int as overdue,
        min(due_at) filter (where due_at <= ?) as oldest_due_at,
        min(started_at) as oldest_started_at
   from sla_clocks
  where stopped_at is null and outcome in ('open', 'breached') and started_at <= ?
  group by opd, stage`;

/** Whether the kept counts answer exactly at `now` (binding: now); see the header. */
const ANSWERS = `(select computed_at <= ? from open_clock_watermark where id = 1) is true
  and not exists (select 1 from open_clock_counts where unsure <> 0)`;

/**
 * The kept counts corrected at `now`, in one statement (one snapshot) with the check: when the
 * counts cannot answer, a single row with opd null instead (bindings: now × 3, then × 3 in
 * OLDEST).
 */
const FROM_COUNTS = `with ok as (select ${ANSWERS} as ok), pending as (
    select opd, stage,
      pantau_open_clock_class(stopped_at, outcome, started_at, at_risk_at, due_at, next_check_at,
        computed_at) as was,
      pantau_open_clock_class_at(started_at, at_risk_at, due_at, ?) as cls
    from sla_clocks
    where next_check_at <= ? and stopped_at is null and outcome in ('open', 'breached')
  ), d as (
    select opd, stage, open + at_risk + overdue as open, at_risk, overdue from open_clock_counts
    union all select opd, stage, -1, -(was = 'at_risk')::int, -(was = 'overdue')::int
      from pending where was is not null
    union all select opd, stage, 1, (cls = 'at_risk')::int, (cls = 'overdue')::int
      from pending where cls is not null
  ), g as (
    select opd, stage, sum(open)::int as open, sum(at_risk)::int as at_risk,
      sum(overdue)::int as overdue
    from d group by opd, stage
  )
  select g.opd, g.stage, g.open, g.at_risk, g.overdue, %OLDEST%
  from g where g.open > 0 and (select ok from ok)
  union all
  select null, null, null, null, null, null, null from ok where not ok`;

/** The oldest overdue due_at and oldest start of group `g`: one index probe each. */
const OLDEST = `case when g.overdue > 0 then (select c.due_at from sla_clocks c
       where c.opd = g.opd and c.stage = g.stage and c.stopped_at is null and c.due_at <= ?
         and c.outcome in ('open', 'breached') and c.started_at <= ?
       order by c.due_at limit 1) end as oldest_due_at,
    (select c.started_at from sla_clocks c
       where c.opd = g.opd and c.stage = g.stage and c.stopped_at is null and c.started_at <= ?
         and c.outcome in ('open', 'breached')
       order by c.started_at limit 1) as oldest_started_at`;
const NO_OLDEST = "null as oldest_due_at, null as oldest_started_at";

const toInstant = (v: Date | string | null): Instant | null =>
  v === null ? null : v instanceof Date ? v.getTime() : new Date(v).getTime();

function toRows(rows: RawRow[]): OpenClockCountRow[] {
  return rows.map((r) => ({
    opd: r.opd,
    stage: r.stage,
    open: Number(r.open),
    atRisk: Number(r.at_risk),
    overdue: Number(r.overdue),
    oldestDueAt: toInstant(r.oldest_due_at),
    oldestStartedAt: toInstant(r.oldest_started_at),
  }));
}

/** Whether the kept counts answer exactly at `now` (no unsure row, `now` not before a write). */
export async function countsAnswerAt(db: Db, now: Instant): Promise<boolean> {
  const result = (await db.raw(`select ${ANSWERS} as ok`, [new Date(now)])) as {
    rows: { ok: boolean }[];
  };
  return result.rows[0]?.ok === true;
}

/** The GROUP BY over every open clock (the reference, and the fallback). */
export async function openClockCountsByGroupBy(
  db: Db,
  now: Instant,
  timeoutMs?: number,
): Promise<OpenClockCountRow[]> {
  const at = new Date(now);
  const query = db.raw(OPEN_CLOCKS_GROUP_BY, [at, at, at, at, at]);
  const result = (await (timeoutMs === undefined ? query : query.timeout(timeoutMs))) as {
    rows: RawRow[];
  };
  return toRows(result.rows);
}

export interface OpenClockCountOptions {
  /** Per-query time limit. */
  timeoutMs?: number;
  /**
   * Read the oldest overdue due_at and oldest start of each group (two index probes per group,
   * most of the read's time); false: both null, for readers that show only the counts.
   */
  oldest?: boolean;
}

/**
 * Open, at-risk and overdue clocks per (opd, stage) at `now`, with the oldest due instant of the
 * overdue ones and the oldest start; only groups with an open clock. Same rows as the GROUP BY.
 */
export async function openClockCounts(
  knex: Db,
  now: Instant,
  options: OpenClockCountOptions = {},
): Promise<OpenClockCountRow[]> {
  const { timeoutMs, oldest = true } = options;
  const at = new Date(now);
  const query = knex.raw(
    FROM_COUNTS.replace("%OLDEST%", oldest ? OLDEST : NO_OLDEST),
    oldest ? [at, at, at, at, at, at] : [at, at, at],
  );
  const result = (await (timeoutMs === undefined ? query : query.timeout(timeoutMs))) as {
    rows: RawRow[];
  };
  if (result.rows.length === 1 && result.rows[0]?.opd === null)
    return openClockCountsByGroupBy(knex, now, timeoutMs);
  const rows = toRows(result.rows);
  return oldest ? rows : rows.map((r) => ({ ...r, oldestDueAt: null, oldestStartedAt: null }));
}
