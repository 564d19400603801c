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
import { deriveClocks } from "../core/sla/clocks.js";
import type { SlaClock } from "../core/types.js";
import { loadHistories, type History } from "../store/reportStore.js";
import { clockToRow, reportToRow } from "../store/rows.js";
import type { AppContext } from "./context.js";

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
  const existedBefore = new Set(histories.keys());
  const touched = new Set<string>();
  const reportRows = new Map<string, ReturnType<typeof reportToRow> & { isNew: boolean }>();
  const eventRows: Record<string, unknown>[] = [];
  const at = new Date(options.now);
  const recordedAt = at.toISOString();
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
        at: new Date(e.at).toISOString(),
        opd: e.opd,
        source: options.source,
        recorded_at: recordedAt,
      });
    }
    // Later rows of this chunk see this row's effect.
    histories.set(trackingId, {
      report: plan.report,
      events: [...(history?.events ?? []), ...plan.events].sort((a, b) => a.at - b.at),
    });
  }
  const stamp = at.toISOString();
  const reports = [...reportRows.values()].map(({ isNew: _isNew, ...row }) => ({
    ...row,
    created_at: stamp,
    updated_at: stamp,
  }));
  if (reports.length > 0) {
    // One statement per chunk, the rows as one JSON parameter: far less client-side work than
    // a multi-row VALUES list with a binding per cell.
    await trx.raw(
      `INSERT INTO reports (${REPORT_COLUMNS.map((c) => c[0]).join(", ")})
       SELECT ${REPORT_COLUMNS.map((c) => c[0]).join(", ")}
       FROM jsonb_to_recordset(?::jsonb) AS t(${recordsetColumns(REPORT_COLUMNS)})
       ON CONFLICT (tracking_id) DO UPDATE SET ${REPORT_MERGE.map((c) => `${c} = excluded.${c}`).join(", ")}`,
      [JSON.stringify(reports)],
    );
  }
  if (eventRows.length > 0) {
    await trx.raw(
      `INSERT INTO report_events (${EVENT_COLUMNS.map((c) => c[0]).join(", ")})
       SELECT ${EVENT_COLUMNS.map((c) => c[0]).join(", ")}
       FROM jsonb_to_recordset(?::jsonb) AS t(${recordsetColumns(EVENT_COLUMNS)})
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(eventRows)],
    );
  }
  if (touched.size > 0) {
    // The histories in memory are the stored ones plus this chunk's writes: derive from them
    // instead of reading them back (what refreshReports would do, without its two queries).
    const clockContext = ctx.calendars.clockContext();
    const clocks: SlaClock[] = [];
    for (const trackingId of touched) {
      const history = histories.get(trackingId);
      if (!history) continue;
      clocks.push(
        ...deriveClocks(history.report, history.events, clockContext, options.now).clocks,
      );
    }
    await storeClocks(trx, [...touched], clocks, existedBefore, options.now);
  }
}

const REPORT_COLUMNS: readonly (readonly [string, string])[] = [
  ["tracking_id", "text"],
  ["opd", "text"],
  ["type", "text"],
  ["complexity", "text"],
  ["category", "text"],
  ["channel", "text"],
  ["anonymous", "boolean"],
  ["confidential", "boolean"],
  ["contact_complete", "boolean"],
  ["received_at", "timestamptz"],
  ["created_at", "timestamptz"],
  ["updated_at", "timestamptz"],
];
const REPORT_MERGE = [
  "opd",
  "type",
  "complexity",
  "category",
  "channel",
  "anonymous",
  "confidential",
  "contact_complete",
  "updated_at",
];
const EVENT_COLUMNS: readonly (readonly [string, string])[] = [
  ["tracking_id", "text"],
  ["kind", "text"],
  ["at", "timestamptz"],
  ["opd", "text"],
  ["source", "text"],
  ["recorded_at", "timestamptz"],
];
const CLOCK_COLUMNS: readonly (readonly [string, string])[] = [
  ["tracking_id", "text"],
  ["stage", "text"],
  ["seq", "integer"],
  ["opd", "text"],
  ["sop_id", "text"],
  ["sop_version", "text"],
  ["target_amount", "double precision"],
  ["target_unit", "text"],
  ["started_at", "timestamptz"],
  ["due_at", "timestamptz"],
  ["at_risk_at", "timestamptz"],
  ["stopped_at", "timestamptz"],
  ["used_ms", "double precision"],
  ["outcome", "text"],
  ["state", "text"],
  ["pauses", "jsonb"],
  ["next_check_at", "timestamptz"],
  ["computed_at", "timestamptz"],
];
/** Columns rewritten on conflict: all but the key (as saveClocks in reportStore.ts). */
const CLOCK_MERGE = CLOCK_COLUMNS.map((c) => c[0]).filter(
  (c) => c !== "tracking_id" && c !== "stage" && c !== "seq",
);

function recordsetColumns(columns: readonly (readonly [string, string])[]): string {
  return columns.map(([name, type]) => `${name} ${type}`).join(", ");
}

/**
 * Stores derived clocks like saveClocks (reportStore.ts) in two statements per chunk: a clock
 * already stored as stopped is never rewritten, and open clocks the derivation no longer produces
 * are removed (only reports that existed before the chunk can have such clocks).
 */
async function storeClocks(
  trx: Knex.Transaction,
  trackingIds: readonly string[],
  clocks: readonly SlaClock[],
  existedBefore: ReadonlySet<string>,
  now: Instant,
): Promise<void> {
  const computedAt = new Date(now).toISOString();
  const rows = clocks.map((c) => {
    // As clockToRow, with the pauses as JSON values rather than a JSON string.
    const pauses = c.pauses.map((p) => ({
      start: p.start,
      end: Number.isFinite(p.end) ? p.end : null,
    }));
    return { ...clockToRow(c), pauses, computed_at: computedAt };
  });
  if (rows.length > 0) {
    await trx.raw(
      `INSERT INTO sla_clocks AS s (${CLOCK_COLUMNS.map((c) => c[0]).join(", ")})
       SELECT ${CLOCK_COLUMNS.map((c) => c[0]).join(", ")}
       FROM jsonb_to_recordset(?::jsonb) AS t(${recordsetColumns(CLOCK_COLUMNS)})
       ON CONFLICT (tracking_id, stage, seq) DO UPDATE SET ${CLOCK_MERGE.map((c) => `${c} = excluded.${c}`).join(", ")}
       WHERE s.stopped_at IS NULL`,
      [JSON.stringify(rows)],
    );
  }
  const existing = trackingIds.filter((id) => existedBefore.has(id));
  if (existing.length > 0) {
    const keep = clocks
      .filter((c) => existedBefore.has(c.trackingId))
      .map((c) => ({ tracking_id: c.trackingId, stage: c.stage, seq: c.seq }));
    await trx.raw(
      `DELETE FROM sla_clocks s
       WHERE s.tracking_id IN (SELECT jsonb_array_elements_text(?::jsonb))
         AND s.stopped_at IS NULL
         AND NOT EXISTS (
           SELECT 1 FROM jsonb_to_recordset(?::jsonb) AS k(tracking_id text, stage text, seq integer)
           WHERE k.tracking_id = s.tracking_id AND k.stage = s.stage AND k.seq = s.seq)`,
      [JSON.stringify(existing), JSON.stringify(keep)],
    );
  }
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
  const chunkSize = options.chunkSize ?? 2000;
  try {
    await ctx.db.knex.transaction(async (trx) => {
      // Every lookup of the import is by key. In a large first import the tables grow inside
      // this transaction while their statistics still say "empty", and the planner then picks
      // sequential scans that make each chunk slower than the one before (quadratic time).
      await trx.raw("SET LOCAL enable_seqscan = off");
      // Reading and normalising the next chunk overlaps with the database work on the previous
      // one (at most one chunk in flight, written in order, so each chunk's plan sees the
      // previous chunks' writes).
      let inFlight: Promise<void> = Promise.resolve();
      const write = (chunk: ImportItem[]): void => {
        inFlight = inFlight
          .then(() => writeChunk(ctx, trx, chunk, options, summary))
          .then(() => options.onProgress?.(summary.rows));
        inFlight.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      };
      let chunk: ImportItem[] = [];
      try {
        for await (const item of items) {
          chunk.push(item);
          if (chunk.length >= chunkSize) {
            await inFlight;
            write(chunk);
            chunk = [];
          }
        }
      } catch (error) {
        // The file failed midway: let the chunk in flight settle before the rollback.
        await inFlight.catch(() => undefined);
        throw error;
      }
      await inFlight;
      if (chunk.length > 0) {
        write(chunk);
        await inFlight;
      } else if (summary.rows === 0) {
        options.onProgress?.(summary.rows);
      }
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
