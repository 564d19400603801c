// The month-end rollup behind `pantau report monthly`'s "open / overdue at month end" and the
// web page /tren (issue 15): month_open_deltas (opd, month, open_delta, overdue_delta). A report
// is open for an agency at the first instant T of a month (Asia/Jakarta, as the monthly report's
// month ends) when one of its clocks of that agency has started_at < T <= stopped_at (stopped
// null: forever), overdue when also due_at < T — the definition of openAtInstant in
// src/reports/queries.ts, counted once per report however many clocks cover T. Per agency, the
// reports open at month m = the sum of open_delta over months <= m (overdue alike): +1 where a
// report's run of covered months begins, -1 at the month after it ends.
//
// Kept by statement-level triggers on sla_clocks: for the reports whose counted columns
// (tracking_id, stage, seq, opd, started_at, stopped_at, due_at) changed in the statement, the
// runs are computed from their clocks before the statement (the current clocks with the
// statement's new rows replaced by its old rows) and after it (the current clocks), by keyed
// reads, and the difference is added. A statement that changes none of those columns (the
// scan's upsert of state / computed_at / next_check_at) only compares its transition tables.
// Writes of one report's clocks must not run concurrently in two transactions (the scan and the
// import hold the report's row lock); the sums of unrelated reports commute.
// src/reports/rollup.ts recomputes the table independently (islands of covered months).
import type { Knex } from "knex";

/** The zone whose month starts the rollup counts at (the regency's; see MONTH_END_ZONE). */
const ZONE = "Asia/Jakarta";

/** First day of the first month whose first instant (ZONE) is after the instant `col`. */
export const monthAfter = (col: string): string =>
  `(date_trunc('month', ${col} AT TIME ZONE '${ZONE}') + interval '1 month')::date`;

/**
 * Per (tracking_id, opd, month) of the clocks in `rel` (tracking_id, opd, started_at,
 * stopped_at, due_at): +1 / -1 where the report starts / stops being open (overdue) at the
 * month's first instant. Each clock covers the months [a, b) (open) and [a2, b) (overdue); the
 * clocks' +1 at a and -1 at b, summed per month (d) and then in month order (n), say how many
 * clocks cover a month; the report's presence changes where that count leaves or reaches 0:
 * (n > 0) - (n - d > 0). One sort, one window. (OFFSET 0 computes each clock's months once.)
 */
export function presenceSql(rel: string): string {
  return `SELECT tracking_id, opd, month, open_delta, overdue_delta FROM (
    SELECT tracking_id, opd, month,
      (no > 0)::int - (no - o > 0)::int AS open_delta,
      (nv > 0)::int - (nv - v > 0)::int AS overdue_delta
    FROM (
      SELECT tracking_id, opd, month, o, v, sum(o) OVER w AS no, sum(v) OVER w AS nv
      FROM (
        SELECT p.tracking_id, p.opd, e.month, sum(e.o) AS o, sum(e.v) AS v
        FROM (
          SELECT tracking_id, opd, a, b, a2,
            (b IS NULL OR b > a) AS open_ok, (a2 IS NOT NULL AND (b IS NULL OR b > a2)) AS overdue_ok
          FROM (
            SELECT tracking_id, opd, ${monthAfter("started_at")} AS a, ${monthAfter("stopped_at")} AS b,
              CASE WHEN due_at IS NOT NULL THEN ${monthAfter("greatest(started_at, due_at)")} END AS a2
            FROM ${rel} OFFSET 0) m) p
        CROSS JOIN LATERAL (VALUES
          (p.a, 1, 0, p.open_ok), (p.b, -1, 0, p.open_ok AND p.b IS NOT NULL),
          (p.a2, 0, 1, p.overdue_ok), (p.b, 0, -1, p.overdue_ok AND p.b IS NOT NULL)
        ) AS e(month, o, v, ok)
        WHERE e.ok
        GROUP BY 1, 2, 3) per_month
      WINDOW w AS (PARTITION BY tracking_id, opd ORDER BY month)) running) changes
  WHERE open_delta <> 0 OR overdue_delta <> 0`;
}

export const CLOCK = "tracking_id, opd, started_at, stopped_at, due_at";

/** The keys of the reports whose counted columns changed, per trigger event, into `keys`. */
const CHANGED_KEYS: Record<"ins" | "upd" | "del", string> = {
  ins: `SELECT array_agg(DISTINCT tracking_id) INTO keys FROM new_rows;`,
  del: `SELECT array_agg(DISTINCT tracking_id) INTO keys FROM old_rows;`,
  upd: `SELECT array_agg(DISTINCT coalesce(n.tracking_id, o.tracking_id)) INTO keys
    FROM old_rows o FULL JOIN new_rows n
      ON n.tracking_id = o.tracking_id AND n.stage = o.stage AND n.seq = o.seq
   WHERE o.tracking_id IS NULL OR n.tracking_id IS NULL
      OR n.opd IS DISTINCT FROM o.opd OR n.started_at IS DISTINCT FROM o.started_at
      OR n.stopped_at IS DISTINCT FROM o.stopped_at OR n.due_at IS DISTINCT FROM o.due_at;`,
};

