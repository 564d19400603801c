// The open / at-risk / overdue counts kept at write time (open_clock_counts and its trigger,
// read by src/store/openClockCounts.ts) equal the GROUP BY over every open clock that /metrics
// and the summary page used to run, at many instants (random ones, and just before, at and after
// the at-risk, due and start instants of the stored clocks), through imports, scans between the
// instants and none, re-dispositions, pauses and replies, answers that stop clocks, a
// recomputation, direct updates and deletions; on the embedded database and on PostgreSQL. And
// every writer keeps each clock's class constant until its next_check_at (no `unsure` row), so
// the kept counts, not the fallback, answer.
import { expect } from "chai";
import { seedDemo } from "../../src/app/demo.js";
import { importItems, type ImportItem } from "../../src/app/importService.js";
import type { Channel, ReportSnapshot } from "../../src/core/types.js";
import { rebuildRollups, rollupDifferences } from "../../src/reports/index.js";
import { scanDue } from "../../src/scan/escalationScan.js";
import { recomputeOpenClocks } from "../../src/scan/clockService.js";
import {
  countsAnswerAt,
  openClockCounts,
  openClockCountsByGroupBy,
  type OpenClockCountRow,
} from "../../src/store/openClockCounts.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { prng, randomSnapshots } from "../helpers/randomHistory.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.parse("2026-03-02T03:00:00Z");
const AGENCIES = ["dinkes", "disdik", "dispendukcapil", "rsud-kanjuruhan", "dpmptsp", "bappeda"];
const CHANNELS: Channel[] = ["lapor_web", "whatsapp", "sms_1708", "walk_in"];

const sorted = (rows: OpenClockCountRow[]): OpenClockCountRow[] =>
  [...rows].sort((a, b) => (a.opd + a.stage < b.opd + b.stage ? -1 : 1));

