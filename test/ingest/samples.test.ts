// The sample export shipped for the README (samples/, made by scripts/make-samples.ts) imports as
// documented: 22 reports (one with a warning), 8 rows rejected for 8 different reasons, in both
// formats. (The import then rejects the first row of the contradicting tracking ID too.)
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { openImport, type NormalizedRow } from "../../src/ingest/index.js";
import { collect, options } from "./helpers.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

async function load(ext: "xlsx" | "csv"): Promise<NormalizedRow[]> {
  const { rows } = await openImport(join(REPO_ROOT, "samples", `laporan-contoh.${ext}`), options());
  return collect(rows);
}

describe("ingest: shipped samples", () => {
  for (const ext of ["xlsx", "csv"] as const)
    it(`samples/laporan-contoh.${ext}: 22 reports and 8 rejections with different reasons`, async () => {
      const rows = await load(ext);
      expect(rows).to.have.length(30);
      expect(rows.filter((r) => r.kind === "snapshot")).to.have.length(22);
      const rejected = rows.flatMap((r) => (r.kind === "rejected" ? r.rejections : []));
      expect(rejected.map((r) => r.column)).to.deep.equal([
        "Tanggal Laporan",
        "Instansi Tujuan",
        "No. HP / Email",
        "ID Tracking",
        "Tanggal Laporan",
        "No. HP",
        "ID Tracking",
        "Tanggal Disposisi",
      ]);
      const reasons = rejected.map((r) => r.reason.en.split(/[:;]/)[0]);
      expect(new Set(reasons).size).to.equal(8);
      expect(rejected[2]?.reason.id).to.match(/^data pelapor belum lengkap/);
      expect(rejected[5]?.reason.id).to.match(/^data pelapor tidak valid \(kolom No\. HP\)/);
      expect(rejected[5]?.value).to.equal("(disamarkan / masked)");
      expect(rejected[3]?.reason.en).to.match(/appears again on row (6|4) with different values/);
      const warnings = rows.flatMap((r) => (r.kind === "snapshot" ? (r.warnings ?? []) : []));
      expect(warnings.map((w) => [w.rowNumber, w.column, w.value, w.severity])).to.deep.equal([
        [ext === "xlsx" ? 31 : 29, "Sumber", "Merpati Pos", "warning"],
      ]);
    });

  it("gives the same snapshots from the xlsx and the csv", async () => {
    const snaps = async (ext: "xlsx" | "csv") =>
      (await load(ext)).flatMap((r) => (r.kind === "snapshot" ? [r.snapshot] : []));
    expect(await snaps("csv")).to.deep.equal(await snaps("xlsx"));
  });
});
