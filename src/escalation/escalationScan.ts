// One scan with escalation: refresh the due clocks (scanDue, escalation in each batch's
// transaction), review clocks re-derived outside the scan (an import stopped or paused them, a
// recomputation changed their SOP), then compose one message per person for every decision
// waiting for one (notifyStep.ts), then the daily reminder digest (one per person per day). On PostgreSQL one scan runs at a time across instances (an advisory lock per schema):
// a second instance skips its scan and says so. The embedded database serves one process.
import type { Knex } from "knex";
import { DateTime } from "luxon";
import { refreshReports, scanDue, type ScanResult } from "../app/clockService.js";
import type { AppContext } from "../app/context.js";
import { clockFromRow, type ClockRow } from "../store/rows.js";
import { getMeta, setMeta } from "../store/reportStore.js";
import {
  reminderDueKeys,
  type StoredClockView,
  type ReminderRecipient,
} from "../core/escalation/ladder.js";
import { resolveRoleRecipients } from "../core/escalation/recipients.js";
import { composeReminderEmails } from "../core/notify/compose.js";
import type { Instant } from "../core/types.js";
import {
  EscalationRun,
  clockViews,
  composeContext,
  emptyCounts,
  ladderFor,
  type EscalationCounts,
} from "./escalationRun.js";
import { runNotifyStep } from "./notifyStep.js";
import { enqueue, existingKeys } from "./outboxStore.js";

export interface EscalationScanResult extends ScanResult {
  /** True when another instance was scanning (PostgreSQL): nothing was done. */
  skipped: boolean;
  /** Reports reviewed outside the due scan (re-derived elsewhere, or awaiting a message). */
  reportsReviewed: number;
  escalation: EscalationCounts;
}

export interface EscalationScanOptions {
  batchSize?: number;
  wallClock?: () => Instant;
}

const REMINDER_META = "reminder_digest_date";

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
 * Locks and refreshes, batch by batch, the reports found by `candidates` (keyset-paged by
 * tracking ID, so each is looked at once per scan), running the escalation step for them.
 */
async function reviewPass(
  ctx: AppContext,
  run: EscalationRun,
  now: Instant,
  batchSize: number,
  candidates: (db: Knex.Transaction, after: string, limit: number) => Promise<string[]>,
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
      const result = await refreshReports(
        ctx,
        trx,
        locked.map((r) => r.tracking_id),
        now,
      );
      await run.onBatch(trx, result, now);
      return locked.length;
    });
    if (done === null) break;
    reviewed += done;
  }
  return reviewed;
}

/** Clocks re-derived outside the scan since their steps were last examined. */
async function uncheckedReports(db: Knex.Transaction, after: string, limit: number) {
  const rows = (await db("sla_clocks")
    .distinct("tracking_id")
    .whereRaw("escalation_checked_at IS DISTINCT FROM computed_at")
    .where("tracking_id", ">", after)
    .orderBy("tracking_id")
    .limit(limit)) as { tracking_id: string }[];
  return rows.map((r) => r.tracking_id);
}

/**
 * The daily digest: once per working day of the regency, from the reminder's local time on, one
 * message per recipient listing every clock still overdue. Done once a day (marked in
 * pantau_meta in the same transaction), so ordinary scans never read all overdue clocks.
 */
async function runReminders(ctx: AppContext, run: EscalationRun, now: Instant): Promise<void> {
  const calendar = ctx.calendars.forZone(ctx.config.defaultZone);
  const ladder = ladderFor(ctx);
  const settings = ctx.config.escalation.defaultLadder.reminder;
  if (!settings.enabled) return;
  const date = calendar.localDate(now);
  if (!calendar.isWorkingDate(date)) return;
  const local = DateTime.fromMillis(now, { zone: calendar.spec.zone });
  if (local.hour * 60 + local.minute < settings.atMinute) return;
  if ((await getMeta(ctx.db.knex, REMINDER_META)) === date) return;

  await ctx.db.knex.transaction(async (trx) => {
    if ((await getMeta(trx, REMINDER_META)) === date) return;
    const rows = (await trx("sla_clocks")
      .select("*")
      .whereNull("stopped_at")
      .where("due_at", "<=", new Date(now))
      .orderBy([{ column: "due_at" }, { column: "tracking_id" }])) as ClockRow[];
    const views: StoredClockView[] = (await clockViews(trx, rows.map(clockFromRow))).filter(
      (v) => ladder(v.clock).reminder.enabled,
    );
    const appointments = await run.directory(trx);
    const recipients = (view: StoredClockView): ReminderRecipient[] => {
      const r = ladder(view.clock).reminder;
      const out: ReminderRecipient[] = [];
      for (const role of [r.to, ...r.cc]) {
        const res = resolveRoleRecipients(role, view.clock.opd, appointments, now);
        for (const x of res.recipients) out.push({ email: x.email, name: x.name });
      }
      return out;
    };
    const digests = reminderDueKeys(views, recipients, calendar, now, settings);
    const sent = await existingKeys(
      trx,
      digests.map((d) => d.key),
    );
    const emails = composeReminderEmails(
      digests.filter((d) => !sent.has(d.key)),
      composeContext(ctx, now, run.scanId),
    );
    for (const email of emails) {
      const { created } = await enqueue(trx, email, now);
      if (created) {
        run.counts.emailsQueued++;
        run.counts.reminders++;
      }
    }
    await setMeta(trx, REMINDER_META, date, now);
  });
}

/** One scan at `now` with escalation (see the comment at the top). */
export async function runEscalationScan(
  ctx: AppContext,
  now: Instant,
  options: EscalationScanOptions = {},
): Promise<EscalationScanResult> {
  const batchSize = options.batchSize ?? 500;
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
    };
  }
  try {
    const run = new EscalationRun(ctx, now, `${new Date(now).toISOString()}@${ctx.instanceId}`);
    const scan = await scanDue(ctx, now, {
      batchSize,
      onBatch: run.onBatch,
      ...(options.wallClock ? { wallClock: options.wallClock } : {}),
    });
    const reviewed = await reviewPass(ctx, run, now, batchSize, uncheckedReports);
    // One message per person for everything decided (now or by an earlier, crashed scan).
    await runNotifyStep(ctx, run, now);
    await runReminders(ctx, run, now);
    return { ...scan, skipped: false, reportsReviewed: reviewed, escalation: run.counts };
  } finally {
    await unlock();
  }
}
