// Lighter writes for the clocks and events that imports write by the hundred thousand:
// - sla_clocks loses its foreign keys. Clocks are derived data: the engine writes them only from
//   a report it has just read or written in the same transaction, and their agency is that
//   report's or one of its events' (both checked by their own foreign keys) or the coordinator.
//   Each key cost a lookup and a row lock on the referenced row for every clock written (about
//   15% of the server's work in a large import); `pantau recompute` rebuilds clocks anyway.
// - report_events loses its (tracking_id, at) index: the unique identity index
//   (tracking_id, kind, at, opd) already serves every lookup by report.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE sla_clocks DROP CONSTRAINT IF EXISTS sla_clocks_tracking_id_foreign`);
  await knex.raw(`ALTER TABLE sla_clocks DROP CONSTRAINT IF EXISTS sla_clocks_opd_foreign`);
  await knex.raw(`DROP INDEX IF EXISTS report_events_tracking_id_at_index`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX IF NOT EXISTS report_events_tracking_id_at_index
    ON report_events (tracking_id, at)`);
  await knex.raw(`ALTER TABLE sla_clocks
    ADD CONSTRAINT sla_clocks_tracking_id_foreign FOREIGN KEY (tracking_id) REFERENCES reports (tracking_id),
    ADD CONSTRAINT sla_clocks_opd_foreign FOREIGN KEY (opd) REFERENCES agencies (code)`);
}
