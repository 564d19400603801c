// The configuration shipped in config/ loads and holds the reference data.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import {
  agencyLookup,
  calendarSpecFor,
  checkConfig,
  loadConfig,
  packageRoot,
  reportUrl,
  type PantauConfig,
} from "../../src/config/index.js";
import { SHIPPED_CONFIG } from "./helpers.js";

// The project's domain reference lives outside the repository, in shared/ beside the checkout
// (CI lays a copy there). config/holidays/ is the shipped copy this test compares with it.
const REFERENCE_HOLIDAYS = [
  join(packageRoot(), "..", "shared", "reference", "holidays-id.yaml"),
  "/work/shared/reference/holidays-id.yaml",
].find((p) => existsSync(p));

describe("config: shipped configuration", () => {
  let config: PantauConfig;
  before(() => {
    config = loadConfig({ configDir: SHIPPED_CONFIG, env: {} });
  });

  it("loads from <package root>/config by default", () => {
    expect(loadConfig({ env: {} }).configDir).to.equal(SHIPPED_CONFIG);
  });

  it("reports ok from checkConfig with a summary", () => {
    const check = checkConfig({ configDir: SHIPPED_CONFIG, env: {}, now: Date.UTC(2025, 5, 1) });
    expect(check.ok).to.equal(true);
    expect(check.issues.filter((i) => i.severity === "error")).to.deep.equal([]);
    expect(check.summary).to.deep.equal({
      agencies: 84,
      sops: 5,
      holidayYears: [2024, 2025, 2026],
    });
  });

  it("has the deployment defaults", () => {
    expect(config.regency).to.equal("Kabupaten Malang");
    expect(config.coordinator).to.equal("diskominfo");
    expect(config.defaultZone).to.equal("Asia/Jakarta");
    expect(config.lang).to.equal("id");
    expect(config.databaseUrl).to.equal(null);
    expect(config.dataDir).to.equal(config.packageRoot + "/var/db");
    expect(config.http.port).to.equal(8080);
    expect(config.metrics.port).to.equal(9464);
    expect(config.scan).to.deep.equal({ schedule: "*/5 * * * *", zone: "Asia/Jakarta" });
    expect(config.log.level).to.equal("info");
    expect(config.atRiskMargin).to.deep.equal({
      wd: { amount: 1, unit: "wd" },
      wh: { amount: 2, unit: "wh" },
      d: { amount: 1, unit: "d" },
    });
    expect(reportUrl(config, "2007157")).to.equal("https://www.lapor.go.id/pengaduan/2007157");
  });

  it("lists 84 agencies: 33 kecamatan, 12 kelurahan, 39 others, unique codes", () => {
    const { agencies } = config;
    expect(agencies).to.have.length(84);
    expect(agencies.filter((a) => a.kind === "kecamatan")).to.have.length(33);
    expect(agencies.filter((a) => a.kind === "kelurahan")).to.have.length(12);
    expect(new Set(agencies.map((a) => a.code)).size).to.equal(84);
    for (const a of agencies) {
      expect(a.code).to.match(/^[a-z0-9][a-z0-9.-]*$/);
      expect(a.zone).to.equal("Asia/Jakarta");
    }
    const kepanjen = agencies.find((a) => a.code === "35.07.13");
    expect(kepanjen).to.deep.include({ name: "Kecamatan Kepanjen", kind: "kecamatan" });
    expect(kepanjen?.aliases).to.include("Kec. Kepanjen");
    expect(agencies.find((a) => a.code === "35.07.13.1010")).to.deep.include({
      name: "Kelurahan Kepanjen",
      kind: "kelurahan",
    });
    for (const kec of agencies.filter((a) => a.kind === "kecamatan")) {
      expect(kec.code).to.match(/^35\.07\.\d{2}$/);
      expect(kec.aliases).to.include(kec.name.replace("Kecamatan ", "Kec. "));
    }
    const kinds = new Set(agencies.map((a) => a.kind));
    expect([...kinds].sort()).to.deep.equal([
      "badan",
      "dinas",
      "inspektorat",
      "kecamatan",
      "kelurahan",
      "rsud",
      "satpol",
      "sekretariat",
    ]);
  });

  it("finds agencies by the short names met in spreadsheets", () => {
    const find = agencyLookup(config.agencies);
    const cases: Array<[string, string]> = [
      ["Dinkes", "dinkes"],
      ["DUKCAPIL", "dispendukcapil"],
      ["Dispendukcapil", "dispendukcapil"],
      ["PU Bina Marga", "dpubm"],
      ["Kominfo", "diskominfo"],
      ["Satpol PP", "satpolpp"],
      ["RSUD Kanjuruhan", "rsud-kanjuruhan"],
      ["Kec. Kepanjen", "35.07.13"],
      ["kecamatan  kepanjen", "35.07.13"],
      ["Kel. Kepanjen", "35.07.13.1010"],
      ["Dinas Kesehatan", "dinkes"],
    ];
    for (const [text, code] of cases) expect(find(text)?.code, text).to.equal(code);
    expect(find("Dinas Tidak Ada")).to.equal(undefined);
  });

  it("has the office calendar and builds a CalendarSpec per zone", () => {
    expect(config.calendar).to.deep.equal({
      defaultZone: "Asia/Jakarta",
      workingWeekdays: [1, 2, 3, 4, 5],
      officeOpenMinute: 480,
      officeCloseMinute: 960,
    });
    const spec = calendarSpecFor(config, "Asia/Makassar");
    expect(spec.zone).to.equal("Asia/Makassar");
    expect(spec.coveredYears).to.deep.equal([2024, 2025, 2026]);
    expect(spec.holidays).to.equal(config.holidays);
    expect(calendarSpecFor(config).zone).to.equal("Asia/Jakarta");
  });

  it("has the holidays per year and kind", () => {
    const count = (year: number, kind: string) =>
      config.holidays.filter((h) => h.date.startsWith(`${year}-`) && h.kind === kind).length;
    expect([
      count(2024, "national"),
      count(2024, "collective"),
      count(2024, "special"),
    ]).to.deep.equal([17, 10, 2]);
    expect([
      count(2025, "national"),
      count(2025, "collective"),
      count(2025, "special"),
    ]).to.deep.equal([17, 11, 0]);
    expect([
      count(2026, "national"),
      count(2026, "collective"),
      count(2026, "special"),
    ]).to.deep.equal([17, 8, 0]);
    expect(config.holidays.find((h) => h.date === "2025-08-18")?.kind).to.equal("collective");
    const dates = config.holidays.map((h) => h.date);
    expect(dates).to.deep.equal([...dates].sort());
  });

  it("matches the reference holiday table date by date", function () {
    // Skipped only where shared/reference is not beside the checkout (a copy of the repository
    // alone): the comparison needs the reference table, which is not part of the repository.
    if (REFERENCE_HOLIDAYS === undefined) this.skip();
    const ref = parse(readFileSync(REFERENCE_HOLIDAYS, "utf8")) as Record<
      string,
      Record<string, Array<{ date: string; name: string }>>
    >;
    const expected: string[] = [];
    for (const [year, kinds] of Object.entries(ref)) {
      for (const [kind, list] of Object.entries(kinds)) {
        for (const h of list) {
          expect(h.date.startsWith(year)).to.equal(true);
          expected.push(`${h.date} ${kind} ${h.name}`);
        }
      }
    }
    const actual = config.holidays.map((h) => `${h.date} ${h.kind} ${h.name}`);
    expect(actual.sort()).to.deep.equal(expected.sort());
    expect(config.coveredYears).to.deep.equal(Object.keys(ref).map(Number).sort());
  });

  it("has the default SOP targets", () => {
    const versions = config.sops.defaultVersions;
    expect(versions).to.have.length(1);
    const v = versions[0];
    expect(v?.sopId).to.equal("default");
    expect(v?.effectiveFrom).to.equal("2020-01-01");
    const wd = (amount: number) => ({ amount, unit: "wd" });
    expect(v?.targets).to.deep.equal({
      verification: wd(3),
      first_response: wd(5),
      resolution: {
        pengaduan: {
          ringan: wd(2),
          normatif: wd(5),
          tidak_berkadar_pengawasan: wd(14),
          berkadar_pengawasan: wd(60),
          unknown: wd(14),
        },
        aspirasi: wd(14),
        permintaan_informasi: wd(10),
        permintaan_informasi_extension: wd(7),
      },
    });
  });

  it("has five example agency SOPs with partial, versioned targets", () => {
    const agencyVersions = config.sops.agencyVersions;
    expect(Object.keys(agencyVersions).sort()).to.deep.equal([
      "dinkes",
      "diskominfo",
      "dispendukcapil",
      "dpmptsp",
      "rsud-kanjuruhan",
    ]);
    const dinkes = agencyVersions.dinkes ?? [];
    expect(dinkes.map((v) => v.effectiveFrom)).to.deep.equal(["2023-01-02", "2025-07-01"]);
    expect(dinkes[1]?.sopId).to.equal("dinkes");
    expect(dinkes[1]?.targets).to.deep.equal({
      first_response: { amount: 16, unit: "wh" },
      resolution: { pengaduan: { ringan: { amount: 1, unit: "wd" } } },
    });
    expect(dinkes[0]?.targets.verification).to.equal(undefined);
  });
});
