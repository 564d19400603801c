// The rejection report (--rejects FILE): CSV (UTF-8 with BOM, for Excel) or XLSX by extension.
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { extname } from "node:path";
import ExcelJS from "exceljs";
import { pick, type Lang } from "../i18n/lang.js";
import type { Rejection } from "./normalize.js";

export const REJECT_HEADERS: Record<Lang, readonly [string, string, string, string]> = {
  id: ["baris", "kolom", "nilai", "alasan"],
  en: ["row", "column", "value", "reason"],
};

/**
 * Neutralises spreadsheet formula injection: a value starting with =, +, -, @, tab or CR is
 * prefixed with an apostrophe so that no spreadsheet program runs it.
 */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

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
 * Writes `rejections` to `path`: .xlsx → a workbook (streamed), anything else → CSV with BOM.
 * Columns: row, column, value, reason (headers and reasons in `lang`). Returns the rows written.
 */
export async function writeRejects(
  path: string,
  rejections: Iterable<Rejection> | AsyncIterable<Rejection>,
  lang: Lang,
  options: WriteRejectsOptions = {},
): Promise<number> {
  const headers = REJECT_HEADERS[lang];
  const line = (r: Rejection): [number, string, string, string] => [
    r.rowNumber,
    neutralizeFormula(r.column),
    neutralizeFormula(r.value),
    neutralizeFormula(pick(lang, r.reason)),
  ];
  let count = 0;
  if (extname(path).toLowerCase() === ".xlsx") {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true });
    const ws = wb.addWorksheet(lang === "en" ? "Rejections" : "Penolakan");
    ws.columns = [
      { header: headers[0], width: 8 },
      { header: headers[1], width: 24 },
      { header: headers[2], width: 40 },
      { header: headers[3], width: 100 },
    ];
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    for await (const r of rejections) {
      ws.addRow(line(r)).commit();
      count++;
    }
    ws.commit();
    await wb.commit();
    return count;
  }
  const d = options.delimiter ?? ",";
  const out = createWriteStream(path, { encoding: "utf8" });
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
