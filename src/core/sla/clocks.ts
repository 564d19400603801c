// Clock derivation: replays a report's events into its stage clocks (verification, first response,
// resolution). Pure: no I/O and no clock reading; `now` is an argument. Pauses are rebuilt from
// the events on every call, never kept as counters.
//
// The pause rule lives here, once, for status, explain, metrics, escalation and the API:
// - A pause that begins BEFORE the due instant moves the due instant later by the budget used
//   while paused; while it is open the due instant is unknown (dueAt null) and the clock is
//   `paused` (isPaused).
// - A pause that begins AT OR AFTER the due instant moves nothing and hides nothing: the clock is
//   and stays `breached`, shown with the pause (isAwaitingReporter, stateName: "terlambat, sedang
//   menunggu pelapor"). Its lateness (remainingMs, negative once late) counts business time
//   without the paused time, so later escalation levels ("due + 3 wd") wait for unpaused lateness.
import type { Bilingual } from "../../i18n/lang.js";
import { unitMs, type BusinessCalendar } from "../calendar/index.js";
import type {
  ClockOutcome,
  ClockState,
  Duration,
  DurationUnit,
  EventKind,
  Instant,
  Interval,
  Report,
  ReportEvent,
  SlaClock,
  SopCatalog,
  SopVersion,
  Stage,
} from "../types.js";
import { atRiskMargin, resolveSop, stageTarget } from "./sop.js";

export interface ClockContext {
  sops: SopCatalog;
  /** The business calendar of an agency (its zone, office hours, holidays). */
  calendarFor(opd: string): BusinessCalendar;
  /** Agency of the admin koordinator, owner of the verification clock (e.g. "diskominfo"). */
  coordinatorOpd: string;
  /** At-risk margins per unit; defaults 1wd, 2wh, 1d. */
  riskMargins?: Partial<Record<DurationUnit, Duration>>;
}

export type ClockWarningCode =
  | "invalid_instant"
  | "received_mismatch"
  | "before_received"
  | "future_event"
  | "after_end"
  | "missing_opd"
  | "duplicate_disposition"
  | "no_disposition"
  | "already_paused"
  | "unmatched_reply"
  | "extension_not_applicable"
  | "extension_without_clock"
  | "already_extended"
  | "opd_mismatch";

/** An event that was ignored (or a fact that looks wrong), for logs and `pantau explain`. */
export interface ClockWarning {
  code: ClockWarningCode;
  at: Instant;
  message: Bilingual;
}

/** What the stored SlaClock does not say but an explanation needs; aligned with `clocks`. */
export interface ClockDetail {
  /** The event that started the clock ("received" for verification). */
  startedBy: EventKind;
  /** The event that stopped the clock, or null while it runs. */
  stoppedBy: EventKind | null;
  /** When an information request's extension was applied to this clock, or null. */
  extendedAt: Instant | null;
  /** The SOP version used (targets already merged with the default). */
  sop: SopVersion;
}

export interface ClockDerivation {
  /** Verification first, then for each agency (seq 1, 2, ...) its first_response and resolution. */
  clocks: SlaClock[];
  /** One entry per clock, same order as `clocks`. */
  details: ClockDetail[];
  /** The report's pause intervals (awaiting reporter); end Infinity while a pause is open. */
  pauses: Interval[];
  warnings: ClockWarning[];
}

interface Draft {
  stage: Stage;
  seq: number;
  opd: string;
  sop: SopVersion;
  startedAt: Instant;
  startedBy: EventKind;
  stoppedAt: Instant | null;
  stoppedBy: EventKind | null;
  /** How the stop turns into an outcome: by comparing with due, cancelled, or redisposed. */
  stopRule: "by_time" | "cancelled" | "redisposed" | null;
  extendedAt: Instant | null;
}

interface Assignment {
  opd: string;
  seq: number;
  firstResponse: Draft;
  resolution: Draft;
  at: Instant;
}

const EVENT_NAMES: Record<EventKind, Bilingual> = {
  received: { id: "diterima", en: "received" },
  disposed: { id: "disposisi", en: "disposition" },
  redisposed: { id: "disposisi ulang", en: "re-disposition" },
  first_response: { id: "respons pertama", en: "first response" },
  followed_up: { id: "tindak lanjut", en: "follow-up" },
  extended: { id: "perpanjangan", en: "extension" },
  awaiting_reporter: { id: "menunggu pelapor", en: "awaiting reporter" },
  reporter_replied: { id: "balasan pelapor", en: "reporter replied" },
  completed: { id: "selesai", en: "completed" },
  archived: { id: "diarsipkan", en: "archived" },
};