describe("store: open clock counts kept at write time equal the GROUP BY", function () {
  this.timeout(600_000);
  let app: TestApp;
  const random = prng(15);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const minute = (t: number): number => Math.round(t / 60_000) * 60_000;

  before(async () => {
    app = await createTestApp(NOW);
  });

  after(async () => {
    await app?.close();
  });

  /** Instants to compare at: random ones after `from`, and around the stored clocks' instants. */
  async function instants(from: number, count: number): Promise<number[]> {
    const knex = app.ctx.db.knex;
    const rows = (await knex("sla_clocks")
      .select("started_at", "at_risk_at", "due_at")
      .whereNull("stopped_at")) as {
      started_at: Date;
      at_risk_at: Date | null;
      due_at: Date | null;
    }[];
    const marks: number[] = [];
    for (const r of rows)
      for (const d of [r.started_at, r.at_risk_at, r.due_at])
        if (d !== null && d.getTime() >= from) marks.push(d.getTime());
    const out = [from];
    for (let i = 0; i < count && marks.length > 0; i++) {
      const m = pick(marks);
      out.push(m - 1, m, m + 1);
    }
    for (let i = 0; i < count; i++) out.push(from + Math.floor(random() * 60 * DAY));
    return out.filter((t) => t >= from);
  }

  async function expectEqualAt(when: string, from: number, count = 12): Promise<void> {
    const knex = app.ctx.db.knex;
    const unsure = (await knex("open_clock_counts").where("unsure", "<>", 0)) as unknown[];
    expect(
      unsure.length,
      `${when}: a writer left a class that may change before next_check_at`,
    ).to.equal(0);
    const diff = await rollupDifferences(knex);
    expect(diff.open_clock_counts, `${when}: kept counts against their recomputation`).to.equal(0);
    for (const t of await instants(from, count)) {
      // The kept counts answer (no fallback) at and after the last write.
      expect(await countsAnswerAt(knex, t), `${when}, at ${new Date(t).toISOString()}`).to.equal(
        true,
      );
      const kept = sorted(await openClockCounts(knex, t));
      const scanned = sorted(await openClockCountsByGroupBy(knex, t));
      expect(kept, `${when}, at ${new Date(t).toISOString()}`).to.deep.equal(scanned);
      // Without the oldest instants (the web summary): the same counts, the instants null.
      const countsOnly = sorted(await openClockCounts(knex, t, { oldest: false }));
      expect(countsOnly, `${when}, counts only`).to.deep.equal(
        scanned.map((r) => ({ ...r, oldestDueAt: null, oldestStartedAt: null })),
      );
    }
  }

  it("at many instants through imports, scans, re-dispositions, pauses, stops and deletes", async () => {
    const knex = app.ctx.db.knex;
    // Received in the 40 days before NOW: many clocks still open at NOW, some at risk or due.
    const snapshots = randomSnapshots(random, {
      count: 180,
      firstId: 800000,
      now: NOW,
      receivedFrom: NOW - 40 * DAY,
      receivedSpanDays: 39,
      disposed: { share: 0.9, withinDays: 3 },
      firstResponse: { share: 0.5, withinDays: 6 },
      agencies: AGENCIES,
      channels: CHANNELS,
    });
    const items = (list: ReportSnapshot[]): ImportItem[] =>
      list.map((s, i) => ({ rowNumber: i + 1, kind: "snapshot", snapshot: s }));

    await importItems(app.ctx, items(snapshots.slice(0, 120)), { source: "test:1", now: NOW });
    const [open] = (await knex("open_clock_counts").select(
      knex.raw("sum(open + at_risk + overdue) as n"),
    )) as { n: number | string }[];
    expect(Number(open?.n)).to.be.greaterThan(80);
    await expectEqualAt("after the first import, no scan", NOW, 20);

    await importItems(app.ctx, items(snapshots), { source: "test:2", now: NOW });
    await expectEqualAt("after the second import", NOW);

    // A scan ten days on: due clocks are re-derived and their classes move.
    const t1 = NOW + 10 * DAY;
    await scanDue(app.ctx, t1);
    await expectEqualAt("after a scan", t1, 20);

    // Event log at t1: re-dispositions, pauses (awaiting the reporter), replies, answers.
    const events: ImportItem[] = [];
    snapshots.forEach((s, i) => {
      const d = s.milestones.disposedAt;
      if (d === undefined) return;
      const at = minute(Math.max(d + HOUR, t1 - random() * 9 * DAY));
      const push = (e: Extract<ImportItem, { kind: "event" }>["event"]) =>
        events.push({ rowNumber: events.length + 1, kind: "event", event: e });
      if (i % 5 === 0)
        push({ trackingId: s.trackingId, kind: "redisposed", at, opd: pick(AGENCIES) });
      else if (i % 5 === 1)
        push({ trackingId: s.trackingId, kind: "awaiting_reporter", at, opd: null });
      else if (i % 5 === 2) {
        push({ trackingId: s.trackingId, kind: "awaiting_reporter", at, opd: null });
        push({ trackingId: s.trackingId, kind: "reporter_replied", at: at + HOUR, opd: null });
      } else if (i % 5 === 3)
        push({ trackingId: s.trackingId, kind: "first_response", at, opd: null });
    });
    await importItems(app.ctx, events, { source: "test:3", now: t1 });
    await expectEqualAt("after re-dispositions, pauses, replies and answers", t1, 20);

    // A recomputation (as after a holiday decree), then scans at later instants.
    const t2 = t1 + 3 * DAY;
    await recomputeOpenClocks(app.ctx, t2, "test");
    await expectEqualAt("after a recomputation", t2);
    const t3 = t2 + 5 * DAY + 7 * HOUR;
    await scanDue(app.ctx, t3);
    await expectEqualAt("after a second scan", t3);

    // Direct changes the engine never makes, handled anyway: an open clock moves agency, one is
    // stopped, one deleted, a report's clocks all deleted.
    const some = (await knex("sla_clocks")
      .whereNull("stopped_at")
      .orderBy(["tracking_id", "stage", "seq"])
      .limit(3)) as { tracking_id: string; stage: string; seq: number }[];
    expect(some.length).to.equal(3);
    const key = (c: { tracking_id: string; stage: string; seq: number }) => ({
      tracking_id: c.tracking_id,
      stage: c.stage,
      seq: c.seq,
    });
    await knex("sla_clocks").where(key(some[0]!)).update({ opd: "bappeda" });
    await knex("sla_clocks")
      .where(key(some[1]!))
      .update({ stopped_at: new Date(t3), outcome: "met" });
    await knex("sla_clocks").where(key(some[2]!)).del();
    await knex("sla_clocks").where({ tracking_id: "800007" }).del();
    await expectEqualAt("after direct updates and deletions", t3);

    // Rebuild restores the table (and the comparison still holds).
    await knex("open_clock_counts").del();
    await rebuildRollups(knex, 8);
    await expectEqualAt("after rebuild", t3, 6);
  });

  it("falls back to the GROUP BY before the newest write, and for an unsure row", async () => {
    const knex = app.ctx.db.knex;
    const [mark] = (await knex("open_clock_watermark").select("computed_at")) as {
      computed_at: Date;
    }[];
    const before = mark!.computed_at.getTime() - DAY;
    expect(await countsAnswerAt(knex, before)).to.equal(false);
    expect(sorted(await openClockCounts(knex, before))).to.deep.equal(
      sorted(await openClockCountsByGroupBy(knex, before)),
    );
    // A writer that stored a next_check_at beyond the clock's due instant: classed unsure.
    const [row] = (await knex("sla_clocks")
      .whereNull("stopped_at")
      .whereRaw("due_at > computed_at")
      .orderBy(["tracking_id", "stage", "seq"])
      .limit(1)) as { tracking_id: string; stage: string; seq: number; due_at: Date }[];
    expect(row).to.not.equal(undefined);
    await knex("sla_clocks")
      .where({ tracking_id: row!.tracking_id, stage: row!.stage, seq: row!.seq })
      .update({ next_check_at: new Date(row!.due_at.getTime() + DAY) });
    const after = mark!.computed_at.getTime() + 1;
    expect(await countsAnswerAt(knex, after)).to.equal(false);
    for (const t of [after, row!.due_at.getTime(), row!.due_at.getTime() + HOUR]) {
      expect(sorted(await openClockCounts(knex, t))).to.deep.equal(
        sorted(await openClockCountsByGroupBy(knex, t)),
      );
    }
  });
  it("stays exact when two imports and a scan write the same agencies' counts at once", async () => {
    // On PostgreSQL these run on three connections: each import folds its counts once, in key
    // order, just before its commit, and the scan's batches upsert in key order too, so they
    // wait for one another's commits on the rows they share and never deadlock.
    // (The scan also re-derives the clock the previous test left unsure: its check has come.)
    const t = NOW + 40 * DAY;
    const batch = (first: number): ImportItem[] =>
      Array.from({ length: 60 }, (_, i): ImportItem => {
        const receivedAt = minute(t - 20 * DAY + random() * 19 * DAY);
        return {
          rowNumber: i + 1,
          kind: "snapshot",
          snapshot: {
            trackingId: String(first + i),
            receivedAt,
            opd: AGENCIES[i % AGENCIES.length] ?? "dinkes",
            type: "pengaduan",
            complexity: "unknown",
            category: null,
            channel: "lapor_web",
            anonymous: false,
            confidential: false,
            contactComplete: true,
            milestones: { disposedAt: receivedAt + HOUR },
          },
        };
      });
    await Promise.all([
      importItems(app.ctx, batch(810000), { source: "test:a", now: t }),
      importItems(app.ctx, batch(820000), { source: "test:b", now: t }),
      scanDue(app.ctx, t),
    ]);
    await expectEqualAt("after two imports and a scan at once", t, 8);
  });
  it("the demo's writes keep every class until next_check_at, and the counts exact", async () => {
    // The demo (npm run demo) imports its reports through importItems, as the API does.
    const t = NOW + 41 * DAY;
    await seedDemo(app.ctx, t);
    await expectEqualAt("after the demo seed", t, 8);
    await scanDue(app.ctx, t + 2 * DAY);
    await expectEqualAt("after a scan of the demo", t + 2 * DAY, 8);
  });
});
