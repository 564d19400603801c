// The escalation step of a scan, run inside each batch transaction of the scan (scanDue's
// onBatch hook, and the review passes of escalationScan.ts), for the clocks just re-derived:
//
// 1. decideEscalations with the clock's SOP ladder, what is already taken (pending, sent,
//    superseded: the unique index leaves cancelled rows out, so a level re-arms) and `now`;
// 2. writes decisions as 'pending' (no message yet), lower levels as 'superseded', and cancels
//    pending keys whose condition no longer holds (stopped, paused, SOP changed) — unless one of
//    their messages is already being sent; a message carrying a cancelled decision is cancelled,
//    the others it carried are composed again (deliveryStore.cancelDecisions);
// 3. (messages are composed once per person at the END of the scan: notifyStep.ts; `resolve`
//    resolves recipients at that instant);
// 4. sets next_check_at = min(the clock's own next instant, the next escalation step) so that
//    e.g. "still open 3 working days after due" brings the clock back to a scan.
// Everything here commits or rolls back with the clock refresh.
import type { Knex } from "knex";
import {
  clockKey,
  decideEscalations,
  DEFAULT_LADDER,
  nextEscalationAt,
  type EscalationDecision,
  type EscalationLadder,
  type StoredClockView,
} from "../core/escalation/ladder.js";
import {
  resolveRecipients,
  type RecipientResolution,
  type RoleSlot,
} from "../core/escalation/recipients.js";
import type { ComposeContext } from "../core/notify/compose.js";
import type { Instant, ReportType, SlaClock } from "../core/types.js";
import { reportUrl } from "../config/index.js";
import type { Logger } from "../log.js";
import type { AppContext } from "../app/context.js";
import type { RefreshResult } from "../app/clockService.js";
import type { Db } from "../store/reportStore.js";
import { cancelDecisions } from "./deliveryStore.js";
import { loadAppointments, type StoredAppointment } from "./officerStore.js";

export interface EscalationCounts {
  /** Clocks whose steps were examined. */
  clocksExamined: number;
  decided: number;
  superseded: number;
  cancelled: number;
  /** Messages newly written to the outbox (escalations, vacancy notices, reminders). */
  emailsQueued: number;
  /** Chat messages newly written to the outbox for the webhooks (notify.webhooks). */
  chatMessagesQueued: number;
  vacancyNotices: number;
  reminders: number;
  /** Decisions nobody could receive (the role and the coordinator are both vacant). */
  undeliverable: number;
  /** Copies lost because the role and the coordinator are both vacant. */
  unfilled: number;
  /** Decisions by escalation level ("0", "1", "2"), for metrics. */
  decidedByLevel: Record<string, number>;
}

export function emptyCounts(): EscalationCounts {
  return {
    clocksExamined: 0,
    decided: 0,
    superseded: 0,
    cancelled: 0,
    emailsQueued: 0,
    chatMessagesQueued: 0,
    vacancyNotices: 0,
    reminders: 0,
    undeliverable: 0,
    unfilled: 0,
    decidedByLevel: {},
  };
}

/** The ladder of a clock's SOP (DEFAULT_LADDER unless the SOP files configure one). */
export function ladderFor(ctx: AppContext): (clock: SlaClock) => EscalationLadder {
  const esc = ctx.config.escalation as AppContext["config"]["escalation"] | undefined;
  return (clock) => esc?.bySop[clock.sopId] ?? esc?.defaultLadder ?? DEFAULT_LADDER;
}

export function composeContext(ctx: AppContext, now: Instant, scanId: string): ComposeContext {
  return {
    lang: ctx.config.lang,
    regency: ctx.config.regency,
    agencyName: (opd) => ctx.calendars.agency(opd)?.name,
    reportUrl: (id) => reportUrl(ctx.config, id),
    calendar: (opd) => ctx.calendars.forAgency(opd),
    now,
    scanId,
  };
}

interface ReportFacts {
  tracking_id: string;
  received_at: Date;
  confidential: boolean;
  type: string;
  category: string | null;
}

