// `pantau import FILE` and the inbox: reads a spreadsheet (CSV or XLSX, canonical or LAPOR!-style
// columns), imports it in one transaction, writes the rejections file and renders the summary.
//
// A tracking ID found twice in the file with different values is never guessed between: once the
// first pass has seen the whole file, it is rolled back and the file imported again with those
// IDs known, so that every row of each is rejected (a file without such rows is read once).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import type { Knex } from "knex";
import { DuplicateLedger, openImport } from "../ingest/normalize.js";
import { loadMapping } from "../ingest/read.js";
import { writeRejects } from "../ingest/rejects.js";
import { pick, type Lang } from "../i18n/lang.js";
import type { Instant } from "../core/types.js";
import type { AppContext } from "../context/appContext.js";
import { contentImported, recordImport, type ImportRecord } from "../store/importHistory.js";
import { importItems, type ImportSummary, type Rejection } from "./importService.js";

export interface ImportFileOptions {
  now: Instant;
  lang: Lang;
  sheet?: string;
  mappingFile?: string;
  rejectsFile?: string;
  dryRun: boolean;
  /** Draw a progress bar on stderr (a terminal only). */
  progress: boolean;
  /** Source label of the written rows (default "import:<file name>"). */
  source?: string;
  /** Hooks inside the import's transaction (the inbox locks and records the file there). */
  begin?: (trx: Knex.Transaction) => Promise<void>;
  beforeCommit?: (trx: Knex.Transaction, summary: ImportSummary) => Promise<void>;
  /** Rows read so far (also without a terminal). */
  onProgress?: (rows: number) => void;
  /**
   * Record the file in the import history (`pantau import history`) in the same transaction,
   * as imported or, when a file with the same bytes was imported before, unchanged. Default
   * "cli"; false when the caller records it (the inbox). A dry run records nothing.
   */
  history?: "cli" | false;
}

export interface ImportFileResult {
  summary: ImportSummary;
  /** The sheet read (xlsx) and the sheets passed over because no header was recognised. */
  sheet: string | null;
  skippedSheets: string[];
  text: string;
  jsonSummary: unknown;
}

/** SHA-256 (hex) of a file's bytes, read as a stream. */
export async function fileHash(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest("hex");
}

/** The counts of a summary as the import history stores them. */
export function historyCounts(
  s: ImportSummary,
): Pick<ImportRecord, "rows" | "imported" | "unchanged" | "rejected" | "warnings"> {
  return {
    rows: s.rows,
    imported: s.imported,
    unchanged: s.unchanged,
    rejected: s.rejected,
    warnings: s.warnings.length,
  };
}

/** Rejections and warnings in row order, as the rejections file lists them. */
export function rejectionLines(summary: ImportSummary): Rejection[] {
  return [...summary.rejections, ...summary.warnings].sort((a, b) => a.rowNumber - b.rowNumber);
}

