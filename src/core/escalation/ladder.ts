// Escalation ladder: which step of an SLA clock is due when, and what a scan decides to send.
//
// Pure: no I/O, no clock reads; `now` is an argument. The scan (adapter) reads the clock once,
// loads the clocks whose next_check_at has come plus the clocks that have pending (unsent)
// decisions, calls decideEscalations, and writes the result in one transaction.
//
// API
// - from ladderConfig.ts (re-exported): type EscalationTrigger, interface EscalationLevel
//   { level; when; to; cc }, ReminderSettings, EscalationLadder { levels (ascending); reminder },
//   DEFAULT_LADDER, parseEscalationLadder(input) (throws LadderError with every issue),
//   levelKind(level), levelName(level)
// - escalationKey(clock, level): "trackingId|stage|seq|level"; parseEscalationKey(key)
// - escalationSteps(clock, ladder, calendar, now): EscalationStep[] (empty unless the clock runs)
// - nextEscalationAt(clock, ladder, calendar, now): Instant | null — earliest step instant > now
// - decideEscalations(input): { decide, superseded, cancel }
// - reminderDueKeys(overdueClocks, recipients, calendar, now, settings?, alreadySent?):
//   ReminderDigest[] — the daily digest, key "reminder|<email>|<yyyy-mm-dd>"; built by
//   ReminderDigestBuilder, which takes the overdue clocks as a stream (the scan's digest.ts) and
//   keeps the oldest REMINDER_ITEMS_LISTED per recipient with a count
//
// Step instants
// - at_risk → clock.atRiskAt; due → clock.dueAt.
// - due+N<unit>: "still open N units after due". When the unit is the clock's own target unit,
//   the instant is the one at which the clock has used its target plus N (calendar.dueAt from the
//   clock's start with target + N and the clock's pauses). This equals "N units of lateness" as the
//   email reports it. For a due instant at local 00:00 of a working day (the usual case for a wd
//   target) that working day counts as the first day late: due Fri 7 Mar 2025 00:00 + 3wd → Wed
//   12 Mar 00:00 (late Fri, Mon, Tue). A plain calendar.dueAt(dueAt, 3wd) would skip the due's
//   local date (day rule) and fire Thu 13 Mar, i.e. after 4 working days late; we chose not to.
//   When the units differ (e.g. a wh target with a due+3wd step) the instant is
//   calendar.dueAt(dueAt, offset, pauses): wd/d counting starts at 00:00 after the due's local
//   date.
// - Pauses (the rule is in sla/clocks): a pause that began before due moved dueAt and, while
//   open, leaves the clock `paused` with no steps. A pause that began at or after due leaves the
//   clock `breached`: the levels already due are decided as for any breached clock, and a later
//   level's "N units of lateness" excludes the paused time (both formulas above take the pauses),
//   so while such a pause is open a level not yet reached has no instant (null) and fires only
//   after the reply, once the lateness outside the pause reaches N.
// - Business hours: an instant outside working time (due Saturday 00:00) is decided by the first
//   scan after it; notifications are not held until office hours (an officer reads the mail on
//   the next working morning anyway, and holding would delay the escalation chain).
//
// Decision rules (decideEscalations)
// - Only running clocks have steps: stopped and paused clocks (a pause that began before due) have
//   none, so their taken-but-unsent levels are cancelled (never sent late). A breached clock
//   whose report awaits the reporter (the pause began after due) runs: its due levels stay due.
//   A level absent from the clock's ladder (SOP changed) is cancelled too. A pause that moved due
//   later makes a taken level's condition false: it is cancelled, and decided again (same key)
//   when the new instant comes — re-arm. For that the caller must drop cancelled keys from
//   `alreadyTaken` (e.g. status 'cancelled' is outside the unique index). Levels already SENT stay
//   taken forever: at most one message per (clock, level).
// - When several levels of a clock are due and not yet taken (daemon down, import of old
//   reports), only the highest due level is decided; the lower ones are returned in `superseded`
//   (store them as taken with status 'superseded', send nothing). A due level below a level that
//   is already taken is superseded as well (no "at risk" after an escalation).
import { DateTime } from "luxon";
import type { BusinessCalendar } from "../calendar/index.js";
import { clockState } from "../sla/clocks.js";
import type { Instant, LocalDate, ReportType, SlaClock } from "../types.js";
import type { Bilingual } from "../../i18n/lang.js";
import {
  levelKind,
  levelName,
  type EscalationLadder,
  type EscalationLevel,
  DEFAULT_LADDER,
  type LevelKind,
  type ReminderSettings,
} from "./ladderConfig.js";
import type { OfficerRole } from "./appointments.js";
import { ITEMS_LISTED, ListedItems } from "./listing.js";

