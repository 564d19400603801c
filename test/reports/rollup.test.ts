// The rollups stay equal to a full recomputation from raw rows through a random sequence of
// imports (historical reports back to 2020 through the engine's own path), event-log updates,
// scans, report updates that move counts, and deletions; and rebuild-rollup restores them.
import { expect } from "chai";
import { importItems, type ImportItem } from "../../src/app/importService.js";
import { scanDue } from "../../src/scan/escalationScan.js";
import type { Channel } from "../../src/core/types.js";
import {
  rebuildRollups,
  rollupDifferences,
  yearlyReport,
  monthlyReport,
} from "../../src/reports/index.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { prng, randomSnapshots } from "../helpers/randomHistory.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.parse("2026-03-02T03:00:00Z");
const AGENCIES = ["dinkes", "disdik", "dispendukcapil", "rsud-kanjuruhan", "dpmptsp", "bappeda"];
const CHANNELS: Channel[] = ["lapor_web", "whatsapp", "sms_1708", "walk_in"];
const settings = { zone: "Asia/Jakarta", coveredYears: [2024, 2025, 2026], hoursPerDay: 8 };

async function expectExact(app: TestApp, when: string): Promise<void> {
  const diff = await rollupDifferences(app.ctx.db.knex);
  expect(diff, when).to.deep.equal({
    rollup_received_month: 0,
    rollup_clock_month: 0,
    rollup_used_month: 0,
    rollup_used_year: 0,
    rollup_used_year_day: 0,
    month_open_deltas: 0,
    open_clock_counts: 0,
  });
}

describe("reports: rollups maintained incrementally equal a recomputation", function () {
  this.timeout(300_000);
  let app: TestApp;

  before(async () => {
    app = await createTestApp(NOW);
  });

  after(async () => {
    await app?.close();
  });

  it("after random imports, updates, scans and deletions; and rebuild restores them", async () => {
    const random = prng(6);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    // Received between 2020 and early 2026; agency times spread over hours to weeks.
    const snapshots = randomSnapshots(random, {
      count: 240,
      firstId: 700000,
      now: NOW,
      receivedFrom: Date.parse("2020-01-01T00:00:00Z"),
      receivedSpanDays: 2250,
      disposed: { share: 0.9, withinDays: 4 },
      firstResponse: { share: 0.8, withinDays: 9 },
      followUp: { share: 0.7, withinDays: 25 },
      agencies: AGENCIES,
      channels: CHANNELS,
    });
    // First import: the first two thirds, with only their disposition known.
    const early = snapshots.slice(0, 160).map((s, i): ImportItem => ({
      rowNumber: i + 1,
      kind: "snapshot",
      snapshot: {
        ...s,
        milestones: s.milestones.disposedAt ? { disposedAt: s.milestones.disposedAt } : {},
      },
    }));
    await importItems(app.ctx, early, { source: "test:1", now: NOW });
    await expectExact(app, "after the first import");

    // Second import: everything, with all milestones (answers arrive, clocks stop).
    const all = snapshots.map((s, i): ImportItem => ({
      rowNumber: i + 1,
      kind: "snapshot",
      snapshot: s,
    }));
    await importItems(app.ctx, all, { source: "test:2", now: NOW });
    await expectExact(app, "after the second import");

    // Event log: re-dispositions and archivals of some reports still open.
    const events: ImportItem[] = [];
    snapshots.forEach((s, i) => {
      if (!s.milestones.disposedAt || s.milestones.followedUpAt || i % 3 !== 0) return;
      const at = s.milestones.disposedAt + 2 * HOUR;
      if (at >= NOW) return;
      events.push({
        rowNumber: events.length + 1,
        kind: "event",
        event:
          i % 2 === 0
            ? { trackingId: s.trackingId, kind: "redisposed", at, opd: pick(AGENCIES) }
            : { trackingId: s.trackingId, kind: "archived", at: at + HOUR, opd: null },
      });
    });
    await importItems(app.ctx, events, { source: "test:3", now: NOW });
    await expectExact(app, "after the event log");

    // A scan later on: open clocks pass their due instants.
    await scanDue(app.ctx, NOW + 30 * DAY);
    await expectExact(app, "after a scan");

    // Direct changes the engine never makes, handled anyway: a report moves agency and day,
    // a stopped clock is rewritten, another deleted.
    const knex = app.ctx.db.knex;
    await knex("reports")
      .whereIn("tracking_id", ["700001", "700002", "700003"])
      .update({ opd: "bappeda", received_at: new Date("2021-06-30T17:30:00Z"), channel: null });
    const stopped = (await knex("sla_clocks")
      .whereNotNull("stopped_at")
      .orderBy(["tracking_id", "stage", "seq"])
      .limit(3)) as { tracking_id: string; stage: string; seq: number }[];
    expect(stopped.length).to.equal(3);
    const key = (c: { tracking_id: string; stage: string; seq: number }) => ({
      tracking_id: c.tracking_id,
      stage: c.stage,
      seq: c.seq,
    });
    await knex("sla_clocks")
      .where(key(stopped[0]!))
      .update({ outcome: "breached", used_ms: 12.345 * DAY, opd: "dinkes" });
    await knex("sla_clocks").where(key(stopped[1]!)).update({ stopped_at: null, outcome: "open" });
    await knex("sla_clocks").where(key(stopped[2]!)).del();
    await expectExact(app, "after direct updates and deletions");

    const counts = (await knex.raw(
      `SELECT (SELECT count(*) FROM sla_clocks WHERE stopped_at IS NOT NULL)::int AS stopped,
              (SELECT sum(n) FROM rollup_used_year)::int AS measured,
              (SELECT count(DISTINCT extract(year FROM month)) FROM rollup_clock_month)::int AS years`,
    )) as { rows: { stopped: number; measured: number; years: number }[] };
    expect(counts.rows[0]?.stopped).to.be.greaterThan(150);
    expect(counts.rows[0]?.measured).to.be.greaterThan(100);
    expect(counts.rows[0]?.years).to.be.greaterThan(5);

    // Disaster recovery: wipe the rollups, rebuild, get the same reports.
    const before = await yearlyReport(knex, { from: 2020, to: 2026, sort: "volume", ...settings });
    const month = await monthlyReport(knex, { month: "2023-05", ...settings });
    await knex.raw(`DELETE FROM rollup_used_year`);
    await knex.raw(`DELETE FROM rollup_clock_month`);
    const rebuilt = await rebuildRollups(knex, 8);
    expect(rebuilt.rows.rollup_clock_month).to.be.greaterThan(0);
    await expectExact(app, "after rebuild");
    expect(
      await yearlyReport(knex, { from: 2020, to: 2026, sort: "volume", ...settings }),
    ).to.deep.equal(before);
    expect(await monthlyReport(knex, { month: "2023-05", ...settings })).to.deep.equal(month);
    // And raw = rollup over the whole random history.
    const raw = await yearlyReport(knex, {
      from: 2020,
      to: 2026,
      sort: "volume",
      source: "raw",
      ...settings,
    });
    expect({ ...raw, source: "rollup" }).to.deep.equal(before);
  });
});
