// Import planning (pure): what one normalised row (a report snapshot or an event-log line) does
// to the stored history of its report — new events, a changed report, or the reason it
// contradicts the history (a rejection with column, value and a bilingual reason) — and whether
// an `admit` rule refuses one of its new events. No I/O: the importer (app/importService.ts)
// reads the histories, plans each row with these functions, derives the clocks and writes.
//
// Invariants: a plan never removes or rewrites a stored event; re-planning a row already
// imported yields no new event (re-importing a file changes nothing).
import type { Bilingual } from "../../i18n/lang.js";
import type {
  EventKind,
  Instant,
  Report,
  ReportEvent,
  ReportEventRow,
  ReportSnapshot,
} from "../types.js";

/** A report's stored history: its facts and its events in order. */
export interface StoredHistory {
  report: Report;
  events: ReportEvent[];
}

/** One problem of one row. `value` is cut to 200 characters; contact data is never shown. */
export interface Rejection {
  rowNumber: number;
  /** The header as written in the file (or the canonical field when the column is absent). */
  column: string;
  value: string;
  reason: Bilingual;
  /** The row's tracking ID and agency as written: whoever calls the reporter back needs them. */
  trackingId?: string;
  agency?: string;
  /** "warning": the row was imported all the same; absent: the row was rejected. */
  severity?: "warning";
  /** Set when an `admit` rule refused the row (e.g. "backdated"); absent for history conflicts. */
  code?: string;
}

/** The row's tracking ID and agency as written, for the rejections the planner adds. */
export interface ItemWritten {
  trackingId: string;
  agency: string;
}

/** An `admit` rule's refusal of one new event. */
export interface Refusal {
  code: string;
  reason: Bilingual;
}

export type ImportItem =
  | {
      rowNumber: number;
      kind: "snapshot";
      snapshot: ReportSnapshot;
      written?: ItemWritten;
      /** Problems that did not stop the row (an unknown channel); listed if it is imported. */
      warnings?: Rejection[];
    }
  | { rowNumber: number; kind: "event"; event: ReportEventRow; written?: ItemWritten }
  | { rowNumber: number; kind: "rejected"; rejections: Rejection[] };

const SINGLE_MILESTONES: readonly {
  field: keyof ReportSnapshot["milestones"];
  kind: EventKind;
  column: string;
}[] = [
  { field: "firstResponseAt", kind: "first_response", column: "first_response_at" },
  { field: "followedUpAt", kind: "followed_up", column: "followed_up_at" },
  { field: "completedAt", kind: "completed", column: "completed_at" },
  { field: "archivedAt", kind: "archived", column: "archived_at" },
];

const iso = (t: Instant): string => new Date(t).toISOString();

function reject(
  rowNumber: number,
  column: string,
  value: string,
  id: string,
  en: string,
): Rejection {
  return { rowNumber, column, value, reason: { id, en } };
}

export interface Planned {
  report: Report;
  reportChanged: boolean;
  isNew: boolean;
  events: ReportEvent[];
}

function sameReport(a: Report, b: Report): boolean {
  return (
    a.opd === b.opd &&
    a.type === b.type &&
    a.complexity === b.complexity &&
    a.category === b.category &&
    a.channel === b.channel &&
    a.anonymous === b.anonymous &&
    a.confidential === b.confidential &&
    a.contactComplete === b.contactComplete &&
    a.receivedAt === b.receivedAt
  );
}

function hasEvent(events: readonly ReportEvent[], e: ReportEvent): boolean {
  return events.some(
    (x) => x.kind === e.kind && x.at === e.at && (x.opd ?? null) === (e.opd ?? null),
  );
}

