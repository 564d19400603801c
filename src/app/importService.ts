// Writes normalised import items (report snapshots and event-log lines) into the database, all
// of one file in one transaction: every row ends imported, unchanged or rejected; a failure midway
// leaves the database as it was. A dry run does the same work and rolls back.
import type { Instant, Report, ReportEvent } from "../core/types.js";
import { deriveClocks } from "../core/sla/clocks.js";
import {
  planEvent,
  planSnapshot,
  refuse,
  type ImportItem,
  type Refusal,
  type Rejection,
} from "../core/import/plan.js";
import type { History } from "../store/reportStore.js";
import { ImportError } from "../ingest/errors.js";
import { BulkSession, keyLookupsOnly } from "../store/bulkSession.js";
import {
  ChunkWrites,
  FINISH_BULK_WRITE,
  queueLoadHistories,
  START_BULK_WRITE,
} from "../store/importWrites.js";
import type { Knex } from "knex";
import type { AppContext } from "../context/appContext.js";

export {
  planEvent,
  planSnapshot,
  type ImportItem,
  type ItemWritten,
  type Refusal,
  type Rejection,
} from "../core/import/plan.js";

export interface ImportSummary {
  rows: number;
  imported: number;
  unchanged: number;
  rejected: number;
  reportsCreated: number;
  eventsAdded: number;
  rejections: Rejection[];
  /** Warnings of the rows imported or unchanged (severity "warning"). */
  warnings: Rejection[];
  dryRun: boolean;
}

export interface ImportOptions {
  source: string;
  now: Instant;
  dryRun?: boolean;
  /**
   * Judges every event a row would add (the API's recording rules); a refusal rejects the row.
   * Events already stored are never judged again, so re-sending a snapshot stays harmless.
   */
  admit?: (event: ReportEvent, report: Report) => Refusal | null;
  chunkSize?: number;
  onProgress?: (rows: number) => void;
  /** Runs first inside the transaction (e.g. take a lock); throwing rolls back and rethrows. */
  begin?: (trx: Knex.Transaction) => Promise<void>;
  /**
   * Runs after the last row, inside the transaction (not for a dry run's rollback only: also
   * then): throwing rolls everything back and the error is rethrown (the file importer redoes a
   * file whose rows contradict one another; the inbox records the file in the same transaction).
   */
  beforeCommit?: (trx: Knex.Transaction, summary: ImportSummary) => Promise<void>;
}

/** Thrown inside the transaction of a dry run to roll it back. */
class DryRunRollback extends Error {
  readonly code = "IMPORT_DRY_RUN";
}

/**
 * Plans one chunk against the histories (the stored ones, plus the previous chunk's results)
 * and derives the clocks of every report it changes. Counts go into `summary`; `histories` ends
 * holding every report of the chunk as it will be once the writes have run.
 */
function planChunk(
  ctx: AppContext,
  items: readonly ImportItem[],
  histories: Map<string, History>,
  options: ImportOptions,
  summary: ImportSummary,
): ChunkWrites {
  const existedBefore = new Set(histories.keys());
  const touched = new Set<string>();
  const changedReports = new Map<string, Report>();
  const writes = new ChunkWrites();
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
      summary.rejections.push({ ...plan, trackingId, ...item.written });
      continue;
    }
    const refused = options.admit ? refuse(item, plan, options.admit) : null;
    if (refused) {
      summary.rejected++;
      summary.rejections.push(refused);
      continue;
    }
    if (item.kind === "snapshot" && item.warnings) summary.warnings.push(...item.warnings);
    if (!plan.reportChanged && plan.events.length === 0) {
      summary.unchanged++;
      continue;
    }
    summary.imported++;
    touched.add(trackingId);
    if (plan.isNew) summary.reportsCreated++;
    summary.eventsAdded += plan.events.length;
    if (plan.reportChanged) changedReports.set(trackingId, plan.report);
    for (const e of plan.events) {
      writes.addEvent(trackingId, e, !existedBefore.has(trackingId));
    }
    // Later rows (of this chunk and the next) see this row's effect.
    histories.set(trackingId, {
      report: plan.report,
      events:
        plan.events.length === 0
          ? (history?.events ?? [])
          : [...(history?.events ?? []), ...plan.events].sort((a, b) => a.at - b.at),
    });
  }
  for (const r of changedReports.values()) {
    writes.addReport(r, !existedBefore.has(r.trackingId));
  }
  // The histories in memory are the stored ones plus this chunk's writes: derive from them
  // instead of reading them back (what refreshReports would do, without its two queries).
  const clockContext = ctx.calendars.clockContext();
  for (const trackingId of touched) {
    const history = histories.get(trackingId);
    if (!history) continue;
    const isNew = !existedBefore.has(trackingId);
    const { clocks } = deriveClocks(history.report, history.events, clockContext, options.now);
    for (const c of clocks) writes.addClock(c, isNew);
    if (!isNew) writes.addExisting(trackingId, clocks);
  }
  return writes;
}

