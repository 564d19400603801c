// Open clocks per (agency, stage) and class kept at write time, so that `/metrics` and the regency
// summary page (`/`) read open / at risk / overdue without a GROUP BY over every open clock
// (issue 15). A counted clock (stopped_at null, outcome open or breached) is classed as of the
// instant it was computed (`computed_at`):
//   open     started, neither at risk nor due
//   at_risk  at_risk_at <= computed_at < due_at (a paused clock, due_at null, is never at risk)
//   overdue  due_at <= computed_at
//   unsure   its class may change before next_check_at (an at-risk, due or start instant after
//            computed_at and before next_check_at, or no next_check_at while one is ahead):
//            every writer derives next_check_at so that this never happens, and a reader that
//            finds unsure rows falls back to the GROUP BY (see src/store/openClockCounts.ts).
// So a row's class is constant from computed_at until next_check_at; at `now` the reader takes
// these counts, minus the stored class of the rows with next_check_at <= now (the scan's own
// index), plus their class at `now`. open_clock_watermark holds an upper bound of every
// computed_at written (never lowered): a read at an instant before it falls back as well.
//
// open_clock_counts has one row per (opd, stage) with a count per class (open, at_risk, overdue,
// unsure). A statement-level trigger with transition tables (as the rollups') adds -1 per old
// row and +1 per new row to its class, writing only the groups whose net change is not zero
// (one upsert per group: a scan batch moves clocks between classes of the same group), in key
// order (two writers lock the rows they share in the same order), and removes rows brought to
// zero, so the table equals its recomputation (src/reports/rollup.ts, ROLLUP_TABLES).
// The oldest open and oldest overdue instants per (opd, stage) are read from two partial
// indexes on open clocks: (opd, stage, due_at), which replaces sla_clocks_open_by_opd
// (opd, stage) as its prefix, and (opd, stage, started_at): one more index than before.
import type { Knex } from "knex";

const COUNTED = `stopped_at IS NULL AND outcome IN ('open', 'breached')`;

/** The class of a row as of computed_at (null: not counted); see the header. */
const CLASS_FUNCTION = `CREATE OR REPLACE FUNCTION pantau_open_clock_class(
  stopped_at timestamptz, outcome text, started_at timestamptz, at_risk_at timestamptz,
  due_at timestamptz, next_check_at timestamptz, computed_at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE
    WHEN stopped_at IS NOT NULL OR outcome NOT IN ('open', 'breached') THEN NULL
    WHEN started_at > computed_at
      OR (due_at > computed_at AND (next_check_at IS NULL OR due_at < next_check_at))
      OR (due_at IS NOT NULL AND at_risk_at > computed_at
          AND (next_check_at IS NULL OR at_risk_at < next_check_at)) THEN 'unsure'
    WHEN due_at <= computed_at THEN 'overdue'
    WHEN at_risk_at <= computed_at AND due_at > computed_at THEN 'at_risk'
    ELSE 'open'
  END
$fn$`;

/** The class of a counted row at instant t (null: not started at t), as the GROUP BY counts. */
const CLASS_AT_FUNCTION = `CREATE OR REPLACE FUNCTION pantau_open_clock_class_at(
  started_at timestamptz, at_risk_at timestamptz, due_at timestamptz, t timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE
    WHEN started_at > t THEN NULL
    WHEN due_at <= t THEN 'overdue'
    WHEN at_risk_at <= t AND due_at > t THEN 'at_risk'
    ELSE 'open'
  END
$fn$`;

const classOf = (rel: string): string =>
  `pantau_open_clock_class(${rel}.stopped_at, ${rel}.outcome, ${rel}.started_at, ${rel}.at_risk_at,
     ${rel}.due_at, ${rel}.next_check_at, ${rel}.computed_at)`;

const CLASSES = ["open", "at_risk", "overdue", "unsure"] as const;

/** Per (opd, stage) net changes by class of rows (opd, stage, class, sign) of query `x`. */
function pivot(x: string, sign: string): string {
  const sums = CLASSES.map(
    (c) => `coalesce(sum(${sign}) FILTER (WHERE class = '${c}'), 0)::int AS ${c}`,
  ).join(", ");
  const nonZero = CLASSES.map(
    (c) => `coalesce(sum(${sign}) FILTER (WHERE class = '${c}'), 0) <> 0`,
  ).join(" OR ");
  return `SELECT opd, stage, ${sums} FROM (${x}) x WHERE class IS NOT NULL
    GROUP BY opd, stage HAVING ${nonZero}`;
}

