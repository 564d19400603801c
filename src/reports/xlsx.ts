// The reports as a workbook ready to hand to an official: a sheet per view plus "Catatan", each
// with a title row, the period, headers in the report language (frozen), column widths, and
// number formats (counts, percentages, days, changes with their arrow). Text cells that could
// start a formula are neutralised.
import ExcelJS from "exceljs";
import { pick, type Lang } from "../i18n/lang.js";
import { neutralizeFormula } from "../core/format/text.js";
import { type ColumnKind, type Rendered, type View } from "./render.js";

/** Number formats per column kind; changes show ▲/▼/= from the sign of the number. */
export const NUMBER_FORMATS: Readonly<Record<ColumnKind, string | undefined>> = {
  text: undefined,
  year: "0",
  int: "#,##0",
  share: "0.0%",
  days: "0.00",
  pp: '"▲ "0.0" pp";"▼ "0.0" pp";"= "0.0" pp"',
  ddays: '"▲ "0.00;"▼ "0.00;"= "0.00',
  diff: '"▲ "#,##0;"▼ "#,##0;"= "0',
};

const HEADER_ROW = 4;

function addView<R>(wb: ExcelJS.Workbook, r: Rendered, view: View<R>, lang: Lang): void {
  const ws = wb.addWorksheet(pick(lang, view.name), {
    views: [{ state: "frozen", ySplit: HEADER_ROW, xSplit: 0 }],
  });
  ws.columns = view.columns.map((c) => ({ width: c.width }));
  ws.getCell(1, 1).value = neutralizeFormula(r.title);
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.getCell(2, 1).value = neutralizeFormula(r.period);
  const header = ws.getRow(HEADER_ROW);
  view.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = neutralizeFormula(pick(lang, c.header));
    cell.font = { bold: true };
    cell.alignment = { wrapText: true, vertical: "middle" };
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFD9E1F2" } };
    cell.border = { bottom: { style: "thin" } };
  });
  header.height = 45;
  view.rows.forEach((row, j) => {
    const line = ws.getRow(HEADER_ROW + 1 + j);
    view.columns.forEach((c, i) => {
      const v = c.value(row);
      const cell = line.getCell(i + 1);
      if (v === null) return;
      if (typeof v === "string") {
        cell.value = neutralizeFormula(v);
        return;
      }
      cell.value = v;
      const format = NUMBER_FORMATS[c.kind];
      if (format) cell.numFmt = format;
    });
  });
  ws.autoFilter = {
    from: { row: HEADER_ROW, column: 1 },
    to: { row: HEADER_ROW, column: view.columns.length },
  };
}

export async function renderXlsx(r: Rendered, lang: Lang): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "Pantau";
  wb.created = new Date(0);
  for (const view of r.views as View<unknown>[]) addView(wb, r, view, lang);
  const notes = wb.addWorksheet(pick(lang, { id: "Catatan", en: "Notes" }));
  notes.columns = [{ width: 140 }];
  notes.getCell(1, 1).value = neutralizeFormula(r.title);
  notes.getCell(1, 1).font = { bold: true, size: 14 };
  notes.getCell(2, 1).value = neutralizeFormula(r.period);
  r.notes.forEach((n, i) => {
    const cell = notes.getCell(HEADER_ROW + i, 1);
    cell.value = neutralizeFormula(n);
    cell.alignment = { wrapText: true };
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
