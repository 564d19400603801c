// The escalation step of a scan, for the clocks of one batch just re-derived (in memory, before
// they are stored), inside the batch's transaction:
//
// 1. decideEscalations with the clock's SOP ladder, what is already taken (pending, sent,
//    superseded: the unique index leaves cancelled rows out, so a level re-arms) and `now`;
// 2. writes decisions as 'pending', lower levels as 'superseded', and cancels pending keys whose
//    condition no longer holds (stopped, paused, SOP changed) — unless their message is already
//    being sent; a message whose decisions are all cancelled is cancelled, the others it carried
//    are composed again;
// 3. resolves recipients at `now` (the scan is the moment of sending: whoever holds the role
//    now gets it), composes grouped emails and writes them to the outbox;
// 4. gives each clock its next_check_at = min(the clock's own next instant, the next escalation
//    step), so that e.g. "still open 3 working days after due" brings the clock back to a scan;
//    the scan stores the clocks with it.
// A fixed number of statements per batch (see escalationStore.ts, outboxStore.enqueueAll);
// everything commits or rolls back with the clock refresh.
import type { Knex } from "knex";
import {
  clockKey,
  decideEscalations,
  DEFAULT_LADDER,
  levelKind,
  levelName,
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
import { composeEmails, type ComposeContext } from "../core/escalation/compose.js";
import type { Instant, Report, SlaClock } from "../core/types.js";
import { reportUrl } from "../config/index.js";
import type { Logger } from "../log.js";
import type { AppContext } from "../context/appContext.js";
import type { BulkSession } from "../store/bulkSession.js";
import type { Db } from "../store/reportStore.js";
import { enqueueAll } from "../outbox/outboxStore.js";
import {
  cancelDecisions,
  insertDecisions,
  linkMessages,
  markUndeliverable,
  type DecisionRow,
} from "./escalationStore.js";
import { loadAppointments, type StoredAppointment } from "../officers/officerStore.js";

export interface EscalationCounts {
  /** Clocks whose steps were examined. */
  clocksExamined: number;
  decided: number;
  superseded: number;
  cancelled: number;
  /** Messages newly written to the outbox (escalations, vacancy notices, reminders). */
  emailsQueued: number;
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

/** One scan's escalation work; `examine` runs in each batch transaction. */
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

  /**
   * Decides, writes and composes the escalations of these freshly derived clocks (`decisions`:
   * the stored, non-cancelled decisions of their reports), and returns the clocks with their
   * next_check_at brought forward to their next escalation step.
   */
  async examine(
    trx: Knex.Transaction,
    session: BulkSession,
    views: readonly StoredClockView[],
    decisions: readonly DecisionRow[],
    now: Instant,
  ): Promise<SlaClock[]> {
    if (views.length === 0) return [];
    const viewByClock = new Map(views.map((v) => [clockKey(v.clock), v]));
    this.counts.clocksExamined += views.length;

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

    await insertDecisions(session, result.decide, result.superseded, this.scanId);
    this.counts.decided += result.decide.length;
    for (const d of result.decide) {
      const level = String(d.level);
      this.counts.decidedByLevel[level] = (this.counts.decidedByLevel[level] ?? 0) + 1;
    }
    this.counts.superseded += result.superseded.length;

    const cancellation = await cancelDecisions(trx, [...cancel], now);
    const cancelled = cancellation.cancelled;
    this.counts.cancelled += cancelled.size;
    if (cancelled.size > 0) {
      this.log.info("escalations cancelled before sending", {
        count: cancelled.size,
        messagesCancelled: cancellation.messagesCancelled,
      });
    }

    // Compose: the new decisions, plus pending ones of these clocks that have no message (their
    // message was cancelled with a sibling, or nobody could receive them before).
    const toCompose: EscalationDecision[] = [...result.decide];
    const fresh = new Set(result.decide.map((d) => d.key));
    for (const r of decisions) {
      if (r.status !== "pending" || fresh.has(r.decision_key) || cancelled.has(r.decision_key))
        continue;
      const unlinked = cancellation.unlinked.has(r.decision_key);
      if (!unlinked && (r.email_id !== null || r.undeliverable_at !== null)) continue;
      const view = viewByClock.get(`${r.tracking_id}|${r.stage}|${r.seq}`);
      if (!view) continue;
      const level = this.ladder(view.clock).levels.find((l) => l.level === r.level);
      if (!level) continue;
      toCompose.push({
        key: r.decision_key,
        level: level.level,
        kind: levelKind(level),
        name: levelName(level),
        trigger: level.when.text,
        to: level.to,
        cc: [...level.cc],
        opd: view.clock.opd,
        stepAt: r.step_at.getTime(),
        decidedAt: r.decided_at.getTime(),
        view,
      });
    }
    if (toCompose.length > 0) await this.compose(trx, session, toCompose, now);

    return views.map((v) => this.withNextCheck(v.clock, now));
  }

  private async compose(
    trx: Knex.Transaction,
    session: BulkSession,
    decisions: readonly EscalationDecision[],
    now: Instant,
  ): Promise<void> {
    const appointments = await this.directory(trx);
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
      await markUndeliverable(trx, undeliverable, now);
    }
    const emails = composeEmails(decisions, resolved, composeContext(this.ctx, now, this.scanId));
    const written = await enqueueAll(trx, emails, now);
    // A decision carried by several messages (one per addressee) links to the last, as before.
    const links = new Map<string, number>();
    const counted = new Set<string>();
    for (const email of emails) {
      const w = written.get(email.dedupeKey);
      if (!w) continue;
      if (w.created && !counted.has(email.dedupeKey)) {
        counted.add(email.dedupeKey);
        this.counts.emailsQueued++;
        if (email.kind === "vacancy") this.counts.vacancyNotices++;
      }
      if (email.kind === "escalation") for (const key of email.items) links.set(key, w.id);
    }
    await linkMessages(session, links);
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