/** Plans a snapshot against the stored history: new events, or the reason it contradicts it. */
export function planSnapshot(
  rowNumber: number,
  snapshot: ReportSnapshot,
  history: StoredHistory | undefined,
): Planned | Rejection {
  const m = snapshot.milestones;
  // Milestones must not run backwards within the row.
  const order: [string, Instant | undefined][] = [
    ["received_at", snapshot.receivedAt],
    ["disposed_at", m.disposedAt],
    ["first_response_at", m.firstResponseAt],
  ];
  let last: [string, Instant] | null = null;
  for (const [column, at] of order) {
    if (at === undefined) continue;
    if (last && at < last[1]) {
      return reject(
        rowNumber,
        column,
        iso(at),
        `${column} lebih awal dari ${last[0]}`,
        `${column} is earlier than ${last[0]}`,
      );
    }
    last = [column, at];
  }
  for (const { field, column } of SINGLE_MILESTONES) {
    const at = m[field];
    if (at !== undefined && at < snapshot.receivedAt) {
      return reject(
        rowNumber,
        column,
        iso(at),
        `${column} lebih awal dari received_at`,
        `${column} is earlier than received_at`,
      );
    }
  }
  if (m.disposedAt !== undefined && !snapshot.opd) {
    return reject(
      rowNumber,
      "opd",
      "",
      "ada disposed_at tetapi OPD tujuan kosong",
      "disposed_at is given but the agency is empty",
    );
  }
  const report: Report = {
    trackingId: snapshot.trackingId,
    opd: snapshot.opd,
    type: snapshot.type,
    complexity: snapshot.complexity,
    category: snapshot.category,
    channel: snapshot.channel,
    anonymous: snapshot.anonymous,
    confidential: snapshot.confidential,
    contactComplete: snapshot.contactComplete,
    receivedAt: snapshot.receivedAt,
  };
  const existing = history?.events ?? [];
  if (history && history.report.receivedAt !== snapshot.receivedAt) {
    return reject(
      rowNumber,
      "received_at",
      iso(snapshot.receivedAt),
      `bertentangan dengan riwayat: tercatat diterima ${iso(history.report.receivedAt)}`,
      `contradicts the history: recorded as received at ${iso(history.report.receivedAt)}`,
    );
  }
  const events: ReportEvent[] = [];
  if (!history) events.push({ kind: "received", at: snapshot.receivedAt, opd: null });
  if (m.disposedAt !== undefined && snapshot.opd) {
    const dispositions = existing.filter((e) => e.kind === "disposed" || e.kind === "redisposed");
    const current = dispositions[dispositions.length - 1];
    if (!current) {
      events.push({ kind: "disposed", at: m.disposedAt, opd: snapshot.opd });
    } else if (current.opd === snapshot.opd) {
      if (!dispositions.some((d) => d.at === m.disposedAt && d.opd === snapshot.opd)) {
        return reject(
          rowNumber,
          "disposed_at",
          iso(m.disposedAt),
          `bertentangan dengan riwayat: disposisi ke ${snapshot.opd} tercatat ${iso(current.at)}`,
          `contradicts the history: disposition to ${snapshot.opd} recorded at ${iso(current.at)}`,
        );
      }
    } else if (m.disposedAt <= current.at) {
      return reject(
        rowNumber,
        "disposed_at",
        iso(m.disposedAt),
        `mundur: disposisi terakhir (ke ${current.opd}) tercatat ${iso(current.at)}`,
        `moves backwards: the latest disposition (to ${current.opd}) is recorded at ${iso(current.at)}`,
      );
    } else {
      events.push({ kind: "redisposed", at: m.disposedAt, opd: snapshot.opd });
    }
  } else if (history?.report.opd && snapshot.opd !== history.report.opd) {
    return reject(
      rowNumber,
      "opd",
      snapshot.opd ?? "",
      `OPD berubah tanpa tanggal disposisi baru`,
      `the agency changed without a new disposition date`,
    );
  }
  for (const { field, kind, column } of SINGLE_MILESTONES) {
    const at = m[field];
    if (at === undefined) continue;
    const recorded = existing.filter((e) => e.kind === kind);
    if (recorded.some((e) => e.at === at)) continue;
    const first = recorded[0];
    if (first && kind !== "first_response" && kind !== "followed_up") {
      return reject(
        rowNumber,
        column,
        iso(at),
        `bertentangan dengan riwayat: tercatat ${iso(first.at)}`,
        `contradicts the history: recorded at ${iso(first.at)}`,
      );
    }
    if (first && at < first.at) {
      return reject(
        rowNumber,
        column,
        iso(at),
        `mundur: tercatat ${iso(first.at)}`,
        `moves backwards: recorded at ${iso(first.at)}`,
      );
    }
    if (first) continue; // a later response after the first one: the first counts, nothing new.
    events.push({
      kind,
      at,
      opd: kind === "archived" || kind === "completed" ? null : snapshot.opd,
    });
  }
  const newEvents = events.filter((e) => !hasEvent(existing, e));
  return {
    report,
    isNew: !history,
    reportChanged: !history || !sameReport(history.report, report),
    events: newEvents,
  };
}

