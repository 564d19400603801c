// `pantau import FILE`: reads a spreadsheet (CSV or XLSX, canonical or LAPOR!-style columns),
// imports it in one transaction, writes the rejections file and renders the summary.
import { basename } from "node:path";
import { openImport } from "../ingest/normalize.js";
import { loadMapping } from "../ingest/read.js";
import { writeRejects } from "../ingest/rejects.js";
import { pick, type Lang } from "../i18n/lang.js";
import type { Instant } from "../core/types.js";
import type { AppContext } from "./context.js";
import { importItems, type ImportSummary } from "./importService.js";

export interface ImportFileOptions {
  now: Instant;
  lang: Lang;
  sheet?: string;
  mappingFile?: string;
  rejectsFile?: string;
  dryRun: boolean;
  /** Draw a progress bar on stderr (a terminal only). */
  progress: boolean;
}

export interface ImportFileResult {
  summary: ImportSummary;
  text: string;
  jsonSummary: unknown;
}

function progressBar(fraction: number, rows: number): string {
  const width = 30;
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.round(fraction * 100)}%  ${rows}`;
}

export async function importFile(
  ctx: AppContext,
  path: string,
  options: ImportFileOptions,
): Promise<ImportFileResult> {
  const mapping = options.mappingFile ? loadMapping(options.mappingFile) : undefined;
  const opened = await openImport(path, {
    agencies: ctx.config.agencies,
    defaultZone: ctx.config.defaultZone,
    lang: options.lang,
    ...(mapping ? { mapping } : {}),
    ...(options.sheet !== undefined ? { sheet: options.sheet } : {}),
  });
  const started = Date.now();
  let drawn = false;
  const summary = await importItems(ctx, opened.rows, {
    source: `import:${basename(path)}`,
    now: options.now,
    dryRun: options.dryRun,
    onProgress: (rows) => {
      // Only for files that take more than a moment, and only on a terminal.
      if (!options.progress || Date.now() - started < 1000) return;
      const { bytesRead, totalBytes } = opened.table.progress();
      process.stderr.write(progressBar(totalBytes > 0 ? bytesRead / totalBytes : 0, rows));
      drawn = true;
    },
  });
  if (drawn) process.stderr.write("\n");
  if (options.rejectsFile && summary.rejections.length > 0) {
    await writeRejects(options.rejectsFile, summary.rejections, options.lang);
  }
  const lang = options.lang;
  const lines = [
    pick(lang, {
      id: `${options.dryRun ? "[uji coba, tidak ada yang ditulis] " : ""}${path}: ${summary.rows} baris — ${summary.imported} diimpor, ${summary.unchanged} tidak berubah, ${summary.rejected} ditolak.`,
      en: `${options.dryRun ? "[dry run, nothing written] " : ""}${path}: ${summary.rows} rows — ${summary.imported} imported, ${summary.unchanged} unchanged, ${summary.rejected} rejected.`,
    }),
    pick(lang, {
      id: `Laporan baru: ${summary.reportsCreated}; peristiwa baru: ${summary.eventsAdded}.`,
      en: `New reports: ${summary.reportsCreated}; new events: ${summary.eventsAdded}.`,
    }),
  ];
  if (summary.rejections.length > 0) {
    const shown = summary.rejections.slice(0, 20);
    lines.push(pick(lang, { id: "Ditolak:", en: "Rejected:" }));
    for (const r of shown) {
      lines.push(
        `  ${pick(lang, { id: "baris", en: "row" })} ${r.rowNumber}, ${r.column}${r.value ? ` "${r.value}"` : ""}: ${pick(lang, r.reason)}`,
      );
    }
    if (summary.rejections.length > shown.length) {
      lines.push(
        pick(lang, {
          id: `  … dan ${summary.rejections.length - shown.length} lainnya${options.rejectsFile ? "" : " (gunakan --rejects BERKAS untuk daftar lengkap)"}.`,
          en: `  … and ${summary.rejections.length - shown.length} more${options.rejectsFile ? "" : " (use --rejects FILE for the full list)"}.`,
        }),
      );
    }
    if (options.rejectsFile) {
      lines.push(
        pick(lang, {
          id: `Daftar penolakan: ${options.rejectsFile}`,
          en: `Rejections written to ${options.rejectsFile}`,
        }),
      );
    }
  }
  return {
    summary,
    text: lines.join("\n"),
    jsonSummary: {
      file: path,
      format: opened.table.format,
      sheet: opened.table.sheet ?? null,
      dryRun: summary.dryRun,
      rows: summary.rows,
      imported: summary.imported,
      unchanged: summary.unchanged,
      rejected: summary.rejected,
      reportsCreated: summary.reportsCreated,
      eventsAdded: summary.eventsAdded,
      rejections: summary.rejections.map((r) => ({
        row: r.rowNumber,
        column: r.column,
        value: r.value,
        reason: pick(lang, r.reason),
      })),
    },
  };
}
