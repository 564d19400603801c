// The PostgreSQL MetricsSource on the embedded PGlite with the real migrations, and the
// PostgreSQL panel queries of the dashboards with Grafana's macros expanded.
import { expect } from "chai";
import { PGlite } from "@electric-sql/pglite";
import { openDatabase, type Database } from "../../src/db/connect.js";
import { migrateLatest } from "../../src/db/migrate.js";
import { allDashboards } from "../../src/dashboards/index.js";
import { createPgMetricsSource, type PgMetricsSource } from "../../src/metrics/pgSource.js";
import { createPantauRegistry } from "../../src/metrics/registry.js";
import { sqlTargets } from "./tools.js";
import { expandSqlMacros } from "./tools.js";

const NOW = Date.parse("2026-03-02T03:00:00Z");
const DAY = 86_400_000;

/** Grafana's SQL macros and variables, as the PostgreSQL datasource expands them. */
const expandSql = expandSqlMacros;

describe("observability: PostgreSQL metrics source (PGlite)", function () {
  this.timeout(120_000);
  let db: Database;
  let source: PgMetricsSource;

  before(async () => {
    db = await openDatabase({
      databaseUrl: null,
      dataDir: "",
      command: "test",
      pglite: new PGlite(),
    });
    await migrateLatest(db.knex);
    const k = db.knex;
    const synced = new Date(NOW);
    await k("agencies").insert([
      {
        code: "dinkes",
        name: "Dinas Kesehatan",
        kind: "dinas",
        zone: "Asia/Jakarta",
        has_own_sop: true,
        synced_at: synced,
      },
      {
        code: "dispendik",
        name: "Dinas Pendidikan",
        kind: "dinas",
        zone: "Asia/Jakarta",
        has_own_sop: false,
        synced_at: synced,
      },
      {
        code: "diskominfo",
        name: "Dinas Kominfo",
        kind: "dinas",
        zone: "Asia/Jakarta",
        has_own_sop: false,
        synced_at: synced,
      },
    ]);
    const report = (id: string, opd: string) => ({
      tracking_id: id,
      opd,
      type: "pengaduan",
      received_at: new Date(NOW - 30 * DAY),
      created_at: synced,
      updated_at: synced,
    });
    await k("reports").insert([
      report("1001", "dinkes"),
      report("1002", "dinkes"),
      report("1003", "dispendik"),
      report("1004", "dinkes"),
    ]);
    const clock = (
      id: string,
      stage: string,
      opd: string,
      o: Partial<Record<string, unknown>>,
    ) => ({
      tracking_id: id,
      stage,
      seq: 1,
      opd,
      sop_id: "default",
      sop_version: "2024-01-01",
      target_amount: 5,
      target_unit: "wd",
      started_at: new Date(NOW - 20 * DAY),
      due_at: null,
      at_risk_at: null,
      stopped_at: null,
      used_ms: 0,
      outcome: "open",
      state: "on_track",
      pauses: JSON.stringify([]),
      next_check_at: null,
      computed_at: synced,
      ...o,
    });
    await k("sla_clocks").insert([
      // dinkes: one overdue by 3 days, one at risk, one met, one breached (first response).
      // Open past due: the engine stores outcome "breached" with no stop instant.
      clock("1001", "resolution", "dinkes", {
        due_at: new Date(NOW - 3 * DAY),
        at_risk_at: new Date(NOW - 4 * DAY),
        outcome: "breached",
        state: "breached",
      }),
      clock("1002", "resolution", "dinkes", {
        due_at: new Date(NOW + DAY),
        at_risk_at: new Date(NOW - DAY / 2),
      }),
      clock("1001", "first_response", "dinkes", {
        outcome: "met",
        stopped_at: new Date(NOW - 10 * DAY),
      }),
      clock("1002", "first_response", "dinkes", {
        outcome: "breached",
        stopped_at: new Date(NOW - 2 * DAY),
      }),
      // Stopped after NOW: not counted as of NOW.
      clock("1004", "first_response", "dinkes", {
        outcome: "met",
        stopped_at: new Date(NOW + DAY),
      }),
      // dispendik: on track, never answered.
      clock("1003", "resolution", "dispendik", {
        due_at: new Date(NOW + 5 * DAY),
        at_risk_at: new Date(NOW + 4 * DAY),
      }),
    ]);
    source = createPgMetricsSource({
      knex: k,
      kind: "embedded",
      calendar: { coveredYears: [2024, 2025, 2026], zone: "Asia/Jakarta" },
    });
  });

  after(async () => {
    await source?.close();
    await db?.close();
  });

  it("counts open, at-risk and overdue clocks at `now`", async () => {
    const rows = await source.clockCounts(NOW);
    const dinkes = rows.find((r) => r.opd === "dinkes" && r.stage === "resolution");
    expect(dinkes).to.include({ open: 2, atRisk: 1, overdue: 1, oldestDueAt: NOW - 3 * DAY });
    expect(rows.find((r) => r.opd === "dispendik")).to.include({
      open: 1,
      atRisk: 0,
      overdue: 0,
      oldestDueAt: null,
    });
  });

  it("counts met and breached clocks stopped up to `now`, and each agency's last answer", async () => {
    expect(await source.outcomeCounts(NOW)).to.deep.equal([
      { opd: "dinkes", stage: "first_response", met: 1, breached: 1 },
    ]);
    const facts = await source.agencyFacts(NOW);
    expect(facts.find((f) => f.opd === "dinkes")).to.deep.equal({
      opd: "dinkes",
      hasOwnSop: true,
      lastResponseAt: NOW - 2 * DAY,
    });
    expect(facts.find((f) => f.opd === "dispendik")).to.deep.equal({
      opd: "dispendik",
      hasOwnSop: false,
      lastResponseAt: null,
    });
  });

  it("returns no rows for the escalation, officer and outbox tables while they do not exist", async () => {
    // A bare database: these queries are guarded by table existence.
    const bare = await openDatabase({
      databaseUrl: null,
      dataDir: "",
      command: "test",
      pglite: new PGlite(),
    });
    try {
      const s = createPgMetricsSource({
        knex: bare.knex,
        kind: "embedded",
        calendar: { coveredYears: [], zone: "Asia/Jakarta" },
      });
      expect(await s.escalationCounts(NOW)).to.deep.equal([]);
      expect(await s.liaisonsActive(NOW)).to.deep.equal([]);
      expect(await s.outboxCounts(NOW)).to.deep.equal([]);
      expect(await s.isLeader()).to.equal(true);
      expect(await s.calendarCoveredUntil(NOW)).to.equal(null);
      expect(await source.calendarCoveredUntil(NOW)).to.equal(Date.parse("2026-12-31T17:00:00Z"));
    } finally {
      await bare.close();
    }
  });

  it("reads the escalation, officer and outbox tables (the columns it relies on)", async () => {
    const bare = await openDatabase({
      databaseUrl: null,
      dataDir: "",
      command: "test",
      pglite: new PGlite(),
    });
    const k = bare.knex;
    try {
      await k.raw(
        `create table escalations (opd text, level int, status text, decided_at timestamptz, sent_at timestamptz)`,
      );
      await k.raw(
        `create table officer_appointments (opd text, role text, valid_from timestamptz, valid_to timestamptz)`,
      );
      await k.raw(`create table outbox (id bigserial primary key, state text)`);
      const day = (n: number) => new Date(NOW + n * DAY);
      await k("escalations").insert([
        { opd: "dinkes", level: 1, status: "sent", decided_at: day(-1), sent_at: day(-1) },
        { opd: "dinkes", level: 0, status: "cancelled", decided_at: day(-1), sent_at: null },
        { opd: "dinkes", level: 2, status: "pending", decided_at: day(-1), sent_at: null },
        { opd: "dinkes", level: 1, status: "sent", decided_at: day(1), sent_at: day(1) },
      ]);
      await k("officer_appointments").insert([
        { opd: "dinkes", role: "liaison", valid_from: day(-100), valid_to: null },
        { opd: "dinkes", role: "supervisor", valid_from: day(-100), valid_to: null },
        { opd: "dispendik", role: "liaison", valid_from: day(-100), valid_to: day(-1) },
        { opd: null, role: "coordinator", valid_from: day(-100), valid_to: null },
      ]);
      await k("outbox").insert([
        { state: "pending" },
        { state: "failed" },
        { state: "sent" },
        { state: "sent" },
      ]);
      const s = createPgMetricsSource({
        knex: k,
        kind: "embedded",
        calendar: { coveredYears: [], zone: "Asia/Jakarta" },
      });
      expect(await s.escalationCounts(NOW)).to.deep.equal([
        { opd: "dinkes", level: "1", count: 1 },
      ]);
      expect(await s.liaisonsActive(NOW)).to.deep.equal(["dinkes"]);
      const outbox = await s.outboxCounts(NOW);
      expect(Object.fromEntries(outbox.map((r) => [r.state, r.count]))).to.deep.equal({
        pending: 1,
        failed: 1,
        sent: 2,
      });
    } finally {
      await bare.close();
    }
  });

  it("feeds the registry from the migrated database with every collector healthy", async () => {
    const registry = createPantauRegistry({
      agencies: [
        { code: "dinkes", name: "Dinas Kesehatan", kind: "dinas" },
        { code: "dispendik", name: "Dinas Pendidikan", kind: "dinas" },
      ],
      source,
      clock: () => NOW,
      processMetrics: false,
    });
    const text = await registry.render();
    expect(text).to.include('pantau_reports_overdue{opd="dinkes",stage="resolution"} 1');
    expect(text).to.include('pantau_sla_breached_total{opd="dinkes",stage="first_response"} 1');
    expect(text).to.include('pantau_escalations_total{opd="dinkes",level="1"} 0');
    expect(text).to.include('pantau_opd_liaison_active{opd="dispendik"} 0');
    expect(text).to.include('pantau_reports_oldest_overdue_seconds{opd="dinkes"} 259200');
    expect(text).to.include('pantau_collector_success{collector="outbox"} 1');
    expect(text).not.to.match(/pantau_collector_success\{collector="\w+"\} 0/);
  });

  it("runs every PostgreSQL panel query with Grafana's macros expanded and returns the expected columns", async () => {
    const expected: Record<string, string[]> = {
      "Laporan terlambat": [
        "tracking_id",
        "stage",
        "report_type",
        "sop",
        "started_at",
        "due_at",
        "overdue_seconds",
      ],
      "Kepatuhan harian (basis data)": ["time", "compliance"],
      "Laporan diterima": ["diterima"],
      "Kepatuhan kabupaten": ["kepatuhan"],
      "Volume per tahun (kabupaten)": ["time", "metric", "value"],
      "Kepatuhan per tahap per tahun (kabupaten)": ["time", "metric", "value"],
      "Kepatuhan OPD terpilih dan kabupaten per tahun": ["time", "metric", "value"],
      "Median hari kerja sampai respons pertama dan tindak lanjut": ["time", "metric", "value"],
      "Volume per saluran per tahun": ["time", "metric", "value"],
      "Per OPD per tahun": [
        "opd",
        "tahun",
        "diterima",
        "ditindaklanjuti",
        "respons_pertama",
        "tindak_lanjut",
        "kepatuhan",
      ],
      "OPD paling membaik": ["opd", "kepatuhan_sebelumnya", "kepatuhan", "perubahan"],
      "OPD paling menurun": ["opd", "kepatuhan_sebelumnya", "kepatuhan", "perubahan"],
    };
    for (const t of sqlTargets(allDashboards())) {
      const sql = expandSql(t.rawSql, NOW - 30 * DAY, NOW, "dinkes");
      expect(sql, t.panel).not.to.include("$");
      const result = (await db.knex.raw(sql)) as {
        rows: Record<string, unknown>[];
        fields?: { name: string }[];
      };
      const columns = result.fields?.map((f) => f.name) ?? Object.keys(result.rows[0] ?? {});
      expect(columns, t.panel).to.deep.equal(expected[t.panel]);
      expect(result.rows.length, t.panel).to.be.greaterThan(0);
    }
    const overdue = sqlTargets(allDashboards()).find((t) => t.panel === "Laporan terlambat");
    const rows = (
      (await db.knex.raw(expandSql(overdue!.rawSql, NOW - DAY, NOW, "dinkes"))) as {
        rows: { tracking_id: string; overdue_seconds: number }[];
      }
    ).rows;
    expect(rows.map((r) => [r.tracking_id, r.overdue_seconds])).to.deep.equal([
      ["1001", 3 * 86400],
    ]);
  });
});
