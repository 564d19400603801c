// The escalation step of a scan, for the clocks of one batch just re-derived (in memory, before
// they are stored), inside the batch's transaction:
//
// 1. decideEscalations with the clock's SOP ladder, what is already taken (pending, sent,
//    superseded: the unique index leaves cancelled rows out, so a level re-arms) and `now`;
// 2. writes decisions as 'pending' (no message yet), lower levels as 'superseded', and cancels
//    pending keys whose condition no longer holds (stopped, paused, SOP changed) — unless one of
//    their messages is already being sent; a message carrying a cancelled decision is cancelled
//    and the other items it carried are composed again (escalationStore.cancelDecisions);
// 3. gives each clock its next_check_at = min(the clock's own next instant, the next escalation
//    step), so that e.g. "still open 3 working days after due" brings the clock back to a scan;
//    the scan stores the clocks with it.
// Messages are composed once per person at the END of the scan (notifyStep.ts), which resolves
// recipients through `resolve` at that instant.
// A fixed number of statements per batch (see escalationStore.ts); everything commits or rolls
// back with the clock refresh.
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
import { resolveRecipients, type RecipientResolution } from "../core/escalation/recipients.js";
import type { ComposeContext } from "../core/escalation/compose.js";
import type { Instant, Report, SlaClock } from "../core/types.js";
import { reportUrl } from "../config/index.js";
import type { Logger } from "../log.js";
import type { AppContext } from "../context/appContext.js";
import type { BulkSession } from "../store/bulkSession.js";
import type { Db } from "../store/reportStore.js";
import { cancelDecisions, insertDecisions, type DecisionRow } from "./escalationStore.js";
import { loadAppointments, type StoredAppointment } from "../officers/officerStore.js";

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

/** Report facts an email may show (never anything about the reporter: none is stored). */
export function clockView(clock: SlaClock, report: Report): StoredClockView {
  return {
    clock,
    report: {
      receivedAt: report.receivedAt,
      confidential: report.confidential,
      type: report.type,
      category: report.category,
    },
  };
}

/** A batch's escalation step, decided and not yet written (EscalationRun.plan). */
export interface EscalationPlan {
  decide: EscalationDecision[];
  superseded: EscalationDecision[];
  /** Pending decision keys whose condition no longer holds. */
  cancel: string[];
  /** The batch's clocks (every one examined) with their next check brought forward. */
  clocks: SlaClock[];
}

/**
 * How many of a scan's new decisions are kept in memory for its notify step (composeOrder);
 * past this many the notify step reads every decision back from the database instead.
 */
export const DECIDED_IN_MEMORY = 20_000;

/**
 * The notify step's order: the clock's due instant (none last), then the decision key (byte
 * order, as the notify step's cursor sorts it). A message lists the first items in this order.
 */