function chunkIds(items: readonly ImportItem[]): Set<string> {
  const ids = new Set<string>();
  for (const i of items) {
    if (i.kind === "snapshot") ids.add(i.snapshot.trackingId);
    else if (i.kind === "event") ids.add(i.event.trackingId);
  }
  return ids;
}

/**
 * A unique violation on a key that the plain INSERTs for new reports write: only another
 * writer committing the same report between our read and our write causes one.
 */
function isConcurrentWrite(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return (
    code === "23505" &&
    typeof constraint === "string" &&
    ["reports_pkey", "report_events_identity", "sla_clocks_pkey"].includes(constraint)
  );
}

/**
 * Chunks through the transaction's connection: while the server runs chunk k's writes, this
 * process reads chunk k+1 and plans it. The read of chunk k+1's stored histories is queued
 * ahead of chunk k's writes, so it cannot see them: the reports chunk k touched come from
 * memory instead (the histories chunk k's plan left behind); all others are unaffected by it.
 */
class ChunkPipeline {
  /** The previous chunk's histories after its plan; its writes are not queued yet. */
  private previous = new Map<string, History>();
  private pending: ChunkWrites | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly session: BulkSession,
    private readonly options: ImportOptions,
  ) {}

  async process(chunk: readonly ImportItem[], summary: ImportSummary): Promise<void> {
    const ids = chunkIds(chunk);
    const load = queueLoadHistories(
      this.session,
      [...ids].filter((id) => !this.previous.has(id)),
    );
    this.flush();
    const histories = await load;
    for (const id of ids) {
      const h = this.previous.get(id);
      if (h) histories.set(id, h);
    }
    this.pending = planChunk(this.ctx, chunk, histories, this.options, summary);
    this.previous = histories;
    this.options.onProgress?.(summary.rows);
  }

  /** Queues the planned writes; their failure surfaces in finish() (the session keeps it). */
  private flush(): void {
    if (!this.pending) return;
    void this.pending.queue(this.session, this.options.source, this.options.now).catch(() => {});
    this.pending = null;
  }

  /** Queues the last writes and then the rollups of everything written. */
  finishRollups(): void {
    this.flush();
    void this.session.query(FINISH_BULK_WRITE).catch(() => {});
  }

  /** Queues what is left and waits for every statement; rejects with the first failure. */
  async finish(): Promise<void> {
    this.flush();
    await this.session.drain();
  }
}

/** Imports all items in one transaction (rolled back for a dry run), chunk by chunk. */
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
    warnings: [],
    dryRun: options.dryRun ?? false,
  };
  const chunkSize = options.chunkSize ?? 2000;
  try {
    await ctx.db.knex.transaction(async (trx) => {
      // Every lookup of the import is by key; otherwise chunks get slower as the tables grow.
      await keyLookupsOnly(trx);
      await options.begin?.(trx);
      for (const statement of START_BULK_WRITE) await trx.raw(statement);
      const pipeline = new ChunkPipeline(ctx, await BulkSession.open(ctx.db.kind, trx), options);
      let chunk: ImportItem[] = [];
      try {
        for await (const item of items) {
          chunk.push(item);
          if (chunk.length >= chunkSize) {
            const full = chunk;
            chunk = [];
            await pipeline.process(full, summary);
          }
        }
        if (chunk.length > 0) await pipeline.process(chunk, summary);
        else if (summary.rows === 0) options.onProgress?.(summary.rows);
        pipeline.finishRollups();
      } finally {
        // Whatever happened (the file failed midway, a statement failed), every queued
        // statement settles before the transaction commits or rolls back.
        await pipeline.finish();
      }
      await options.beforeCommit?.(trx, summary);
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (error instanceof DryRunRollback) {
      // rolled back on purpose
    } else if (isConcurrentWrite(error)) {
      throw new ImportError("concurrent_write", {
        id: "Laporan yang sama ditulis bersamaan oleh penulis lain (API atau impor lain); tidak ada yang disimpan. Jalankan impor ini lagi: baris yang sudah ada akan dilewati.",
        en: "Another writer (the API or another import) wrote some of the same reports at the same time; nothing was saved. Run this import again: rows already there are skipped.",
      });
    } else {
      throw error;
    }
  }
  ctx.logger.info("import finished", {
    source: options.source,
    rows: summary.rows,
    imported: summary.imported,
    unchanged: summary.unchanged,
    rejected: summary.rejected,
    warnings: summary.warnings.length,
    dryRun: summary.dryRun,
  });
  return summary;
}