/** Per (opd, stage) net changes of the rows of `parts` (old rows -1, new rows +1). */
function delta(parts: { rel: string; sign: number }[]): string {
  const union = parts
    .map((p) => `SELECT opd, stage, ${classOf(p.rel)} AS class, ${p.sign} AS sign FROM ${p.rel}`)
    .join(" UNION ALL ");
  return pivot(union, "sign");
}

/**
 * Adds the net changes `d` (a query of opd, stage and a column per class) in key order, then
 * removes the rows this brought to zero (only those: it never waits on another writer's rows).
 * Needs the variables zo, zs text[] (see triggerFunction).
 */
function fold(d: string, cleanup: boolean): string {
  const cols = CLASSES.join(", ");
  const upsert = `INSERT INTO open_clock_counts AS c (opd, stage, ${cols})
    SELECT opd, stage, ${cols} FROM d ORDER BY opd, stage
    ON CONFLICT (opd, stage) DO UPDATE SET
      ${CLASSES.map((k) => `${k} = c.${k} + excluded.${k}`).join(", ")}`;
  if (!cleanup) return `WITH d AS (${d}) ${upsert};`;
  const zero = CLASSES.map((k) => `c.${k} = 0`).join(" AND ");
  return `WITH d AS (${d}), u AS (${upsert} RETURNING c.*)
  SELECT array_agg(opd), array_agg(stage) INTO zo, zs FROM u c WHERE ${zero};
  IF zo IS NOT NULL THEN
    DELETE FROM open_clock_counts c USING unnest(zo, zs) AS z(opd, stage)
      WHERE c.opd = z.opd AND c.stage = z.stage AND ${zero};
  END IF;`;
}

const raiseWatermark = (at: string): string => `UPDATE open_clock_watermark w SET computed_at = m.at
    FROM (SELECT ${at} AS at) m WHERE m.at > w.computed_at;`;

/**
 * The trigger body. Inside a bulk write (`pantau.rollup_deferred = on`, an import: see
 * src/store/importWrites.ts) the net changes are only appended to the session's temp table
 * pantau_open_counts_pending and folded in once by pantau_open_counts_apply_deferred() before
 * the commit, so an import does not hold the count rows (which the scan also writes) locked
 * from its first chunk to its commit.
 */
function apply(parts: { rel: string; sign: number }[], cleanup: boolean): string {
  const newer = parts.find((p) => p.sign > 0);
  const maxAt = newer ? `(SELECT max(computed_at) FROM ${newer.rel})` : "NULL::timestamptz";
  return `IF current_setting('pantau.rollup_deferred', true) = 'on' THEN
    INSERT INTO pantau_open_counts_pending (opd, stage, class, n, computed_at)
      SELECT opd, stage, class, sum(sign), NULL FROM (${parts
        .map(
          (p) => `SELECT opd, stage, ${classOf(p.rel)} AS class, ${p.sign} AS sign FROM ${p.rel}`,
        )
        .join(" UNION ALL ")}) x WHERE class IS NOT NULL
        GROUP BY opd, stage, class HAVING sum(sign) <> 0
      UNION ALL SELECT NULL, NULL, NULL, 0, ${maxAt};
    RETURN NULL;
  END IF;
  ${fold(delta(parts), cleanup)}
  ${newer ? raiseWatermark(maxAt) : ""}`;
}

const APPLY_DEFERRED = `CREATE OR REPLACE FUNCTION pantau_open_counts_apply_deferred() RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  zo text[];
  zs text[];
BEGIN
  ${fold(pivot("SELECT opd, stage, class, n FROM pantau_open_counts_pending", "n"), true)}
  ${raiseWatermark("(SELECT max(computed_at) FROM pantau_open_counts_pending)")}
  TRUNCATE pantau_open_counts_pending;
END
$fn$`;

