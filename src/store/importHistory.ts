// The import history (table import_files): what each finished file gave, for `pantau import
// history`, the inbox (a repeated file, a drop already recorded) and the feed metrics.
import type { Knex } from "knex";
import type { Instant } from "../core/types.js";
import type { Db } from "./reportStore.js";

export type ImportResult = "imported" | "unchanged" | "failed";
export const IMPORT_RESULTS: readonly ImportResult[] = ["imported", "unchanged", "failed"];

export interface ImportRecord {
  fileName: string;
  contentHash: string;
  /** One drop of a file into the inbox (unique); null for `pantau import FILE`. */
  dropKey: string | null;
  origin: "inbox" | "cli";
  result: ImportResult;
  rows: number;
  imported: number;
  unchanged: number;
  rejected: number;
  warnings: number;
  reason: string | null;
  movedTo: string | null;
  instance: string;
  finishedAt: Instant;
}

interface Row {
  file_name: string;
  content_hash: string;
  drop_key: string | null;
  origin: "inbox" | "cli";
  result: ImportResult;
  rows: number;
  imported: number;
  unchanged: number;
  rejected: number;
  warnings: number;
  reason: string | null;
  moved_to: string | null;
  instance: string;
  finished_at: Date;
}

const fromRow = (r: Row): ImportRecord => ({
  fileName: r.file_name,
  contentHash: r.content_hash,
  dropKey: r.drop_key,
  origin: r.origin,
  result: r.result,
  rows: r.rows,
  imported: r.imported,
  unchanged: r.unchanged,
  rejected: r.rejected,
  warnings: r.warnings,
  reason: r.reason,
  movedTo: r.moved_to,
  instance: r.instance,
  finishedAt: r.finished_at.getTime(),
});

/**
 * Records a finished file. With a drop key already recorded (another daemon was first) nothing
 * is written and false is returned.
 */
export async function recordImport(db: Db, record: ImportRecord): Promise<boolean> {
  const rows = (await db("import_files")
    .insert({
      file_name: record.fileName,
      content_hash: record.contentHash,
      drop_key: record.dropKey,
      origin: record.origin,
      result: record.result,
      rows: record.rows,
      imported: record.imported,
      unchanged: record.unchanged,
      rejected: record.rejected,
      warnings: record.warnings,
      reason: record.reason,
      moved_to: record.movedTo,
      instance: record.instance,
      finished_at: new Date(record.finishedAt),
    })
    .onConflict("drop_key")
    .ignore()
    .returning("id")) as unknown[];
  return rows.length > 0;
}

/** The record of one inbox drop, if it was finished already. */
export async function findDrop(db: Db, dropKey: string): Promise<ImportRecord | null> {
  const row = (await db("import_files").where({ drop_key: dropKey }).first()) as Row | undefined;
  return row ? fromRow(row) : null;
}

/** Whether a file with these bytes was imported before (imported or recorded unchanged). */
export async function contentImported(db: Db, contentHash: string): Promise<boolean> {
  const row = (await db("import_files")
    .where({ content_hash: contentHash })
    .whereIn("result", ["imported", "unchanged"])
    .first("id")) as unknown;
  return row !== undefined;
}

/** The latest records, newest first. */
export async function listImports(db: Db, limit: number): Promise<ImportRecord[]> {
  const rows = (await db("import_files")
    .orderBy("finished_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)) as Row[];
  return rows.map(fromRow);
}

/** Files per result (all time, up to `now`) and the last file imported, for the metrics. */
export async function importCounts(
  knex: Knex,
  now: Instant,
): Promise<{ byResult: Record<ImportResult, number>; lastImportedAt: Instant | null }> {
  const at = new Date(now);
  const rows = (await knex("import_files")
    .select("result")
    .count({ count: "*" })
    .max({ last: "finished_at" })
    .where("finished_at", "<=", at)
    .groupBy("result")) as { result: string; count: number | string; last: Date | null }[];
  const byResult: Record<ImportResult, number> = { imported: 0, unchanged: 0, failed: 0 };
  let lastImportedAt: Instant | null = null;
  for (const r of rows) {
    if (!(IMPORT_RESULTS as readonly string[]).includes(r.result)) continue;
    byResult[r.result as ImportResult] = Number(r.count);
    if (r.result === "imported" && r.last) lastImportedAt = new Date(r.last).getTime();
  }
  return { byResult, lastImportedAt };
}
