// Scan bookkeeping: which reports are due (locked so parallel scanners split the work) and the
// scan_runs audit rows that /readyz and metrics read.
import type { Knex } from "knex";
import type { Instant } from "../core/types.js";
import type { Db } from "../store/reportStore.js";

/**
 * Reports with a clock whose next instant has come, locked for this transaction. Locks are taken
 * on the report row, which every writer of a report's clocks takes, and rows held by another
 * scanner are skipped (FOR UPDATE SKIP LOCKED).
 */
export async function lockDueReports(
  trx: Knex.Transaction,
  now: Instant,
  limit: number,
): Promise<string[]> {
  const due = trx("sla_clocks")
    .select("tracking_id")
    .where("next_check_at", "<=", new Date(now))
    .orderBy("next_check_at")
    .limit(limit * 3);
  const rows = (await trx("reports")
    .select("tracking_id")
    .whereIn("tracking_id", due)
    .limit(limit)
    .forUpdate()
    .skipLocked()) as { tracking_id: string }[];
  return rows.map((r) => r.tracking_id);
}

export async function startScanRun(
  db: Db,
  instance: string,
  now: Instant,
  startedAt: Instant,
): Promise<number> {
  const [row] = (await db("scan_runs")
    .insert({ instance, now_at: new Date(now), started_at: new Date(startedAt) })
    .returning("id")) as { id: number | string }[];
  return Number(row?.id);
}

export async function finishScanRun(
  db: Db,
  id: number,
  result: { finishedAt: Instant; clocksDue: number; reportsRefreshed: number; error?: string },
): Promise<void> {
  await db("scan_runs")
    .where({ id })
    .update({
      finished_at: new Date(result.finishedAt),
      clocks_due: result.clocksDue,
      reports_refreshed: result.reportsRefreshed,
      error: result.error ?? null,
    });
}

export async function lastSuccessfulScan(
  db: Db,
): Promise<{ finishedAt: Instant; nowAt: Instant } | null> {
  const row = (await db("scan_runs")
    .select("finished_at", "now_at")
    .whereNotNull("finished_at")
    .whereNull("error")
    .orderBy("finished_at", "desc")
    .first()) as { finished_at: Date; now_at: Date } | undefined;
  return row ? { finishedAt: row.finished_at.getTime(), nowAt: row.now_at.getTime() } : null;
}
