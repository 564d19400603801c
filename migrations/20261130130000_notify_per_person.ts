// One message per person per scan, and chat gateways (issue 13).
//
// - notification_deliveries: one row per (item, person, channel) that a message carries; the
//   unique index makes "an item already delivered to a person is never sent to them again" a
//   database rule. item_key is the escalation's decision key or a vacancy key; person is the
//   officer's email address, lowercased; channel is "email" or "webhook:<name>".
// - escalations.composed_at: the notify step at the end of a scan composed the decision (its
//   deliveries exist). Pending, uncomposed, deliverable decisions are the item outbox.
// - outbox.channel ('email' | 'webhook'), outbox.endpoint (the webhook's name), outbox.payload
//   (the JSON body a webhook receives).
// - officer_appointments.phone (E.164) and telegram_chat_id: officers' own work contacts.
//
// Pending messages of the old shape (one email with To and Cc) are kept as they are and still
// sent; their (item, person) pairs become delivery rows here, so nothing they carry is composed
// again for the same person, and their decisions count as composed.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("outbox", (t) => {
    t.text("channel").notNullable().defaultTo("email");
    t.text("endpoint").nullable();
    t.jsonb("payload").nullable();
  });
  await knex.raw(
    `ALTER TABLE outbox ADD CONSTRAINT outbox_channel CHECK (channel IN ('email','webhook'))`,
  );

  await knex.schema.createTable("notification_deliveries", (t) => {
    t.bigIncrements("id").primary();
    t.text("item_key").notNullable();
    t.text("person").notNullable();
    t.text("channel").notNullable();
    t.bigInteger("outbox_id").nullable().references("id").inTable("outbox");
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.unique(["item_key", "person", "channel"], {
      indexName: "notification_deliveries_once",
    });
    t.index(["outbox_id"]);
  });

  await knex.schema.alterTable("escalations", (t) => {
    t.timestamp("composed_at", { useTz: true }).nullable();
  });
  await knex.raw(`UPDATE escalations SET composed_at = decided_at WHERE email_id IS NOT NULL`);
  await knex.raw(`DROP INDEX IF EXISTS escalations_uncomposed`);
  await knex.raw(
    `CREATE INDEX escalations_uncomposed ON escalations (id)
       WHERE status = 'pending' AND composed_at IS NULL AND undeliverable_at IS NULL`,
  );

  // The old messages' (item, person) pairs: To and Cc of escalation emails, and vacancy notices.
  await knex.raw(
    `INSERT INTO notification_deliveries (item_key, person, channel, outbox_id, created_at)
     SELECT DISTINCT i.item, lower(p.person), 'email', o.id, o.created_at
     FROM outbox o
     CROSS JOIN LATERAL jsonb_array_elements_text(o.items) AS i(item)
     CROSS JOIN LATERAL jsonb_array_elements_text(o."to" || o.cc) AS p(person)
     WHERE o.state <> 'cancelled' AND o.kind IN ('escalation', 'vacancy')
     ON CONFLICT (item_key, person, channel) DO NOTHING`,
  );

  await knex.schema.alterTable("officer_appointments", (t) => {
    t.text("phone").nullable();
    t.text("telegram_chat_id").nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("officer_appointments", (t) => {
    t.dropColumn("phone");
    t.dropColumn("telegram_chat_id");
  });
  await knex.raw(`DROP INDEX IF EXISTS escalations_uncomposed`);
  await knex.raw(
    `CREATE INDEX escalations_uncomposed ON escalations (tracking_id)
       WHERE status = 'pending' AND email_id IS NULL AND undeliverable_at IS NULL`,
  );
  await knex.schema.alterTable("escalations", (t) => {
    t.dropColumn("composed_at");
  });
  await knex.schema.dropTableIfExists("notification_deliveries");
  await knex.raw(`ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_channel`);
  await knex.schema.alterTable("outbox", (t) => {
    t.dropColumn("channel");
    t.dropColumn("endpoint");
    t.dropColumn("payload");
  });
}
