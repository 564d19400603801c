// Deferred rollup maintenance for bulk writers. An import writes thousands of clocks per
// statement, chunk after chunk, and the rollup triggers (20261128000004_rollups.ts) then upsert
// the same month and bucket rows again for every chunk. Inside a transaction that has set
// `pantau.rollup_deferred = on` (SET LOCAL), the triggers only append the changed rows to
// session temp tables that the writer created (pantau_rollup_{clocks,reports}_{old,new}, with
// the columns captured below; see src/store/importWrites.ts); before committing, the writer calls
// pantau_rollup_apply_deferred(), which folds them all in at once through exactly the same
// SQL as the triggers. Outside such a transaction nothing changes.
import type { Knex } from "knex";
import { clockApply, receivedApply } from "./20261128000004_rollups.js";

const DEFERRED = `current_setting('pantau.rollup_deferred', true) = 'on'`;
const CLOCK_COLUMNS = "opd, stage, target_unit, outcome, used_ms, stopped_at";
const REPORT_COLUMNS = "opd, received_at, channel, type";

function capture(kind: "clocks" | "reports", rels: ("old" | "new")[]): string {
  const columns = kind === "clocks" ? CLOCK_COLUMNS : REPORT_COLUMNS;
  // Only stopped clocks count in the rollups.
  const where = kind === "clocks" ? " WHERE stopped_at IS NOT NULL" : "";
  return rels
    .map((r) => `INSERT INTO pantau_rollup_${kind}_${r} SELECT ${columns} FROM ${r}_rows${where};`)
    .join("\n    ");
}

function triggerFunction(name: string, deferred: string, immediate: string): string {
  return `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF ${DEFERRED} THEN
    ${deferred}
    RETURN NULL;
  END IF;
  ${immediate}
  RETURN NULL;
END
$fn$;`;
}

const NEW = { rel: "new_rows", sign: 1 };
const OLD = { rel: "old_rows", sign: -1 };

export async function up(knex: Knex): Promise<void> {
  const functions: [string, string, string][] = [
    ["pantau_rollup_clocks_ins", capture("clocks", ["new"]), clockApply([NEW], false)],
    ["pantau_rollup_clocks_upd", capture("clocks", ["old", "new"]), clockApply([OLD, NEW], true)],
    ["pantau_rollup_clocks_del", capture("clocks", ["old"]), clockApply([OLD], true)],
    ["pantau_rollup_reports_ins", capture("reports", ["new"]), receivedApply([NEW], false)],
    [
      "pantau_rollup_reports_upd",
      capture("reports", ["old", "new"]),
      receivedApply([OLD, NEW], true),
    ],
    ["pantau_rollup_reports_del", capture("reports", ["old"]), receivedApply([OLD], true)],
  ];
  for (const [name, deferred, immediate] of functions) {
    await knex.raw(triggerFunction(name, deferred, immediate));
  }
  const pendingOld = (kind: string): { rel: string; sign: number } => ({
    rel: `pantau_rollup_${kind}_old`,
    sign: -1,
  });
  const pendingNew = (kind: string): { rel: string; sign: number } => ({
    rel: `pantau_rollup_${kind}_new`,
    sign: 1,
  });
  await knex.raw(`CREATE OR REPLACE FUNCTION pantau_rollup_apply_deferred() RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  ${clockApply([pendingOld("clocks"), pendingNew("clocks")], true)}
  ${receivedApply([pendingOld("reports"), pendingNew("reports")], true)}
  TRUNCATE pantau_rollup_clocks_old, pantau_rollup_clocks_new,
    pantau_rollup_reports_old, pantau_rollup_reports_new;
END
$fn$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP FUNCTION IF EXISTS pantau_rollup_apply_deferred()`);
  const functions: [string, string][] = [
    ["pantau_rollup_clocks_ins", clockApply([NEW], false)],
    ["pantau_rollup_clocks_upd", clockApply([OLD, NEW], true)],
    ["pantau_rollup_clocks_del", clockApply([OLD], true)],
    ["pantau_rollup_reports_ins", receivedApply([NEW], false)],
    ["pantau_rollup_reports_upd", receivedApply([OLD, NEW], true)],
    ["pantau_rollup_reports_del", receivedApply([OLD], true)],
  ];
  for (const [name, body] of functions) {
    await knex.raw(`CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  ${body}
  RETURN NULL;
END
$fn$;`);
  }
}
