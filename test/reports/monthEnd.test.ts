// The month-end rollup (month_open_deltas, migrations/20261201020000_month_open_rollup.ts) gives
// the same reports open and overdue per agency as the raw clocks (openAtInstant) at every month
// start of a random history: imports (run twice), re-dispositions to other agencies, pauses that
// move due instants, completions and archivals, scans, and direct writes the engine never makes
// (reopened and re-stopped clocks, extra clocks overlapping others, agency moves, instants exactly
// on month starts, deletions, one statement changing several clocks of one report); it equals
// its recomputation (rollupDifferences); and `pantau report monthly` reads the same from it.
import { expect } from "chai";
import { DateTime } from "luxon";
import { importItems, type ImportItem } from "../../src/app/importService.js";
import { runEscalationScan, scanDue } from "../../src/scan/escalationScan.js";
import type { Figures } from "../../src/reports/figures.js";
import {
  fetchFigures,
  monthlyReport,
  rebuildRollups,
  renderJson,
  rollupDifferences,
  monthlyViews,
} from "../../src/reports/index.js";
import { MONTH_END_ZONE, openAtInstant, openAtMonthStart } from "../../src/reports/queries.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { prng, randomSnapshots } from "../helpers/randomHistory.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.parse("2026-03-02T03:00:00Z");
const AGENCIES = ["dinkes", "disdik", "dishub", "bappeda"];
const settings = { zone: "Asia/Jakarta", coveredYears: [2024, 2025, 2026], hoursPerDay: 8 };
const REGENCY = "Kabupaten Malang";

/** Month starts (MONTH_END_ZONE) from 2023-11 to 2027-02: "yyyy-mm-01" and the instant. */
const MONTHS = Array.from({ length: 40 }, (_, i) =>
  DateTime.fromObject({ year: 2023, month: 11, day: 1 }, { zone: MONTH_END_ZONE }).plus({
    months: i,
  }),
).map((d) => ({ month: d.toFormat("yyyy-MM-dd"), at: d.toMillis() }));