/** The target of the latest disposition (by instant; `added` wins a tie) once `added` is in. */
function latestDisposition(events: readonly ReportEvent[], added: ReportEvent): string | null {
  let latest = added;
  for (const e of events) {
    if ((e.kind === "disposed" || e.kind === "redisposed") && e.at > latest.at) latest = e;
  }
  return latest.opd;
}

/** Plans an event-log line against the stored history. */
export function planEvent(
  rowNumber: number,
  row: ReportEventRow,
  history: StoredHistory | undefined,
): Planned | Rejection {
  if (!history) {
    return reject(
      rowNumber,
      "tracking_id",
      row.trackingId,
      "laporan belum ada: impor baris laporannya (snapshot) terlebih dahulu",
      "unknown report: import its snapshot row first",
    );
  }
  if (row.at < history.report.receivedAt) {
    return reject(
      rowNumber,
      "at",
      iso(row.at),
      "peristiwa lebih awal dari tanggal laporan diterima",
      "event is earlier than the report's received instant",
    );
  }
  if ((row.kind === "disposed" || row.kind === "redisposed") && !row.opd) {
    return reject(
      rowNumber,
      "opd",
      "",
      "disposisi memerlukan OPD tujuan",
      "a disposition needs the target agency",
    );
  }
  const event: ReportEvent = { kind: row.kind, at: row.at, opd: row.opd };
  const isNewEvent = !hasEvent(history.events, event);
  // The report belongs to its latest disposition in time, whatever order the rows come in:
  // an earlier disposition added after a later one does not move the report (the clocks are
  // derived in time order, so owner and open clock stay together).
  const report =
    isNewEvent && (row.kind === "disposed" || row.kind === "redisposed")
      ? { ...history.report, opd: latestDisposition(history.events, event) }
      : history.report;
  return {
    report,
    isNew: false,
    reportChanged: !sameReport(history.report, report),
    events: isNewEvent ? [event] : [],
  };
}

/** The column a snapshot carries each event kind in (for rejections of `admit`). */
const SNAPSHOT_COLUMN_OF: Partial<Record<EventKind, string>> = {
  received: "received_at",
  disposed: "disposed_at",
  redisposed: "disposed_at",
  first_response: "first_response_at",
  followed_up: "followed_up_at",
  completed: "completed_at",
  archived: "archived_at",
};

/** The first of the plan's new events `admit` refuses, as the row's rejection. */
export function refuse(
  item: ImportItem,
  plan: Planned,
  admit: (event: ReportEvent, report: Report) => Refusal | null,
): Rejection | null {
  for (const event of plan.events) {
    const refusal = admit(event, plan.report);
    if (!refusal) continue;
    const column = item.kind === "event" ? "at" : (SNAPSHOT_COLUMN_OF[event.kind] ?? "at");
    return { rowNumber: item.rowNumber, column, value: iso(event.at), ...refusal };
  }
  return null;
}
