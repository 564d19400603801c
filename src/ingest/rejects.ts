// The rejection report (--rejects FILE): CSV (UTF-8 with BOM, for Excel) or XLSX by extension,
// owner-only (0600). Each line names the row, its tracking ID and agency as written (whoever calls
// the reporter back needs them), the column, the value, whether the row was rejected or imported
// with a warning, and why.
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { extname } from "node:path";
import ExcelJS from "exceljs";
import { pick, type Lang } from "../i18n/lang.js";
import type { Rejection } from "./normalize.js";
import { neutralizeFormula } from "../core/format/text.js";

export const REJECT_HEADERS: Record<Lang, readonly string[]> = {
  id: ["baris", "ID tracking", "instansi (tertulis)", "kolom", "nilai", "jenis", "alasan"],
  en: ["row", "tracking ID", "agency (as written)", "column", "value", "kind", "reason"],
};

const KIND: Record<Lang, { rejected: string; warning: string }> = {
  id: { rejected: "ditolak", warning: "peringatan" },
  en: { rejected: "rejected", warning: "warning" },
};

const WIDTHS = [8, 22, 30, 24, 40, 12, 100];

export { neutralizeFormula };

function csvField(value: string, delimiter: string): string {
  return value.includes(delimiter) || /["\r\n]/.test(value)
    ? `"${value.replace(/"/g, '""')}"`
    : value;
}

export interface WriteRejectsOptions {
  /** CSV delimiter (default ","). */
  delimiter?: "," | ";";
}

/**
 * Writes `rejections` (and warnings) to `path`: .xlsx → a workbook (streamed), anything else → CSV
 * with BOM. Columns: REJECT_HEADERS (headers, kinds and reasons in `lang`). Returns the rows
 * written.
 */
export async function writeRejects(
  path: string,
  rejections: Iterable<Rejection> | AsyncIterable<Rejection>,
  lang: Lang,
  options: WriteRejectsOptions = {},
): Promise<number> {
  const headers = REJECT_HEADERS[lang];
  const line = (r: Rejection): (number | string)[] => [
    r.rowNumber,
    neutralizeFormula(r.trackingId ?? ""),
    neutralizeFormula(r.agency ?? ""),
    neutralizeFormula(r.column),
    neutralizeFormula(r.value),
    KIND[lang][r.severity === "warning" ? "warning" : "rejected"],
    neutralizeFormula(pick(lang, r.reason)),
  ];
  let count = 0;
  if (extname(path).toLowerCase() === ".xlsx") {
    const file = createWriteStream(path, { mode: 0o600 });
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: file, useStyles: true });
    const ws = wb.addWorksheet(lang === "en" ? "Rejections" : "Penolakan");
    ws.columns = headers.map((header, i) => ({ header, width: WIDTHS[i] ?? 20 }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    for await (const r of rejections) {
      ws.addRow(line(r)).commit();
      count++;
    }
    ws.commit();
    const closed = once(file, "close");
    await wb.commit();
    await closed;
    return count;
  }
  const d = options.delimiter ?? ",";
  const out = createWriteStream(path, { encoding: "utf8", mode: 0o600 });
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  const write = async (text: string) => {
    if (!out.write(text)) await Promise.race([once(out, "drain"), failed]);
  };
  await write(`\uFEFF${headers.join(d)}\r\n`);
  for await (const r of rejections) {
    await write(
      `${line(r)
        .map((f) => csvField(String(f), d))
        .join(d)}\r\n`,
    );
    count++;
  }
  out.end();
  await Promise.race([once(out, "finish"), failed]);
  return count;
}
