// Escalation ladder: which step of an SLA clock is due when, and what a scan decides to send.
//
// Pure: no I/O, no clock reads; `now` is an argument. The scan (adapter) reads the clock once,
// loads the clocks whose next_check_at has come plus the clocks that have pending (unsent)
// decisions, calls decideEscalations, and writes the result in one transaction.
//
// API
// - type EscalationTrigger: "at_risk" | "due" | "due+<n><wd|wh|d>" parsed to { anchor, offset, text }
// - interface EscalationLevel { level; when; to; cc }, interface ReminderSettings,
//   interface EscalationLadder { levels (ascending); reminder }
// - DEFAULT_LADDER: 0 at_risk → liaison; 1 due → supervisor cc liaison + coordinator;
//   2 due+3wd → leadership cc supervisor + coordinator; daily reminder 08:00 to the supervisor.
// - parseEscalationLadder(input: unknown): EscalationLadder — throws LadderError (issues with a
//   path and a bilingual message) on anything wrong; omitted `reminder` = the default one.
// - levelKind(level): "at_risk" | "overdue" | "escalated"; levelName(level): Bilingual
// - escalationKey(clock, level): "trackingId|stage|seq|level"; parseEscalationKey(key)
// - escalationSteps(clock, ladder, calendar, now): EscalationStep[] (empty unless the clock runs)
// - nextEscalationAt(clock, ladder, calendar, now): Instant | null — earliest step instant > now
// - decideEscalations(input): { decide, superseded, cancel }
// - reminderDueKeys(overdueClocks, recipients, calendar, now, settings?, alreadySent?):
//   ReminderDigest[] — the daily digest, key "reminder|<email>|<yyyy-mm-dd>"
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
import { DurationError, parseDuration, type BusinessCalendar } from "../calendar/index.js";
import { clockState } from "../sla/clocks.js";
import type { Duration, Instant, LocalDate, ReportType, SlaClock } from "../types.js";
import type { Bilingual } from "../../i18n/lang.js";
import { OFFICER_ROLES, type OfficerRole } from "./officers.js";

// Lateness is defined once, with the pause rule, in sla/clocks; emails import it from here.
export { remainingMs } from "../sla/clocks.js";

export interface EscalationTrigger {
  anchor: "at_risk" | "due";
  /** Only with anchor "due": how long after the due instant. */
  offset: Duration | null;
  /** As written: "at_risk", "due", "due+3wd". */
  text: string;
}

export interface EscalationLevel {
  /** 0..9, unique in a ladder. */
  level: number;
  when: EscalationTrigger;
  to: OfficerRole;
  cc: OfficerRole[];
}

export interface ReminderSettings {
  enabled: boolean;
  to: OfficerRole;
  cc: OfficerRole[];
  /** "HH:MM" local time in the calendar's zone from which the day's digest is due. */
  atLocalTime: string;
  /** The same as minutes after local midnight. */
  atMinute: number;
}

export interface EscalationLadder {
  /** Ascending by level and by trigger. */
  levels: EscalationLevel[];
  reminder: ReminderSettings;
}

/** Raised by parseEscalationLadder with every problem found. */
export class LadderError extends Error {
  readonly code = "LADDER_INVALID";
  readonly issues: { path: string; message: Bilingual }[];
  constructor(issues: { path: string; message: Bilingual }[]) {
    super(
      "Tangga eskalasi tidak valid / invalid escalation ladder:\n" +
        issues.map((i) => `  ${i.path}: ${i.message.id} / ${i.message.en}`).join("\n"),
    );
    this.name = "LadderError";
    this.issues = issues;
  }
}

const TRIGGER_RE = /^\s*(at_risk|due)\s*(?:\+\s*(.+?))?\s*$/;

/** Parses "at_risk", "due", "due+3wd"; throws LadderError. */
export function parseTrigger(text: string, path = "when"): EscalationTrigger {
  const m = typeof text === "string" ? TRIGGER_RE.exec(text) : null;
  const shown = String(text);
  if (!m) {
    throw new LadderError([
      {
        path,
        message: {
          id: `pemicu "${shown}" tidak dikenal: gunakan at_risk, due atau due+3wd`,
          en: `unknown trigger "${shown}": use at_risk, due or due+3wd`,
        },
      },
    ]);
  }
  const anchor = m[1] as "at_risk" | "due";
  if (m[2] === undefined) return { anchor, offset: null, text: anchor };
  if (anchor === "at_risk") {
    throw new LadderError([
      {
        path,
        message: {
          id: "at_risk tidak dapat diberi tambahan waktu: atur batas berisiko di at_risk_margin",
          en: "at_risk takes no offset: set the at-risk margin in at_risk_margin instead",
        },
      },
    ]);
  }
  let offset: Duration;
  try {
    offset = parseDuration(m[2]);
  } catch (e) {
    const msg = e instanceof DurationError ? e.message : String(e);
    // DurationError messages are "Indonesian / English".
    const cut = msg.indexOf(" / ");
    const message =
      cut < 0 ? { id: msg, en: msg } : { id: msg.slice(0, cut), en: msg.slice(cut + 3) };
    throw new LadderError([{ path, message }]);
  }
  return { anchor, offset, text: `due+${offset.amount}${offset.unit}` };
}