export function composeOrder(a: EscalationDecision, b: EscalationDecision): number {
  const da = a.view.clock.dueAt ?? Infinity;
  const db = b.view.clock.dueAt ?? Infinity;
  if (da !== db) return da < db ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** One scan's escalation work; `plan` and `write` run in each batch transaction. */
export class EscalationRun {
  readonly counts = emptyCounts();
  /**
   * The decisions this scan wrote, for its notify step (which would otherwise read them back
   * with their clocks and reports); null once more than DECIDED_IN_MEMORY. The notify step
   * composes only those its mark finds still pending and uncomposed, so a decision of a batch
   * rolled back, or cancelled since, is left out.
   */
  private decided: EscalationDecision[] | null = [];
  /**
   * People (personKey) who were given an email by this scan's notify step: the daily digest
   * holds theirs until a later scan, so that nobody receives two messages in one scan.
   */
  readonly emailedPeople = new Set<string>();
  private appointments: StoredAppointment[] | null = null;
  /** Resolutions by (agency, addressee, copies), at this scan's notify instant. */
  private readonly resolutions = new Map<string, RecipientResolution>();
  private readonly ladder: (clock: SlaClock) => EscalationLadder;
  private readonly log: Logger;

  private readonly decidedInMemory: number;

  /** `decidedInMemory`: DECIDED_IN_MEMORY unless given (0: the notify step reads them all back). */
  constructor(
    private readonly ctx: AppContext,
    readonly now: Instant,
    readonly scanId: string,
    options: { decidedInMemory?: number } = {},
  ) {
    this.decidedInMemory = options.decidedInMemory ?? DECIDED_IN_MEMORY;
    this.ladder = ladderFor(ctx);
    this.log = ctx.logger.child({ scan: scanId });
  }

  /** The officer directory, read once per scan (in the first batch's transaction). */
  async directory(db: Db): Promise<StoredAppointment[]> {
    this.appointments ??= await loadAppointments(db);
    return this.appointments;
  }

  /**
   * Decides the escalations of these freshly derived clocks (`decisions`: the stored,
   * non-cancelled decisions of their reports) without writing anything, and gives the clocks
   * their next_check_at brought forward to their next escalation step. write() stores it.
   */
  plan(
    views: readonly StoredClockView[],
    decisions: readonly DecisionRow[],
    now: Instant,
  ): EscalationPlan {
    if (views.length === 0) return { decide: [], superseded: [], cancel: [], clocks: [] };
    const viewByClock = new Map(views.map((v) => [clockKey(v.clock), v]));
    const taken = new Set(decisions.map((r) => r.decision_key));
    const pending = new Set(
      decisions.filter((r) => r.status === "pending").map((r) => r.decision_key),
    );
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
    for (const r of decisions) {
      if (r.status !== "pending") continue;
      if (!viewByClock.has(`${r.tracking_id}|${r.stage}|${r.seq}`)) cancel.add(r.decision_key);
    }
    return {
      decide: result.decide,
      superseded: result.superseded,
      cancel: [...cancel],
      clocks: views.map((v) => this.withNextCheck(v.clock, now)),
    };
  }

  /** Writes a plan's decisions and cancellations in the batch's transaction, and counts them. */
  async write(
    trx: Knex.Transaction,
    session: BulkSession,
    plan: EscalationPlan,
    now: Instant,
  ): Promise<void> {
    this.counts.clocksExamined += plan.clocks.length;
    await insertDecisions(session, plan.decide, plan.superseded, this.scanId);
    if (this.decided && this.decided.length + plan.decide.length > this.decidedInMemory) {
      this.decided = null;
    }
    this.decided?.push(...plan.decide);
    this.counts.decided += plan.decide.length;
    for (const d of plan.decide) {
      const level = String(d.level);
      this.counts.decidedByLevel[level] = (this.counts.decidedByLevel[level] ?? 0) + 1;
    }
    this.counts.superseded += plan.superseded.length;

    const cancellation = await cancelDecisions(trx, plan.cancel, now);
    const cancelled = cancellation.cancelled;
    this.counts.cancelled += cancelled.size;
    if (cancelled.size > 0) {
      this.log.info("escalations cancelled before sending", {
        count: cancelled.size,
        messagesCancelled: cancellation.messagesCancelled,
      });
    }
  }

  /**
   * The decisions this scan wrote, in composeOrder, handed once to the notify step; null when
   * there were more than its limit (the notify step then reads them all back).
   */
  takeDecided(): EscalationDecision[] | null {
    const decided = this.decided;
    this.decided = [];
    return decided === null ? null : decided.sort(composeOrder);
  }

  /**
   * Resolves the recipients of decisions at `now` (the notify step's instant: whoever holds the
   * role now gets it). The directory lookups are made once per (agency, addressee, copies) in a
   * scan; the result carries each decision's key.
   */
  resolve(
    decisions: readonly EscalationDecision[],
    appointments: readonly StoredAppointment[],
    now: Instant,
  ): Map<string, RecipientResolution> {
    const resolved = new Map<string, RecipientResolution>();
    for (const d of decisions) {
      const memo = `${now}\u0000${d.opd}\u0000${d.to}\u0000${d.cc.join(",")}`;
      let r = this.resolutions.get(memo);
      if (!r) {
        r = resolveRecipients(d, appointments, now);
        this.resolutions.set(memo, r);
      }
      resolved.set(d.key, { ...r, decisionKey: d.key });
    }
    return resolved;
  }

  /** The clock with next_check_at brought forward to its next escalation step, if earlier. */
  private withNextCheck(clock: SlaClock, now: Instant): SlaClock {
    if (clock.stoppedAt !== null) return clock;
    const next = nextEscalationAt(
      clock,
      this.ladder(clock),
      this.ctx.calendars.forAgency(clock.opd),
      now,
    );
    if (next === null || next <= now) return clock;
    if (clock.nextCheckAt !== null && clock.nextCheckAt <= next) return clock;
    return { ...clock, nextCheckAt: next };
  }
}