// The ladder's shape, default and parsing (ladderConfig.ts), re-exported for the callers.
export * from "./ladderConfig.js";

// Lateness is defined once, with the pause rule, in sla/clocks; emails import it from here.
export { remainingMs } from "../sla/clocks.js";

// ---- keys ----

/** "trackingId|stage|seq": identifies a clock. */
export function clockKey(clock: Pick<SlaClock, "trackingId" | "stage" | "seq">): string {
  return `${clock.trackingId}|${clock.stage}|${clock.seq}`;
}

/** Dedupe key of one (clock, level): "trackingId|stage|seq|level". */
export function escalationKey(
  clock: Pick<SlaClock, "trackingId" | "stage" | "seq">,
  level: number,
): string {
  return `${clockKey(clock)}|${level}`;
}

/** Inverse of escalationKey; null for anything else. */
export function parseEscalationKey(
  key: string,
): { trackingId: string; stage: string; seq: number; level: number } | null {
  const m = /^(.+)\|([a-z_]+)\|(\d+)\|(\d)$/.exec(key);
  if (!m) return null;
  return { trackingId: m[1]!, stage: m[2]!, seq: Number(m[3]), level: Number(m[4]) };
}

// ---- steps ----

export interface EscalationStep {
  level: EscalationLevel;
  key: string;
  /** Instant from which the step is due; null if it cannot be known (no due instant). */
  at: Instant | null;
  /** at <= now. */
  due: boolean;
}

/**
 * True for a clock that runs at `now`: not stopped, not held by a pause that began before its due
 * instant (a breached clock awaiting the reporter runs).
 */
export function isClockRunning(clock: SlaClock, now: Instant): boolean {
  const s = clockState(clock, now);
  return s !== "stopped" && s !== "paused";
}

function stepInstant(
  clock: SlaClock,
  level: EscalationLevel,
  calendar: BusinessCalendar,
): Instant | null {
  const t = level.when;
  if (t.anchor === "at_risk") return clock.atRiskAt;
  if (clock.dueAt === null) return null;
  if (t.offset === null) return clock.dueAt;
  let at: Instant;
  if (t.offset.unit === clock.target.unit) {
    at = calendar.dueAt(
      clock.startedAt,
      { amount: clock.target.amount + t.offset.amount, unit: clock.target.unit },
      clock.pauses,
    );
  } else {
    // The clock's pauses after due count as no lateness here either.
    at = calendar.dueAt(clock.dueAt, t.offset, clock.pauses);
  }
  return Number.isFinite(at) ? at : null;
}

/**
 * Every step of the ladder for a running clock, with its instant and whether it is due at `now`.
 * Stopped and paused clocks have no steps (their pending ones are cancelled, never sent late).
 */
export function escalationSteps(
  clock: SlaClock,
  ladder: EscalationLadder,
  calendar: BusinessCalendar,
  now: Instant,
): EscalationStep[] {
  if (!isClockRunning(clock, now)) return [];
  return ladder.levels.map((level) => {
    const at = stepInstant(clock, level, calendar);
    return { level, key: escalationKey(clock, level.level), at, due: at !== null && at <= now };
  });
}

/** The earliest step instant after `now` (store it as next_check_at), or null if none. */
export function nextEscalationAt(
  clock: SlaClock,
  ladder: EscalationLadder,
  calendar: BusinessCalendar,
  now: Instant,
): Instant | null {
  let next: Instant | null = null;
  for (const s of escalationSteps(clock, ladder, calendar, now)) {
    if (s.at !== null && s.at > now && (next === null || s.at < next)) next = s.at;
  }
  return next;
}

// ---- decisions ----

/** What the email needs to know about a clock's report; nothing about the reporter. */
export interface ClockReportView {
  receivedAt: Instant;
  /** rahasia: category and any text are never shown. */
  confidential: boolean;
  type: ReportType;
  category: string | null;
}