/** Clips intervals to [from, to), dropping empty ones. `to` may be Infinity. */
export function clipIntervals(
  intervals: readonly Interval[],
  from: Instant,
  to: Instant,
): Interval[] {
  const out: Interval[] = [];
  for (const p of intervals) {
    const start = Math.max(p.start, from);
    const end = Math.min(p.end, to);
    if (end > start) out.push({ start, end });
  }
  return out;
}

/**
 * Derives every stage clock of a report at `now`.
 *
 * Rules (see the tests for each): events are replayed in order of `at` (stable); the `received`
 * instant is report.receivedAt. Verification (owner ctx.coordinatorOpd) runs from receipt to the
 * first disposition. A disposition starts first_response and resolution for the agency; the first
 * `first_response` event stops the former, `followed_up` stops the latter (and first_response too
 * if still running: a follow-up is a response). A disposition or re-disposition to another agency
 * stops the running agency clocks (outcome `redisposed` before due, `breached` at/after due) and
 * starts new ones (seq + 1) under the new agency's SOP. `completed` stops all running clocks,
 * `archived` cancels them; later events are ignored. `awaiting_reporter`/`reporter_replied` open and
 * close a pause of every clock. `extended` adds an information request's extension once per
 * report, to the running resolution clock. Each clock uses the SOP version in force on the local
 * date of its start. Events that cannot apply are ignored and reported as warnings; events after
 * `now` are ignored too.
 *
 * @throws Error only for configuration errors (no default SOP, mismatched extension unit).
 */
export function deriveClocks(
  report: Report,
  events: readonly ReportEvent[],
  ctx: ClockContext,
  now: Instant,
): ClockDerivation {
  const sorted = [...events].sort((a, b) => a.at - b.at); // Array#sort is stable (ES2019).
  const replay = new Replay(report, ctx, now);
  for (const e of sorted) replay.apply(e);
  const { drafts, pauses, warnings } = replay.finish();
  const clocks = drafts.map((d) => finalize(report, d, pauses, ctx, now));
  const details = drafts.map((d): ClockDetail => ({
    startedBy: d.startedBy,
    stoppedBy: d.stoppedBy,
    extendedAt: d.extendedAt,
    sop: d.sop,
  }));
  return { clocks, details, pauses, warnings };
}

/**
 * One replay of a report's events (deriveClocks' rules): the drafts of its clocks, its pauses
 * and the warnings, built event by event in order of `at`.
 */
class Replay {
  readonly drafts: Draft[] = [];
  readonly pauses: Interval[] = [];
  readonly warnings: ClockWarning[] = [];
  private readonly verification: Draft;
  /** The agency the report is disposed to now, with its running clocks. */
  private current: Assignment | null = null;
  private pauseOpenedAt: Instant | null = null;
  private extensionUsed = false;
  /** The `completed` or `archived` event; later events are ignored. */
  private endedBy: ReportEvent | null = null;

  constructor(
    private readonly report: Report,
    private readonly ctx: ClockContext,
    private readonly now: Instant,
  ) {
    this.verification = this.startDraft(
      "verification",
      1,
      ctx.coordinatorOpd,
      report.receivedAt,
      "received",
    );
  }

  private warn(code: ClockWarningCode, at: Instant, id: string, en: string): void {
    this.warnings.push({ code, at, message: { id, en } });
  }

  /** Starts a clock under the SOP version in force on the local date of its start. */
  private startDraft(stage: Stage, seq: number, opd: string, at: Instant, by: EventKind): Draft {
    const calendar = this.ctx.calendarFor(opd);
    const draft: Draft = {
      stage,
      seq,
      opd,
      sop: resolveSop(this.ctx.sops, opd, calendar.localDate(at)),
      startedAt: at,
      startedBy: by,
      stoppedAt: null,
      stoppedBy: null,
      stopRule: null,
      extendedAt: null,
    };
    this.drafts.push(draft);
    return draft;
  }

  /** Stops a running clock; a stopped one keeps its first stop. */
  private stop(d: Draft, at: Instant, by: EventKind, rule: Draft["stopRule"]): void {
    if (d.stoppedAt !== null) return;
    d.stoppedAt = at;
    d.stoppedBy = by;
    d.stopRule = rule;
  }

  /** Starts the agency's first_response and resolution clocks (seq + 1 after a re-disposition). */
  private assign(opd: string, at: Instant, by: EventKind): void {
    const seq = this.current ? this.current.seq + 1 : 1;
    this.current = {
      opd,
      seq,
      at,
      firstResponse: this.startDraft("first_response", seq, opd, at, by),
      resolution: this.startDraft("resolution", seq, opd, at, by),
    };
  }

