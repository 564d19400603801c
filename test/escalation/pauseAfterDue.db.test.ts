// Issue 18 end to end on a real database (embedded PGlite or PostgreSQL): a pause asked for after
// the due instant hides nothing. Status JSON, the metrics source's SQL and one scan's escalation
// decisions agree with the pure core at instants before due, after due before the pause, during
// the pause and after the reporter replied; and a later level waits for unpaused lateness.
import { expect } from "chai";
import type { ImportItem } from "../../src/app/importService.js";
import { runScan } from "../../src/scan/scanJob.js";
import { overdueView, reportView } from "../../src/api/views.js";
import { explainView, statusView } from "../../src/app/statusService.js";
import { renderStatus, statusJson } from "../../src/cli/output.js";
import type { ReportSnapshot } from "../../src/core/types.js";
import { createPgMetricsSource } from "../../src/metrics/pgSource.js";
import { up } from "../../migrations/20261129000018_pause_after_due.js";
import { createTestApp, wib, type TestApp } from "../helpers/app.js";
import { importOfficers, importReports, OFFICERS_CSV } from "./helpers.js";

const WD = 86_400_000;
const HOUR = 3_600_000;

const OFFICERS = [
  OFFICERS_CSV,
  "dinsos,liaison,Rina Puspitasari,penghubung.dinsos@malangkab.example,2024-01-02,,SK 6/2024",
  "dinsos,supervisor,Agus Salim,kepala.dinsos@malangkab.example,2024-01-02,,SK 7/2024",
].join("\n");

/**
 * Received Wed 30 Sep 2026, disposed to dinsos Thu 1 Oct 2026 10:00 and never answered: first
 * response and resolution (normatif) are 5wd, counted from Fri 2 Oct: at risk Thu 8 Oct 00:00,
 * due Fri 9 Oct 00:00, "still open 3 wd after due" Wed 14 Oct 00:00 (late Fri, Mon, Tue).
 */
function dinsosReport(trackingId: string): ReportSnapshot {
  return {
    trackingId,
    receivedAt: wib("2026-09-30T10:00"),
    opd: "dinsos",
    type: "pengaduan",
    complexity: "normatif",
    category: "Bantuan sosial",
    channel: "lapor_web",
    anonymous: false,
    confidential: false,
    contactComplete: true,
    milestones: { disposedAt: wib("2026-10-01T10:00") },
  };
}
const DUE = wib("2026-10-09T00:00");

function event(
  trackingId: string,
  kind: "awaiting_reporter" | "reporter_replied",
  local: string,
  row: number,
): ImportItem {
  return {
    rowNumber: row,
    kind: "event",
    event: { trackingId, kind, at: wib(local), opd: "dinsos" },
  };
}

/** Decisions of the report by status, as "stage:level". */
async function decisions(app: TestApp, trackingId: string): Promise<Record<string, string[]>> {
  const rows = (await app.ctx.db
    .knex("escalations")
    .where({ tracking_id: trackingId })
    .orderBy(["stage", "level"])
    .select("stage", "level", "status")) as { stage: string; level: number; status: string }[];
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.status] ??= []).push(`${r.stage}:${r.level}`);
  return out;
}

interface StatusClock {
  trackingId: string;
  stage: string;
  state: string;
  awaitingReporter: boolean;
  dueAt: string | null;
  marginMs: number | null;
}

