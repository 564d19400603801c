// The deferred rollup fold of a bulk write (20261128000006_deferred_rollups.ts) computed the
// month and bucket of every collected clock four times, once per rollup table, and sorted
// them on disk each time: 2.4 s at the end of a 100,000-row import, with nothing else to do
// meanwhile. It now computes them once (one statement, the delta materialised) and may use
// more memory to group them (work_mem for this function only). Same SQL otherwise, so the
// result is the same as before and as a rebuild.
import type { Knex } from "knex";
import { clockApply, receivedApply } from "./20261128000004_rollups.js";

const pending = (kind: string, rel: "old" | "new"): { rel: string; sign: number } => ({
  rel: `pantau_rollup_${kind}_${rel}`,
  sign: rel === "old" ? -1 : 1,
});

function applyDeferred(once: boolean): string {
  return `CREATE OR REPLACE FUNCTION pantau_rollup_apply_deferred() RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  ${clockApply([pending("clocks", "old"), pending("clocks", "new")], true, "", once)}
  ${receivedApply([pending("reports", "old"), pending("reports", "new")], true)}
  TRUNCATE pantau_rollup_clocks_old, pantau_rollup_clocks_new,
    pantau_rollup_reports_old, pantau_rollup_reports_new;
END
$fn$`;
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw(applyDeferred(true));
  await knex.raw(`ALTER FUNCTION pantau_rollup_apply_deferred() SET work_mem = '64MB'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(applyDeferred(false));
  await knex.raw(`ALTER FUNCTION pantau_rollup_apply_deferred() RESET work_mem`);
}