/** Report facts an email may show (never anything about the reporter: none is stored). */
export async function clockViews(db: Db, clocks: readonly SlaClock[]): Promise<StoredClockView[]> {
  const ids = [...new Set(clocks.map((c) => c.trackingId))];
  const facts = new Map<string, ReportFacts>();
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = (await db("reports")
      .select("tracking_id", "received_at", "confidential", "type", "category")
      .whereIn("tracking_id", ids.slice(i, i + 1000))) as ReportFacts[];
    for (const r of rows) facts.set(r.tracking_id, r);
  }
  const views: StoredClockView[] = [];
  for (const clock of clocks) {
    const f = facts.get(clock.trackingId);
    if (!f) continue;
    views.push({
      clock,
      report: {
        receivedAt: f.received_at.getTime(),
        confidential: f.confidential,
        type: f.type as ReportType,
        category: f.category,
      },
    });
  }
  return views;
}

interface EscalationRow {
  decision_key: string;
  tracking_id: string;
  stage: string;
  seq: number;
  level: number;
  status: string;
  email_id: number | string | null;
  step_at: Date;
  decided_at: Date;
  undeliverable_at: Date | null;
}

/** One scan's escalation work; `onBatch` is called in each batch transaction. */
export class EscalationRun {
  readonly counts = emptyCounts();
  private appointments: StoredAppointment[] | null = null;
  private readonly ladder: (clock: SlaClock) => EscalationLadder;
  private readonly log: Logger;

  constructor(
    private readonly ctx: AppContext,
    readonly now: Instant,
    readonly scanId: string,
  ) {
    this.ladder = ladderFor(ctx);
    this.log = ctx.logger.child({ scan: scanId });
  }

  /** The officer directory, read once per scan (in the first batch's transaction). */
  async directory(db: Db): Promise<StoredAppointment[]> {
    this.appointments ??= await loadAppointments(db);
    return this.appointments;
  }

  readonly onBatch = async (
    trx: Knex.Transaction,
    result: RefreshResult,
    now: Instant,
  ): Promise<void> => {
    await this.examine(trx, result.clocks, now);
  };

  async examine(trx: Knex.Transaction, clocks: readonly SlaClock[], now: Instant): Promise<void> {
    if (clocks.length === 0) return;
    const ids = [...new Set(clocks.map((c) => c.trackingId))];
    const views = await clockViews(trx, clocks);
    const viewByClock = new Map(views.map((v) => [clockKey(v.clock), v]));
    this.counts.clocksExamined += clocks.length;

    const rows: EscalationRow[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      rows.push(
        ...((await trx("escalations")
          .select(
            "decision_key",
            "tracking_id",
            "stage",
            "seq",
            "level",
            "status",
            "email_id",
            "step_at",
            "decided_at",
            "undeliverable_at",
          )
          .whereIn("tracking_id", ids.slice(i, i + 1000))
          .whereNot("status", "cancelled")) as EscalationRow[]),
      );
    }
    const taken = new Set(rows.map((r) => r.decision_key));
    const pending = new Set(rows.filter((r) => r.status === "pending").map((r) => r.decision_key));

    const result = decideEscalations({
      clocks: views,
      alreadyTaken: taken,
      pending,
      ladder: this.ladder,
      calendar: (opd) => this.ctx.calendars.forAgency(opd),
      now,
    });
    // Pending steps of clocks the derivation no longer has (the history changed their shape).
    const cancel = new Set(result.cancel);
    for (const r of rows) {
      if (r.status !== "pending") continue;
      if (!viewByClock.has(`${r.tracking_id}|${r.stage}|${r.seq}`)) cancel.add(r.decision_key);
    }

    await this.insertDecisions(trx, result.decide, "pending");
    await this.insertDecisions(trx, result.superseded, "superseded");
    this.counts.decided += result.decide.length;
    for (const d of result.decide) {
      const level = String(d.level);
      this.counts.decidedByLevel[level] = (this.counts.decidedByLevel[level] ?? 0) + 1;
    }
    this.counts.superseded += result.superseded.length;

    const cancelled = await this.cancel(trx, [...cancel], now);
    this.counts.cancelled += cancelled.size;

    await this.updateNextCheck(trx, clocks, ids, now);
  }