function reminderDefaults(): ReminderSettings {
  return { enabled: true, to: "supervisor", cc: [], atLocalTime: "08:00", atMinute: 480 };
}

/** The default ladder of the issue (see the table there). */
export const DEFAULT_LADDER: EscalationLadder = Object.freeze({
  levels: [
    { level: 0, when: { anchor: "at_risk", offset: null, text: "at_risk" }, to: "liaison", cc: [] },
    {
      level: 1,
      when: { anchor: "due", offset: null, text: "due" },
      to: "supervisor",
      cc: ["liaison", "coordinator"],
    },
    {
      level: 2,
      when: { anchor: "due", offset: { amount: 3, unit: "wd" }, text: "due+3wd" },
      to: "leadership",
      cc: ["supervisor", "coordinator"],
    },
  ],
  reminder: reminderDefaults(),
}) as EscalationLadder;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses and validates a ladder from a plain object (YAML/JSON); throws LadderError. */
export function parseEscalationLadder(input: unknown): EscalationLadder {
  const issues: { path: string; message: Bilingual }[] = [];
  const issue = (path: string, id: string, en: string): void => {
    issues.push({ path, message: { id, en } });
  };
  const role = (v: unknown, path: string): OfficerRole | null => {
    if (typeof v === "string" && (OFFICER_ROLES as readonly string[]).includes(v)) {
      return v as OfficerRole;
    }
    issue(
      path,
      `peran "${String(v)}" tidak dikenal: gunakan ${OFFICER_ROLES.join(", ")}`,
      `unknown role "${String(v)}": use ${OFFICER_ROLES.join(", ")}`,
    );
    return null;
  };
  const roles = (v: unknown, path: string, exclude: OfficerRole | null): OfficerRole[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      issue(path, "harus berupa daftar peran", "must be a list of roles");
      return [];
    }
    const out: OfficerRole[] = [];
    v.forEach((x, i) => {
      const r = role(x, `${path}[${i}]`);
      if (!r) return;
      if (out.includes(r) || r === exclude) {
        issue(
          `${path}[${i}]`,
          `peran ${r} disebut dua kali (atau sama dengan penerima utama)`,
          `role ${r} listed twice (or equal to the main recipient)`,
        );
        return;
      }
      out.push(r);
    });
    return out;
  };
  const unknownKeys = (o: Record<string, unknown>, known: string[], path: string): void => {
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) {
        issue(
          path ? `${path}.${k}` : k,
          `kunci tidak dikenal (yang dikenal: ${known.join(", ")})`,
          `unknown key (known: ${known.join(", ")})`,
        );
      }
    }
  };

  if (!isRecord(input)) {
    throw new LadderError([
      {
        path: "",
        message: {
          id: "tangga eskalasi harus berupa objek { levels, reminder }",
          en: "the escalation ladder must be an object { levels, reminder }",
        },
      },
    ]);
  }
  unknownKeys(input, ["levels", "reminder"], "");

  const levels: EscalationLevel[] = [];
  if (!Array.isArray(input.levels) || input.levels.length === 0) {
    issue("levels", "harus berupa daftar yang tidak kosong", "must be a non-empty list");
  } else {
    input.levels.forEach((raw, i) => {
      const path = `levels[${i}]`;
      if (!isRecord(raw)) {
        issue(
          path,
          "harus berupa objek { level, when, to, cc }",
          "must be { level, when, to, cc }",
        );
        return;
      }
      unknownKeys(raw, ["level", "when", "to", "cc"], path);
      const level = raw.level;
      if (typeof level !== "number" || !Number.isInteger(level) || level < 0 || level > 9) {
        issue(`${path}.level`, "harus bilangan bulat 0..9", "must be an integer 0..9");
      }
      let when: EscalationTrigger | null = null;
      try {
        when = parseTrigger(String(raw.when ?? ""), `${path}.when`);
      } catch (e) {
        if (e instanceof LadderError) issues.push(...e.issues);
        else throw e;
      }
      const to = role(raw.to, `${path}.to`);
      const cc = roles(raw.cc, `${path}.cc`, to);
      if (typeof level === "number" && Number.isInteger(level) && level >= 0 && level <= 9) {
        if (levels.some((l) => l.level === level)) {
          issue(`${path}.level`, `tingkat ${level} disebut dua kali`, `level ${level} is repeated`);
        } else if (when && to) {
          levels.push({ level, when, to, cc });
        }
      }
    });
  }
  levels.sort((a, b) => a.level - b.level);
  // Higher levels must come later: supersession relies on it.
  for (let i = 1; i < levels.length; i++) {
    const a = levels[i - 1]!;
    const b = levels[i]!;
    const rank = (t: EscalationTrigger): number =>
      t.anchor === "at_risk" ? 0 : t.offset === null ? 1 : 2;
    const ra = rank(a.when);
    const rb = rank(b.when);
    let ordered = rb > ra;
    if (ra === 2 && rb === 2 && a.when.offset && b.when.offset) {
      if (a.when.offset.unit !== b.when.offset.unit) {
        issue(
          "levels",
          `tingkat ${a.level} dan ${b.level} harus memakai satuan yang sama`,
          `levels ${a.level} and ${b.level} must use the same unit`,
        );
        continue;
      }
      ordered = b.when.offset.amount > a.when.offset.amount;
    }
    if (!ordered) {
      issue(
        "levels",
        `tingkat ${b.level} (${b.when.text}) harus terjadi setelah tingkat ${a.level} (${a.when.text})`,
        `level ${b.level} (${b.when.text}) must come after level ${a.level} (${a.when.text})`,
      );
    }
  }

  const reminder = reminderDefaults();
  if (input.reminder !== undefined) {
    const r = input.reminder;
    if (!isRecord(r)) {
      issue("reminder", "harus berupa objek", "must be an object");
    } else {
      unknownKeys(r, ["enabled", "to", "cc", "atLocalTime"], "reminder");
      if (r.enabled !== undefined) {
        if (typeof r.enabled !== "boolean") {
          issue("reminder.enabled", "harus true atau false", "must be true or false");
        } else reminder.enabled = r.enabled;
      }
      if (r.to !== undefined) {
        const to = role(r.to, "reminder.to");
        if (to) reminder.to = to;
      }
      reminder.cc = roles(r.cc, "reminder.cc", reminder.to);
      if (r.atLocalTime !== undefined) {
        const m =
          typeof r.atLocalTime === "string" ? /^(\d{2}):(\d{2})$/.exec(r.atLocalTime) : null;
        const h = m ? Number(m[1]) : NaN;
        const min = m ? Number(m[2]) : NaN;
        if (!m || h > 23 || min > 59) {
          issue(
            "reminder.atLocalTime",
            `jam "${String(r.atLocalTime)}" tidak valid: gunakan HH:MM (00:00–23:59)`,
            `invalid time "${String(r.atLocalTime)}": use HH:MM (00:00–23:59)`,
          );
        } else {
          reminder.atLocalTime = r.atLocalTime as string;
          reminder.atMinute = h * 60 + min;
        }
      }
    }
  }

  if (issues.length > 0) throw new LadderError(issues);
  return { levels, reminder };
}

