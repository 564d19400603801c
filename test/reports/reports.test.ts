// The yearly and monthly reports on the hand-made fixture (test/reports/fixture.ts), from the
// rollups and from raw clocks, on the test backend (PGlite, or PostgreSQL with
// PANTAU_TEST_DB=postgres). Expected numbers are worked out by hand in the comments.
import { expect } from "chai";
import {
  monthlyReport,
  rollupDifferences,
  uncoveredYearNotes,
  yearRanges,
  yearlyReport,
  type MonthlyReport,
  type YearlyReport,
  type YearlyRow,
} from "../../src/reports/index.js";
import { createTestApp, testConfig, type TestApp } from "../helpers/app.js";
import { loadFixture, utc } from "./fixture.js";

const NOW = utc("2026-01-15").getTime();
const settings = { zone: "Asia/Jakarta", coveredYears: [2024, 2025, 2026], hoursPerDay: 8 };

function row(report: YearlyReport, opd: string | null, year: number): YearlyRow {
  const list = opd === null ? report.totals : report.rows;
  const found = list.find((r) => r.opd === opd && r.year === year);
  if (!found) throw new Error(`no row ${opd} ${year}`);
  return found;
}

const close = (a: number | null, b: number): void => {
  expect(a).to.be.a("number");
  expect(a as number).to.be.closeTo(b, 1e-9);
};