  private async insertDecisions(
    trx: Knex.Transaction,
    decisions: readonly EscalationDecision[],
    status: "pending" | "superseded",
  ): Promise<void> {
    for (let i = 0; i < decisions.length; i += 500) {
      const chunk = decisions.slice(i, i + 500);
      const values: Knex.RawBinding[] = [];
      for (const d of chunk) {
        const c = d.view.clock;
        values.push(
          d.key,
          c.trackingId,
          c.stage,
          c.seq,
          d.level,
          d.opd,
          status,
          d.trigger,
          new Date(d.stepAt),
          new Date(d.decidedAt),
          this.scanId,
          d.supersededBy ?? null,
        );
      }
      await trx.raw(
        `INSERT INTO escalations (decision_key, tracking_id, stage, seq, level, opd, status, trigger,
           step_at, decided_at, scan_id, superseded_by)
         VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
         ON CONFLICT (decision_key) WHERE status <> 'cancelled' DO NOTHING`,
        values,
      );
    }
  }

  /** Cancels pending decisions whose messages have not started to go out (deliveryStore). */
  private async cancel(
    trx: Knex.Transaction,
    keys: readonly string[],
    now: Instant,
  ): Promise<Set<string>> {
    const { cancelled, messagesCancelled } = await cancelDecisions(trx, keys, now);
    if (cancelled.size > 0) {
      this.log.info("escalations cancelled before sending", {
        count: cancelled.size,
        messagesCancelled,
      });
    }
    return cancelled;
  }

  /**
   * Resolves the recipients of decisions at `now` (the notify step's instant: whoever holds the
   * role now gets it); logs and counts vacant roles nobody stands in for and decisions nobody
   * can receive.
   */
  resolve(
    decisions: readonly EscalationDecision[],
    appointments: readonly StoredAppointment[],
    now: Instant,
  ): Map<string, RecipientResolution> {
    const resolved = new Map<string, RecipientResolution>();
    const undeliverable: string[] = [];
    const unfilled = new Map<string, RoleSlot>();
    for (const d of decisions) {
      const r = resolveRecipients(d, appointments, now);
      resolved.set(d.key, r);
      for (const u of r.unfilled) unfilled.set(`${u.opd ?? "-"}|${u.role}`, u);
      if (r.status === "undeliverable") undeliverable.push(d.key);
    }
    for (const u of unfilled.values()) {
      this.log.warn("role vacant and no coordinator to stand in", { opd: u.opd, role: u.role });
    }
    this.counts.unfilled += unfilled.size;
    if (undeliverable.length > 0) {
      this.counts.undeliverable += undeliverable.length;
      this.log.error(
        "escalations without any recipient: appoint the coordinator (pantau officers import)",
        { count: undeliverable.length, first: undeliverable[0] },
      );
    }
    return resolved;
  }

  private async updateNextCheck(
    trx: Knex.Transaction,
    clocks: readonly SlaClock[],
    ids: readonly string[],
    now: Instant,
  ): Promise<void> {
    const earlier: [string, string, number, Date][] = [];
    for (const clock of clocks) {
      const next = nextEscalationAt(
        clock,
        this.ladder(clock),
        this.ctx.calendars.forAgency(clock.opd),
        now,
      );
      if (next === null || next <= now) continue;
      if (clock.nextCheckAt !== null && clock.nextCheckAt <= next) continue;
      earlier.push([clock.trackingId, clock.stage, clock.seq, new Date(next)]);
    }
    for (let i = 0; i < earlier.length; i += 500) {
      const chunk = earlier.slice(i, i + 500);
      await trx.raw(
        `UPDATE sla_clocks AS c SET next_check_at = v.next
         FROM (VALUES ${chunk.map(() => "(?::text, ?::text, ?::int, ?::timestamptz)").join(", ")})
           AS v(tracking_id, stage, seq, next)
         WHERE c.tracking_id = v.tracking_id AND c.stage = v.stage AND c.seq = v.seq
           AND c.stopped_at IS NULL`,
        chunk.flat(),
      );
    }
    for (let i = 0; i < ids.length; i += 1000) {
      await trx("sla_clocks")
        .whereIn("tracking_id", ids.slice(i, i + 1000))
        .whereRaw("escalation_checked_at IS DISTINCT FROM computed_at")
        .update({ escalation_checked_at: trx.raw("computed_at") });
    }
  }
}