export type LevelKind = "at_risk" | "overdue" | "escalated";

/** What a level means for people: nearing the deadline, overdue, or escalated further. */
export function levelKind(level: EscalationLevel): LevelKind {
  if (level.when.anchor === "at_risk") return "at_risk";
  return level.when.offset === null ? "overdue" : "escalated";
}

/** "pengingat", "eskalasi", "eskalasi pimpinan" (or "eskalasi tingkat N"). */
export function levelName(level: EscalationLevel): Bilingual {
  switch (levelKind(level)) {
    case "at_risk":
      return { id: "pengingat", en: "early warning" };
    case "overdue":
      return { id: "eskalasi", en: "escalation" };
    case "escalated":
      return level.to === "leadership"
        ? { id: "eskalasi pimpinan", en: "escalation to leadership" }
        : { id: `eskalasi tingkat ${level.level}`, en: `level ${level.level} escalation` };
  }
}

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

/**
 * How many overdue clocks one digest lists (the oldest first); the message says how many more
 * there are. Keeps a digest readable and its composition's memory independent of the backlog.
 */
export const REMINDER_ITEMS_LISTED = 200;

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
  digest: ReminderDigest;
  opds: Set<string>;
  total: number;
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
          digest: { key, email: r.email, name: r.name, date: this.date, items: [] },
          opds: new Set(),
          total: 0,
        };
        this.byEmail.set(email, d);
      }
      d.total++;
      d.opds.add(view.clock.opd);
      if (d.digest.items.length < this.listed) d.digest.items.push(view);
    }
  }

  /** The digests by key, leaving out those whose key is in `alreadySent`. */
  digests(alreadySent: ReadonlySet<string> = new Set()): ReminderDigest[] {
    return [...this.byEmail.values()]
      .filter((d) => !alreadySent.has(d.digest.key))
      .map((d) => ({
        ...d.digest,
        items: [...d.digest.items].sort(byDueThenKey),
        total: d.total,
        opds: [...d.opds].sort(),
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
