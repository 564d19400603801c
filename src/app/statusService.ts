// Views for people and scripts: open clocks with their state at `now` (`pantau status`) and the
// step-by-step explanation of one report (`pantau explain`). Both are plain data, so the CLI can
// render them locally or receive them from a running daemon.
import { clockState, deriveClocks, isAwaitingReporter, remainingMs } from "../core/sla/clocks.js";
import { explainReport, type ExplainDocument } from "../core/sla/explain.js";
import type { BusinessCalendar } from "../core/calendar/index.js";
import type { ClockState, DurationUnit, Instant, Stage } from "../core/types.js";
import type { Lang } from "../i18n/lang.js";
import { listClocks, loadHistories } from "../store/reportStore.js";
import type { AppContext } from "../context/appContext.js";
import type { SlaClock } from "../core/types.js";
import { UnknownAgencyError } from "../context/appContext.js";

export interface StatusRow {
  trackingId: string;
  opd: string;
  opdName: string;
  stage: Stage;
  seq: number;
  state: ClockState;
  /**
   * The report awaits the reporter (an open pause). With state `breached` the pause began after
   * due: the breach stands and is shown with the pause ("terlambat, sedang menunggu pelapor").
   */
  awaitingReporter: boolean;
  dueAt: Instant | null;
  atRiskAt: Instant | null;
  /**
   * Business time left (positive) or over (negative), in ms of the unit; null while paused. Time
   * over never counts time awaiting the reporter (remainingMs of the core).
   */
  marginMs: number | null;
  unit: string;
  zone: string;
}

export interface StatusView {
  now: Instant;
  rows: StatusRow[];
  counts: Record<ClockState, number>;
}

/** Open clocks with their state at `now`, in `pantau status` order; counts per state. */
export interface ClockStates {
  now: Instant;
  clocks: { clock: SlaClock; state: Exclude<ClockState, "stopped"> }[];
  counts: Record<ClockState, number>;
}

/** The states of `pantau status` without the rows' margins (cheap: no business-time walk). */
export async function clockStates(
  ctx: AppContext,
  opts: { opd?: string; now: Instant },
): Promise<ClockStates> {
  if (opts.opd && !ctx.calendars.agency(opts.opd)) throw new UnknownAgencyError(opts.opd);
  const clocks = await listClocks(ctx.db.knex, { opd: opts.opd, openOnly: true });
  const counts: Record<ClockState, number> = {
    on_track: 0,
    at_risk: 0,
    breached: 0,
    paused: 0,
    stopped: 0,
  };
  const out: ClockStates["clocks"] = [];
  for (const clock of clocks) {
    const state = clockState(clock, opts.now);
    if (state === "stopped") continue;
    counts[state]++;
    out.push({ clock, state });
  }
  return { now: opts.now, clocks: out, counts };
}

/** One row of `pantau status`: the clock, its state at `now` and its business-time margin. */
export function statusRow(
  ctx: AppContext,
  { clock, state }: ClockStates["clocks"][number],
  now: Instant,
): StatusRow {
  const calendar = ctx.calendars.forAgency(clock.opd);
  let marginMs: number | null = null;
  if (state === "breached") {
    marginMs = Math.min(0, remainingMs(clock, calendar, now));
  } else if (clock.dueAt !== null && state !== "paused") {
    marginMs = businessMsBetween(calendar, now, clock.dueAt, clock.target.unit);
  }
  return {
    trackingId: clock.trackingId,
    opd: clock.opd,
    opdName: ctx.calendars.agency(clock.opd)?.name ?? clock.opd,
    stage: clock.stage,
    seq: clock.seq,
    state,
    awaitingReporter: isAwaitingReporter(clock),
    dueAt: clock.dueAt,
    atRiskAt: clock.atRiskAt,
    marginMs,
    unit: clock.target.unit,
    zone: calendar.spec.zone,
  };
}

export async function statusView(
  ctx: AppContext,
  opts: { opd?: string; now: Instant },
): Promise<StatusView> {
  const states = await clockStates(ctx, opts);
  return {
    now: opts.now,
    rows: states.clocks.map((c) => statusRow(ctx, c, opts.now)),
    counts: states.counts,
  };
}

/**
 * Business time in [from, to) without the start-date rule of clocks: for wd the 24 h of each
 * working day inside the interval, for wh the office hours, for d plain time.
 */
function businessMsBetween(
  calendar: BusinessCalendar,
  from: Instant,
  to: Instant,
  unit: DurationUnit,
): number {
  if (unit === "d") return to - from;
  if (unit === "wh") return calendar.elapsedMs(from, to, "wh");
  let total = 0;
  let day = calendar.localDate(from);
  let guard = 0;
  while (guard++ < 4000) {
    const start = calendar.startOfLocalDate(day);
    if (start >= to) break;
    const next = calendar.startOfLocalDate(addDay(day));
    if (calendar.isWorkingDate(day))
      total += Math.max(0, Math.min(next, to) - Math.max(start, from));
    day = addDay(day);
  }
  return total;
}

function addDay(d: string): string {
  return new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

export class ReportNotFoundError extends Error {
  readonly code = "REPORT_NOT_FOUND";
  constructor(readonly trackingId: string) {
    super(
      `Laporan dengan ID tracking ${trackingId} tidak ditemukan; periksa nomornya atau impor laporannya dengan \`pantau import\`. / ` +
        `No report with tracking ID ${trackingId}; check the number or import it with \`pantau import\`.`,
    );
  }
}

export async function explainView(
  ctx: AppContext,
  trackingId: string,
  now: Instant,
  lang: Lang,
): Promise<ExplainDocument> {
  const histories = await loadHistories(ctx.db.knex, [trackingId]);
  const history = histories.get(trackingId);
  if (!history) throw new ReportNotFoundError(trackingId);
  const clockContext = ctx.calendars.clockContext();
  const derived = deriveClocks(history.report, history.events, clockContext, now);
  // Stopped clocks are history: show them as stored, not as re-derived today.
  const stored = await listClocks(ctx.db.knex, { trackingId });
  const storedByKey = new Map(stored.map((c) => [`${c.stage}|${c.seq}`, c]));
  derived.clocks = derived.clocks.map((c) => {
    const kept = storedByKey.get(`${c.stage}|${c.seq}`);
    return kept && kept.stoppedAt !== null ? kept : c;
  });
  const recordings = await loadRecordings(ctx, trackingId);
  return explainReport(
    history.report,
    history.events,
    derived,
    {
      ...clockContext,
      agencyName: (opd) => ctx.calendars.agency(opd)?.name,
      recording: (e) => recordings.get(`${e.kind}|${e.at}|${e.opd ?? ""}`),
    },
    now,
    lang,
  );
}

/** When and by what source each event of a report was recorded, by kind|at|opd. */
async function loadRecordings(
  ctx: AppContext,
  trackingId: string,
): Promise<Map<string, { recordedAt: Instant; source: string }>> {
  const rows = (await ctx.db
    .knex("report_events")
    .select("kind", "at", "opd", "source", "recorded_at")
    .where({ tracking_id: trackingId })) as {
    kind: string;
    at: Date;
    opd: string | null;
    source: string;
    recorded_at: Date;
  }[];
  return new Map(
    rows.map((r) => [
      `${r.kind}|${r.at.getTime()}|${r.opd ?? ""}`,
      { recordedAt: r.recorded_at.getTime(), source: r.source },
    ]),
  );
}