  /** Applies one event (events come in order of `at`). */
  apply(e: ReportEvent): void {
    if (!this.admits(e)) return;
    switch (e.kind) {
      case "disposed":
      case "redisposed":
        return this.dispose(e);
      case "first_response":
      case "followed_up":
        return this.respond(e);
      case "extended":
        return this.extend(e);
      case "awaiting_reporter":
        return this.openPause(e);
      case "reporter_replied":
        return this.closePause(e);
      case "completed":
      case "archived":
        return this.end(e);
    }
  }

  /**
   * False, with a warning, for an event that cannot apply: no valid instant, the `received`
   * event itself (the receipt is report.receivedAt), before receipt, after `now`, after the end.
   */
  private admits(e: ReportEvent): boolean {
    const name = EVENT_NAMES[e.kind];
    if (!Number.isFinite(e.at)) {
      this.warn(
        "invalid_instant",
        this.report.receivedAt,
        `Peristiwa "${name.id}" tanpa waktu yang sah diabaikan.`,
        `Event "${name.en}" without a valid time ignored.`,
      );
      return false;
    }
    if (e.kind === "received") {
      if (e.at !== this.report.receivedAt) {
        this.warn(
          "received_mismatch",
          e.at,
          "Peristiwa diterima tidak sama dengan waktu penerimaan laporan; diabaikan.",
          "The received event disagrees with the report's receipt time; ignored.",
        );
      }
      return false;
    }
    if (e.at < this.report.receivedAt) {
      this.warn(
        "before_received",
        e.at,
        `Peristiwa "${name.id}" sebelum laporan diterima diabaikan.`,
        `Event "${name.en}" before the report was received ignored.`,
      );
      return false;
    }
    if (e.at > this.now) {
      this.warn(
        "future_event",
        e.at,
        `Peristiwa "${name.id}" di masa depan diabaikan.`,
        `Event "${name.en}" in the future ignored.`,
      );
      return false;
    }
    if (this.endedBy) {
      const endName = EVENT_NAMES[this.endedBy.kind];
      this.warn(
        "after_end",
        e.at,
        `Peristiwa "${name.id}" setelah laporan ${endName.id} diabaikan.`,
        `Event "${name.en}" after the report was ${endName.en} ignored.`,
      );
      return false;
    }
    return true;
  }

  /**
   * The first disposition stops verification; a disposition to another agency stops the running
   * agency clocks (redisposed) and starts new ones; one to the same agency is ignored.
   */
  private dispose(e: ReportEvent): void {
    const name = EVENT_NAMES[e.kind];
    if (!e.opd) {
      this.warn(
        "missing_opd",
        e.at,
        `Peristiwa "${name.id}" tanpa perangkat daerah tujuan diabaikan.`,
        `Event "${name.en}" without a target agency ignored.`,
      );
      return;
    }
    const prev = this.current;
    if (!prev) {
      this.stop(this.verification, e.at, e.kind, "by_time");
      this.assign(e.opd, e.at, e.kind);
    } else if (prev.opd === e.opd) {
      this.warn(
        "duplicate_disposition",
        e.at,
        `Disposisi ulang ke perangkat daerah yang sama (${e.opd}) diabaikan.`,
        `Repeated disposition to the same agency (${e.opd}) ignored.`,
      );
    } else {
      this.stop(prev.firstResponse, e.at, e.kind, "redisposed");
      this.stop(prev.resolution, e.at, e.kind, "redisposed");
      this.assign(e.opd, e.at, e.kind);
    }
  }

  /** first_response stops the first-response clock; followed_up stops both (it is a response). */
  private respond(e: ReportEvent): void {
    const cur = this.current;
    if (!cur) {
      const name = EVENT_NAMES[e.kind];
      this.warn(
        "no_disposition",
        e.at,
        `Peristiwa "${name.id}" sebelum disposisi diabaikan.`,
        `Event "${name.en}" before any disposition ignored.`,
      );
      return;
    }
    this.stop(cur.firstResponse, e.at, e.kind, "by_time");
    if (e.kind === "followed_up") this.stop(cur.resolution, e.at, e.kind, "by_time");
  }

