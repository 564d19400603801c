// Issue 18: a pause asked for after the due instant no longer hides the breach. Before this
// change such a clock was stored as `paused`, had no escalation steps (its pending ones were
// cancelled) and no next_check_at, so after the upgrade no scan would look at it again until its
// report changed. This marks exactly those clocks — open, with a known due instant (a pause that
// began before due leaves due_at null) and an open pause (end null) — as breached and as not yet
// examined for escalation (escalation_checked_at NULL), so the next scan's review pass
// re-derives them with the current rule and decides the levels already due. No clock is
// recomputed here: the scan does it with the pure core, the one place the rule lives.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `UPDATE sla_clocks
        SET state = 'breached', escalation_checked_at = NULL
      WHERE stopped_at IS NULL
        AND outcome IN ('open', 'breached')
        AND due_at IS NOT NULL
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(pauses) AS p WHERE p ->> 'end' IS NULL)`,
  );
}

export async function down(): Promise<void> {
  // Nothing to undo: the old code re-derives these clocks as paused on its next refresh.
}
