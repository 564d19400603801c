// The report outputs: xlsx parsed back with exceljs (Indonesian headers, sheets, number formats,
// frozen header, no cell starting a formula), CSV (BOM, neutralised text), text and Markdown,
// JSON, English headers, and the `pantau report` commands on the fixture.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import ExcelJS from "exceljs";
import { Command } from "commander";
import { registerReportCommands } from "../../src/cli/commands/report.js";
import type { CliRuntime } from "../../src/cli/runtime.js";
import {
  monthlyReport,
  monthlyViews,
  neutralize,
  renderCsv,
  renderMarkdown,
  renderText,
  renderXlsx,
  yearlyReport,
  yearlyViews,
  type YearlyReport,
} from "../../src/reports/index.js";
import { createTestApp, testConfig, type TestApp } from "../helpers/app.js";
import { loadFixture, utc } from "./fixture.js";

const NOW = utc("2026-01-15").getTime();
const settings = { zone: "Asia/Jakarta", coveredYears: [2024, 2025, 2026], hoursPerDay: 8 };
const FORMULA = /^[=+\-@\t\r]/;

function cellTexts(ws: ExcelJS.Worksheet): string[] {
  const out: string[] = [];
  ws.eachRow((row) =>
    row.eachCell((cell) => {
      if (typeof cell.value === "string") out.push(cell.value);
    }),
  );
  return out;
}