  /** An information request's extension, once per report, to the running resolution clock. */
  private extend(e: ReportEvent): void {
    const cur = this.current;
    if (this.report.type !== "permintaan_informasi") {
      this.warn(
        "extension_not_applicable",
        e.at,
        "Perpanjangan hanya berlaku untuk permintaan informasi; diabaikan.",
        "An extension applies only to information requests; ignored.",
      );
    } else if (this.extensionUsed) {
      this.warn(
        "already_extended",
        e.at,
        "Permintaan informasi hanya dapat diperpanjang satu kali; perpanjangan kedua diabaikan.",
        "An information request can be extended only once; second extension ignored.",
      );
    } else if (!cur || cur.resolution.stoppedAt !== null) {
      this.warn(
        "extension_without_clock",
        e.at,
        "Perpanjangan tanpa tahap penyelesaian yang berjalan diabaikan.",
        "Extension without a running resolution clock ignored.",
      );
    } else {
      cur.resolution.extendedAt = e.at;
      this.extensionUsed = true;
    }
  }

  private openPause(e: ReportEvent): void {
    if (this.pauseOpenedAt !== null) {
      this.warn(
        "already_paused",
        e.at,
        "Jeda menunggu pelapor sudah berjalan; peristiwa kedua diabaikan.",
        "A pause awaiting the reporter is already open; second event ignored.",
      );
    } else {
      this.pauseOpenedAt = e.at;
    }
  }

  private closePause(e: ReportEvent): void {
    if (this.pauseOpenedAt === null) {
      this.warn(
        "unmatched_reply",
        e.at,
        "Balasan pelapor tanpa jeda menunggu pelapor diabaikan.",
        "Reporter reply without an open pause ignored.",
      );
    } else {
      this.pauses.push({ start: this.pauseOpenedAt, end: e.at });
      this.pauseOpenedAt = null;
    }
  }

  /** `completed` stops every running clock, `archived` cancels them; an open pause ends. */
  private end(e: ReportEvent): void {
    for (const d of this.drafts)
      this.stop(d, e.at, e.kind, e.kind === "archived" ? "cancelled" : "by_time");
    if (this.pauseOpenedAt !== null) {
      this.pauses.push({ start: this.pauseOpenedAt, end: e.at });
      this.pauseOpenedAt = null;
    }
    this.endedBy = e;
  }

  /** After the last event: a pause still open runs to Infinity; the report's agency is checked. */
  finish(): { drafts: Draft[]; pauses: Interval[]; warnings: ClockWarning[] } {
    if (this.pauseOpenedAt !== null) this.pauses.push({ start: this.pauseOpenedAt, end: Infinity });
    const last = this.current;
    const opd = this.report.opd;
    if (last && opd !== null && opd !== last.opd) {
      this.warn(
        "opd_mismatch",
        last.at,
        `Perangkat daerah laporan (${opd}) berbeda dengan disposisi terakhir (${last.opd}).`,
        `The report's agency (${opd}) differs from the latest disposition (${last.opd}).`,
      );
    }
    return { drafts: this.drafts, pauses: this.pauses, warnings: this.warnings };
  }
}

function finalize(
  report: Report,
  d: Draft,
  reportPauses: readonly Interval[],
  ctx: ClockContext,
  now: Instant,
): SlaClock {
  const calendar = ctx.calendarFor(d.opd);
  const target = stageTarget(d.sop.targets, d.stage, report, d.extendedAt !== null);
  const pauses = clipIntervals(reportPauses, d.startedAt, d.stoppedAt ?? Infinity);
  const finiteOrNull = (t: Instant): Instant | null => (Number.isFinite(t) ? t : null);

  const dueAt = finiteOrNull(calendar.dueAt(d.startedAt, target, pauses));
  const margin = atRiskMargin(target.unit, ctx.riskMargins);
  const atRiskAt =
    target.amount <= margin.amount
      ? d.startedAt
      : finiteOrNull(
          calendar.dueAt(
            d.startedAt,
            { amount: target.amount - margin.amount, unit: target.unit },
            pauses,
          ),
        );
  const usedEnd = Math.max(d.startedAt, d.stoppedAt ?? now);
  const usedMs = calendar.elapsedMs(
    d.startedAt,
    usedEnd,
    target.unit,
    clipIntervals(pauses, d.startedAt, usedEnd),
  );

  let outcome: ClockOutcome;
  if (d.stoppedAt === null) {
    outcome = dueAt !== null && now >= dueAt ? "breached" : "open";
  } else if (d.stopRule === "cancelled") {
    outcome = "cancelled";
  } else {
    const late = dueAt !== null && d.stoppedAt >= dueAt;
    outcome = late ? "breached" : d.stopRule === "redisposed" ? "redisposed" : "met";
  }

  const clock: SlaClock = {
    trackingId: report.trackingId,
    stage: d.stage,
    seq: d.seq,
    opd: d.opd,
    sopId: d.sop.sopId,
    sopVersion: d.sop.effectiveFrom,
    target,
    startedAt: d.startedAt,
    pauses,
    dueAt,
    atRiskAt,
    stoppedAt: d.stoppedAt,
    usedMs,
    outcome,
    state: "on_track",
    nextCheckAt: null,
  };
  clock.state = clockState(clock, now);
  clock.nextCheckAt = clockNextCheckAt(clock, now);
  return clock;
}

