// The month-end rollup's triggers (…_month_open_rollup.ts) do less for the same result:
// - a report is recounted only when one of its clocks changed what the count reads: its agency
//   or the months it covers (a: the month after its start, b: after its stop, a2: after the later
//   of start and due). Until now any change of started_at, stopped_at or due_at did, such as a due
//   instant moved by a pause within one month, which changes no month-end count;
// - an inserted or deleted clock that covers no month start (started and stopped within one
//   month) recounts nothing: a report's count is a function of the months its clocks cover;
// - the report's current clocks are read once per statement, for both the count after it and
//   the count before it (the current clocks with the statement's new rows replaced by its old).
// Exact as before (test/reports/monthEnd.test.ts compares with the raw clocks at 40 month starts
// after random histories and direct writes, on both databases). down() restores the old bodies.
import type { Knex } from "knex";
import {
  CLOCK,
  monthAfter,
  monthOpenFunction,
  monthOpenTriggerBody,
} from "./20261201020000_month_open_rollup.js";

type Event = "ins" | "upd" | "del";

/** The months a clock of `rel` covers, comparable as one row: (opd, a, b, a2). */
const coverage = (rel: string): string =>
  `(${rel}.opd, ${monthAfter(`${rel}.started_at`)}, ${monthAfter(`${rel}.stopped_at`)},
    CASE WHEN ${rel}.due_at IS NOT NULL THEN ${monthAfter(`greatest(${rel}.started_at, ${rel}.due_at)`)} END)`;

/** True when a clock of `rel` covers at least one month start (b after a, or never stopped). */
const coversAMonth = (rel: string): string =>
  `(${rel}.stopped_at IS NULL OR ${monthAfter(`${rel}.stopped_at`)} > ${monthAfter(`${rel}.started_at`)})`;

const CHANGED_KEYS: Record<Event, string> = {
  ins: `SELECT array_agg(DISTINCT n.tracking_id) INTO keys FROM new_rows n WHERE ${coversAMonth("n")};`,
  del: `SELECT array_agg(DISTINCT o.tracking_id) INTO keys FROM old_rows o WHERE ${coversAMonth("o")};`,
  upd: `SELECT array_agg(DISTINCT coalesce(n.tracking_id, o.tracking_id)) INTO keys
    FROM old_rows o FULL JOIN new_rows n
      ON n.tracking_id = o.tracking_id AND n.stage = o.stage AND n.seq = o.seq
   WHERE o.tracking_id IS NULL OR n.tracking_id IS NULL
      OR ${coverage("n")} IS DISTINCT FROM ${coverage("o")};`,
};

/** The changed reports' clocks before the statement, from `cur` (their current clocks). */
function beforeRows(event: Event): string {
  if (event === "del")
    return `SELECT ${CLOCK} FROM cur UNION ALL SELECT ${CLOCK} FROM old_rows WHERE tracking_id = ANY(keys)`;
  const withoutNew = `SELECT ${CLOCK} FROM cur c WHERE NOT EXISTS (SELECT 1 FROM new_rows n
           WHERE n.tracking_id = c.tracking_id AND n.stage = c.stage AND n.seq = c.seq)`;
  if (event === "ins") return withoutNew;
  return `${withoutNew} UNION ALL SELECT ${CLOCK} FROM old_rows WHERE tracking_id = ANY(keys)`;
}

function triggerBody(event: Event): string {
  return monthOpenFunction(event, {
    changedKeys: CHANGED_KEYS[event],
    rows: `cur AS MATERIALIZED (SELECT stage, seq, ${CLOCK} FROM sla_clocks WHERE tracking_id = ANY(keys)),
  after_rows AS (SELECT ${CLOCK} FROM cur),
  before_rows AS (${beforeRows(event)}),`,
  });
}

export async function up(knex: Knex): Promise<void> {
  for (const event of ["ins", "upd", "del"] as const) await knex.raw(triggerBody(event));
}

export async function down(knex: Knex): Promise<void> {
  for (const event of ["ins", "upd", "del"] as const) await knex.raw(monthOpenTriggerBody(event));
}
