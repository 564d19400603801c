// Escalation schema: the officer directory with appointment history, escalation decisions (one
// per clock and level, enforced by a unique index that leaves cancelled rows out so that a level
// can re-arm), and the outbox of composed messages that the sender delivers. Reminder digests and
// vacancy notices are deduplicated by the outbox's unique dedupe_key. No reporter data anywhere.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("officer_appointments", (t) => {
    t.bigIncrements("id").primary();
    // Null for the regency-wide roles (coordinator, leadership).
    t.text("opd").nullable().references("code").inTable("agencies");
    t.text("role").notNullable();
    t.text("name").notNullable();
    t.text("email").notNullable();
    t.timestamp("valid_from", { useTz: true }).notNullable();
    // Null while in office; set when a later appointment (mutasi) ends this one.
    t.timestamp("valid_to", { useTz: true }).nullable();
    t.text("decree").notNullable();
    t.timestamp("imported_at", { useTz: true }).notNullable();
    // Where the row came from: "import:<file name>", "demo".
    t.text("source").notNullable();
    t.index(["opd", "role", "valid_from"]);
  });
  await knex.raw(
    `ALTER TABLE officer_appointments
       ADD CONSTRAINT officer_appointments_role CHECK (role IN ('liaison','supervisor','coordinator','leadership')),
       ADD CONSTRAINT officer_appointments_scope CHECK ((role IN ('coordinator','leadership')) = (opd IS NULL)),
       ADD CONSTRAINT officer_appointments_period CHECK (valid_to IS NULL OR valid_to > valid_from)`,
  );

  await knex.schema.createTable("outbox", (t) => {
    t.bigIncrements("id").primary();
    // "escalation|<to>|<decision keys>", "vacancy|...", "reminder|<email>|<date>": one message each.
    t.text("dedupe_key").notNullable().unique();
    t.text("message_id").notNullable();
    t.text("kind").notNullable();
    t.jsonb("to").notNullable();
    t.jsonb("cc").notNullable();
    t.jsonb("recipient_names").notNullable();
    t.text("subject").notNullable();
    t.text("text").notNullable();
    t.text("html").notNullable();
    t.jsonb("headers").notNullable();
    // Decision keys (escalation), the vacancy key, or clock keys (reminder).
    t.jsonb("items").notNullable();
    t.text("state").notNullable().defaultTo("pending");
    t.integer("attempts").notNullable().defaultTo(0);
    t.timestamp("next_attempt_at", { useTz: true }).notNullable();
    t.text("last_error").nullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("sent_at", { useTz: true }).nullable();
    // A sender that claimed the row ('sending') and until when; a later sender reclaims it after.
    t.text("locked_by").nullable();
    t.timestamp("locked_until", { useTz: true }).nullable();
    t.index(["state", "next_attempt_at"]);
  });
  await knex.raw(
    `ALTER TABLE outbox
       ADD CONSTRAINT outbox_state CHECK (state IN ('pending','sending','sent','failed','cancelled')),
       ADD CONSTRAINT outbox_kind CHECK (kind IN ('escalation','vacancy','reminder'))`,
  );

  await knex.schema.createTable("escalations", (t) => {
    t.bigIncrements("id").primary();
    // escalationKey(clock, level): "trackingId|stage|seq|level".
    t.text("decision_key").notNullable();
    t.text("tracking_id").notNullable().references("tracking_id").inTable("reports");
    t.text("stage").notNullable();
    t.integer("seq").notNullable();
    t.integer("level").notNullable();
    t.text("opd").notNullable().references("code").inTable("agencies");
    t.text("status").notNullable();
    t.text("trigger").notNullable();
    t.timestamp("step_at", { useTz: true }).notNullable();
    t.timestamp("decided_at", { useTz: true }).notNullable();
    t.text("scan_id").notNullable();
    // The outbox message that carries it (null: not composed, e.g. no recipient at all).
    t.bigInteger("email_id").nullable().references("id").inTable("outbox");
    t.text("superseded_by").nullable();
    t.timestamp("cancelled_at", { useTz: true }).nullable();
    t.timestamp("sent_at", { useTz: true }).nullable();
    // Set when nobody could receive it (role and coordinator vacant); cleared by an officer import.
    t.timestamp("undeliverable_at", { useTz: true }).nullable();
    t.index(["tracking_id"]);
    t.index(["email_id"]);
  });
  await knex.raw(
    `ALTER TABLE escalations
       ADD CONSTRAINT escalations_status CHECK (status IN ('pending','sent','superseded','cancelled'))`,
  );
  // Each (clock, level) is taken once; cancelled rows are outside so that the level re-arms.
  await knex.raw(
    `CREATE UNIQUE INDEX escalations_once ON escalations (decision_key) WHERE status <> 'cancelled'`,
  );
  // Decisions to (re)compose at the next scan.
  await knex.raw(
    `CREATE INDEX escalations_uncomposed ON escalations (tracking_id)
       WHERE status = 'pending' AND email_id IS NULL AND undeliverable_at IS NULL`,
  );

  // Clocks whose escalation steps were not looked at since they were last derived (an import or
  // a recomputation re-derived them outside the scan): the scan reviews exactly these.
  await knex.schema.alterTable("sla_clocks", (t) => {
    t.timestamp("escalation_checked_at", { useTz: true }).nullable();
  });
  await knex.raw(
    `CREATE INDEX sla_clocks_escalation_unchecked ON sla_clocks (tracking_id)
       WHERE escalation_checked_at IS DISTINCT FROM computed_at`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP INDEX IF EXISTS sla_clocks_escalation_unchecked`);
  await knex.schema.alterTable("sla_clocks", (t) => {
    t.dropColumn("escalation_checked_at");
  });
  for (const table of ["escalations", "outbox", "officer_appointments"]) {
    await knex.schema.dropTableIfExists(table);
  }
}
