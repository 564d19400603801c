// Initial schema: agencies (synced from config), reports, their append-only event history, the
// derived SLA clocks with their next instant of change (indexed, so scans read only what is due),
// and audit rows for scans and explicit recomputations. No reporter identity is stored anywhere.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("agencies", (t) => {
    t.text("code").primary();
    t.text("name").notNullable();
    t.text("kind").notNullable();
    t.text("zone").notNullable();
    t.boolean("has_own_sop").notNullable().defaultTo(false);
    // false once an agency disappears from config/agencies.yaml; kept for history.
    t.boolean("active").notNullable().defaultTo(true);
    t.timestamp("synced_at", { useTz: true }).notNullable();
  });

  await knex.schema.createTable("reports", (t) => {
    t.text("tracking_id").primary();
    t.text("opd").nullable().references("code").inTable("agencies");
    t.text("type").notNullable();
    t.text("complexity").notNullable().defaultTo("unknown");
    t.text("category").nullable();
    t.text("channel").nullable();
    t.boolean("anonymous").notNullable().defaultTo(false);
    t.boolean("confidential").notNullable().defaultTo(false);
    t.boolean("contact_complete").notNullable().defaultTo(true);
    t.timestamp("received_at", { useTz: true }).notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable();
    t.index(["opd"]);
    t.index(["received_at"]);
  });
  await knex.raw(
    `ALTER TABLE reports ADD CONSTRAINT reports_tracking_id_numeric CHECK (tracking_id ~ '^[0-9]{1,20}$'),
     ADD CONSTRAINT reports_type_known CHECK (type IN ('pengaduan','aspirasi','permintaan_informasi'))`,
  );

  await knex.schema.createTable("report_events", (t) => {
    t.bigIncrements("id").primary();
    t.text("tracking_id").notNullable().references("tracking_id").inTable("reports");
    t.text("kind").notNullable();
    t.timestamp("at", { useTz: true }).notNullable();
    t.text("opd").nullable().references("code").inTable("agencies");
    // Where the event came from: "import:<file name>", "api:<token name>", "demo".
    t.text("source").notNullable();
    t.timestamp("recorded_at", { useTz: true }).notNullable();
    t.index(["tracking_id", "at"]);
  });
  // The same milestone imported twice is one event: this index makes re-imports idempotent.
  await knex.raw(
    `CREATE UNIQUE INDEX report_events_identity ON report_events (tracking_id, kind, at, (coalesce(opd, '')))`,
  );

  await knex.schema.createTable("sla_clocks", (t) => {
    t.text("tracking_id").notNullable().references("tracking_id").inTable("reports");
    t.text("stage").notNullable();
    t.integer("seq").notNullable();
    t.text("opd").notNullable().references("code").inTable("agencies");
    t.text("sop_id").notNullable();
    t.text("sop_version").notNullable();
    t.double("target_amount").notNullable();
    t.text("target_unit").notNullable();
    t.timestamp("started_at", { useTz: true }).notNullable();
    t.timestamp("due_at", { useTz: true }).nullable();
    t.timestamp("at_risk_at", { useTz: true }).nullable();
    t.timestamp("stopped_at", { useTz: true }).nullable();
    t.double("used_ms").notNullable();
    t.text("outcome").notNullable();
    t.text("state").notNullable();
    t.jsonb("pauses").notNullable();
    // The next instant at which anything changes for this clock; null when nothing will.
    t.timestamp("next_check_at", { useTz: true }).nullable();
    t.timestamp("computed_at", { useTz: true }).notNullable();
    t.primary(["tracking_id", "stage", "seq"]);
  });
  await knex.raw(
    `CREATE INDEX sla_clocks_next_check ON sla_clocks (next_check_at) WHERE next_check_at IS NOT NULL`,
  );
  await knex.raw(
    `CREATE INDEX sla_clocks_open_by_opd ON sla_clocks (opd, stage) WHERE stopped_at IS NULL`,
  );
  await knex.raw(
    `CREATE INDEX sla_clocks_stopped_by_opd ON sla_clocks (opd, stopped_at) WHERE stopped_at IS NOT NULL`,
  );

  await knex.schema.createTable("scan_runs", (t) => {
    t.bigIncrements("id").primary();
    t.text("instance").notNullable();
    t.timestamp("now_at", { useTz: true }).notNullable();
    t.timestamp("started_at", { useTz: true }).notNullable();
    t.timestamp("finished_at", { useTz: true }).nullable();
    t.integer("clocks_due").notNullable().defaultTo(0);
    t.integer("reports_refreshed").notNullable().defaultTo(0);
    t.text("error").nullable();
  });

  await knex.schema.createTable("clock_recomputations", (t) => {
    t.bigIncrements("id").primary();
    t.text("reason").notNullable();
    t.timestamp("now_at", { useTz: true }).notNullable();
    t.timestamp("started_at", { useTz: true }).notNullable();
    t.timestamp("finished_at", { useTz: true }).nullable();
    t.integer("reports").notNullable().defaultTo(0);
    t.integer("clocks_changed").notNullable().defaultTo(0);
    t.text("config_fingerprint").notNullable();
  });

  // Single-row facts about this database (the config fingerprint the open clocks were computed with).
  await knex.schema.createTable("pantau_meta", (t) => {
    t.text("key").primary();
    t.text("value").notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    "pantau_meta",
    "clock_recomputations",
    "scan_runs",
    "sla_clocks",
    "report_events",
    "reports",
    "agencies",
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
