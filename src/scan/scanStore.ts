// The scan's own statements on reports and clocks: which reports are due (locked so parallel
// scanners split the work), the write of a batch's re-derived clocks (one statement, with the
// escalation steps already folded into next_check_at and the clocks marked as examined), and the
// scan_runs audit rows that /readyz and metrics read. A stopped clock is never rewritten and open
// clocks the derivation no longer produces are removed, as saveClocks does.
import type { Knex } from "knex";
import type { Instant, SlaClock } from "../core/types.js";
import { ColumnBatch, type BulkSession } from "../store/bulkSession.js";
import {
  CLOCK_COLUMNS,
  CLOCK_INSTANTS,
  REMOVE_STALE_CLOCKS,
  clockCells,
  names,
  selectList,
  unnest,
} from "../store/importWrites.js";
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

const CLOCK_MERGE = CLOCK_COLUMNS.map(([n]) => n)
  .filter((n) => n !== "tracking_id" && n !== "stage" && n !== "seq")
  .concat("computed_at", "escalation_checked_at");

const P_STAMP = CLOCK_COLUMNS.length + 1;

/** Upsert of a batch's clocks, stamped as computed and examined at the last parameter. */
const SAVE_SCANNED_CLOCKS = `INSERT INTO sla_clocks AS s (${names(CLOCK_COLUMNS)}, computed_at, escalation_checked_at)
SELECT ${selectList(CLOCK_COLUMNS, CLOCK_INSTANTS)}, $${P_STAMP}::timestamptz, $${P_STAMP}::timestamptz
FROM ${unnest(CLOCK_COLUMNS, 1, "u")}
ON CONFLICT (tracking_id, stage, seq) DO UPDATE SET ${CLOCK_MERGE.map((c) => `${c} = excluded.${c}`).join(", ")}
WHERE s.stopped_at IS NULL`;

/** Stored stopped clocks of the batch (never rewritten) count as examined too. */
const MARK_EXAMINED = `UPDATE sla_clocks SET escalation_checked_at = computed_at
WHERE tracking_id = ANY($1::text::text[]) AND escalation_checked_at IS DISTINCT FROM computed_at`;

/**
 * Writes the clocks of a batch of reports re-derived at `now` (keyed by tracking ID; each
 * clock's next_check_at already the earlier of its own next instant and its next escalation
 * step) and marks every clock of these reports as examined by the escalation step. Three
 * statements whatever the batch size.
 */
export async function saveScannedClocks(
  session: BulkSession,
  derived: ReadonlyMap<string, readonly SlaClock[]>,
  now: Instant,
): Promise<void> {
  if (derived.size === 0) return;
  const clocks = new ColumnBatch(CLOCK_COLUMNS.length);
  const keep = new ColumnBatch(2);
  const ids = new ColumnBatch(1);
  for (const [trackingId, list] of derived) {
    for (const c of list) clocks.add(clockCells(c));
    keep.add([trackingId, list.map((c) => `${c.stage}:${c.seq}`).join(",")]);
    ids.add([trackingId]);
  }
  const steps: Promise<unknown>[] = [];
  if (clocks.rows > 0) {
    steps.push(session.query(SAVE_SCANNED_CLOCKS, [...clocks.literals(), new Date(now)]));
  }
  steps.push(session.query(REMOVE_STALE_CLOCKS, keep.literals()));
  steps.push(session.query(MARK_EXAMINED, ids.literals()));
  await Promise.all(steps);
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
