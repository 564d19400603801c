// The escalation step of a scan, run inside each batch transaction of the scan (scanDue's
// onBatch hook, and the review passes of escalationScan.ts), for the clocks just re-derived:
//
// 1. decideEscalations with the clock's SOP ladder, what is already taken (pending, sent,
//    superseded: the unique index leaves cancelled rows out, so a level re-arms) and `now`;
// 2. writes decisions as 'pending', lower levels as 'superseded', and cancels pending keys whose
//    condition no longer holds (stopped, paused, SOP changed) — unless their message is already
//    being sent; a message whose decisions are all cancelled is cancelled, the others it carried
//    are composed again;
// 3. resolves recipients at `now` (the scan is the moment of sending: whoever holds the role
//    now gets it), composes grouped emails and writes them to the outbox;
// 4. sets next_check_at = min(the clock's own next instant, the next escalation step) so that
//    e.g. "still open 3 working days after due" brings the clock back to a scan.
// Everything here commits or rolls back with the clock refresh.
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
import type { Instant, ReportType, SlaClock } from "../core/types.js";
import { reportUrl } from "../config/index.js";
import type { Logger } from "../log.js";
import type { AppContext } from "../context/appContext.js";
import type { RefreshResult } from "./clockService.js";
import type { Db } from "../store/reportStore.js";
import { enqueue } from "../outbox/outboxStore.js";
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

    // Compose: the new decisions, plus pending ones of these clocks that have no message (their
    // message was cancelled with a sibling, or nobody could receive them before).
    const toCompose: EscalationDecision[] = [...result.decide];
    const uncomposed = await trx("escalations")
      .select("decision_key", "level", "tracking_id", "stage", "seq", "step_at", "decided_at")
      .whereIn("tracking_id", ids)
      .where({ status: "pending" })
      .whereNull("email_id")
      .whereNull("undeliverable_at");
    const fresh = new Set(result.decide.map((d) => d.key));
    for (const r of uncomposed as EscalationRow[]) {
      if (fresh.has(r.decision_key) || cancelled.has(r.decision_key)) continue;
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
    if (toCompose.length > 0) await this.compose(trx, toCompose, now);

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

  /**
   * Cancels pending decisions whose message has not started to go out. Returns the keys
   * cancelled. Messages left with no live decision are cancelled; the other decisions they
   * carried lose their message (email_id null) and are composed again.
   */
  private async cancel(
    trx: Knex.Transaction,
    keys: readonly string[],
    now: Instant,
  ): Promise<Set<string>> {
    const done = new Set<string>();
    if (keys.length === 0) return done;
    const rows = (await trx("escalations")
      .select("decision_key", "email_id")
      .whereIn("decision_key", keys)
      .where({ status: "pending" })) as { decision_key: string; email_id: number | null }[];
    const emailIds = [...new Set(rows.map((r) => r.email_id).filter((x) => x !== null))].map(
      Number,
    );
    // Lock the messages: a sender claiming one waits for this transaction (or skips it).
    const states = new Map<number, string>();
    if (emailIds.length > 0) {
      const out = (await trx("outbox")
        .select("id", "state")
        .whereIn("id", emailIds)
        .forUpdate()) as { id: number | string; state: string }[];
      for (const o of out) states.set(Number(o.id), o.state);
    }
    const cancellable = rows.filter((r) => {
      if (r.email_id === null) return true;
      const s = states.get(Number(r.email_id));
      // Already going out (or out): it stays, and the sender marks it sent.
      return s === "pending" || s === "failed" || s === "cancelled";
    });
    if (cancellable.length === 0) return done;
    const cancelKeys = cancellable.map((r) => r.decision_key);
    await trx("escalations")
      .whereIn("decision_key", cancelKeys)
      .where({ status: "pending" })
      .update({ status: "cancelled", cancelled_at: new Date(now) });
    for (const k of cancelKeys) done.add(k);
    const affected = [...new Set(cancellable.map((r) => r.email_id).filter((x) => x !== null))].map(
      Number,
    );
    if (affected.length > 0) {
      await trx("outbox")
        .whereIn("id", affected)
        .whereIn("state", ["pending", "failed"])
        .update({ state: "cancelled", locked_by: null, locked_until: null });
      await trx("escalations")
        .whereIn("email_id", affected)
        .where({ status: "pending" })
        .update({ email_id: null });
    }
    this.log.info("escalations cancelled before sending", {
      count: cancelKeys.length,
      messagesCancelled: affected.length,
    });
    return done;
  }

  private async compose(
    trx: Knex.Transaction,
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
      await trx("escalations")
        .whereIn("decision_key", undeliverable)
        .where({ status: "pending" })
        .update({ undeliverable_at: new Date(now) });
    }
    const emails = composeEmails(decisions, resolved, composeContext(this.ctx, now, this.scanId));
    for (const email of emails) {
      const { id, created } = await enqueue(trx, email, now);
      if (created) {
        this.counts.emailsQueued++;
        if (email.kind === "vacancy") this.counts.vacancyNotices++;
      }
      if (email.kind === "escalation") {
        await trx("escalations")
          .whereIn("decision_key", email.items)
          .where({ status: "pending" })
          .update({ email_id: id, undeliverable_at: null });
      }
    }
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
