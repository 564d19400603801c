// Met and breached clocks per (agency, stage) stopped at or before an instant T, from the monthly
// rollup (rollup_clock_month, kept by the triggers of migrations/20261128000004_rollups.ts) for
// the agency's months before T's month, plus the clocks stopped in T's own month up to T, read on
// the index sla_clocks_stopped_by_opd. Months are local months of the agency's zone (else
// Asia/Jakarta), as the rollup's. The result equals STOPPED_OUTCOMES_GROUP_BY (the GROUP BY over
// every stopped clock it replaces), whose cost grew with the whole history; this one grows with
// the agencies × stages × months of the rollup and one month of stopped clocks.
import type { Knex } from "knex";
import type { Instant, Stage } from "../core/types.js";

type Db = Knex | Knex.Transaction;

export interface StoppedOutcomeRow {
  opd: string;
  stage: Stage;
  met: number;
  breached: number;
}

const ZONE = `coalesce(a.zone, 'Asia/Jakarta')`;

const FROM_ROLLUP = `
  WITH bounds AS (
    SELECT a.code AS opd,
           date_trunc('month', ?::timestamptz AT TIME ZONE ${ZONE})::date AS month,
           date_trunc('month', ?::timestamptz AT TIME ZONE ${ZONE}) AT TIME ZONE ${ZONE} AS month_start
      FROM agencies a),
  counted AS (
    SELECT r.opd, r.stage, r.met, r.breached
      FROM rollup_clock_month r JOIN bounds b ON b.opd = r.opd
     WHERE r.month < b.month
    UNION ALL
    SELECT c.opd, c.stage, (c.outcome = 'met')::int, (c.outcome = 'breached')::int
      FROM bounds b JOIN sla_clocks c
        ON c.opd = b.opd AND c.stopped_at IS NOT NULL
       AND c.stopped_at >= b.month_start AND c.stopped_at <= ?
     WHERE c.outcome IN ('met', 'breached'))
  SELECT opd, stage, sum(met)::int AS met, sum(breached)::int AS breached
    FROM counted GROUP BY opd, stage HAVING sum(met) + sum(breached) > 0
   ORDER BY opd, stage`;

/** What FROM_ROLLUP replaces, for the tests that hold them equal. */
export const STOPPED_OUTCOMES_GROUP_BY = `
  SELECT opd, stage,
         count(*) FILTER (WHERE outcome = 'met')::int AS met,
         count(*) FILTER (WHERE outcome = 'breached')::int AS breached
    FROM sla_clocks
   WHERE stopped_at IS NOT NULL AND stopped_at <= ? AND outcome IN ('met', 'breached')
   GROUP BY opd, stage ORDER BY opd, stage`;

export async function stoppedOutcomeCounts(
  db: Db,
  at: Instant,
  options: { timeoutMs?: number } = {},
): Promise<StoppedOutcomeRow[]> {
  const t = new Date(at);
  const query = db.raw(FROM_ROLLUP, [t, t, t]);
  const result = (await (options.timeoutMs === undefined
    ? query
    : query.timeout(options.timeoutMs))) as { rows: StoppedOutcomeRow[] };
  return result.rows.map((r) => ({
    opd: r.opd,
    stage: r.stage,
    met: Number(r.met),
    breached: Number(r.breached),
  }));
}
