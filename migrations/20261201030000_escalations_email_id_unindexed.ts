// escalations.email_id has not been written since issue 13 (one message per person per scan:
// the message of each (item, person) pair is in notification_deliveries.outbox_id), yet every
// decision the scan inserts and every decision it marks composed (a non-HOT update) still paid
// for its index entry and its foreign-key check. The index and the foreign key go; the column
// stays, with the links of the messages written before issue 13, for history.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE escalations DROP CONSTRAINT IF EXISTS escalations_email_id_foreign");
  await knex.raw("DROP INDEX IF EXISTS escalations_email_id_index");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX IF NOT EXISTS escalations_email_id_index ON escalations (email_id)");
  await knex.raw(
    `ALTER TABLE escalations ADD CONSTRAINT escalations_email_id_foreign
       FOREIGN KEY (email_id) REFERENCES outbox (id)`,
  );
}