function triggerFunction(name: string, body: string): string {
  return `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  zo text[];
  zs text[];
BEGIN
  ${body}
  RETURN NULL;
END
$fn$;`;
}

const NEW = { rel: "new_rows", sign: 1 };
const OLD = { rel: "old_rows", sign: -1 };

export async function up(knex: Knex): Promise<void> {
  await knex.raw(CLASS_FUNCTION);
  await knex.raw(CLASS_AT_FUNCTION);
  await knex.schema.createTable("open_clock_counts", (t) => {
    t.text("opd").notNullable();
    t.text("stage").notNullable();
    for (const c of CLASSES) t.integer(c).notNullable();
    t.primary(["opd", "stage"]);
  });
  await knex.schema.createTable("open_clock_watermark", (t) => {
    t.integer("id").primary();
    t.timestamp("computed_at", { useTz: true }).notNullable();
  });
  await knex.raw(
    `ALTER TABLE open_clock_watermark ADD CONSTRAINT open_clock_watermark_one CHECK (id = 1)`,
  );

  await knex.raw(`INSERT INTO open_clock_counts (opd, stage, ${CLASSES.join(", ")})
    ${pivot(`SELECT opd, stage, ${classOf("c")} AS class, 1 AS one FROM sla_clocks c WHERE ${COUNTED}`, "one")}
    ORDER BY 1, 2`);
  await knex.raw(`INSERT INTO open_clock_watermark (id, computed_at)
    SELECT 1, coalesce(max(computed_at), '-infinity') FROM sla_clocks`);

  const functions: [string, string][] = [
    ["pantau_open_counts_ins", apply([NEW], false)],
    ["pantau_open_counts_upd", apply([OLD, NEW], true)],
    ["pantau_open_counts_del", apply([OLD], true)],
  ];
  for (const [name, body] of functions) await knex.raw(triggerFunction(name, body));
  await knex.raw(APPLY_DEFERRED);
  await knex.raw(`CREATE TRIGGER open_clock_counts_ins AFTER INSERT ON sla_clocks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pantau_open_counts_ins()`);
  await knex.raw(`CREATE TRIGGER open_clock_counts_upd AFTER UPDATE ON sla_clocks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pantau_open_counts_upd()`);
  await knex.raw(`CREATE TRIGGER open_clock_counts_del AFTER DELETE ON sla_clocks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pantau_open_counts_del()`);

  // The oldest overdue (first due_at) and oldest open (first started_at) per (opd, stage): one
  // index probe per group. The first replaces sla_clocks_open_by_opd (opd, stage), its prefix.
  await knex.raw(`CREATE INDEX sla_clocks_open_by_opd_due ON sla_clocks (opd, stage, due_at)
    WHERE stopped_at IS NULL`);
  await knex.raw(`DROP INDEX sla_clocks_open_by_opd`);
  await knex.raw(`CREATE INDEX sla_clocks_open_by_opd_start ON sla_clocks (opd, stage, started_at)
    WHERE stopped_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP INDEX IF EXISTS sla_clocks_open_by_opd_start`);
  await knex.raw(
    `CREATE INDEX sla_clocks_open_by_opd ON sla_clocks (opd, stage) WHERE stopped_at IS NULL`,
  );
  await knex.raw(`DROP INDEX IF EXISTS sla_clocks_open_by_opd_due`);
  await knex.raw(`DROP FUNCTION IF EXISTS pantau_open_counts_apply_deferred()`);
  for (const t of ["ins", "upd", "del"]) {
    await knex.raw(`DROP TRIGGER IF EXISTS open_clock_counts_${t} ON sla_clocks`);
    await knex.raw(`DROP FUNCTION IF EXISTS pantau_open_counts_${t}()`);
  }
  await knex.schema.dropTableIfExists("open_clock_watermark");
  await knex.schema.dropTableIfExists("open_clock_counts");
  await knex.raw(
    `DROP FUNCTION IF EXISTS pantau_open_clock_class_at(timestamptz, timestamptz, timestamptz, timestamptz)`,
  );
  await knex.raw(
    `DROP FUNCTION IF EXISTS pantau_open_clock_class(timestamptz, text, timestamptz, timestamptz, timestamptz, timestamptz, timestamptz)`,
  );
}
