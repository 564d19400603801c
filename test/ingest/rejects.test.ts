// The rejection report: CSV (BOM) and XLSX, formula injection neutralised, round trip.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import ExcelJS from "exceljs";
import {
  neutralizeFormula,
  readTable,
  writeRejects,
  type Rejection,
} from "../../src/ingest/index.js";
import { cleanupTemp, collect, tempDir } from "./helpers.js";

const REJECTIONS: Rejection[] = [
  {
    rowNumber: 4,
    column: "Tgl Lapor",
    value: "31/02/2025",
    reason: { id: "tanggal tidak mungkin", en: "impossible date" },
  },
  {
    rowNumber: 5,
    column: "Kategori",
    value: '=HYPERLINK("http://evil","klik")',
    reason: { id: "alasan, dengan koma", en: 'reason with "quotes"' },
  },
  { rowNumber: 6, column: "+kolom", value: "@SUM(A1)", reason: { id: "-satu", en: "-one" } },
  { rowNumber: 7, column: "Isi", value: "\tTAB", reason: { id: "baris\nbaru", en: "new\nline" } },
  { rowNumber: 8, column: "ID", value: "\rCR", reason: { id: "ok", en: "ok" } },
];

describe("ingest: rejection report", () => {
  after(cleanupTemp);

  it("neutralises values that a spreadsheet would run as formulas", () => {
    for (const v of ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
      expect(neutralizeFormula(v)).to.equal(`'${v}`);
    for (const v of ["1", "teks", "", " =1"]) expect(neutralizeFormula(v)).to.equal(v);
  });

  it("writes CSV with a BOM and Indonesian headers, and reads back", async () => {
    const path = join(tempDir(), "tolak.csv");
    expect(await writeRejects(path, REJECTIONS, "id")).to.equal(5);
    const bytes = readFileSync(path);
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    expect(bytes.toString("utf8")).to.include("\uFEFFbaris,kolom,nilai,alasan\r\n");
    const t = await readTable(path);
    expect(t.headers).to.deep.equal(["baris", "kolom", "nilai", "alasan"]);
    const rows = (await collect(t)).map((r) => r.cells);
    expect(rows).to.deep.equal([
      { baris: "4", kolom: "Tgl Lapor", nilai: "31/02/2025", alasan: "tanggal tidak mungkin" },
      {
        baris: "5",
        kolom: "Kategori",
        nilai: `'=HYPERLINK("http://evil","klik")`,
        alasan: "alasan, dengan koma",
      },
      { baris: "6", kolom: "'+kolom", nilai: "'@SUM(A1)", alasan: "'-satu" },
      { baris: "7", kolom: "Isi", nilai: "'\tTAB", alasan: "baris\nbaru" },
      { baris: "8", kolom: "ID", nilai: "'\rCR", alasan: "ok" },
    ]);
  });

  it("writes English headers and reasons with lang en, and a semicolon CSV on request", async () => {
    const path = join(tempDir(), "rejects.csv");
    await writeRejects(path, REJECTIONS.slice(0, 2), "en", { delimiter: ";" });
    const t = await readTable(path);
    expect(t.delimiter).to.equal(";");
    expect(t.headers).to.deep.equal(["row", "column", "value", "reason"]);
    expect((await collect(t)).map((r) => r.cells.reason)).to.deep.equal([
      "impossible date",
      'reason with "quotes"',
    ]);
  });

  it("writes XLSX (from an async source) that reads back, formulas neutralised as text", async () => {
    const path = join(tempDir(), "tolak.xlsx");
    async function* source() {
      yield* REJECTIONS;
    }
    expect(await writeRejects(path, source(), "id")).to.equal(5);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    const ws = wb.worksheets[0];
    expect(ws?.name).to.equal("Penolakan");
    expect(ws?.getRow(1).values).to.deep.equal([undefined, "baris", "kolom", "nilai", "alasan"]);
    expect(ws?.getCell("A2").value).to.equal(4);
    expect(ws?.getCell("C3").value).to.equal(`'=HYPERLINK("http://evil","klik")`);
    expect(ws?.getCell("C3").formula).to.equal(undefined);
    const t = await readTable(path);
    expect((await collect(t)).map((r) => r.cells.nilai)).to.deep.equal([
      "31/02/2025",
      `'=HYPERLINK("http://evil","klik")`,
      "'@SUM(A1)",
      "'\tTAB",
      "'\nCR", // XML turns a bare CR into a line feed; the apostrophe stays
    ]);
  });

  it("writes an empty report with headers only", async () => {
    const path = join(tempDir(), "kosong.csv");
    expect(await writeRejects(path, [], "id")).to.equal(0);
    expect(readFileSync(path, "utf8")).to.equal("\uFEFFbaris,kolom,nilai,alasan\r\n");
  });
});
