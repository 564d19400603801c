// One scan: the due reports, then a review pass, then the notify step, then the daily digest, in
// that order, the passes in batches with one transaction per batch. A batch: lock its reports
// (FOR UPDATE SKIP LOCKED, so parallel scanners split the work), read their histories and stored
// decisions, derive their clocks (pure), decide and write their escalations (escalationRun.ts),
// store the clocks with their next check. A fixed, small number of statements per batch,
// whatever its size; none per report. On PostgreSQL the due pass overlaps two batches: the next
// one locks, reads and derives while the server writes the previous one (see scanDuePass).
//
// - due pass: reports with a clock whose next_check_at has come (recorded in scan_runs);
// - review pass: clocks re-derived outside the scan (an import stopped or paused them, a
//   recomputation changed their SOP);
// - notify step (notifyStep.ts): one message per person for every decision waiting for one
//   (decided now, by a crashed scan, or whose message was cancelled with a sibling's);
// - the daily digest (digest.ts), one per person per working day.
// On PostgreSQL one scan runs at a time across instances (an advisory lock per schema): a second
// instance skips its scan and says so. The embedded database serves one process.
import type { Knex } from "knex";
import { deriveClocks } from "../core/sla/clocks.js";
import type { Instant, SlaClock } from "../core/types.js";
import type { AppContext } from "../context/appContext.js";
import { BulkSession, keyLookupsOnly } from "../store/bulkSession.js";
import { queueLoadHistories } from "../store/importWrites.js";
import { refreshReports } from "./clockService.js";
import { runReminders } from "./digest.js";
import { EscalationRun, clockView, emptyCounts, type EscalationCounts } from "./escalationRun.js";
import { loadDecisions } from "./escalationStore.js";
import { runNotifyStep } from "./notifyStep.js";
import {
  finishScanRun,
  loadStoredClocks,
  lockDueReports,
  saveScannedClocks,
  startScanRun,
} from "./scanStore.js";

export interface ScanResult {
  scanId: number;
  reportsRefreshed: number;
  batches: number;
}

export interface EscalationScanResult extends ScanResult {
  /** True when another instance was scanning (PostgreSQL): nothing was done. */
  skipped: boolean;
  /** Reports reviewed outside the due scan (re-derived elsewhere). */
  reportsReviewed: number;
  escalation: EscalationCounts;
  /**
   * Wall time of the scan's parts by the scan's wall clock (0 without one): the due and review
   * passes, the notify step, the daily digest.
   */
  phases: { decideMs: number; notifyMs: number; digestMs: number };
}

export interface EscalationScanOptions {
  batchSize?: number;
  wallClock?: () => Instant;
}

interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<unknown>;
}

/** Takes the schema's scan lock on a dedicated connection; null if another instance holds it. */
async function tryScanLock(ctx: AppContext): Promise<(() => Promise<void>) | null> {
  if (ctx.db.kind !== "postgres") return async () => undefined;
  const knex = ctx.db.knex;
  const client = knex.client as unknown as PoolClient;
  const connection = await client.acquireConnection();
  try {
    const result = (await knex
      .raw("SELECT pg_try_advisory_lock(hashtext('pantau.scan.' || current_schema())) AS locked")
      .connection(connection)) as { rows: { locked: boolean }[] };
    if (result.rows[0]?.locked !== true) {
      await client.releaseConnection(connection);
      return null;
    }
  } catch (error) {
    await client.releaseConnection(connection);
    throw error;
  }
  return async () => {
    try {
      await knex
        .raw("SELECT pg_advisory_unlock(hashtext('pantau.scan.' || current_schema()))")
        .connection(connection);
    } finally {
      await client.releaseConnection(connection);
    }
  };
}

/**
 * One batch of locked reports: histories and stored decisions read together, clocks derived,
 * escalations decided and written, clocks stored with their next check. With no `run` (scanDue)
 * the clocks are only refreshed, as any re-derivation outside the scan does. The clocks' writes
 * wait for `order.after` (the previous batch's commit, when batches overlap: see scanDuePass).
 */