describe("reports: the month-end rollup equals the raw clocks at every month start", function () {
  this.timeout(300_000);
  let app: TestApp;

  before(async () => {
    app = await createTestApp(NOW);
  });

  after(async () => {
    await app?.close();
  });

  async function expectExact(when: string): Promise<void> {
    const db = app.ctx.db.knex;
    let open = 0;
    for (const m of MONTHS) {
      const raw = await openAtInstant(db, m.at);
      const rollup = await openAtMonthStart(db, m.month);
      expect(rollup, `${when}: ${m.month}`).to.deep.equal(raw);
      open += raw.reduce((s, r) => s + r.open, 0);
    }
    expect(open, `${when}: something is open at some month start`).to.be.greaterThan(0);
    const diff = await rollupDifferences(db);
    expect(
      Object.values(diff).every((n) => n === 0),
      `${when}: ${JSON.stringify(diff)}`,
    ).to.equal(true);
  }

  it("through imports, events, scans, direct writes and a rebuild", async () => {
    const random = prng(15);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const minute = (t: number): number => Math.round(t / 60_000) * 60_000;
    const snapshots = randomSnapshots(random, {
      count: 160,
      firstId: 810000,
      now: NOW,
      receivedFrom: Date.parse("2024-01-01T00:00:00Z"),
      receivedSpanDays: 780,
      disposed: { share: 0.9, withinDays: 6 },
      firstResponse: { share: 0.7, withinDays: 20 },
      followUp: { share: 0.6, withinDays: 70 },
      agencies: AGENCIES,
    });
    const early = snapshots.map((s, i): ImportItem => ({
      rowNumber: i + 1,
      kind: "snapshot",
      snapshot: {
        ...s,
        milestones: s.milestones.disposedAt ? { disposedAt: s.milestones.disposedAt } : {},
      },
    }));
    await importItems(app.ctx, early, { source: "test:1", now: NOW });
    await expectExact("after the first import");

    const all = snapshots.map((s, i): ImportItem => ({
      rowNumber: i + 1,
      kind: "snapshot",
      snapshot: s,
    }));
    await importItems(app.ctx, all, { source: "test:2", now: NOW });
    await expectExact("after the second import");

    // Events: re-dispositions to another agency, pauses (which move due instants), completions
    // and archivals, on reports still open.
    const events: ImportItem[] = [];
    const push = (event: Extract<ImportItem, { kind: "event" }>["event"]): void => {
      events.push({ rowNumber: events.length + 1, kind: "event", event });
    };
    snapshots.forEach((s, i) => {
      const d = s.milestones.disposedAt;
      if (d === undefined || s.milestones.followedUpAt !== undefined) return;
      const at = d + minute((1 + random() * 10) * DAY);
      if (at >= NOW - 40 * DAY) return;
      switch (i % 4) {
        case 0:
          push({ trackingId: s.trackingId, kind: "redisposed", at, opd: pick(AGENCIES) });
          break;
        case 1:
          push({ trackingId: s.trackingId, kind: "awaiting_reporter", at, opd: null });
          push({
            trackingId: s.trackingId,
            kind: "reporter_replied",
            at: at + minute(random() * 35 * DAY),
            opd: null,
          });
          break;
        case 2:
          push({ trackingId: s.trackingId, kind: "completed", at: at + 20 * DAY, opd: null });
          break;
        default:
          push({ trackingId: s.trackingId, kind: "archived", at: at + 3 * HOUR, opd: null });
      }
    });
    expect(events.length).to.be.greaterThan(20);
    await importItems(app.ctx, events, { source: "test:3", now: NOW });
    await expectExact("after the event log");

    await scanDue(app.ctx, NOW + 30 * DAY);
    await expectExact("after a scan");

    // The same files again: nothing changes.
    await importItems(app.ctx, all, { source: "test:2 again", now: NOW });
    await importItems(app.ctx, events, { source: "test:3 again", now: NOW });
    await expectExact("after the imports run again");

    // Direct writes the engine never makes, each handled by the triggers.
    const knex = app.ctx.db.knex;
    type Key = { tracking_id: string; stage: string; seq: number };
    const key = (c: Key): Key => ({ tracking_id: c.tracking_id, stage: c.stage, seq: c.seq });
    const stopped = (await knex("sla_clocks")
      .whereNotNull("stopped_at")
      .orderBy(["tracking_id", "stage", "seq"])) as (Key & { stopped_at: Date })[];
    const open = (await knex("sla_clocks")
      .whereNull("stopped_at")
      .orderBy(["tracking_id", "stage", "seq"])) as (Key & { started_at: Date })[];
    expect(stopped.length).to.be.greaterThan(30);
    expect(open.length).to.be.greaterThan(30);
    // Reopen stopped clocks, stop open ones, move due instants and agencies.
    for (const c of stopped.slice(0, 6))
      await knex("sla_clocks").where(key(c)).update({ stopped_at: null, outcome: "open" });
    for (const c of open.slice(0, 6))
      await knex("sla_clocks")
        .where(key(c))
        .update({ stopped_at: new Date(c.started_at.getTime() + 45 * DAY), outcome: "met" });
    for (const c of open.slice(6, 12))
      await knex("sla_clocks")
        .where(key(c))
        .update({ due_at: new Date(c.started_at.getTime() + minute(random() * 90 * DAY)) });
    for (const c of open.slice(12, 16))
      await knex("sla_clocks").where(key(c)).update({ due_at: null });
    for (const c of stopped.slice(6, 12))
      await knex("sla_clocks")
        .where(key(c))
        .update({ opd: pick(AGENCIES) });
    // Instants exactly on month starts (open at T needs started_at < T <= stopped_at).
    const t = (i: number): Date => new Date(MONTHS[i]!.at);
    await knex("sla_clocks")
      .where(key(open[16]!))
      .update({ started_at: t(14) });
    await knex("sla_clocks")
      .where(key(open[17]!))
      .update({ started_at: t(10), stopped_at: t(12), due_at: t(11) });
    await knex("sla_clocks")
      .where(key(open[18]!))
      .update({ started_at: t(10), stopped_at: t(11), due_at: t(10) });
    await knex("sla_clocks")
      .where(key(open[19]!))
      .update({ started_at: new Date(MONTHS[10]!.at - 1), stopped_at: t(10) });
    // Overlapping extra clocks of one report (a later seq), one in another agency; a clock with
    // a gap between its report's other clocks; then one statement changing several of them.
    const base = open[20]!;
    const stored = (await knex("sla_clocks").where(key(base)).first()) as Record<string, unknown>;
    // jsonb read back as an array: written back as JSON text (pg would send an array literal).
    const row: Record<string, unknown> = { ...stored, pauses: JSON.stringify(stored.pauses) };
    const startedAt = (row.started_at as Date).getTime();
    await knex("sla_clocks").insert([
      {
        ...row,
        seq: 7,
        started_at: new Date(startedAt + 10 * DAY),
        stopped_at: new Date(startedAt + 50 * DAY),
        due_at: new Date(startedAt + 20 * DAY),
      },
      {
        ...row,
        seq: 8,
        opd: row.opd === "dinkes" ? "dishub" : "dinkes",
        started_at: new Date(startedAt + 5 * DAY),
        due_at: new Date(startedAt + 6 * DAY),
      },
      {
        ...row,
        seq: 9,
        started_at: new Date(startedAt + 200 * DAY),
        stopped_at: new Date(startedAt + 260 * DAY),
        due_at: new Date(startedAt + 210 * DAY),
      },
    ]);
    await expectExact("after direct single-clock writes and inserts");
    await knex("sla_clocks")
      .where({ tracking_id: base.tracking_id })
      .update({ stopped_at: new Date(startedAt + 120 * DAY) });
    await knex("sla_clocks")
      .where({ tracking_id: base.tracking_id })
      .whereIn("seq", [7, 9])
      .update({ seq: knex.raw("seq + 10") });
    await knex("sla_clocks").where(key(stopped[12]!)).del();
    await knex("sla_clocks").where({ tracking_id: open[21]!.tracking_id }).del();
    // A statement that touches every clock but no counted column (as the scan's writes do).
    await knex("sla_clocks").update({ computed_at: new Date(NOW + DAY) });
    await expectExact("after multi-clock statements and deletions");

    // A rebuild gives the same table, and the monthly report reads the same from it as raw.
    const before = (await knex("month_open_deltas").orderBy(["opd", "month"])) as unknown[];
    await knex.raw(`DELETE FROM month_open_deltas`);
    const rebuilt = await rebuildRollups(knex, 8);
    expect(rebuilt.rows.month_open_deltas).to.equal(before.length);
    expect(await knex("month_open_deltas").orderBy(["opd", "month"])).to.deep.equal(before);
    for (const month of ["2024-06", "2025-01", "2025-09", "2026-02", "2026-03"]) {
      const rollup = await monthlyReport(knex, { month, ...settings });
      const raw = await monthlyReport(knex, { month, source: "raw", ...settings });
      expect({ ...raw, source: "rollup" }, month).to.deep.equal(rollup);
      expect(rollup.total.openAtEnd, month).to.be.greaterThan(0);
      const render = (r: typeof rollup): string => {
        const report = { ...r, source: "rollup" as const };
        return renderJson(report, monthlyViews(report, { lang: "id", regency: REGENCY }));
      };
      expect(render(raw)).to.equal(render(rollup));
    }
  });

  it("twelve months read at once, grouped by month, equal twelve one-month reads", async () => {
    const knex = app.ctx.db.knex;
    // Sent escalations spread over the months (the scan only decides them).
    await knex.raw(`INSERT INTO escalations (decision_key, tracking_id, stage, seq, level, opd,
        status, trigger, step_at, decided_at, scan_id, sent_at)
      SELECT tracking_id || '|' || stage || '|' || seq || '|' || l.level, tracking_id, stage, seq,
        l.level, opd, 'sent', 'due', due_at + l.level * interval '3 days', due_at, 'test',
        due_at + l.level * interval '3 days'
      FROM sla_clocks CROSS JOIN (VALUES (1), (2)) AS l(level) WHERE due_at IS NOT NULL`);
    const sent = (await knex("escalations").where({ status: "sent" }).count("* as n")) as {
      n: number;
    }[];
    expect(Number(sent[0]?.n)).to.be.greaterThan(0);
    const zone = settings.zone;
    const first = DateTime.fromObject({ year: 2025, month: 4, day: 1 }, { zone });
    const end = first.plus({ months: 12 });
    for (const source of ["rollup", "raw"] as const)
      for (const scope of [
        { perAgency: false },
        { perAgency: true },
        { perAgency: true, opds: ["dinkes"] },
      ]) {
        const all = await fetchFigures(knex, {
          source,
          range: { from: first.toFormat("yyyy-MM-dd"), to: end.toFormat("yyyy-MM-dd") },
          instants: { from: first.toMillis(), to: end.toMillis() },
          zone,
          grouping: "month",
          scope,
        });
        const expected = new Map<string, Figures>();
        for (let i = 0; i < 12; i++) {
          const m = first.plus({ months: i });
          const next = m.plus({ months: 1 });
          const one = await fetchFigures(knex, {
            source,
            range: { from: m.toFormat("yyyy-MM-dd"), to: next.toFormat("yyyy-MM-dd") },
            instants: { from: m.toMillis(), to: next.toMillis() },
            zone,
            grouping: "all",
            scope,
          });
          for (const [k, f] of one)
            expected.set(k.replace(/\|0$/, `|${m.year * 100 + m.month}`), f);
        }
        expect(all, `${source} ${JSON.stringify(scope)}`).to.deep.equal(expected);
        const escalations = [...all.values()].some((f) => Object.keys(f.escalations).length > 0);
        expect(escalations, "escalations counted").to.equal(true);
      }
  });

  it("is not used for a deployment in another zone (raw clocks, the same figures)", async () => {
    const knex = app.ctx.db.knex;
    const zone = "Asia/Makassar";
    const report = await monthlyReport(knex, { month: "2025-09", ...settings, zone });
    const end = DateTime.fromObject({ year: 2025, month: 10, day: 1 }, { zone }).toMillis();
    const raw = await openAtInstant(knex, end);
    expect(report.total.openAtEnd).to.equal(raw.reduce((s, r) => s + r.open, 0));
    expect(report.total.overdueAtEnd).to.equal(raw.reduce((s, r) => s + r.overdue, 0));
  });
});

