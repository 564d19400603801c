// Recounts the month-end rollup (month_open_deltas) from the clocks, once. Until this release
// the import, the scan and the clock refresh wrote a report's clocks with one upsert, and an
// upsert that inserts one clock of a report and updates another fires the rollup's INSERT and
// UPDATE triggers on the same final rows: each took the other's change for one made before it,
// and the report was counted twice from the month after the change (one import re-disposing a
// report away and back to the same agency did it). The writers now insert and update clocks in
// separate statements (src/store/importWrites.ts, insertClocksSql); the counts already kept are
// recomputed here, exactly as `pantau report rebuild-rollup` would, in the migration's
// transaction.
import type { Knex } from "knex";
import { presenceSql } from "./20261201020000_month_open_rollup.js";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`LOCK TABLE sla_clocks IN SHARE MODE`);
  await knex.raw(`DELETE FROM month_open_deltas`);
  await knex.raw(`INSERT INTO month_open_deltas (opd, month, open_delta, overdue_delta)
    SELECT opd, month, sum(open_delta)::int, sum(overdue_delta)::int
      FROM (${presenceSql("sla_clocks")}) p
     GROUP BY opd, month HAVING sum(open_delta) <> 0 OR sum(overdue_delta) <> 0
     ORDER BY opd, month`);
}

export async function down(): Promise<void> {
  // Nothing to undo: the recount equals what the triggers keep.
}
