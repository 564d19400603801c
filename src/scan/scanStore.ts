// The scan's own statements on reports and clocks: which reports are due (locked so parallel
// scanners split the work), the read of a batch's stored clocks and the write of its re-derived
// ones (new ones and stored open ones apart, with the escalation steps already folded into
// next_check_at and the clocks marked as examined), and the scan_runs audit rows that /readyz and
// metrics read. A stopped clock is never rewritten and open clocks the derivation no longer
// produces are removed, as saveClocks does.
import type { Knex } from "knex";
import type { Instant, SlaClock } from "../core/types.js";
import { ColumnBatch, type BulkSession } from "../store/bulkSession.js";
import {
  CLOCK_COLUMNS,
  REMOVE_STALE_CLOCKS,
  clockCells,
  insertClocksSql,
  updateOpenClocksSql,
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

/** The batch's new clocks, then its stored open ones, stamped as computed and examined. */
const INSERT_SCANNED_CLOCKS = insertClocksSql(1, 2, { examined: true, skipStored: true });
const UPDATE_SCANNED_CLOCKS = updateOpenClocksSql(true);

/**
 * Stored stopped clocks of these reports: never rewritten (their outcome is history), but they
 * count as examined, and a next check left on one (a stopped clock has none: another writer left
 * it) is cleared, or the report would be due again at every scan.
 */
const SETTLE_STOPPED = `UPDATE sla_clocks SET escalation_checked_at = computed_at, next_check_at = NULL
WHERE tracking_id = ANY($1::text::text[]) AND stopped_at IS NOT NULL
  AND (escalation_checked_at IS DISTINCT FROM computed_at OR next_check_at IS NOT NULL)`;

const LOAD_STORED_CLOCKS = `SELECT tracking_id, stage, seq, stopped_at IS NOT NULL AS stopped,
  escalation_checked_at IS DISTINCT FROM computed_at OR next_check_at IS NOT NULL AS unsettled
FROM sla_clocks WHERE tracking_id = ANY($1::text::text[])`;

/** A stored clock as the scan's write needs it. */
export interface StoredClock {
  stopped: boolean;
  /**
   * Not yet examined by the escalation step since it was last computed, or (stopped) still
   * carrying a next check.
   */
  unsettled: boolean;
}

/** Stored clocks of a batch, by report, then by "stage:seq". */
export type StoredClocks = ReadonlyMap<string, ReadonlyMap<string, StoredClock>>;

/**
 * Queues the read of the stored clocks of `ids` (whose reports the batch has locked, so that
 * they cannot change before its commit): which of the batch's derived clocks are new, which
 * stored open ones to update, which are stale.
 */
export async function loadStoredClocks(
  session: BulkSession,
  ids: readonly string[],
): Promise<StoredClocks> {
  const batch = new ColumnBatch(1);
  for (const id of ids) batch.add([id]);
  const rows = (await session.query(LOAD_STORED_CLOCKS, batch.literals())) as unknown as {
    tracking_id: string;
    stage: string;
    seq: number;
    stopped: boolean;
    unsettled: boolean;
  }[];
  const stored = new Map<string, Map<string, StoredClock>>();
  for (const r of rows) {
    let clocks = stored.get(r.tracking_id);
    if (!clocks) stored.set(r.tracking_id, (clocks = new Map()));
    clocks.set(`${r.stage}:${r.seq}`, { stopped: r.stopped, unsettled: r.unsettled });
  }
  return stored;
}

/**
 * Writes the clocks of a batch of reports re-derived at `now` (keyed by tracking ID; each
 * clock's next_check_at already the earlier of its own next instant and its next escalation
 * step) against what `stored` says is stored (loadStoredClocks), and marks every clock of these
 * reports as examined by the escalation step: new clocks inserted, stored open ones updated
 * (never in the same statement: see insertClocksSql), stored stopped ones left as they are (but
 * marked examined, any next check cleared), stored open ones the derivation no longer produces
 * removed. At most four
 * statements whatever the batch size; a statement with nothing to do is not sent.
 */
export async function saveScannedClocks(
  session: BulkSession,
  derived: ReadonlyMap<string, readonly SlaClock[]>,
  stored: StoredClocks,
  now: Instant,
): Promise<void> {
  const fresh = new ColumnBatch(CLOCK_COLUMNS.length);
  const open = new ColumnBatch(CLOCK_COLUMNS.length);
  const stale = new ColumnBatch(2);
  const stopped = new ColumnBatch(1);
  const none = new Map<string, StoredClock>();
  for (const [trackingId, list] of derived) {
    const before = stored.get(trackingId) ?? none;
    const keep: string[] = [];
    for (const c of list) {
      const key = `${c.stage}:${c.seq}`;
      keep.push(key);
      const s = before.get(key);
      if (s === undefined) fresh.add(clockCells(c));
      else if (!s.stopped) open.add(clockCells(c));
    }
    let removed = false;
    let unsettled = false;
    for (const [key, s] of before) {
      if (!s.stopped && !keep.includes(key)) removed = true;
      if (s.stopped && s.unsettled) unsettled = true;
    }
    if (removed) stale.add([trackingId, keep.join(",")]);
    if (unsettled) stopped.add([trackingId]);
  }
  const stamp = new Date(now);
  const steps: Promise<unknown>[] = [];
  if (fresh.rows > 0)
    steps.push(session.query(INSERT_SCANNED_CLOCKS, [stamp, ...fresh.literals()]));
  if (open.rows > 0) steps.push(session.query(UPDATE_SCANNED_CLOCKS, [stamp, ...open.literals()]));
  if (stale.rows > 0) steps.push(session.query(REMOVE_STALE_CLOCKS, stale.literals()));
  if (stopped.rows > 0) steps.push(session.query(SETTLE_STOPPED, stopped.literals()));
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
