// The SLA engine end to end on a real database (embedded PGlite or PostgreSQL, see
// test/helpers/db.ts): import, stored clocks, scans that touch only what is due, frozen outcomes,
// recomputation, idempotency and all-or-nothing imports.
import { expect } from "chai";
import { recomputeOpenClocks } from "../../src/scan/clockService.js";
import { scanDue } from "../../src/scan/escalationScan.js";
import { importItems, type ImportItem } from "../../src/app/importService.js";
import { explainView, statusView } from "../../src/app/statusService.js";
import { renderExplainText } from "../../src/core/sla/explain.js";
import type { ReportSnapshot } from "../../src/core/types.js";
import { listClocks } from "../../src/store/reportStore.js";
import { createTestApp, testConfig, wib, type TestApp } from "../helpers/app.js";
import { testBackend } from "../helpers/db.js";
import { ImportError } from "../../src/ingest/errors.js";

function snapshot(trackingId: string, over: Partial<ReportSnapshot> = {}): ReportSnapshot {
  return {
    trackingId,
    receivedAt: wib("2025-03-03T10:12"),
    opd: null,
    type: "pengaduan",
    complexity: "normatif",
    category: "Kesehatan",
    channel: "lapor_web",
    anonymous: false,
    confidential: false,
    contactComplete: true,
    milestones: {},
    ...over,
  };
}

const items = (...snapshots: ReportSnapshot[]): ImportItem[] =>
  snapshots.map((s, i) => ({ rowNumber: i + 2, kind: "snapshot", snapshot: s }));