/** A stored clock as the scan reads it, with the report facts an email may show. */
export interface StoredClockView {
  clock: SlaClock;
  report: ClockReportView;
}

export interface EscalationDecision {
  /** escalationKey(clock, level): unique per (clock, level). */
  key: string;
  level: number;
  kind: LevelKind;
  name: Bilingual;
  trigger: string;
  to: OfficerRole;
  cc: OfficerRole[];
  /** The agency the roles belong to (the clock's owner). */
  opd: string;
  /** When the condition started to hold. */
  stepAt: Instant;
  decidedAt: Instant;
  view: StoredClockView;
  /** Only in `superseded`: the key of the level decided (or taken) instead. */
  supersededBy?: string;
}

export interface DecideInput {
  clocks: readonly StoredClockView[];
  /** Keys of decisions pending, sent or superseded (not cancelled). */
  alreadyTaken: ReadonlySet<string>;
  /**
   * Keys decided but not yet sent. Only these are returned in `cancel`. When omitted, every taken
   * key whose condition no longer holds is returned, and the caller must skip those already sent.
   */
  pending?: ReadonlySet<string>;
  ladder(clock: SlaClock): EscalationLadder;
  calendar(opd: string): BusinessCalendar;
  now: Instant;
}

export interface DecideResult {
  /** New decisions to store (status pending) and send. */
  decide: EscalationDecision[];
  /** Lower levels skipped because a higher one is due or taken: store as taken, never send. */
  superseded: EscalationDecision[];
  /** Taken, unsent keys whose condition no longer holds: mark cancelled, do not send. */
  cancel: string[];
}

/** Decides what to send for the given clocks at `now`. Deterministic in its input. */
export function decideEscalations(input: DecideInput): DecideResult {
  const { now } = input;
  const decide: EscalationDecision[] = [];
  const superseded: EscalationDecision[] = [];
  const cancel: string[] = [];

  // Taken keys by clock, so that each clock looks only at its own.
  const takenByClock = new Map<string, string[]>();
  for (const key of input.alreadyTaken) {
    const cut = key.lastIndexOf("|");
    if (cut < 0) continue;
    const ck = key.slice(0, cut);
    const list = takenByClock.get(ck);
    if (list) list.push(key);
    else takenByClock.set(ck, [key]);
  }

  const seen = new Set<string>();
  for (const view of input.clocks) {
    const clock = view.clock;
    const ck = clockKey(clock);
    if (seen.has(ck)) continue;
    seen.add(ck);
    const ladder = input.ladder(clock);
    const steps = escalationSteps(clock, ladder, input.calendar(clock.opd), now);
    const dueKeys = new Set(steps.filter((s) => s.due).map((s) => s.key));

    for (const key of takenByClock.get(ck) ?? []) {
      if (!dueKeys.has(key) && (!input.pending || input.pending.has(key))) cancel.push(key);
    }

    const due = steps.filter((s) => s.due);
    if (due.length === 0) continue;
    const top = due[due.length - 1]!; // levels are ascending
    const make = (s: EscalationStep, supersededBy?: string): EscalationDecision => ({
      key: s.key,
      level: s.level.level,
      kind: levelKind(s.level),
      name: levelName(s.level),
      trigger: s.level.when.text,
      to: s.level.to,
      cc: [...s.level.cc],
      opd: clock.opd,
      stepAt: s.at!,
      decidedAt: now,
      view,
      ...(supersededBy === undefined ? {} : { supersededBy }),
    });
    if (!input.alreadyTaken.has(top.key)) decide.push(make(top));
    for (const s of due) {
      if (s !== top && !input.alreadyTaken.has(s.key)) superseded.push(make(s, top.key));
    }
  }
  cancel.sort();
  return { decide, superseded, cancel };
}

// ---- daily reminder ----

export interface ReminderRecipient {
  email: string;
  name: string;
}

export interface ReminderDigest {
  /** "reminder|<email lowercased>|<yyyy-mm-dd>". */
  key: string;
  email: string;
  name: string;
  date: LocalDate;
  /** Still overdue at `now`, ordered by due instant: the oldest, at most REMINDER_ITEMS_LISTED. */
  items: StoredClockView[];
  /** How many clocks are overdue for this recipient (items lists the oldest of them). */
  total?: number;
  /** The agencies of all of them, sorted. */
  opds?: string[];
}