describe("reports: yearly and monthly figures (hand-computed fixture)", function () {
  this.timeout(120_000);
  let app: TestApp;
  let yearly: YearlyReport;
  let monthly: MonthlyReport;

  before(async () => {
    app = await createTestApp(NOW);
    await loadFixture(app.ctx.db.knex);
    yearly = await yearlyReport(app.ctx.db.knex, {
      from: 2024,
      to: 2025,
      sort: "improvement",
      ...settings,
    });
    monthly = await monthlyReport(app.ctx.db.knex, { month: "2025-10", ...settings });
  });

  after(async () => {
    await app?.close();
  });

  it("the triggers kept the rollups equal to a recomputation from raw rows", async () => {
    const diff = await rollupDifferences(app.ctx.db.knex);
    expect(
      Object.values(diff).every((n) => n === 0),
      JSON.stringify(diff),
    ).to.equal(true);
  });

  it("dinkes 2024: received, followed up, shares, nearest-rank median and p90", () => {
    const r = row(yearly, "dinkes", 2024);
    // Reports 1001–1004 received in February 2024.
    expect(r.figures.received).to.equal(4);
    // Resolution met 2 + breached 2 (the redisposed clock is not a follow-up).
    expect(r.figures.followedUp).to.equal(4);
    // First response: 3 met of 3 + 1 → 0.75. Sorted 1, 2, 3, 6: median rank ceil(0.5·4) = 2
    // → 2.00; p90 rank ceil(0.9·4) = 4 → 6.00.
    expect(r.figures.firstResponse).to.deep.include({ met: 3, breached: 1, share: 0.75 });
    expect(r.figures.firstResponse.median).to.equal(2);
    expect(r.figures.firstResponse.p90).to.equal(6);
    // Resolution: 2 of 4 → 0.5. Sorted 4, 10, 16, 20: rank 2 → 10.00; rank 4 → 20.00.
    expect(r.figures.resolution).to.deep.include({ share: 0.5, median: 10, p90: 20 });
    // All stages: met 3 + 2 = 5, breached 1 + 2 = 3 → 5/8.
    expect(r.figures.compliance).to.deep.equal({ met: 5, breached: 3, share: 0.625 });
    expect(r.figures.escalations).to.deep.equal({ 0: 1 });
    // 2023 has no data: no change.
    expect(r.change.received).to.deep.equal({ value: null, arrow: null });
  });

  it("dinkes 2025: the WIB year boundary, a working-hour target, and changes with arrows", () => {
    const r = row(yearly, "dinkes", 2025);
    // 2000 (31 Dec 18:00 UTC = 1 Jan 01:00 WIB), 2001, 2002, 2003, 2005 → 5.
    expect(r.figures.received).to.equal(5);
    // Resolution met 3 + breached 1; the clock stopped 1 Jan 2026 00:30 WIB is not in 2025.
    expect(r.figures.followedUp).to.equal(4);
    // First response: 4 of 5 → 0.8. Sorted 0.50 (4 wh / 8 h), 1.25, 1.25, 2.00, 7.00:
    // median rank ceil(2.5) = 3 → 1.25; p90 rank ceil(4.5) = 5 → 7.00.
    expect(r.figures.firstResponse).to.deep.include({ met: 4, breached: 1, share: 0.8 });
    expect(r.figures.firstResponse.median).to.equal(1.25);
    expect(r.figures.firstResponse.p90).to.equal(7);
    // Resolution: 3 of 4 → 0.75. Sorted 3, 5, 8, 15.5: rank 2 → 5.00; rank 4 → 15.50.
    expect(r.figures.resolution).to.deep.include({ share: 0.75, median: 5, p90: 15.5 });
    // All stages: met 4 + 3 = 7, breached 1 + 1 = 2 → 7/9.
    close(r.figures.compliance.share, 7 / 9);
    // Sent only: level 1 ×2, level 2 ×1 (pending and cancelled not counted).
    expect(r.figures.escalations).to.deep.equal({ 1: 2, 2: 1 });
    // Changes against 2024: received 5 − 4 = +1; first response 80 − 75 = +5.0 pp;
    // resolution 75 − 50 = +25.0 pp; compliance 77.78 − 62.5 = +15.28 → +15.3 pp;
    // median follow-up 5 − 10 = −5.00 days.
    expect(r.change.received).to.deep.equal({ value: 1, arrow: "▲" });
    expect(r.change.firstResponseShare).to.deep.equal({ value: 5, arrow: "▲" });
    expect(r.change.resolutionShare).to.deep.equal({ value: 25, arrow: "▲" });
    expect(r.change.compliance).to.deep.equal({ value: 15.3, arrow: "▲" });
    expect(r.change.resolutionMedian).to.deep.equal({ value: -5, arrow: "▼" });
  });

  it("disdik: a decline and an unchanged count", () => {
    const a = row(yearly, "disdik", 2024);
    // Resolution 1.00, 2.00 met: share 1; median rank ceil(1) = 1 → 1.00; p90 rank ceil(1.8) = 2.
    expect(a.figures.resolution).to.deep.include({ share: 1, median: 1, p90: 2 });
    expect(a.figures.firstResponse.share).to.equal(null);
    const b = row(yearly, "disdik", 2025);
    // 1.00 met, 30.00 breached: share 0.5; median rank 1 → 1.00; p90 rank 2 → 30.00.
    expect(b.figures.resolution).to.deep.include({ share: 0.5, median: 1, p90: 30 });
    // Received 2 − 2 = 0 "="; 50 − 100 = −50.0 pp; median 1 − 1 = 0.
    expect(b.change.received).to.deep.equal({ value: 0, arrow: "=" });
    expect(b.change.resolutionShare).to.deep.equal({ value: -50, arrow: "▼" });
    expect(b.change.compliance).to.deep.equal({ value: -50, arrow: "▼" });
    expect(b.change.resolutionMedian).to.deep.equal({ value: 0, arrow: "=" });
  });

  it("regency totals merge the distributions, not the agencies' percentiles", () => {
    const a = row(yearly, null, 2024);
    // Received 4 + 2 = 6. Resolution 1, 2, 4, 10, 16, 20: median rank 3 → 4.00;
    // p90 rank ceil(5.4) = 6 → 20.00; share (2 + 2) / 6.
    expect(a.figures.received).to.equal(6);
    expect(a.figures.resolution).to.deep.include({ median: 4, p90: 20 });
    close(a.figures.resolution.share, 4 / 6);
    // All stages (5 + 2) / (8 + 2) = 0.7.
    close(a.figures.compliance.share, 0.7);
    const b = row(yearly, null, 2025);
    // Received 5 (dinkes) + 2 (disdik) + 4 (dispendukcapil) + 1 (no agency yet) = 12.
    expect(b.figures.received).to.equal(12);
    // Resolution 1, 2, 3, 3, 5, 8, 12, 14, 15.5, 30: median rank 5 → 5.00; p90 rank 9 → 15.50;
    // share (3 + 1 + 2) / 10 = 0.6; followed up 10.
    expect(b.figures.resolution).to.deep.include({ median: 5, p90: 15.5, share: 0.6 });
    expect(b.figures.followedUp).to.equal(10);
    // All stages: met 7 + 1 + 2 + 2 (verification) = 12, breached 2 + 1 + 2 = 5 → 12/17.
    close(b.figures.compliance.share, 12 / 17);
    // Changes: +6 received; 60 − 66.67 = −6.7 pp; 70.59 − 70 = +0.6 pp; median 5 − 4 = +1.00.
    expect(b.change.received).to.deep.equal({ value: 6, arrow: "▲" });
    expect(b.change.resolutionShare).to.deep.equal({ value: -6.7, arrow: "▼" });
    expect(b.change.compliance).to.deep.equal({ value: 0.6, arrow: "▲" });
    expect(b.change.resolutionMedian).to.deep.equal({ value: 1, arrow: "▲" });
  });

  it("sorts agencies by improvement, compliance or volume (latest year), ties by code", async () => {
    const order = (r: YearlyReport): string[] =>
      r.rows.filter((x) => x.year === 2025).map((x) => x.opd ?? "");
    // Improvement: dinkes +15.3, disdik −50.0, then the rest (no change) by code.
    expect(order(yearly).slice(0, 3)).to.deep.equal(["dinkes", "disdik", "35.07.01"]);
    expect(yearly.rows.length).to.equal(84 * 2);
    expect(yearly.rows.slice(0, 2).map((r) => r.year)).to.deep.equal([2024, 2025]);
    const byCompliance = await yearlyReport(app.ctx.db.knex, {
      from: 2024,
      to: 2025,
      sort: "compliance",
      ...settings,
    });
    // diskominfo 1.0, dinkes 0.78, disdik 0.5 and dispendukcapil 0.5 (code order).
    expect(order(byCompliance).slice(0, 4)).to.deep.equal([
      "diskominfo",
      "dinkes",
      "disdik",
      "dispendukcapil",
    ]);
    const byVolume = await yearlyReport(app.ctx.db.knex, {
      from: 2024,
      to: 2025,
      sort: "volume",
      ...settings,
    });
    expect(order(byVolume).slice(0, 3)).to.deep.equal(["dinkes", "dispendukcapil", "disdik"]);
  });

  it("--opd limits the agencies, not the regency totals", async () => {
    const one = await yearlyReport(app.ctx.db.knex, {
      from: 2025,
      to: 2025,
      opd: "disdik",
      sort: "improvement",
      ...settings,
    });
    expect(one.rows.map((r) => r.opd)).to.deep.equal(["disdik"]);
    expect(one.totals[0]?.figures.received).to.equal(12);
    // The first year's change uses the year before the range.
    expect(one.rows[0]?.change.compliance).to.deep.equal({ value: -50, arrow: "▼" });
  });

  it("computes the same report from raw clocks as from the rollups", async () => {
    for (const sort of ["improvement", "volume"] as const) {
      const options = { from: 2023, to: 2026, sort, ...settings };
      const rollup = await yearlyReport(app.ctx.db.knex, options);
      const raw = await yearlyReport(app.ctx.db.knex, { ...options, source: "raw" });
      expect({ ...raw, source: "rollup" }).to.deep.equal(rollup);
    }
    const raw = await monthlyReport(app.ctx.db.knex, {
      month: "2025-10",
      source: "raw",
      ...settings,
    });
    expect({ ...raw, source: "rollup" }).to.deep.equal(monthly);
  });

  it("says which years were measured without a holiday file", async () => {
    const r = await yearlyReport(app.ctx.db.knex, {
      from: 2023,
      to: 2025,
      sort: "improvement",
      ...settings,
    });
    expect(r.notes[0]).to.deep.equal({
      id: "2023: tanpa berkas hari libur, hanya akhir pekan",
      en: "2023: no holiday file, weekends only",
    });
    expect(yearly.notes.map((n) => n.id).join("\n")).not.to.include("tanpa berkas hari libur");
    expect(
      uncoveredYearNotes(2020, 2026, testConfig().coveredYears).map((n) => n.id),
    ).to.deep.equal(["2020–2023: tanpa berkas hari libur, hanya akhir pekan"]);
    expect(yearRanges([2020, 2021, 2023])).to.deep.equal([
      [2020, 2021],
      [2023, 2023],
    ]);
  });

  it("monthly scorecard: every agency, ranked by compliance with shared ranks", () => {
    expect(monthly.rows.length).to.equal(84);
    const top = monthly.rows.slice(0, 5).map((r) => [r.opd, r.rank]);
    // diskominfo 2/2 = 1.0; dinkes 7/9; dispendukcapil 2/4 and disdik 1/2 share rank 3 (more
    // measured first); everyone else unranked.
    expect(top).to.deep.equal([
      ["diskominfo", 1],
      ["dinkes", 2],
      ["dispendukcapil", 3],
      ["disdik", 3],
      ["35.07.01", null],
    ]);
    const dinkes = monthly.rows.find((r) => r.opd === "dinkes");
    // Received in October: 2001, 2002, 2003, 2005 (2000 is January).
    expect(dinkes?.figures.received).to.equal(4);
    expect(dinkes?.figures.resolution).to.deep.include({ median: 5, p90: 15.5 });
    expect(dinkes?.figures.escalations).to.deep.equal({ 1: 2, 2: 1 });
  });

  it("monthly scorecard: open and overdue at the month's last instant, from clock instants", () => {
    const dinkes = monthly.rows.find((r) => r.opd === "dinkes");
    // Open at 31 Oct 17:00 UTC: 2001, 2002 (cancelled only in November), 2003, 2005;
    // overdue: 2001 (due 20 Oct) and 2002 (due 25 Oct); 2005 is due exactly at the end.
    expect([dinkes?.openAtEnd, dinkes?.overdueAtEnd]).to.deep.equal([4, 2]);
    expect(monthly.rows.find((r) => r.opd === "disdik")?.openAtEnd).to.equal(0);
    // Regency: received 4 + 1 without agency = 5; 12 of 17 stages met.
    expect(monthly.total.figures.received).to.equal(5);
    close(monthly.total.figures.compliance.share, 12 / 17);
    expect([monthly.total.openAtEnd, monthly.total.overdueAtEnd]).to.deep.equal([4, 2]);
    expect(monthly.endsAt).to.equal(Date.parse("2025-10-31T17:00:00Z"));
  });
});