describe("SLA engine on the database", function () {
  let app: TestApp;
  const now = wib("2025-03-05T12:00");

  beforeEach(async () => {
    app = await createTestApp(now);
  });
  afterEach(async () => {
    await app.close();
  });

  it("stores the verification clock of a received report, due after 3 working days", async () => {
    const summary = await importItems(app.ctx, items(snapshot("1001")), { source: "test", now });
    expect(summary).to.include({ rows: 1, imported: 1, reportsCreated: 1, rejected: 0 });
    const [clock] = await listClocks(app.ctx.db.knex, { trackingId: "1001" });
    expect(clock?.stage).to.equal("verification");
    expect(clock?.opd).to.equal("diskominfo");
    // Mon 3 Mar 2025 10:12 WIB + 3wd = Fri 7 Mar 2025 00:00 WIB.
    expect(clock?.dueAt).to.equal(wib("2025-03-07T00:00"));
    expect(clock?.atRiskAt).to.equal(wib("2025-03-06T00:00"));
    expect(clock?.nextCheckAt).to.equal(wib("2025-03-06T00:00"));
    expect(clock?.state).to.equal("on_track");
  });

  it("re-importing the same rows changes nothing", async () => {
    const rows = items(
      snapshot("1002", { opd: "dinkes", milestones: { disposedAt: wib("2025-03-04T09:00") } }),
    );
    await importItems(app.ctx, rows, { source: "test", now });
    const before = await app.ctx.db.knex("report_events").count<{ count: number }[]>("* as count");
    const again = await importItems(app.ctx, rows, { source: "test", now });
    expect(again).to.include({ imported: 0, unchanged: 1, rejected: 0, eventsAdded: 0 });
    const after = await app.ctx.db.knex("report_events").count<{ count: number }[]>("* as count");
    expect(Number(after[0]?.count)).to.equal(Number(before[0]?.count));
  });

  it("adds only new milestones from a newer export and rejects a contradicting one", async () => {
    await importItems(
      app.ctx,
      items(
        snapshot("1003", { opd: "dinkes", milestones: { disposedAt: wib("2025-03-04T09:00") } }),
      ),
      { source: "a", now },
    );
    const newer = await importItems(
      app.ctx,
      items(
        snapshot("1003", {
          opd: "dinkes",
          milestones: {
            disposedAt: wib("2025-03-04T09:00"),
            firstResponseAt: wib("2025-03-05T08:00"),
          },
        }),
      ),
      { source: "b", now },
    );
    expect(newer).to.include({ imported: 1, eventsAdded: 1 });
    const contradicting = await importItems(
      app.ctx,
      items(
        snapshot("1003", { opd: "dinkes", milestones: { disposedAt: wib("2025-03-04T11:00") } }),
      ),
      { source: "c", now },
    );
    expect(contradicting.rejected).to.equal(1);
    expect(contradicting.rejections[0]?.column).to.equal("disposed_at");
    expect(contradicting.rejections[0]?.reason.en).to.match(/contradicts the history/);
  });

  it("a dry run reports what would happen and writes nothing", async () => {
    const summary = await importItems(app.ctx, items(snapshot("1004")), {
      source: "test",
      now,
      dryRun: true,
    });
    expect(summary).to.include({ imported: 1, dryRun: true });
    const count = await app.ctx.db.knex("reports").count<{ count: number }[]>("* as count");
    expect(Number(count[0]?.count)).to.equal(0);
  });

  it("a failure mid-file leaves the database as it was before the file", async () => {
    async function* failing(): AsyncGenerator<ImportItem> {
      for (let i = 0; i < 700; i++) {
        yield { rowNumber: i + 2, kind: "snapshot", snapshot: snapshot(String(2000 + i)) };
      }
      throw new Error("disk full");
    }
    let failed = false;
    try {
      await importItems(app.ctx, failing(), { source: "test", now, chunkSize: 200 });
    } catch (error) {
      failed = (error as Error).message === "disk full";
    }
    expect(failed).to.equal(true);
    const count = await app.ctx.db.knex("reports").count<{ count: number }[]>("* as count");
    expect(Number(count[0]?.count)).to.equal(0);
  });

  it("removes open clocks an existing report no longer has, keeps its stopped ones", async () => {
    const disposed = snapshot("1010", {
      opd: "dinkes",
      milestones: { disposedAt: wib("2025-03-04T09:00") },
    });
    await importItems(app.ctx, items(disposed), { source: "test", now });
    const knex = app.ctx.db.knex;
    const stored = await listClocks(knex, { trackingId: "1010" });
    const template = await knex("sla_clocks").where({ tracking_id: "1010", stage: "resolution" });
    // Clocks a derivation no longer produces (written by an older rule): one open, one stopped.
    const stray = template.map((row: Record<string, unknown>) => ({ ...row, seq: 7 }));
    const strayStopped = template.map((row: Record<string, unknown>) => ({
      ...row,
      seq: 8,
      stopped_at: new Date(wib("2025-03-04T12:00")),
      outcome: "met",
      state: "stopped",
    }));
    await knex("sla_clocks").insert([...stray, ...strayStopped]);
    // A newer export adds the first response, in chunks of one row around other reports.
    const responded = snapshot("1010", {
      opd: "dinkes",
      milestones: { disposedAt: wib("2025-03-04T09:00"), firstResponseAt: wib("2025-03-05T08:00") },
    });
    const summary = await importItems(
      app.ctx,
      items(snapshot("1011"), responded, snapshot("1012")),
      { source: "test", now, chunkSize: 1 },
    );
    expect(summary).to.include({ imported: 3, reportsCreated: 2, eventsAdded: 3 });
    const after = await listClocks(knex, { trackingId: "1010" });
    expect(after.map((c) => `${c.stage}:${c.seq}`).sort()).to.deep.equal(
      [...stored.map((c) => `${c.stage}:${c.seq}`), "resolution:8"].sort(),
    );
    const response = after.find((c) => c.stage === "first_response");
    expect(response?.stoppedAt).to.equal(wib("2025-03-05T08:00"));
  });

  // PGlite has a single connection: no other writer can run while an import holds it.
  if (testBackend === "postgres") {
    it("stops without saving anything when another writer adds the same new report", async () => {
      const knex = app.ctx.db.knex;
      async function* racing(): AsyncGenerator<ImportItem> {
        yield { rowNumber: 2, kind: "snapshot", snapshot: snapshot("1020") };
        // While the import has planned row 2 but not yet written it, the API commits 1020.
        await knex("reports").insert({
          tracking_id: "1020",
          type: "pengaduan",
          received_at: new Date(wib("2025-03-03T10:12")),
          created_at: new Date(now),
          updated_at: new Date(now),
        });
        yield { rowNumber: 3, kind: "snapshot", snapshot: snapshot("1021") };
      }
      let error: unknown = null;
      try {
        await importItems(app.ctx, racing(), { source: "test", now, chunkSize: 1 });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(ImportError);
      expect((error as ImportError).code).to.equal("concurrent_write");
      expect((error as ImportError).text("id")).to.match(/Jalankan impor ini lagi/);
      const ids = await knex("reports").pluck("tracking_id");
      expect(ids).to.deep.equal(["1020"]);
      // Run again: the report already stored is merged, the other one added.
      const again = await importItems(app.ctx, items(snapshot("1020"), snapshot("1021")), {
        source: "test",
        now,
      });
      expect(again).to.include({ rejected: 0, reportsCreated: 1 });
    });
  }

  it("a scan touches only reports whose clocks are due, and updates their state", async () => {
    await importItems(
      app.ctx,
      items(snapshot("1005"), snapshot("1006", { receivedAt: wib("2025-03-05T09:00") })),
      { source: "test", now },
    );
    // Thursday 6 March 00:00 WIB: 1005's verification clock becomes at risk; 1006's is not due.
    const thursday = wib("2025-03-06T00:30");
    const result = await scanDue(app.ctx, thursday);
    expect(result.reportsRefreshed).to.equal(1);
    const [c1005] = await listClocks(app.ctx.db.knex, { trackingId: "1005" });
    expect(c1005?.state).to.equal("at_risk");
    expect(c1005?.nextCheckAt).to.equal(wib("2025-03-07T00:00"));
    const again = await scanDue(app.ctx, thursday);
    expect(again.reportsRefreshed).to.equal(0);
    const friday = await scanDue(app.ctx, wib("2025-03-07T00:00"));
    expect(friday.reportsRefreshed).to.equal(1);
    const status = await statusView(app.ctx, { now: wib("2025-03-07T00:00") });
    expect(status.counts.breached).to.equal(1);
    expect(status.rows.find((r) => r.trackingId === "1005")?.state).to.equal("breached");
  });

  it("never rewrites a stopped clock when the SOP changes; recompute updates open clocks only", async () => {
    await importItems(
      app.ctx,
      items(
        snapshot("1007", {
          opd: "dinkes",
          milestones: {
            disposedAt: wib("2025-03-04T09:00"),
            firstResponseAt: wib("2025-03-05T08:00"),
          },
        }),
      ),
      { source: "test", now },
    );
    const before = await listClocks(app.ctx.db.knex, { trackingId: "1007" });
    const firstResponse = before.find((c) => c.stage === "first_response");
    expect(firstResponse?.outcome).to.equal("met");
    // A stricter SOP: first response in 0.5 working days would have breached it.
    const base = testConfig();
    const stricter = structuredClone(base);
    stricter.sops = {
      ...base.sops,
      defaultVersions: base.sops.defaultVersions.map((v) => ({
        ...v,
        targets: { ...v.targets, first_response: { amount: 0.5, unit: "wd" as const } },
      })),
      agencyVersions: {},
    };
    app.ctx.config = stricter;
    const { CalendarDirectory } = await import("../../src/context/appContext.js");
    app.ctx.calendars = new CalendarDirectory(stricter);
    const result = await recomputeOpenClocks(app.ctx, now, "test: stricter SOP");
    expect(result.reports).to.equal(1);
    const after = await listClocks(app.ctx.db.knex, { trackingId: "1007" });
    const frozen = after.find((c) => c.stage === "first_response");
    expect(frozen?.outcome).to.equal("met");
    expect(frozen?.target).to.deep.equal(firstResponse?.target);
    const runs = await app.ctx.db.knex("clock_recomputations").select("reason", "reports");
    expect(runs).to.have.length(1);
    expect(runs[0]).to.include({ reason: "test: stricter SOP" });
  });

  it("explains a report step by step with the stored history", async () => {
    await importItems(
      app.ctx,
      items(
        snapshot("1008", { opd: "dinkes", milestones: { disposedAt: wib("2025-03-04T09:00") } }),
      ),
      { source: "test", now },
    );
    const doc = await explainView(app.ctx, "1008", now, "id");
    const text = renderExplainText(doc);
    expect(text).to.include("Senin, 3 Maret 2025 10:12 WIB");
    expect(text).to.include("Jumat, 7 Maret 2025 00:00 WIB");
    const en = renderExplainText(await explainView(app.ctx, "1008", now, "en"));
    expect(en).to.include("Monday, 3 March 2025 10:12 WIB");
  });
});
