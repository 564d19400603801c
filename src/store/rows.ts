// Row shapes of the reports, events and clocks tables, and their conversion to domain objects.
import type {
  Complexity,
  Duration,
  DurationUnit,
  EventKind,
  Instant,
  Interval,
  Report,
  ReportEvent,
  ReportType,
  SlaClock,
  Stage,
  ClockOutcome,
  ClockState,
} from "../core/types.js";

export interface ReportRow {
  tracking_id: string;
  opd: string | null;
  type: string;
  complexity: string;
  category: string | null;
  channel: string | null;
  anonymous: boolean;
  confidential: boolean;
  contact_complete: boolean;
  received_at: Date;
}

export interface EventRow {
  tracking_id: string;
  kind: string;
  at: Date;
  opd: string | null;
}

export interface ClockRow {
  tracking_id: string;
  stage: string;
  seq: number;
  opd: string;
  sop_id: string;
  sop_version: string;
  target_amount: number;
  target_unit: string;
  started_at: Date;
  due_at: Date | null;
  at_risk_at: Date | null;
  stopped_at: Date | null;
  used_ms: number;
  outcome: string;
  state: string;
  pauses: unknown;
  next_check_at: Date | null;
}

export const ms = (d: Date | string | null): Instant | null =>
  d === null ? null : d instanceof Date ? d.getTime() : new Date(d).getTime();

const msRequired = (d: Date | string): Instant =>
  d instanceof Date ? d.getTime() : new Date(d).getTime();

const date = (t: Instant | null): Date | null =>
  t === null || !Number.isFinite(t) ? null : new Date(t);

export function reportFromRow(row: ReportRow): Report {
  return {
    trackingId: row.tracking_id,
    opd: row.opd,
    type: row.type as ReportType,
    complexity: row.complexity as Complexity,
    category: row.category,
    channel: row.channel,
    anonymous: row.anonymous,
    confidential: row.confidential,
    contactComplete: row.contact_complete,
    receivedAt: msRequired(row.received_at),
  };
}

export function eventFromRow(row: EventRow): ReportEvent {
  return { kind: row.kind as EventKind, at: msRequired(row.at), opd: row.opd };
}

function parsePauses(value: unknown): Interval[] {
  const list = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(list)) return [];
  return list.map((p: { start: number; end: number | null }) => ({
    start: p.start,
    end: p.end === null ? Infinity : p.end,
  }));
}

export function clockFromRow(row: ClockRow): SlaClock {
  const target: Duration = {
    amount: Number(row.target_amount),
    unit: row.target_unit as DurationUnit,
  };
  return {
    trackingId: row.tracking_id,
    stage: row.stage as Stage,
    seq: row.seq,
    opd: row.opd,
    sopId: row.sop_id,
    sopVersion: row.sop_version,
    target,
    startedAt: msRequired(row.started_at),
    pauses: parsePauses(row.pauses),
    dueAt: ms(row.due_at),
    atRiskAt: ms(row.at_risk_at),
    stoppedAt: ms(row.stopped_at),
    usedMs: Number(row.used_ms),
    outcome: row.outcome as ClockOutcome,
    state: row.state as ClockState,
    nextCheckAt: ms(row.next_check_at),
  };
}

/** A clock's pauses as stored (JSON); Infinity (an open pause) is stored as null. */
export function pausesToJson(pauses: readonly Interval[]): string {
  return JSON.stringify(
    pauses.map((p) => ({ start: p.start, end: Number.isFinite(p.end) ? p.end : null })),
  );
}

/** Reports and their events (rows in event order) as histories keyed by tracking ID. */
/** A report with its events in order, as stored. */
export interface History {
  report: Report;
  events: ReportEvent[];
}

export function historiesFromRows(
  reports: readonly ReportRow[],
  events: readonly EventRow[],
): Map<string, History> {
  const result = new Map<string, History>();
  for (const row of reports)
    result.set(row.tracking_id, { report: reportFromRow(row), events: [] });
  for (const row of events) result.get(row.tracking_id)?.events.push(eventFromRow(row));
  return result;
}

export function clockToRow(clock: SlaClock): Omit<ClockRow, "pauses"> & { pauses: string } {
  return {
    tracking_id: clock.trackingId,
    stage: clock.stage,
    seq: clock.seq,
    opd: clock.opd,
    sop_id: clock.sopId,
    sop_version: clock.sopVersion,
    target_amount: clock.target.amount,
    target_unit: clock.target.unit,
    started_at: new Date(clock.startedAt),
    due_at: date(clock.dueAt),
    at_risk_at: date(clock.atRiskAt),
    stopped_at: date(clock.stoppedAt),
    used_ms: Math.round(clock.usedMs),
    outcome: clock.outcome,
    state: clock.state,
    // Infinity (an open pause) is stored as null.
    pauses: pausesToJson(clock.pauses),
    next_check_at: date(clock.nextCheckAt),
  };
}