describe("reports: the month-end rollup when one write adds a clock of a report and changes another", function () {
  this.timeout(120_000);
  let app: TestApp;

  before(async () => {
    app = await createTestApp(NOW);
  });

  after(async () => {
    await app?.close();
  });

  const at = (iso: string): number => Date.parse(iso);
  const snapshot = (trackingId: string): ImportItem => ({
    rowNumber: 1,
    kind: "snapshot",
    snapshot: {
      trackingId,
      receivedAt: at("2025-01-10T02:00:00Z"),
      opd: "dinkes",
      type: "pengaduan",
      complexity: "ringan",
      category: null,
      channel: "lapor_web",
      anonymous: false,
      confidential: false,
      contactComplete: true,
      milestones: { disposedAt: at("2025-01-12T02:00:00Z") },
    },
  });
  // Away to another agency and back: the derivation stops the open clocks (an update) and starts
  // new ones of the same agency (inserts) in one write.
  const awayAndBack = [
    { kind: "redisposed" as const, at: at("2025-02-20T02:00:00Z"), opd: "disdik" },
    { kind: "redisposed" as const, at: at("2025-03-20T02:00:00Z"), opd: "dinkes" },
  ];

  /** Reports of `opd` open at the first instant of `month` (MONTH_END_ZONE), raw and rolled up. */
  async function openAt(opd: string, month: string): Promise<{ raw: number; rollup: number }> {
    const db = app.ctx.db.knex;
    const instant = DateTime.fromISO(`${month}T00:00:00`, { zone: MONTH_END_ZONE }).toMillis();
    const count = (rows: { opd: string; open: number }[]): number =>
      rows.find((r) => r.opd === opd)?.open ?? 0;
    return {
      raw: count(await openAtInstant(db, instant)),
      rollup: count(await openAtMonthStart(db, month)),
    };
  }

  async function expectExact(when: string): Promise<void> {
    const diff = await rollupDifferences(app.ctx.db.knex);
    expect(diff, when).to.deep.equal(Object.fromEntries(Object.keys(diff).map((k) => [k, 0])));
  }

  it("is exact after an import, a scan and a refresh that each write both at once", async () => {
    const knex = app.ctx.db.knex;
    const ids = ["930001", "930002", "930003"];
    await importItems(app.ctx, ids.map(snapshot), { source: "test:snapshots", now: NOW });
    expect(await openAt("dinkes", "2025-04-01")).to.deep.equal({ raw: 3, rollup: 3 });

    // 1. The import of the event log.
    const events = awayAndBack.map((e, i): ImportItem => ({
      rowNumber: i + 1,
      kind: "event",
      event: { trackingId: ids[0]!, ...e },
    }));
    await importItems(app.ctx, events, { source: "test:events", now: NOW });
    await expectExact("after the import");
    expect(await openAt("dinkes", "2025-04-01")).to.deep.equal({ raw: 3, rollup: 3 });

    // 2 and 3. The same events written behind the engine's back, found due by the escalation
    // scan (its own clock write) and by a plain refresh (saveClocks).
    const writeBehind = async (id: string): Promise<void> => {
      await knex("report_events").insert(
        awayAndBack.map((e) => ({
          tracking_id: id,
          kind: e.kind,
          at: new Date(e.at),
          opd: e.opd,
          source: "test:direct",
          recorded_at: new Date(NOW),
        })),
      );
      await knex("sla_clocks")
        .where({ tracking_id: id })
        .update({ next_check_at: new Date(NOW - 60_000) });
    };
    const openSeqs = async (id: string): Promise<number[]> =>
      (await knex("sla_clocks")
        .where({ tracking_id: id })
        .whereNull("stopped_at")
        .orderBy("seq")
        .pluck("seq")) as number[];
    await writeBehind(ids[1]!);
    await runEscalationScan(app.ctx, NOW);
    expect(await openSeqs(ids[1]!)).to.deep.equal([3, 3]);
    await expectExact("after the escalation scan");
    await writeBehind(ids[2]!);
    await scanDue(app.ctx, NOW);
    expect(await openSeqs(ids[2]!)).to.deep.equal([3, 3]);
    await expectExact("after the refresh");

    expect(await openAt("dinkes", "2025-04-01")).to.deep.equal({ raw: 3, rollup: 3 });
    expect(await openAt("disdik", "2025-03-01")).to.deep.equal({ raw: 3, rollup: 3 });
    const clocks = (await knex("sla_clocks")
      .whereIn("tracking_id", ids)
      .whereNull("stopped_at")
      .select("tracking_id", "opd", "seq")) as { tracking_id: string; opd: string; seq: number }[];
    expect(clocks.map((c) => `${c.opd}:${c.seq}`).sort()).to.deep.equal([
      "dinkes:3",
      "dinkes:3",
      "dinkes:3",
      "dinkes:3",
      "dinkes:3",
      "dinkes:3",
    ]);
  });
});