function progressBar(fraction: number, rows: number): string {
  const width = 30;
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.round(fraction * 100)}%  ${rows}`;
}

/** Thrown inside the transaction to roll back a pass that met contradicting duplicate IDs. */
class AnotherPass extends Error {
  readonly code = "IMPORT_ANOTHER_PASS";
}

export async function importFile(
  ctx: AppContext,
  path: string,
  options: ImportFileOptions,
): Promise<ImportFileResult> {
  const mapping = options.mappingFile ? loadMapping(options.mappingFile) : undefined;
  let known: ReadonlyMap<string, readonly number[]> = new Map();
  for (;;) {
    const duplicates = new DuplicateLedger(known);
    const opened = await openImport(path, {
      agencies: ctx.config.agencies,
      defaultZone: ctx.config.defaultZone,
      lang: options.lang,
      duplicates,
      ...(mapping ? { mapping } : {}),
      ...(options.sheet !== undefined ? { sheet: options.sheet } : {}),
    });
    const started = Date.now();
    let drawn = false;
    let summary: ImportSummary;
    try {
      summary = await importItems(ctx, opened.rows, {
        source: options.source ?? `import:${basename(path)}`,
        now: options.now,
        dryRun: options.dryRun,
        ...(options.begin ? { begin: options.begin } : {}),
        beforeCommit: async (trx, s) => {
          if (duplicates.needsAnotherPass) throw new AnotherPass();
          await options.beforeCommit?.(trx, s);
          if ((options.history ?? "cli") === "cli" && !options.dryRun) {
            const contentHash = await fileHash(path);
            await recordImport(trx, {
              ...historyCounts(s),
              fileName: basename(path),
              contentHash,
              dropKey: null,
              origin: "cli",
              result: (await contentImported(trx, contentHash)) ? "unchanged" : "imported",
              reason: null,
              movedTo: null,
              instance: ctx.instanceId,
              finishedAt: options.now,
            });
          }
        },
        onProgress: (rows) => {
          options.onProgress?.(rows);
          // Only for files that take more than a moment, and only on a terminal.
          if (!options.progress || Date.now() - started < 1000) return;
          const { bytesRead, totalBytes } = opened.table.progress();
          process.stderr.write(progressBar(totalBytes > 0 ? bytesRead / totalBytes : 0, rows));
          drawn = true;
        },
      });
    } catch (error) {
      if (drawn) process.stderr.write("\n");
      // A hook that failed before the first row leaves the file open.
      await opened.table.close().catch(() => undefined);
      if (!(error instanceof AnotherPass)) throw error;
      ctx.logger.info("import: contradicting duplicate tracking IDs, importing again", {
        ids: duplicates.contradicted.size,
      });
      known = new Map(duplicates.contradicted);
      continue;
    }
    if (drawn) process.stderr.write("\n");
    const lines = rejectionLines(summary);
    if (options.rejectsFile && lines.length > 0) {
      await writeRejects(options.rejectsFile, lines, options.lang);
    }
    return render(path, options, summary, opened.table.format, {
      sheet: opened.table.sheet ?? null,
      skippedSheets: opened.table.skippedSheets ?? [],
    });
  }
}

function render(
  path: string,
  options: ImportFileOptions,
  summary: ImportSummary,
  format: string,
  sheets: { sheet: string | null; skippedSheets: string[] },
): ImportFileResult {
  const lang = options.lang;
  const warned = summary.warnings.length;
  const lines: string[] = [];
  if (sheets.sheet !== null && sheets.skippedSheets.length > 0) {
    const skipped = sheets.skippedSheets.map((n) => JSON.stringify(n)).join(", ");
    lines.push(
      pick(lang, {
        id: `Lembar ${JSON.stringify(sheets.sheet)} dibaca: lembar ${skipped} dilewati karena tidak memuat baris judul kolom yang dikenali (pilih lembar lain dengan --sheet).`,
        en: `Read sheet ${JSON.stringify(sheets.sheet)}: sheet ${skipped} skipped, no recognised header row in it (choose another with --sheet).`,
      }),
    );
  }
  lines.push(
    pick(lang, {
      id: `${options.dryRun ? "[uji coba, tidak ada yang ditulis] " : ""}${path}: ${summary.rows} baris — ${summary.imported} diimpor, ${summary.unchanged} tidak berubah, ${summary.rejected} ditolak${warned > 0 ? `; ${warned} peringatan` : ""}.`,
      en: `${options.dryRun ? "[dry run, nothing written] " : ""}${path}: ${summary.rows} rows — ${summary.imported} imported, ${summary.unchanged} unchanged, ${summary.rejected} rejected${warned > 0 ? `; ${warned} warnings` : ""}.`,
    }),
    pick(lang, {
      id: `Laporan baru: ${summary.reportsCreated}; peristiwa baru: ${summary.eventsAdded}.`,
      en: `New reports: ${summary.reportsCreated}; new events: ${summary.eventsAdded}.`,
    }),
  );
  const list = (title: { id: string; en: string }, items: readonly Rejection[]) => {
    if (items.length === 0) return;
    const shown = items.slice(0, 20);
    lines.push(pick(lang, title));
    for (const r of shown) {
      const id = r.trackingId ? ` (ID ${r.trackingId})` : "";
      lines.push(
        `  ${pick(lang, { id: "baris", en: "row" })} ${r.rowNumber}${id}, ${r.column}${r.value ? ` "${r.value}"` : ""}: ${pick(lang, r.reason)}`,
      );
    }
    if (items.length > shown.length) {
      lines.push(
        pick(lang, {
          id: `  … dan ${items.length - shown.length} lainnya${options.rejectsFile ? "" : " (gunakan --rejects BERKAS untuk daftar lengkap)"}.`,
          en: `  … and ${items.length - shown.length} more${options.rejectsFile ? "" : " (use --rejects FILE for the full list)"}.`,
        }),
      );
    }
  };
  list({ id: "Ditolak:", en: "Rejected:" }, summary.rejections);
  list(
    { id: "Peringatan (baris tetap diimpor):", en: "Warnings (rows imported all the same):" },
    summary.warnings,
  );
  if (options.rejectsFile && summary.rejections.length + warned > 0) {
    lines.push(
      pick(lang, {
        id: `Daftar penolakan: ${options.rejectsFile}`,
        en: `Rejections written to ${options.rejectsFile}`,
      }),
    );
  }
  const json = (r: Rejection) => ({
    row: r.rowNumber,
    trackingId: r.trackingId ?? null,
    agency: r.agency ?? null,
    column: r.column,
    value: r.value,
    reason: pick(lang, r.reason),
  });
  return {
    summary,
    ...sheets,
    text: lines.join("\n"),
    jsonSummary: {
      file: path,
      format,
      sheet: sheets.sheet,
      skippedSheets: sheets.skippedSheets,
      dryRun: summary.dryRun,
      rows: summary.rows,
      imported: summary.imported,
      unchanged: summary.unchanged,
      rejected: summary.rejected,
      warnings: warned,
      reportsCreated: summary.reportsCreated,
      eventsAdded: summary.eventsAdded,
      rejections: summary.rejections.map(json),
      warningList: summary.warnings.map(json),
    },
  };
}
