// The rejection report: CSV (BOM) and XLSX, formula injection neutralised, round trip.
import { readFileSync, statSync } from "node:fs";
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
    trackingId: "2007157",
    agency: "DPU Bina Marka",
  },
  {
    rowNumber: 5,
    column: "Kategori",
    value: '=HYPERLINK("http://evil","klik")',
    reason: { id: "alasan, dengan koma", en: 'reason with "quotes"' },
  },
  { rowNumber: 6, column: "+kolom", value: "@SUM(A1)", reason: { id: "-satu", en: "-one" } },
  { rowNumber: 7, column: "Isi", value: "\tTAB", reason: { id: "baris\nbaru", en: "new\nline" } },
  {
    rowNumber: 8,
    column: "ID",
    value: "\rCR",
    reason: { id: "ok", en: "ok" },
    trackingId: "-1",
    severity: "warning",
  },
];

const ID_HEADERS = [
  "baris",
  "ID tracking",
  "instansi (tertulis)",
  "kolom",
  "nilai",
  "jenis",
  "alasan",
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
    expect(bytes.toString("utf8")).to.include(`\uFEFF${ID_HEADERS.join(",")}\r\n`);
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    const t = await readTable(path);
    expect(t.headers).to.deep.equal(ID_HEADERS);
    const rows = (await collect(t)).map((r) => Object.values(r.cells));
    expect(rows).to.deep.equal([
      [
        "4",
        "2007157",
        "DPU Bina Marka",
        "Tgl Lapor",
        "31/02/2025",
        "ditolak",
        "tanggal tidak mungkin",
      ],
      [
        "5",
        "",
        "",
        "Kategori",
        `'=HYPERLINK("http://evil","klik")`,
        "ditolak",
        "alasan, dengan koma",
      ],
      ["6", "", "", "'+kolom", "'@SUM(A1)", "ditolak", "'-satu"],
      ["7", "", "", "Isi", "'\tTAB", "ditolak", "baris\nbaru"],
      ["8", "'-1", "", "ID", "'\rCR", "peringatan", "ok"],
    ]);
  });

  it("writes English headers and reasons with lang en, and a semicolon CSV on request", async () => {
    const path = join(tempDir(), "rejects.csv");
    await writeRejects(path, REJECTIONS.slice(0, 2), "en", { delimiter: ";" });
    const t = await readTable(path);
    expect(t.delimiter).to.equal(";");
    expect(t.headers).to.deep.equal([
      "row",
      "tracking ID",
      "agency (as written)",
      "column",
      "value",
      "kind",
      "reason",
    ]);
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
    expect(statSync(path).mode & 0o777).to.equal(0o600);
    expect(ws?.getRow(1).values).to.deep.equal([undefined, ...ID_HEADERS]);
    expect(ws?.getCell("A2").value).to.equal(4);
    expect(ws?.getCell("B2").value).to.equal("2007157");
    expect(ws?.getCell("C2").value).to.equal("DPU Bina Marka");
    expect(ws?.getCell("E3").value).to.equal(`'=HYPERLINK("http://evil","klik")`);
    expect(ws?.getCell("E3").formula).to.equal(undefined);
    expect(ws?.getCell("F6").value).to.equal("peringatan");
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
    expect(readFileSync(path, "utf8")).to.equal(`\uFEFF${ID_HEADERS.join(",")}\r\n`);
  });
});
