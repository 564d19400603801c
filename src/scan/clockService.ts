// Keeps stored clocks in step with report histories outside the scan's escalation step:
// re-derives the clocks of given reports, and recomputes open clocks after a calendar or SOP
// change (explicitly, audited in clock_recomputations). Clocks written here are left for the
// scan's review pass to examine (escalation_checked_at stays behind computed_at).
import type { Knex } from "knex";
import { deriveClocks, type ClockWarning } from "../core/sla/clocks.js";
import type { Instant, SlaClock } from "../core/types.js";
import { loadHistories, reportsWithOpenClocks, saveClocks, setMeta } from "../store/reportStore.js";
import { BulkSession } from "../store/bulkSession.js";
import { clockConfigFingerprint, type AppContext } from "../context/appContext.js";

export interface RefreshResult {
  reports: number;
  clocks: SlaClock[];
  warnings: { trackingId: string; warning: ClockWarning }[];
}

/** Re-derives and stores the clocks of these reports from their full event histories. */
export async function refreshReports(
  ctx: AppContext,
  trx: Knex.Transaction,
  trackingIds: readonly string[],
  now: Instant,
): Promise<RefreshResult> {
  const histories = await loadHistories(trx, trackingIds);
  const clockContext = ctx.calendars.clockContext();
  const clocks: SlaClock[] = [];
  const warnings: RefreshResult["warnings"] = [];
  for (const [trackingId, history] of histories) {
    const derived = deriveClocks(history.report, history.events, clockContext, now);
    clocks.push(...derived.clocks);
    for (const warning of derived.warnings) warnings.push({ trackingId, warning });
  }
  const session = await BulkSession.open(ctx.db.kind, trx);
  await saveClocks(session, [...histories.keys()], clocks, now);
  return { reports: histories.size, clocks, warnings };
}

export interface RecomputeResult {
  reports: number;
  clocksChanged: number;
  fingerprint: string;
}

function clockKey(c: { trackingId: string; stage: string; seq: number }): string {
  return `${c.trackingId}|${c.stage}|${c.seq}`;
}

/**
 * Re-derives every open clock with the current calendar and SOPs (after a holiday decree or SOP
 * change). Stopped clocks keep their outcome. Audited in clock_recomputations and logged.
 */
export async function recomputeOpenClocks(
  ctx: AppContext,
  now: Instant,
  reason: string,
  wallClock: () => Instant = () => now,
): Promise<RecomputeResult> {
  const knex = ctx.db.knex;
  const fingerprint = clockConfigFingerprint(ctx.config);
  const [row] = (await knex("clock_recomputations")
    .insert({
      reason,
      now_at: new Date(now),
      started_at: new Date(wallClock()),
      config_fingerprint: fingerprint,
    })
    .returning("id")) as { id: number | string }[];
  const runId = Number(row?.id);
  ctx.logger.info("recompute started", { runId, reason, fingerprint });
  let after: string | null = null;
  let reports = 0;
  let clocksChanged = 0;
  for (;;) {
    const ids = await reportsWithOpenClocks(knex, after, 500);
    if (ids.length === 0) break;
    after = ids[ids.length - 1] ?? null;
    await knex.transaction(async (trx) => {
      await trx("reports").select("tracking_id").whereIn("tracking_id", ids).forUpdate();
      const before = new Map<string, string>();
      const rows = (await trx("sla_clocks")
        .select("tracking_id", "stage", "seq", "due_at", "outcome", "sop_id", "sop_version")
        .whereIn("tracking_id", ids)
        .whereNull("stopped_at")) as {
        tracking_id: string;
        stage: string;
        seq: number;
        due_at: Date | null;
        outcome: string;
        sop_id: string;
        sop_version: string;
      }[];
      for (const r of rows) {
        before.set(
          clockKey({ trackingId: r.tracking_id, stage: r.stage, seq: r.seq }),
          `${r.due_at?.getTime() ?? "-"}|${r.outcome}|${r.sop_id}|${r.sop_version}`,
        );
      }
      const result = await refreshReports(ctx, trx, ids, now);
      for (const c of result.clocks) {
        const previous = before.get(clockKey(c));
        if (previous === undefined) continue;
        if (previous !== `${c.dueAt ?? "-"}|${c.outcome}|${c.sopId}|${c.sopVersion}`)
          clocksChanged++;
      }
    });
    reports += ids.length;
  }
  await knex("clock_recomputations")
    .where({ id: runId })
    .update({ finished_at: new Date(wallClock()), reports, clocks_changed: clocksChanged });
  await setMeta(knex, "clock_config_fingerprint", fingerprint, now);
  ctx.logger.info("recompute finished", { runId, reports, clocksChanged });
  return { reports, clocksChanged, fingerprint };
}