/** The clocks of the changed reports before the statement: current ones, new rows replaced by old. */
function beforeRows(event: "ins" | "upd" | "del"): string {
  const current = `SELECT ${CLOCK.split(", ")
    .map((c) => `c.${c}`)
    .join(", ")} FROM sla_clocks c WHERE c.tracking_id = ANY(keys)`;
  const withoutNew =
    event === "del"
      ? current
      : `${current} AND NOT EXISTS (SELECT 1 FROM new_rows n
           WHERE n.tracking_id = c.tracking_id AND n.stage = c.stage AND n.seq = c.seq)`;
  if (event === "ins") return withoutNew;
  return `${withoutNew} UNION ALL SELECT ${CLOCK} FROM old_rows
    WHERE tracking_id IN (SELECT unnest(keys))`;
}

export function monthOpenTriggerBody(event: "ins" | "upd" | "del"): string {
  return monthOpenFunction(event, {
    changedKeys: CHANGED_KEYS[event],
    rows: `after_rows AS (SELECT ${CLOCK} FROM sla_clocks WHERE tracking_id = ANY(keys)),
  before_rows AS (${beforeRows(event)}),`,
  });
}

/**
 * The trigger function of `event`: `changedKeys` selects the reports to recount into `keys`,
 * `rows` defines (as WITH items, each followed by a comma) after_rows and before_rows, their
 * clocks (CLOCK columns) after and before the statement. A later migration redefines both.
 */
export function monthOpenFunction(
  event: "ins" | "upd" | "del",
  parts: { changedKeys: string; rows: string },
): string {
  return `CREATE OR REPLACE FUNCTION pantau_month_open_${event}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  keys text[];
BEGIN
  ${parts.changedKeys}
  IF keys IS NULL THEN
    RETURN NULL;
  END IF;
  WITH ${parts.rows}
  d AS (
    SELECT opd, month, sum(open_delta)::int AS open_delta, sum(overdue_delta)::int AS overdue_delta
    FROM (
      SELECT opd, month, open_delta, overdue_delta FROM (${presenceSql("after_rows")}) a
      UNION ALL
      SELECT opd, month, -open_delta, -overdue_delta FROM (${presenceSql("before_rows")}) b) x
    GROUP BY opd, month
    HAVING sum(open_delta) <> 0 OR sum(overdue_delta) <> 0)
  INSERT INTO month_open_deltas AS r (opd, month, open_delta, overdue_delta)
  SELECT opd, month, open_delta, overdue_delta FROM d ORDER BY opd, month
  ON CONFLICT (opd, month) DO UPDATE SET open_delta = r.open_delta + excluded.open_delta,
    overdue_delta = r.overdue_delta + excluded.overdue_delta;
  -- Rows brought back to zero are removed, so that the table equals a rebuild.
  DELETE FROM month_open_deltas WHERE open_delta = 0 AND overdue_delta = 0;
  RETURN NULL;
END
$fn$;`;
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("month_open_deltas", (t) => {
    t.text("opd").notNullable();
    // First day of the month (Asia/Jakarta) at whose first instant the counts change.
    t.date("month").notNullable();
    t.integer("open_delta").notNullable();
    t.integer("overdue_delta").notNullable();
    t.primary(["opd", "month"]);
  });
  // Finds the rows a trigger brought back to zero without reading the table.
  await knex.raw(`CREATE INDEX month_open_deltas_zero ON month_open_deltas (opd)
    WHERE open_delta = 0 AND overdue_delta = 0`);
  for (const event of ["ins", "upd", "del"] as const) await knex.raw(monthOpenTriggerBody(event));
  await knex.raw(`CREATE TRIGGER pantau_month_open_ins AFTER INSERT ON sla_clocks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pantau_month_open_ins()`);
  await knex.raw(`CREATE TRIGGER pantau_month_open_upd AFTER UPDATE ON sla_clocks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pantau_month_open_upd()`);
  await knex.raw(`CREATE TRIGGER pantau_month_open_del AFTER DELETE ON sla_clocks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pantau_month_open_del()`);
  // Existing clocks: their runs, summed per agency and month.
  await knex.raw(`INSERT INTO month_open_deltas (opd, month, open_delta, overdue_delta)
    SELECT opd, month, sum(open_delta)::int, sum(overdue_delta)::int
      FROM (${presenceSql("sla_clocks")}) p
     GROUP BY opd, month HAVING sum(open_delta) <> 0 OR sum(overdue_delta) <> 0
     ORDER BY opd, month`);
}

export async function down(knex: Knex): Promise<void> {
  for (const event of ["ins", "upd", "del"]) {
    await knex.raw(`DROP TRIGGER IF EXISTS pantau_month_open_${event} ON sla_clocks`);
    await knex.raw(`DROP FUNCTION IF EXISTS pantau_month_open_${event}()`);
  }
  await knex.schema.dropTableIfExists("month_open_deltas");
}