function isRunning(clock: SlaClock): boolean {
  return clock.stoppedAt === null && (clock.outcome === "open" || clock.outcome === "breached");
}

/** An open-ended pause: end Infinity, or null after a JSON round trip. */
function isOpenPause(p: Interval): boolean {
  return p.end === null || !Number.isFinite(p.end);
}

/**
 * True while a pause that began before the due instant holds a running clock: its due instant is
 * unknown until the reporter replies (dueAt null). A pause that began at or after the due
 * instant does not hold the clock: see isAwaitingReporter.
 */
export function isPaused(clock: SlaClock): boolean {
  return isRunning(clock) && clock.dueAt === null;
}

/** True while a running clock's report awaits the reporter (an open pause), before or after due. */
export function isAwaitingReporter(clock: SlaClock): boolean {
  return isRunning(clock) && clock.pauses.some(isOpenPause);
}

/**
 * True for a pause of the clock that began at or after its due instant: such a pause neither
 * moves the due instant nor hides the breach; it only keeps its time out of the lateness.
 */
export function pauseBeganAfterDue(clock: SlaClock, pause: Interval): boolean {
  return clock.dueAt !== null && pause.start >= clock.dueAt;
}

/**
 * A stored clock's state at `now`: stopped clocks `stopped`; a running clock held by a pause that
 * began before its due instant `paused`; then `breached` from dueAt (also while a pause that
 * began after due is open: the breach stays, see isAwaitingReporter), `at_risk` from atRiskAt,
 * else `on_track`.
 */
export function clockState(clock: SlaClock, now: Instant): ClockState {
  if (!isRunning(clock)) return "stopped";
  if (isPaused(clock)) return "paused";
  if (clock.dueAt !== null && now >= clock.dueAt) return "breached";
  if (clock.atRiskAt !== null && now >= clock.atRiskAt) return "at_risk";
  return "on_track";
}

/**
 * The next instant at which a stored clock's state changes by time alone: atRiskAt if still
 * ahead, else dueAt if still ahead, else null; null for stopped or paused clocks.
 */
export function clockNextCheckAt(clock: SlaClock, now: Instant): Instant | null {
  if (!isRunning(clock) || isPaused(clock)) return null;
  if (clock.atRiskAt !== null && now < clock.atRiskAt) return clock.atRiskAt;
  if (clock.dueAt !== null && now < clock.dueAt) return clock.dueAt;
  return null;
}

/**
 * Business time left before due at `now` (negative once late), in ms of the clock's unit: the
 * target minus the budget used from the start up to `now` (or the stop), paused time excluded.
 * Once late, its opposite is the lateness, which therefore never counts time spent awaiting the
 * reporter, whether the pause began before or after the due instant.
 */
export function remainingMs(clock: SlaClock, calendar: BusinessCalendar, now: Instant): number {
  const end = Math.max(clock.startedAt, clock.stoppedAt ?? now);
  const used = calendar.elapsedMs(
    clock.startedAt,
    end,
    clock.target.unit,
    clock.pauses.map((p) => ({ start: p.start, end: isOpenPause(p) ? Infinity : p.end })),
  );
  return clock.target.amount * unitMs(clock.target.unit) - used;
}

const STATE_NAMES: Record<ClockState, Bilingual> = {
  on_track: { id: "sesuai jadwal", en: "on track" },
  at_risk: { id: "berisiko", en: "at risk" },
  breached: { id: "terlambat", en: "breached" },
  paused: { id: "dijeda", en: "paused" },
  stopped: { id: "berhenti", en: "stopped" },
};

/**
 * A clock's state for people; a breached clock whose report awaits the reporter (the pause began
 * after due) is shown with the pause: "terlambat, sedang menunggu pelapor".
 */
export function stateName(state: ClockState, awaitingReporter: boolean): Bilingual {
  if (state === "breached" && awaitingReporter) {
    return { id: "terlambat, sedang menunggu pelapor", en: "overdue, awaiting the reporter" };
  }
  return STATE_NAMES[state];
}

/** Name of an event kind for people, in both languages. */
export function eventName(kind: EventKind): Bilingual {
  return EVENT_NAMES[kind];
}