describe("reports: outputs", function () {
  this.timeout(120_000);
  let app: TestApp;
  let yearly: YearlyReport;

  before(async () => {
    app = await createTestApp(NOW);
    await loadFixture(app.ctx.db.knex);
    yearly = await yearlyReport(app.ctx.db.knex, {
      from: 2023,
      to: 2025,
      sort: "improvement",
      ...settings,
    });
    // Imported data can carry formula-like text: names here, as an agency name could.
    const names: Record<string, string> = {
      dinkes: '=HYPERLINK("http://x")',
      disdik: "@SUM(A1)",
      "35.07.01": "-2+3",
    };
    for (const r of yearly.rows) r.name = names[r.opd ?? ""] ?? r.name;
  });

  after(async () => {
    await app?.close();
  });

  it("neutralises text that could start a formula", () => {
    expect(["=1+1", "+1", "-1", "@x", "\tx", "ok", "Dinas"].map(neutralize)).to.deep.equal([
      "'=1+1",
      "'+1",
      "'-1",
      "'@x",
      "'\tx",
      "ok",
      "Dinas",
    ]);
  });

  it("xlsx: sheets per view, title and period, Indonesian headers, formats, frozen header", async () => {
    const rendered = yearlyViews(yearly, { lang: "id", regency: "Kabupaten Malang" });
    const buffer = await renderXlsx(rendered, "id");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal([
      "Per OPD",
      "Total Kabupaten",
      "Catatan",
    ]);
    const ws = wb.getWorksheet("Per OPD")!;
    expect(ws.getCell("A1").value).to.equal(
      "Tren Tahunan Tindak Lanjut Pengaduan SP4N-LAPOR! — Kabupaten Malang",
    );
    expect(ws.getCell("A2").value).to.equal("Periode: 2023–2025");
    const headers = (ws.getRow(4).values as unknown[]).slice(1);
    expect(headers.slice(0, 7)).to.deep.equal([
      "Kode OPD",
      "Nama OPD",
      "Tahun",
      "Diterima",
      "Δ Diterima",
      "Ditindaklanjuti",
      "Respons pertama tepat waktu",
    ]);
    expect(headers).to.include("Median tindak lanjut (hari)");
    expect(headers).to.include("Eskalasi tk 2");
    expect(ws.views[0]).to.include({ state: "frozen", ySplit: 4 });
    expect(ws.getColumn(2).width).to.equal(40);
    // dinkes 2025 is the second data row (2023, 2024, 2025 per agency; dinkes first).
    const col = (name: string): number => headers.indexOf(name) + 1;
    const dinkes2025 = ws.getRow(7);
    expect(dinkes2025.getCell(1).value).to.equal("dinkes");
    expect(dinkes2025.getCell(3).value).to.equal(2025);
    const share = dinkes2025.getCell(col("Respons pertama tepat waktu"));
    expect(share.value).to.equal(0.8);
    expect(share.numFmt).to.equal("0.0%");
    const pp = dinkes2025.getCell(col("Δ respons pertama (pp)"));
    expect(pp.value).to.equal(5);
    expect(pp.numFmt).to.equal('"▲ "0.0" pp";"▼ "0.0" pp";"= "0.0" pp"');
    const days = dinkes2025.getCell(col("Median tindak lanjut (hari)"));
    expect([days.value, days.numFmt]).to.deep.equal([5, "0.00"]);
    expect(dinkes2025.getCell(col("Diterima")).numFmt).to.equal("#,##0");
    // The formula-like names are neutralised; no text cell in any sheet starts a formula.
    expect(ws.getRow(5).getCell(2).value).to.equal('\'=HYPERLINK("http://x")');
    for (const sheet of wb.worksheets)
      for (const text of cellTexts(sheet)) expect(text, sheet.name).not.to.match(FORMULA);
    for (const sheet of wb.worksheets)
      sheet.eachRow((row) =>
        row.eachCell((cell) => expect(cell.formula, sheet.name).to.equal(undefined)),
      );
    const totals = wb.getWorksheet("Total Kabupaten")!;
    expect(totals.getRow(7).getCell(2).value).to.equal("Total Kabupaten Malang");
    expect(totals.getRow(7).getCell(4).value).to.equal(12);
    const notes = cellTexts(wb.getWorksheet("Catatan")!);
    expect(notes).to.include("2023: tanpa berkas hari libur, hanya akhir pekan");
  });

  it("csv: UTF-8 BOM, Indonesian headers, neutralised text, arrows", () => {
    const csv = renderCsv(yearlyViews(yearly, { lang: "id", regency: "Kabupaten Malang" }), "id");
    expect(csv.startsWith("\uFEFFKode OPD,Nama OPD,Tahun,Diterima,Δ Diterima")).to.equal(true);
    const lines = csv.slice(1).split("\r\n");
    expect(lines[1]).to.match(/^dinkes,"'=HYPERLINK\(""http:\/\/x""\)",2023,0,,0,/);
    // dinkes 2025: received 5, ▲ 1, followed up 4, first response 80.0 %, ▲ 5.0 pp.
    expect(lines[3]).to.match(/^dinkes,"'=HYPERLINK.*",2025,5,▲ 1,4,80\.0,▲ 5\.0,75\.0,▲ 25\.0,/);
    expect(lines.some((l) => l.startsWith("disdik,'@SUM(A1),2025"))).to.equal(true);
    expect(lines.some((l) => l.startsWith("35.07.01,'-2+3,2025"))).to.equal(true);
    for (const line of lines)
      for (const cell of line.split(","))
        expect(cell.replace(/^"/, ""), line).not.to.match(/^[=+@]/);
    expect(lines.at(-2)).to.match(/^\*,Total Kabupaten Malang,2025,12,▲ 6,10,/);
  });

  it("text and Markdown: aligned columns, arrows, notes; English with lang en", () => {
    const text = renderText(
      yearlyViews(yearly, { lang: "id", regency: "Kabupaten Malang" }),
      "id",
      {
        wide: true,
      },
    );
    expect(text).to.include("Periode: 2023–2025");
    expect(text).to.match(
      /dinkes\s+'=HYPERLINK\("http:\/\/x"\)\s+2025\s+5\s+▲ 1\s+4\s+80,0%\s+▲ 5,0 pp/,
    );
    expect(text).to.include("- 2023: tanpa berkas hari libur, hanya akhir pekan");
    const md = renderMarkdown(
      yearlyViews(yearly, { lang: "en", regency: "Kabupaten Malang" }),
      "en",
    );
    expect(md).to.include("| Agency code | Agency | Year | Received |");
    expect(md).to.include("## Notes");
    expect(md).to.include("2023: no holiday file, weekends only");
  });

  it("the default table fits 120 columns with the key columns; --wide shows them all", async () => {
    const monthly = await monthlyReport(app.ctx.db.knex, { month: "2025-07", ...settings });
    for (const lang of ["id", "en"] as const) {
      for (const rendered of [
        yearlyViews(yearly, { lang, regency: "Kabupaten Malang" }),
        monthlyViews(monthly, { lang, regency: "Kabupaten Malang" }),
      ]) {
        const narrow = renderText(rendered, lang);
        for (const line of narrow.split("\n")) expect(line.length, line).to.be.at.most(120);
        const wide = renderText(rendered, lang, { wide: true });
        expect(Math.max(...wide.split("\n").map((l) => l.length))).to.be.greaterThan(120);
        expect(narrow).to.include(lang === "id" ? "Semua kolom: --wide" : "Every column: --wide");
      }
    }
    const text = renderText(
      monthlyViews(monthly, { lang: "id", regency: "Kabupaten Malang" }),
      "id",
    );
    const header = text.split("\n").find((l) => l.startsWith("#  Kode"));
    expect(header).to.match(
      /^#\s+Kode\s+Nama OPD\s+Diterima\s+Kepatuhan\s+Respons\s+Tindak lanjut\s+Terlambat$/,
    );
    // An agency with no decided stage in the month shows "–", never 100,0 %.
    const quiet = monthly.rows.filter(
      (r) => r.figures.compliance.met + r.figures.compliance.breached === 0,
    );
    expect(quiet.length).to.be.greaterThan(0);
    for (const r of quiet) {
      const line = text
        .split("\n")
        .find((l) => new RegExp(`^\\S+\\s+${r.opd?.replace(/\./g, "\\.")}\\s`).test(l));
      expect(line, r.opd ?? "").to.match(/^–\s/);
      expect(line).to.not.include("100,0%");
    }
  });

  it("pantau report yearly|monthly|rebuild-rollup through commander", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const runtime: CliRuntime = {
      io: {
        out: (s) => out.push(s),
        err: (s) => err.push(s),
        env: {},
        clock: () => NOW,
      },
      config: () => testConfig(),
      now: () => NOW,
      withApp: (_command, fn) => fn(app.ctx),
    };
    const run = async (...args: string[]): Promise<void> => {
      const program = new Command().exitOverride();
      registerReportCommands(program, runtime);
      await program.parseAsync(args, { from: "user" });
    };
    await run("report", "monthly", "--month", "2025-10");
    expect(out.join("\n")).to.include("Rapor Bulanan Tindak Lanjut Pengaduan SP4N-LAPOR!");
    expect(out.join("\n")).to.include("Periode: Oktober 2025");
    expect(out.join("\n")).to.match(/1\s+diskominfo/);
    out.length = 0;
    await run("report", "yearly", "--from", "2024", "--to", "2025", "--format", "json");
    const json = JSON.parse(out.join("\n")) as { rows: unknown[]; totals: unknown[] };
    expect(json.rows.length).to.equal(84 * 2);
    expect(json.totals.length).to.equal(2);
    const dir = mkdtempSync(join(tmpdir(), "pantau-report-"));
    const file = join(dir, "rapor.xlsx");
    await run("report", "monthly", "--month", "2025-10", "--format", "xlsx", "--output", file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal([
      "Peringkat OPD",
      "Total Kabupaten",
      "Catatan",
    ]);
    const ws = wb.getWorksheet("Peringkat OPD")!;
    expect(ws.rowCount).to.equal(4 + 84);
    expect(ws.getRow(5).getCell(2).value).to.equal("diskominfo");
    out.length = 0;
    await run("report", "rebuild-rollup", "--check");
    expect(out.join("\n")).to.include("sama persis");
    out.length = 0;
    await run("report", "rebuild-rollup");
    expect(out.join("\n")).to.include("dibangun ulang");
    out.length = 0;
    const monthly = await monthlyReport(app.ctx.db.knex, { month: "2025-10", ...settings });
    const csv = renderCsv(monthlyViews(monthly, { lang: "en", regency: "Kabupaten Malang" }), "en");
    expect(csv.split("\r\n")[0]).to.match(/^\uFEFFRank,Agency code,Agency,Received,/);
  });
});
