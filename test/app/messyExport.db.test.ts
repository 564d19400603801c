// A messy real-world export through `importFile` on both databases: a cover sheet first, every
// agency abbreviation, contradicting and identical duplicate tracking IDs, unknown channels kept
// with a warning, malformed contacts, and the rejection file that names the tracking ID.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { importFile } from "../../src/app/importFile.js";
import { ruleAliases, agencyKeyIndex } from "../../src/ingest/index.js";
import { createTestApp, testConfig, wib, type TestApp } from "../helpers/app.js";
import { cleanupTemp, tempDir, xlsx } from "../ingest/helpers.js";

const HEADERS = [
  "No. Tracking",
  "Tanggal Laporan",
  "Instansi Tujuan",
  "Sumber",
  "Kategori",
  "No. HP",
  "Email",
];

async function workbook(rows: unknown[][], cover = true): Promise<string> {
  const path = join(tempDir(), "ekspor.xlsx");
  const sheets = [
    ...(cover
      ? [
          {
            name: "Sampul",
            rows: [
              ["Rekap Pengaduan SP4N-LAPOR! Kabupaten Malang"],
              ["Periode", "November 2026"],
              ["Dicetak oleh", "Admin"],
            ],
          },
        ]
      : []),
    { name: "Data", rows: [["Daftar Laporan"], [], HEADERS, ...rows] },
  ];
  writeFileSync(path, await xlsx(sheets));
  return path;
}

describe("import of a messy export (importFile, database)", function () {
  let app: TestApp;
  const now = wib("2026-11-27T12:00");
  const options = { now, lang: "id" as const, dryRun: false, progress: false };

  beforeEach(async () => {
    app = await createTestApp(now);
  });
  afterEach(async () => {
    await app.close();
  });
  after(cleanupTemp);

  const reportOf = async (id: string) =>
    (await app.ctx.db.knex("reports").where({ tracking_id: id }).first()) as
      { opd: string | null; channel: string | null; category: string | null } | undefined;

  it("reads the sheet whose header row is recognised when a cover sheet comes first, and says so", async () => {
    const path = await workbook([["5001", "20/11/2026 09:00", "Dinkes", "LAPOR! web", "", "", ""]]);
    const result = await importFile(app.ctx, path, options);
    expect(result.summary).to.include({ rows: 1, imported: 1, rejected: 0 });
    expect(result.sheet).to.equal("Data");
    expect(result.skippedSheets).to.deep.equal(["Sampul"]);
    expect(result.text).to.match(/^Lembar "Data" dibaca: lembar "Sampul" dilewati/);
    // --sheet still reads exactly the sheet named.
    const named = importFile(app.ctx, path, { ...options, sheet: "Sampul" });
    await named.then(
      () => expect.fail("the cover sheet has no header"),
      (e: Error) => expect(e.message).to.match(/missing|only the header|columns/i),
    );
  });

  it("imports a row per agency abbreviation, each to its agency", async () => {
    const { dropped } = agencyKeyIndex(testConfig().agencies);
    const rows: unknown[][] = [];
    const expected = new Map<string, string>();
    let id = 6000;
    for (const a of testConfig().agencies) {
      for (const alias of ruleAliases(a)) {
        if (dropped.has(alias)) continue;
        id++;
        rows.push([String(id), "20/11/2026 09:00", alias, "LAPOR! web", "", "", ""]);
        expected.set(String(id), a.code);
      }
    }
    const result = await importFile(app.ctx, await workbook(rows), options);
    expect(result.summary.rejections).to.deep.equal([]);
    expect(result.summary.imported).to.equal(rows.length);
    const stored = (await app.ctx.db.knex("reports").select("tracking_id", "opd")) as {
      tracking_id: string;
      opd: string;
    }[];
    expect(new Map(stored.map((r) => [r.tracking_id, r.opd]))).to.deep.equal(expected);
  });

  it("rejects every row of a contradicted tracking ID, each naming the others; imports identical repeats once", async () => {
    const rows = [
      ["7001", "20/11/2026 09:00", "Dinkes", "LAPOR! web", "", "", ""], // row 4
      ["7002", "20/11/2026 10:00", "Dishub", "LAPOR! web", "", "", ""], // row 5
      ["7001", "21/11/2026 09:00", "Dinkes", "LAPOR! web", "", "", ""], // row 6: contradicts 4
      ["7002", "20/11/2026 10:00", "Dinas Perhubungan", "LAPOR! web", "", "", ""], // identical to 5
      ["7003", "20/11/2026 11:00", "DLH", "LAPOR! web", "", "", ""], // row 8
    ];
    const rejects = join(tempDir(), "tolak.csv");
    const result = await importFile(app.ctx, await workbook(rows), {
      ...options,
      rejectsFile: rejects,
    });
    expect(result.summary).to.include({ rows: 5, imported: 2, unchanged: 1, rejected: 2 });
    expect(result.summary.rejections.map((r) => [r.rowNumber, r.trackingId])).to.deep.equal([
      [4, "7001"],
      [6, "7001"],
    ]);
    expect(result.summary.rejections[0]?.reason.id).to.match(/muncul lagi di baris 6/);
    expect(result.summary.rejections[1]?.reason.id).to.match(/muncul lagi di baris 4/);
    expect(await reportOf("7001")).to.equal(undefined);
    expect((await reportOf("7002"))?.opd).to.equal("dishub");
    expect((await reportOf("7003"))?.opd).to.equal("dlh");
    expect(statSync(rejects).mode & 0o777).to.equal(0o600);
    const lines = readFileSync(rejects, "utf8")
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).to.equal("baris,ID tracking,instansi (tertulis),kolom,nilai,jenis,alasan");
    expect(lines[1]).to.match(
      /^4,7001,Dinkes,No\. Tracking,7001,ditolak,"?ID tracking 7001 muncul/,
    );
    expect(lines).to.have.length(3);
  });

  it("keeps a report with an unknown channel, counts the warning and lists it in the rejection file", async () => {
    const rows = [
      ["8001", "20/11/2026 09:00", "DPU Bina Marga", "mobile", "Jalan Rusak", "", ""],
      ["8002", "20/11/2026 09:00", "Dinkes", "WA", "Kesehatan", "0812-ABC-99", ""],
    ];
    const rejects = join(tempDir(), "tolak.xlsx");
    const result = await importFile(app.ctx, await workbook(rows), {
      ...options,
      rejectsFile: rejects,
    });
    expect(result.summary).to.include({ imported: 1, rejected: 1 });
    expect(result.summary.warnings).to.have.length(1);
    expect(result.text).to.include("1 diimpor, 0 tidak berubah, 1 ditolak; 1 peringatan.");
    expect(result.text).to.match(
      /baris 5 \(ID 8002\), No\. HP "\(disamarkan \/ masked\)": data pelapor tidak valid \(kolom No\. HP\)/,
    );
    expect(await reportOf("8001")).to.deep.include({
      opd: "dpubm",
      channel: "other",
      category: "Jalan Rusak",
    });
    expect(result.jsonSummary).to.deep.include({ warnings: 1, rejected: 1 });
    expect(statSync(rejects).mode & 0o777).to.equal(0o600);
    const bytes = readFileSync(rejects);
    expect(bytes.subarray(0, 2).toString()).to.equal("PK");
  });
});