describe("a pause asked for after the due instant (issue 18)", function () {
  this.timeout(180_000);

  // The agency records awaiting_reporter on Tue 20 Oct 09:00 (7 wd 9 h late); the reporter
  // replies Fri 23 Oct 09:00. "7001" has that history, "7002" the same without the pause.
  const PAUSED = "7001";
  const PLAIN = "7002";
  const pauseEvents = (now: number): ImportItem[] =>
    [
      event(PAUSED, "awaiting_reporter", "2026-10-20T09:00", 3),
      event(PAUSED, "reporter_replied", "2026-10-23T09:00", 4),
    ].filter((e) => e.kind === "event" && e.event.at <= now);

  const instants: {
    name: string;
    now: number;
    state: string;
    awaiting: boolean;
    lateMs: number | null;
    overdue: number;
    decided: string[];
    superseded?: string[];
  }[] = [
    {
      name: "before due",
      now: wib("2026-10-08T12:00"),
      state: "at_risk",
      awaiting: false,
      lateMs: null,
      overdue: 0,
      decided: ["first_response:0", "resolution:0"],
    },
    {
      name: "after due, before the pause",
      now: wib("2026-10-12T10:00"),
      state: "breached",
      awaiting: false,
      lateMs: 1 * WD + 10 * HOUR,
      overdue: 2,
      decided: ["first_response:1", "resolution:1"],
      superseded: ["first_response:0", "resolution:0"],
    },
    {
      name: "during the pause",
      now: wib("2026-10-21T10:00"),
      state: "breached",
      awaiting: true,
      lateMs: 7 * WD + 9 * HOUR,
      overdue: 2,
      decided: ["first_response:2", "resolution:2"],
      superseded: ["first_response:0", "first_response:1", "resolution:0", "resolution:1"],
    },
    {
      name: "after the reporter replied",
      now: wib("2026-10-26T10:00"),
      state: "breached",
      awaiting: false,
      lateMs: 7 * WD + 9 * HOUR + 15 * HOUR + 10 * HOUR,
      overdue: 2,
      decided: ["first_response:2", "resolution:2"],
      superseded: ["first_response:0", "first_response:1", "resolution:0", "resolution:1"],
    },
  ];

  for (const at of instants) {
    it(`${at.name}: status JSON, metrics and one scan agree with the same history unpaused`, async () => {
      const app = await createTestApp(at.now);
      try {
        await importOfficers(app.ctx, OFFICERS, at.now);
        await importReports(
          app.ctx,
          [dinsosReport(PAUSED), dinsosReport(PLAIN)],
          at.now,
          pauseEvents(at.now),
        );

        // One scan's decisions: the same with and without the pause.
        const scan = await runScan(app.ctx, at.now, () => at.now);
        expect(scan.escalation.cancelled).to.equal(0);
        for (const id of [PAUSED, PLAIN]) {
          const d = await decisions(app, id);
          expect(d.pending ?? [], `${id} decided`).to.deep.equal(at.decided);
          expect(d.superseded ?? [], `${id} superseded`).to.deep.equal(at.superseded ?? []);
        }

        // Status JSON: both agency clocks of the paused report.
        const view = await statusView(app.ctx, { now: at.now });
        if (at.awaiting) {
          expect(renderStatus(view, "id"))
            .to.contain("terlambat, sedang menunggu pelapor")
            .and.contain("4 terlambat (2 sedang menunggu pelapor)");
          expect(renderStatus(view, "en")).to.contain("overdue, awaiting the reporter");
        }
        const json = statusJson(view) as {
          counts: Record<string, number>;
          clocks: StatusClock[];
        };
        const clocks = json.clocks.filter((c) => c.trackingId === PAUSED);
        expect(clocks.map((c) => c.stage).sort()).to.deep.equal(["first_response", "resolution"]);
        for (const c of clocks) {
          expect(c.state, c.stage).to.equal(at.state);
          expect(c.awaitingReporter, c.stage).to.equal(at.awaiting);
          expect(c.dueAt).to.equal("2026-10-09T00:00:00+07:00");
          if (at.lateMs !== null) expect(c.marginMs).to.equal(-at.lateMs);
        }
        expect(json.counts.paused).to.equal(0);

        // The metrics source's SQL counts both reports' clocks as overdue per stage.
        const source = createPgMetricsSource({
          knex: app.ctx.db.knex,
          kind: app.ctx.db.kind,
          calendar: { coveredYears: [], zone: "Asia/Jakarta" },
        });
        try {
          const rows = (await source.clockCounts(at.now)).filter((r) => r.opd === "dinsos");
          expect(rows.map((r) => [r.stage, r.open, r.overdue]).sort()).to.deep.equal([
            ["first_response", 2, at.overdue],
            ["resolution", 2, at.overdue],
          ]);
          if (at.overdue > 0) expect(rows[0]!.oldestDueAt).to.equal(DUE);
        } finally {
          await source.close();
        }

        // The API's views: the report's clocks and the agency's overdue list.
        const api = await reportView(app.ctx, app.ctx.db.knex, PAUSED, at.now);
        for (const c of api!.clocks.filter((x) => x.stage !== "verification")) {
          expect(c).to.include({ state: at.state, awaitingReporter: at.awaiting });
        }
        const overdue = await overdueView(app.ctx, "dinsos", at.now);
        expect(overdue.clocks.filter((c) => c.trackingId === PAUSED)).to.have.length(
          at.overdue > 0 ? 2 : 0,
        );
        for (const c of overdue.clocks.filter((x) => x.trackingId === PAUSED)) {
          expect(c).to.include({ awaitingReporter: at.awaiting, overdueMs: at.lateMs });
        }

        // Explain says the same, and which rule applied.
        if (at.awaiting) {
          const doc = await explainView(app.ctx, PAUSED, at.now, "id");
          const lines = doc.sections.find((s) => s.key === "clock:first_response:1")!.lines;
          const line = (key: string) => lines.find((l) => l.key === key)?.text;
          expect(line("status")).to.equal(
            "Status: terlambat 7,38 hari kerja, sedang menunggu pelapor",
          );
          expect(line("pause_rule")).to.contain("dimulai setelah jatuh tempo");
        }
      } finally {
        await app.close();
      }
    });
  }

  it("scans through the pause: nothing cancelled, level 2 after 3 wd of unpaused lateness", async () => {
    // Paused Mon 12 Oct 12:00 (1.5 wd late: Fri 9, half of Mon 12) to Mon 19 Oct 12:00: 3 wd of
    // lateness are reached at Wed 21 Oct 00:00 (half of Mon 19, Tue 20), not Wed 14 Oct.
    const start = wib("2026-10-12T10:00");
    const app = await createTestApp(start);
    try {
      await importOfficers(app.ctx, OFFICERS, start);
      await importReports(app.ctx, [dinsosReport(PAUSED)], start);
      await runScan(app.ctx, start, () => start); // level 1, left unsent
      expect((await decisions(app, PAUSED)).pending).to.deep.equal([
        "first_response:1",
        "resolution:1",
      ]);

      const asked = wib("2026-10-12T13:00");
      await importReports(app.ctx, [], asked, [
        event(PAUSED, "awaiting_reporter", "2026-10-12T12:00", 2),
      ]);
      for (const now of [wib("2026-10-12T13:05"), wib("2026-10-14T10:00")]) {
        const scan = await runScan(app.ctx, now, () => now);
        expect(scan.escalation.cancelled, "nothing cancelled while paused").to.equal(0);
        expect(scan.escalation.decided, "nothing new while paused").to.equal(0);
        const status = await statusView(app.ctx, { now });
        for (const r of status.rows.filter((x) => x.trackingId === PAUSED)) {
          expect(r).to.include({ state: "breached", awaitingReporter: true, marginMs: -1.5 * WD });
        }
      }
      expect((await decisions(app, PAUSED)).pending).to.deep.equal([
        "first_response:1",
        "resolution:1",
      ]);

      const replied = wib("2026-10-19T13:00");
      await importReports(app.ctx, [], replied, [
        event(PAUSED, "reporter_replied", "2026-10-19T12:00", 2),
      ]);
      const tue = wib("2026-10-20T10:00");
      expect((await runScan(app.ctx, tue, () => tue)).escalation.decided).to.equal(0);
      const next = (await app.ctx.db
        .knex("sla_clocks")
        .where({ tracking_id: PAUSED })
        .whereNull("stopped_at")
        .pluck("next_check_at")) as Date[];
      expect(next.map((d) => d.getTime())).to.deep.equal([
        wib("2026-10-21T00:00"),
        wib("2026-10-21T00:00"),
      ]);
      const wed = wib("2026-10-21T00:05");
      const fired = await runScan(app.ctx, wed, () => wed);
      expect(fired.escalation.decided).to.equal(2);
      expect((await decisions(app, PAUSED)).pending).to.deep.equal([
        "first_response:1",
        "first_response:2",
        "resolution:1",
        "resolution:2",
      ]);
    } finally {
      await app.close();
    }
  });

  it("after the upgrade, the next scan escalates clocks an earlier version stored as paused", async () => {
    const now = wib("2026-10-21T10:00");
    const app = await createTestApp(now);
    try {
      await importOfficers(app.ctx, OFFICERS, now);
      await importReports(app.ctx, [dinsosReport(PAUSED)], now, pauseEvents(now));
      // As the earlier version left them: paused, nothing ahead, examined, nothing decided.
      const knex = app.ctx.db.knex;
      await knex("sla_clocks")
        .where({ tracking_id: PAUSED })
        .update({ escalation_checked_at: knex.raw("computed_at") });
      await knex("sla_clocks")
        .where({ tracking_id: PAUSED })
        .whereNull("stopped_at")
        .update({ state: "paused", next_check_at: null });
      const before = wib("2026-10-21T10:05");
      expect((await runScan(app.ctx, before, () => before)).escalation.decided).to.equal(0);

      await up(knex);
      const states = (await knex("sla_clocks")
        .where({ tracking_id: PAUSED })
        .whereNull("stopped_at")
        .pluck("state")) as string[];
      expect(states).to.deep.equal(["breached", "breached"]);
      const after = wib("2026-10-21T10:10");
      const scan = await runScan(app.ctx, after, () => after);
      expect(scan.escalation.decided).to.equal(2);
      expect((await decisions(app, PAUSED)).pending).to.deep.equal([
        "first_response:2",
        "resolution:2",
      ]);
    } finally {
      await app.close();
    }
  });
});
