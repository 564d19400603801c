// notification_deliveries is keyed by its pair: (item_key, person, channel) becomes the primary
// key, and the surrogate id and the foreign key to outbox go. The notify step is the table's only
// writer; it writes each pair in the same transaction as the outbox message whose id it carries,
// an id the outbox insert has just returned, and outbox rows are never deleted. Nothing reads
// the surrogate id. Both cost the scan per pair written: one more index and a sequence step, and
// a key-share lookup of the outbox row (a row trigger per pair), about a third of the time of the
// notify step's delivery write at 10,000 due reports (docs/benchmarks.md, "Scan and outbox").
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `ALTER TABLE notification_deliveries
       DROP CONSTRAINT IF EXISTS notification_deliveries_outbox_id_foreign`,
  );
  await knex.raw(`ALTER TABLE notification_deliveries DROP COLUMN id`);
  await knex.raw(
    `ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_once`,
  );
  await knex.raw(
    `ALTER TABLE notification_deliveries
       ADD CONSTRAINT notification_deliveries_once PRIMARY KEY (item_key, person, channel)`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    `ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_once`,
  );
  await knex.raw(
    `ALTER TABLE notification_deliveries
       ADD CONSTRAINT notification_deliveries_once UNIQUE (item_key, person, channel)`,
  );
  await knex.raw(`ALTER TABLE notification_deliveries ADD COLUMN id bigserial PRIMARY KEY`);
  await knex.raw(
    `ALTER TABLE notification_deliveries
       ADD CONSTRAINT notification_deliveries_outbox_id_foreign
       FOREIGN KEY (outbox_id) REFERENCES outbox (id)`,
  );
}