async function scanBatch(
  ctx: AppContext,
  run: EscalationRun | null,
  trx: Knex.Transaction,
  ids: readonly string[],
  now: Instant,
  order: WriteOrder = { after: Promise.resolve(), planned: () => undefined },
): Promise<void> {
  if (!run) {
    order.planned();
    await order.after;
    await refreshReports(ctx, trx, ids, now);
    return;
  }
  await keyLookupsOnly(trx);
  const session = await BulkSession.open(ctx.db.kind, trx);
  const [histories, decisions, stored] = await Promise.all([
    queueLoadHistories(session, ids),
    loadDecisions(session, ids),
    loadStoredClocks(session, ids),
  ]);
  const clockContext = ctx.calendars.clockContext();
  const views = [];
  for (const history of histories.values()) {
    const derived = deriveClocks(history.report, history.events, clockContext, now);
    for (const clock of derived.clocks) views.push(clockView(clock, history.report));
  }
  const plan = run.plan(views, decisions, now);
  const byReport = new Map<string, SlaClock[]>([...histories.keys()].map((id) => [id, []]));
  for (const clock of plan.clocks) byReport.get(clock.trackingId)?.push(clock);
  order.planned();
  // The decisions of distinct reports share no row with another batch's, unless some are
  // cancelled (their messages may carry items of other reports): those wait, as the clocks do.
  if (plan.cancel.length > 0) await order.after;
  await run.write(trx, session, plan, now);
  await order.after;
  await saveScannedClocks(session, byReport, stored, now);
}

/** When a batch may write its clocks, and whom to tell once its own work is done. */
interface WriteOrder {
  /** The previous batch's commit (see scanDuePass). */
  after: Promise<unknown>;
  /** Called once the batch is derived and decided, before it writes. */
  planned: () => void;
}

/** One batch's transaction, started. */
interface StartedBatch {
  /**
   * The number of reports it locked, once they are derived and decided; 0 once it found none
   * due, or failed (the failure is thrown by `committed`).
   */
  planned: Promise<number>;
  /** The number of reports refreshed, once committed. */
  committed: Promise<number>;
}

/**
 * The due pass: batches of reports whose clocks' next instant has come, until none is left. On
 * PostgreSQL two batches overlap, each in its own transaction: while the server writes one, the
 * next locks its reports (FOR UPDATE SKIP LOCKED passes over the first one's), reads them,
 * derives their clocks, decides and inserts its decisions; its clocks' writes wait for the
 * first one's commit, so the two never wait on each other's locks (the rows of the kept counts
 * and rollups, which the clocks' triggers write in every batch). A batch that finds nothing
 * while another is in flight tries again once that one has committed: its reports may have
 * hidden the rest of the due clocks from the lock's first look. A report refreshed at `now` is
 * not due again at `now`; should a batch find only reports the last batches refreshed (a clock
 * whose next check is not after `now`, as a stopped clock some other writer left with one), the
 * pass stops there and says so, instead of refreshing them for ever.
 */
async function scanDuePass(
  ctx: AppContext,
  run: EscalationRun | null,
  now: Instant,
  batchSize: number,
  wallClock: () => Instant,
): Promise<ScanResult> {
  const knex = ctx.db.knex;
  const overlap = ctx.db.kind === "postgres" && run !== null;
  const scanId = await startScanRun(knex, ctx.instanceId, now, wallClock());
  let reportsRefreshed = 0;
  let batches = 0;
  // The reports of the last batches (enough to span a batch in flight and the one before it).
  const recent: (readonly string[])[] = [];
  let dueAgain: readonly string[] = [];
  const refreshedRecently = (ids: readonly string[]): boolean => {
    const seen = new Set(recent.flat());
    return ids.every((id) => seen.has(id));
  };
  const start = (after: Promise<unknown>): StartedBatch => {
    let signal!: (n: number) => void;
    const planned = new Promise<number>((resolve) => (signal = resolve));
    const committed = knex.transaction(async (trx) => {
      const ids = await lockDueReports(trx, now, batchSize);
      if (ids.length > 0 && refreshedRecently(ids)) {
        dueAgain = ids;
        return 0;
      }
      if (ids.length > 0) {
        recent.push(ids);
        if (recent.length > 4) recent.shift();
        await scanBatch(ctx, run, trx, ids, now, { after, planned: () => signal(ids.length) });
      }
      return ids.length;
    });
    void committed.then(
      () => signal(0),
      () => signal(0),
    );
    return { planned, committed };
  };
  // With overlap: the batch in flight (committed, not yet counted) and the one starting.
  let previous: Promise<number> | null = null;
  let current: Promise<number> | null = null;
  try {
    for (;;) {
      const batch = start(previous ?? Promise.resolve(0));
      current = batch.committed;
      void current.catch(() => undefined);
      const found = overlap ? await batch.planned : await batch.committed;
      const waited: boolean = previous !== null;
      if (previous) {
        reportsRefreshed += await previous;
        batches++;
        previous = null;
      }
      if (found === 0) {
        await batch.committed;
        // Nothing found beside a batch in flight: look again now that it has committed.
        if (waited) continue;
        break;
      }
      if (overlap) {
        previous = batch.committed;
        continue;
      }
      reportsRefreshed += found;
      batches++;
    }
    if (dueAgain.length > 0) {
      ctx.logger.error(
        "reports due again right after this scan refreshed them (a clock's next check is not after the scan's instant): the due pass stops; check these reports' clocks (pantau explain)",
        { count: dueAgain.length, first: dueAgain[0] },
      );
    }
    await finishScanRun(knex, scanId, {
      finishedAt: wallClock(),
      clocksDue: reportsRefreshed,
      reportsRefreshed,
    });
  } catch (error) {
    // No transaction of this pass is left running when the scan reports its failure.
    await Promise.allSettled([previous, current]);
    await finishScanRun(knex, scanId, {
      finishedAt: wallClock(),
      clocksDue: reportsRefreshed,
      reportsRefreshed,
      error: error instanceof Error ? error.message : String(error),
    }).catch(() => undefined);
    throw error;
  }
  return { scanId, reportsRefreshed, batches };
}

