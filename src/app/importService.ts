// Writes normalised import items (report snapshots and event-log lines) into the database, all
// of one file in one transaction: every row ends imported, unchanged or rejected; a failure midway
// leaves the database as it was. A dry run does the same work and rolls back.
import type { Knex } from "knex";
import type { Bilingual } from "../i18n/lang.js";
import type {
  EventKind,
  Instant,
  Report,
  ReportEvent,
  ReportEventRow,
  ReportSnapshot,
} from "../core/types.js";
import { loadHistories, type History } from "../store/reportStore.js";
import { reportToRow } from "../store/rows.js";
import type { AppContext } from "./context.js";
import { refreshReports } from "./clockService.js";

export interface Rejection {
  rowNumber: number;
  column: string;
  value: string;
  reason: Bilingual;
}

export type ImportItem =
  | { rowNumber: number; kind: "snapshot"; snapshot: ReportSnapshot }
  | { rowNumber: number; kind: "event"; event: ReportEventRow }
  | { rowNumber: number; kind: "rejected"; rejections: Rejection[] };

export interface ImportSummary {
  rows: number;
  imported: number;
  unchanged: number;
  rejected: number;
  reportsCreated: number;
  eventsAdded: number;
  rejections: Rejection[];
  dryRun: boolean;
}

export interface ImportOptions {
  source: string;
  now: Instant;
  dryRun?: boolean;
  chunkSize?: number;
  onProgress?: (rows: number) => void;
}

class DryRunRollback extends Error {}

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

interface Planned {
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
  history: History | undefined,
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

/** Plans an event-log line against the stored history. */
export function planEvent(
  rowNumber: number,
  row: ReportEventRow,
  history: History | undefined,
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
  const report =
    isNewEvent && (row.kind === "disposed" || row.kind === "redisposed")
      ? { ...history.report, opd: row.opd }
      : history.report;
  return {
    report,
    isNew: false,
    reportChanged: !sameReport(history.report, report),
    events: isNewEvent ? [event] : [],
  };
}

async function writeChunk(
  ctx: AppContext,
  trx: Knex.Transaction,
  items: ImportItem[],
  options: ImportOptions,
  summary: ImportSummary,
): Promise<void> {
  const ids = [
    ...new Set(
      items.flatMap((i) =>
        i.kind === "snapshot"
          ? [i.snapshot.trackingId]
          : i.kind === "event"
            ? [i.event.trackingId]
            : [],
      ),
    ),
  ];
  if (ids.length > 0) {
    // Lock the reports this chunk touches, so a concurrent scan does not race the refresh.
    await trx("reports").select("tracking_id").whereIn("tracking_id", ids).forUpdate();
  }
  const histories = await loadHistories(trx, ids);
  const touched = new Set<string>();
  const reportRows = new Map<string, ReturnType<typeof reportToRow> & { isNew: boolean }>();
  const eventRows: Record<string, unknown>[] = [];
  const at = new Date(options.now);
  for (const item of items) {
    summary.rows++;
    if (item.kind === "rejected") {
      summary.rejected++;
      summary.rejections.push(...item.rejections);
      continue;
    }
    const trackingId = item.kind === "snapshot" ? item.snapshot.trackingId : item.event.trackingId;
    const history = histories.get(trackingId);
    const plan =
      item.kind === "snapshot"
        ? planSnapshot(item.rowNumber, item.snapshot, history)
        : planEvent(item.rowNumber, item.event, history);
    if ("reason" in plan) {
      summary.rejected++;
      summary.rejections.push(plan);
      continue;
    }
    if (!plan.reportChanged && plan.events.length === 0) {
      summary.unchanged++;
      continue;
    }
    summary.imported++;
    touched.add(trackingId);
    if (plan.isNew) summary.reportsCreated++;
    summary.eventsAdded += plan.events.length;
    if (plan.reportChanged) {
      const prior = reportRows.get(trackingId);
      reportRows.set(trackingId, {
        ...reportToRow(plan.report),
        isNew: prior?.isNew ?? plan.isNew,
      });
    }
    for (const e of plan.events) {
      eventRows.push({
        tracking_id: trackingId,
        kind: e.kind,
        at: new Date(e.at),
        opd: e.opd,
        source: options.source,
        recorded_at: at,
      });
    }
    // Later rows of this chunk see this row's effect.
    histories.set(trackingId, {
      report: plan.report,
      events: [...(history?.events ?? []), ...plan.events].sort((a, b) => a.at - b.at),
    });
  }
  const rows = [...reportRows.values()];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows
      .slice(i, i + 500)
      .map(({ isNew: _isNew, ...row }) => ({ ...row, created_at: at, updated_at: at }));
    await trx("reports")
      .insert(chunk)
      .onConflict("tracking_id")
      .merge([
        "opd",
        "type",
        "complexity",
        "category",
        "channel",
        "anonymous",
        "confidential",
        "contact_complete",
        "updated_at",
      ]);
  }
  for (let i = 0; i < eventRows.length; i += 1000) {
    await trx("report_events")
      .insert(eventRows.slice(i, i + 1000))
      .onConflict()
      .ignore();
  }
  if (touched.size > 0) await refreshReports(ctx, trx, [...touched], options.now);
}

/** Imports all items in one transaction (rolled back for a dry run). */
export async function importItems(
  ctx: AppContext,
  items: AsyncIterable<ImportItem> | Iterable<ImportItem>,
  options: ImportOptions,
): Promise<ImportSummary> {
  const summary: ImportSummary = {
    rows: 0,
    imported: 0,
    unchanged: 0,
    rejected: 0,
    reportsCreated: 0,
    eventsAdded: 0,
    rejections: [],
    dryRun: options.dryRun ?? false,
  };
  const chunkSize = options.chunkSize ?? 500;
  try {
    await ctx.db.knex.transaction(async (trx) => {
      let chunk: ImportItem[] = [];
      for await (const item of items) {
        chunk.push(item);
        if (chunk.length >= chunkSize) {
          await writeChunk(ctx, trx, chunk, options, summary);
          options.onProgress?.(summary.rows);
          chunk = [];
        }
      }
      if (chunk.length > 0) await writeChunk(ctx, trx, chunk, options, summary);
      options.onProgress?.(summary.rows);
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  ctx.logger.info("import finished", {
    source: options.source,
    rows: summary.rows,
    imported: summary.imported,
    unchanged: summary.unchanged,
    rejected: summary.rejected,
    dryRun: summary.dryRun,
  });
  return summary;
}
