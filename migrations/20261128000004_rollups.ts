// Rollups for the yearly and monthly reports and the "Tren Tahunan" dashboard, kept exact and up
// to date by statement-level triggers (with transition tables) on sla_clocks and reports:
//   rollup_received_month (opd, month, channel, type)      → reports received
//   rollup_clock_month    (opd, stage, month, target_unit) → stopped clocks by outcome, used time
//   rollup_used_month     (opd, stage, month, used_bucket) → exact distribution (met + breached)
//   rollup_used_year      (opd, stage, year, used_bucket)  → the same per year (fine level)
//   rollup_used_year_day  (opd, stage, year, used_day)     → per whole day (coarse level)
// `month` is the first day of the local month (agency zone, else Asia/Jakarta) of the stop (clocks)
// or of the receipt (reports); `used_bucket` is the business time to stop in hundredths of a
// working day (pantau_used_bucket). Stopped clocks are never rewritten by the engine, but the
// triggers handle any change: old rows are subtracted, new rows added. src/reports/rollup.ts
// rebuilds the same tables from raw rows independently (tests compare the two).
import type { Knex } from "knex";

/** Working hours per working day for wh targets (08:00–16:00); rebuild-rollup re-creates it. */
const HOURS_PER_DAY = 8;

export function usedBucketFunctionSql(hoursPerDay: number): string[] {
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

/** Stopped clocks of a (transition) relation with their sign, month and bucket. */
function clockDelta(parts: { rel: string; sign: number }[]): string {
  const union = parts
    .map(
      (p) =>
        `SELECT opd, stage, target_unit, outcome, used_ms, stopped_at, ${p.sign} AS sign FROM ${p.rel} WHERE stopped_at IS NOT NULL`,
    )
    .join(" UNION ALL ");
  return `SELECT x.opd, x.stage, x.target_unit, x.outcome, x.used_ms, x.sign,
      date_trunc('month', x.stopped_at AT TIME ZONE coalesce(a.zone, 'Asia/Jakarta'))::date AS month,
      pantau_used_bucket(x.used_ms, x.target_unit) AS used_bucket
    FROM (${union}) x LEFT JOIN agencies a ON a.code = x.opd`;
}

/** The four INSERTs of stopped clocks into the rollups, each reading relation `d`. */
function clockInserts(): [string, string, string, string] {
  const answered = `outcome IN ('met', 'breached')`;
  const dist = (table: string, keys: string, keyExprs: string): string =>
    `INSERT INTO ${table} AS r (${keys}, n)
     SELECT ${keyExprs}, sum(sign) FROM d WHERE ${answered}
      GROUP BY ${keyExprs} HAVING sum(sign) <> 0 ORDER BY ${keyExprs}
     ON CONFLICT (${keys}) DO UPDATE SET n = r.n + excluded.n`;
  return [
    `INSERT INTO rollup_clock_month AS r
       (opd, stage, month, target_unit, stopped, met, breached, redisposed, cancelled, used_ms_sum)
     SELECT opd, stage, month, target_unit, sum(sign),
       coalesce(sum(sign) FILTER (WHERE outcome = 'met'), 0),
       coalesce(sum(sign) FILTER (WHERE outcome = 'breached'), 0),
       coalesce(sum(sign) FILTER (WHERE outcome = 'redisposed'), 0),
       coalesce(sum(sign) FILTER (WHERE outcome = 'cancelled'), 0),
       coalesce(sum(sign * used_ms::numeric) FILTER (WHERE ${answered}), 0)
     FROM d GROUP BY opd, stage, month, target_unit ORDER BY opd, stage, month, target_unit
     ON CONFLICT (opd, stage, month, target_unit) DO UPDATE SET
       stopped = r.stopped + excluded.stopped, met = r.met + excluded.met,
       breached = r.breached + excluded.breached, redisposed = r.redisposed + excluded.redisposed,
       cancelled = r.cancelled + excluded.cancelled, used_ms_sum = r.used_ms_sum + excluded.used_ms_sum`,
    dist("rollup_used_month", "opd, stage, month, used_bucket", "opd, stage, month, used_bucket"),
    dist(
      "rollup_used_year",
      "opd, stage, year, used_bucket",
      "opd, stage, extract(year FROM month)::int, used_bucket",
    ),
    dist(
      "rollup_used_year_day",
      "opd, stage, year, used_day",
      "opd, stage, extract(year FROM month)::int, (used_bucket / 100)::int",
    ),
  ];
}

/**
 * Folds the stopped clocks of `parts` into the rollups. By default each INSERT computes the
 * delta again (cheap for a trigger's few rows); `once` computes it once, materialised, for
 * all four in one statement (a bulk fold of hundreds of thousands of rows).
 */
export function clockApply(
  parts: { rel: string; sign: number }[],
  cleanup: boolean,
  prelude = "",
  once = false,
): string {
  const inserts = clockInserts();
  let sql: string;
  if (once) {
    const [month, usedMonth, usedYear, usedYearDay] = inserts;
    sql = `WITH ${prelude} d AS MATERIALIZED (${clockDelta(parts)}),
  month AS (${month}),
  used_month AS (${usedMonth}),
  used_year AS (${usedYear})
  ${usedYearDay};`;
  } else {
    const d = `WITH ${prelude} d AS (${clockDelta(parts)})`;
    sql = inserts.map((insert) => `${d} ${insert};`).join("\n  ");
  }
  if (cleanup) {
    // Rows brought back to zero by a subtraction are removed, so the tables equal a rebuild.
    const old = parts.filter((p) => p.sign < 0);
    const k = `WITH d AS (${clockDelta(old)})`;
    sql += `
  ${k} DELETE FROM rollup_clock_month r USING (SELECT DISTINCT opd, stage, month, target_unit FROM d) k
   WHERE r.opd = k.opd AND r.stage = k.stage AND r.month = k.month AND r.target_unit = k.target_unit
     AND r.stopped = 0;
  ${k} DELETE FROM rollup_used_month r USING (SELECT DISTINCT opd, stage, month, used_bucket FROM d) k
   WHERE r.opd = k.opd AND r.stage = k.stage AND r.month = k.month AND r.used_bucket = k.used_bucket
     AND r.n = 0;
  ${k} DELETE FROM rollup_used_year r
   USING (SELECT DISTINCT opd, stage, extract(year FROM month)::int AS year, used_bucket FROM d) k
   WHERE r.opd = k.opd AND r.stage = k.stage AND r.year = k.year AND r.used_bucket = k.used_bucket
     AND r.n = 0;
  ${k} DELETE FROM rollup_used_year_day r
   USING (SELECT DISTINCT opd, stage, extract(year FROM month)::int AS year,
            (used_bucket / 100)::int AS used_day FROM d) k
   WHERE r.opd = k.opd AND r.stage = k.stage AND r.year = k.year AND r.used_day = k.used_day
     AND r.n = 0;`;
  }
  return sql;
}

export function receivedApply(
  parts: { rel: string; sign: number }[],
  cleanup: boolean,
  prelude = "",
): string {
  const union = parts
    .map((p) => `SELECT opd, received_at, channel, type, ${p.sign} AS sign FROM ${p.rel}`)
    .join(" UNION ALL ");
  const d = `WITH ${prelude} d AS (
    SELECT coalesce(x.opd, '') AS opd, coalesce(x.channel, '') AS channel, x.type, x.sign,
      date_trunc('month', x.received_at AT TIME ZONE coalesce(a.zone, 'Asia/Jakarta'))::date AS month
    FROM (${union}) x LEFT JOIN agencies a ON a.code = x.opd)`;
  let sql = `${d} INSERT INTO rollup_received_month AS r (opd, month, channel, type, received)
    SELECT opd, month, channel, type, sum(sign) FROM d GROUP BY opd, month, channel, type
    HAVING sum(sign) <> 0 ORDER BY opd, month, channel, type
    ON CONFLICT (opd, month, channel, type) DO UPDATE SET received = r.received + excluded.received;`;
  if (cleanup)
    sql += `
  ${d} DELETE FROM rollup_received_month r USING (SELECT DISTINCT opd, month, channel, type FROM d) k
   WHERE r.opd = k.opd AND r.month = k.month AND r.channel = k.channel AND r.type = k.type
     AND r.received = 0;`;
  return sql;
}

function triggerFunction(name: string, body: string): string {
  return `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  ${body}
  RETURN NULL;
END
$fn$;`;
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("rollup_received_month", (t) => {
    // '' when the report has no agency (before disposition) or no channel.
    t.text("opd").notNullable();
    t.date("month").notNullable();
    t.text("channel").notNullable();
    t.text("type").notNullable();
    t.integer("received").notNullable();
    t.primary(["opd", "month", "channel", "type"]);
  });
  await knex.raw(`CREATE INDEX rollup_received_month_month ON rollup_received_month (month)`);

  await knex.schema.createTable("rollup_clock_month", (t) => {
    t.text("opd").notNullable();
    t.text("stage").notNullable();
    t.date("month").notNullable();
    t.text("target_unit").notNullable();
    t.integer("stopped").notNullable();
    t.integer("met").notNullable();
    t.integer("breached").notNullable();
    t.integer("redisposed").notNullable();
    t.integer("cancelled").notNullable();
    // Sum of used_ms (ms of the target unit) over met and breached clocks; numeric: exact.
    t.decimal("used_ms_sum", null).notNullable();
    t.primary(["opd", "stage", "month", "target_unit"]);
  });
  await knex.raw(`CREATE INDEX rollup_clock_month_month ON rollup_clock_month (month)`);

  await knex.schema.createTable("rollup_used_month", (t) => {
    t.text("opd").notNullable();
    t.text("stage").notNullable();
    t.date("month").notNullable();
    t.bigInteger("used_bucket").notNullable();
    t.integer("n").notNullable();
    t.primary(["opd", "stage", "month", "used_bucket"]);
  });
  await knex.raw(`CREATE INDEX rollup_used_month_month ON rollup_used_month (month, stage)`);

  await knex.schema.createTable("rollup_used_year", (t) => {
    t.text("opd").notNullable();
    t.text("stage").notNullable();
    t.integer("year").notNullable();
    t.bigInteger("used_bucket").notNullable();
    t.integer("n").notNullable();
    t.primary(["opd", "stage", "year", "used_bucket"]);
  });
  // Regency-wide lookups within one whole day of one year.
  await knex.raw(
    `CREATE INDEX rollup_used_year_regency ON rollup_used_year (stage, year, used_bucket) INCLUDE (n)`,
  );

  await knex.schema.createTable("rollup_used_year_day", (t) => {
    t.text("opd").notNullable();
    t.text("stage").notNullable();
    t.integer("year").notNullable();
    t.integer("used_day").notNullable();
    t.integer("n").notNullable();
    t.primary(["opd", "stage", "year", "used_day"]);
  });
  await knex.raw(`CREATE INDEX rollup_used_year_day_year ON rollup_used_year_day (year, stage)`);

  for (const sql of usedBucketFunctionSql(HOURS_PER_DAY)) await knex.raw(sql);

  const NEW = { rel: "new_rows", sign: 1 };
  const OLD = { rel: "old_rows", sign: -1 };
  await knex.raw(triggerFunction("pantau_rollup_clocks_ins", clockApply([NEW], false)));
  await knex.raw(triggerFunction("pantau_rollup_clocks_upd", clockApply([OLD, NEW], true)));
  await knex.raw(triggerFunction("pantau_rollup_clocks_del", clockApply([OLD], true)));
  await knex.raw(triggerFunction("pantau_rollup_reports_ins", receivedApply([NEW], false)));
  await knex.raw(triggerFunction("pantau_rollup_reports_upd", receivedApply([OLD, NEW], true)));
  await knex.raw(triggerFunction("pantau_rollup_reports_del", receivedApply([OLD], true)));
  // A trigger with transition tables serves one event only: three per table.
  for (const [table, prefix] of [
    ["sla_clocks", "pantau_rollup_clocks"],
    ["reports", "pantau_rollup_reports"],
  ] as const) {
    await knex.raw(`CREATE TRIGGER ${prefix}_ins AFTER INSERT ON ${table}
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${prefix}_ins()`);
    await knex.raw(`CREATE TRIGGER ${prefix}_upd AFTER UPDATE ON ${table}
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${prefix}_upd()`);
    await knex.raw(`CREATE TRIGGER ${prefix}_del AFTER DELETE ON ${table}
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${prefix}_del()`);
  }

  // Existing rows (a database that already holds history): fold them in through the same path.
  await knex.raw(
    `DO $do$ BEGIN ${clockApply([NEW], false, "new_rows AS (SELECT * FROM sla_clocks),")} END $do$`,
  );
  await knex.raw(
    `DO $do$ BEGIN ${receivedApply([NEW], false, "new_rows AS (SELECT * FROM reports),")} END $do$`,
  );
}

export async function down(knex: Knex): Promise<void> {
  for (const prefix of ["pantau_rollup_clocks", "pantau_rollup_reports"]) {
    const table = prefix.endsWith("clocks") ? "sla_clocks" : "reports";
    for (const e of ["ins", "upd", "del"]) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${prefix}_${e} ON ${table}`);
      await knex.raw(`DROP FUNCTION IF EXISTS ${prefix}_${e}()`);
    }
  }
  await knex.raw(`DROP FUNCTION IF EXISTS pantau_used_bucket(double precision, text)`);
  await knex.raw(`DROP FUNCTION IF EXISTS pantau_rollup_hours_per_day()`);
  for (const table of [
    "rollup_used_year_day",
    "rollup_used_year",
    "rollup_used_month",
    "rollup_clock_month",
    "rollup_received_month",
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
