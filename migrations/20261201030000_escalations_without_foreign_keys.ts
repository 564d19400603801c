// escalations loses its foreign keys to reports and agencies, as sla_clocks did for the bulk
// write path (20261128000005_bulk_write_path.ts). The scan is their only writer: it decides a
// batch's escalations from the clocks it has just derived from reports it holds locked (FOR
// UPDATE, in the same transaction), and those clocks' agencies come from the agency directory;
// reports and agencies are never deleted. The checks added nothing but cost: one key-share
// lookup in reports and one in agencies per decision written, about half of the time of the
// scan's decision insert at 1,000,000 reports (profile in docs/benchmarks.md, "Scan and outbox").
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    "ALTER TABLE escalations DROP CONSTRAINT IF EXISTS escalations_tracking_id_foreign",
  );
  await knex.raw("ALTER TABLE escalations DROP CONSTRAINT IF EXISTS escalations_opd_foreign");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    `ALTER TABLE escalations
       ADD CONSTRAINT escalations_tracking_id_foreign FOREIGN KEY (tracking_id) REFERENCES reports (tracking_id),
       ADD CONSTRAINT escalations_opd_foreign FOREIGN KEY (opd) REFERENCES agencies (code)`,
  );
}