/** How many overdue clocks one digest lists (the oldest first): the shared rule of listing.ts. */
export const REMINDER_ITEMS_LISTED = ITEMS_LISTED;

/** Minutes after local midnight of `now` in the calendar's zone. */
function localMinute(calendar: BusinessCalendar, now: Instant): number {
  const dt = DateTime.fromMillis(now, { zone: calendar.spec.zone });
  return dt.hour * 60 + dt.minute;
}

/** Whether the daily digest is due at `now` (a working local date, from the configured time). */
export function reminderDueAt(
  calendar: BusinessCalendar,
  now: Instant,
  settings: ReminderSettings = DEFAULT_LADDER.reminder,
): boolean {
  if (!settings.enabled) return false;
  if (!calendar.isWorkingDate(calendar.localDate(now))) return false;
  return localMinute(calendar, now) >= settings.atMinute;
}

const byDueThenKey = (a: StoredClockView, b: StoredClockView): number =>
  (a.clock.dueAt ?? 0) - (b.clock.dueAt ?? 0) || clockKey(a.clock).localeCompare(clockKey(b.clock));

interface DigestDraft {
  digest: Omit<ReminderDigest, "items">;
  items: ListedItems<StoredClockView>;
}

/**
 * The daily digests built from overdue clocks fed one at a time, oldest due first (a stream):
 * one digest per recipient address, listing at most `listed` clocks and counting the rest, so
 * that memory follows the recipients, not the overdue clocks. Clocks not breached at `now` are
 * skipped; a recipient named twice for one clock (to and cc) gets it once.
 */
export class ReminderDigestBuilder {
  private readonly byEmail = new Map<string, DigestDraft>();

  constructor(
    private readonly date: LocalDate,
    private readonly now: Instant,
    private readonly listed: number = REMINDER_ITEMS_LISTED,
  ) {}

  add(view: StoredClockView, recipients: readonly ReminderRecipient[]): void {
    if (clockState(view.clock, this.now) !== "breached") return;
    const seen = new Set<string>();
    for (const r of recipients) {
      const email = r.email.toLowerCase();
      if (seen.has(email)) continue;
      seen.add(email);
      let d = this.byEmail.get(email);
      if (!d) {
        const key = `reminder|${email}|${this.date}`;
        d = {
          digest: { key, email: r.email, name: r.name, date: this.date },
          items: new ListedItems(this.listed),
        };
        this.byEmail.set(email, d);
      }
      d.items.offer(view, view.clock.opd);
    }
  }

  /** The digests by key, leaving out those whose key is in `alreadySent`. */
  digests(alreadySent: ReadonlySet<string> = new Set()): ReminderDigest[] {
    return [...this.byEmail.values()]
      .filter((d) => !alreadySent.has(d.digest.key))
      .map((d) => ({
        ...d.digest,
        items: [...d.items.listed].sort(byDueThenKey),
        total: d.items.total,
        opds: d.items.opds(),
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }
}

/**
 * The daily digests due at `now`: one per recipient per working local date, listing every clock
 * of `overdueClocks` that is still running and past its due instant (the oldest
 * REMINDER_ITEMS_LISTED, with the count of all). Nothing on non-working dates or before the
 * configured local time. `recipients(view)` gives the addresses for a clock (e.g.
 * resolveRoleRecipients for the reminder's role, with the vacancy fallback); `calendar` is the
 * regency's. Digests whose key is in `alreadySent` are left out.
 */
export function reminderDueKeys(
  overdueClocks: readonly StoredClockView[],
  recipients: (view: StoredClockView) => readonly ReminderRecipient[],
  calendar: BusinessCalendar,
  now: Instant,
  settings: ReminderSettings = DEFAULT_LADDER.reminder,
  alreadySent: ReadonlySet<string> = new Set(),
): ReminderDigest[] {
  if (!reminderDueAt(calendar, now, settings)) return [];
  const builder = new ReminderDigestBuilder(calendar.localDate(now), now);
  for (const view of [...overdueClocks].sort(byDueThenKey)) builder.add(view, recipients(view));
  return builder.digests(alreadySent);
}