/**
 * The due pass alone, without the escalation step: refreshes the due reports' clocks (tests and
 * tools that look at clocks only). Cost follows the due work, not the open reports.
 */
export async function scanDue(
  ctx: AppContext,
  now: Instant,
  options: EscalationScanOptions = {},
): Promise<ScanResult> {
  return scanDuePass(ctx, null, now, options.batchSize ?? 1000, options.wallClock ?? (() => now));
}

type Candidates = (db: Knex.Transaction, after: string, limit: number) => Promise<string[]>;

/** A review pass: the reports `candidates` finds, keyset-paged by tracking ID (each once). */
async function reviewPass(
  ctx: AppContext,
  run: EscalationRun,
  now: Instant,
  batchSize: number,
  candidates: Candidates,
): Promise<number> {
  let after = "";
  let reviewed = 0;
  for (;;) {
    const done = await ctx.db.knex.transaction(async (trx) => {
      const ids = await candidates(trx, after, batchSize);
      if (ids.length === 0) return null;
      after = ids[ids.length - 1]!;
      const locked = (await trx("reports")
        .select("tracking_id")
        .whereIn("tracking_id", ids)
        .forUpdate()
        .skipLocked()) as { tracking_id: string }[];
      if (locked.length === 0) return 0;
      await scanBatch(
        ctx,
        run,
        trx,
        locked.map((r) => r.tracking_id),
        now,
      );
      return locked.length;
    });
    if (done === null) break;
    reviewed += done;
  }
  return reviewed;
}

/** Clocks re-derived outside the scan since their steps were last examined. */
const uncheckedReports: Candidates = async (db, after, limit) => {
  const rows = (await db("sla_clocks")
    .distinct("tracking_id")
    .whereRaw("escalation_checked_at IS DISTINCT FROM computed_at")
    .where("tracking_id", ">", after)
    .orderBy("tracking_id")
    .limit(limit)) as { tracking_id: string }[];
  return rows.map((r) => r.tracking_id);
};

/**
 * The scan's deciding passes — the due pass and the review pass with escalation — without the
 * notify step: what a scan has committed when it dies before composing (tests, tools).
 */
export async function decideDue(
  ctx: AppContext,
  run: EscalationRun,
  now: Instant,
  options: EscalationScanOptions = {},
): Promise<{ scan: ScanResult; reviewed: number }> {
  const batchSize = options.batchSize ?? 1000;
  const scan = await scanDuePass(ctx, run, now, batchSize, options.wallClock ?? (() => now));
  const reviewed = await reviewPass(ctx, run, now, batchSize, uncheckedReports);
  return { scan, reviewed };
}

/** One scan at `now` with escalation (see the comment at the top). */
export async function runEscalationScan(
  ctx: AppContext,
  now: Instant,
  options: EscalationScanOptions = {},
): Promise<EscalationScanResult> {
  const unlock = await tryScanLock(ctx);
  if (!unlock) {
    ctx.logger.info("scan skipped: another instance is scanning this database", {
      instance: ctx.instanceId,
    });
    return {
      scanId: 0,
      reportsRefreshed: 0,
      batches: 0,
      skipped: true,
      reportsReviewed: 0,
      escalation: emptyCounts(),
      phases: { decideMs: 0, notifyMs: 0, digestMs: 0 },
    };
  }
  try {
    const run = new EscalationRun(ctx, now, `${new Date(now).toISOString()}@${ctx.instanceId}`);
    const wallClock = options.wallClock ?? (() => now);
    const t0 = wallClock();
    const { scan, reviewed } = await decideDue(ctx, run, now, options);
    const t1 = wallClock();
    await runNotifyStep(ctx, run, now);
    const t2 = wallClock();
    await runReminders(ctx, run, now);
    const phases = { decideMs: t1 - t0, notifyMs: t2 - t1, digestMs: wallClock() - t2 };
    return { ...scan, skipped: false, reportsReviewed: reviewed, escalation: run.counts, phases };
  } finally {
    await unlock();
  }
}
