// End to end, as an operator runs it: `pantau start --demo` (a real daemon process on the test
// database of this run, embedded or PostgreSQL), a real Prometheus scraping its /metrics with the
// rules loaded; every dashboard query through Prometheus's HTTP API succeeds and the key ones
// return data; then every PostgreSQL panel query, macros expanded, runs on the same database.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/connect.js";
import { allDashboards } from "../../src/dashboards/index.js";
import { createTestDatabase, testBackend, type TestDatabase } from "../helpers/db.js";
import { spawnPantau, type Spawned } from "../helpers/process.js";
import { freePort, startPrometheus, type PrometheusProcess } from "./prometheusProcess.js";
import {
  expandPromVariables,
  expandSqlMacros,
  promTargets,
  requireTool,
  sqlTargets,
} from "./tools.js";

const KEY_METRICS = [
  "pantau_sla_compliance:ratio",
  "pantau_reports_open",
  "pantau_reports_overdue",
  "pantau_reports_oldest_overdue_seconds",
  "pantau_opd_liaison_active",
  "pantau_opd_has_own_sop",
  "pantau_outbox_messages",
  "pantau_calendar_covered_until_timestamp_seconds",
  "pantau_collector_success",
  "pantau_scan_last_success_timestamp_seconds",
  "pantau_scan_duration_seconds",
  "pantau_emails_sent_total",
  "pantau_notifications_sent_total",
];

describe("observability: Prometheus scrapes a running Pantau with demo data", function () {
  this.timeout(180_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let pg: TestDatabase | null = null;
  let daemon: Spawned | undefined;
  let prometheus: PrometheusProcess | undefined;
  let overdueOpd = "dinkes";

  before(async function () {
    requireTool(this, "prometheus");
    dir = mkdtempSync(join(tmpdir(), "pantau-prom-"));
    const metricsPort = await freePort();
    env = {
      PANTAU_DATA_DIR: join(dir, "db"),
      PANTAU_OUTBOX_DIR: join(dir, "outbox"),
      PANTAU_HTTP_PORT: "0",
      PANTAU_METRICS_PORT: String(metricsPort),
      PANTAU_LOG_LEVEL: "info",
      DATABASE_URL: "",
    };
    if (testBackend === "postgres") {
      pg = await createTestDatabase();
      env.DATABASE_URL = pg.url ?? "";
    }
    daemon = spawnPantau(["start", "--demo"], env);
    await daemon.waitFor(/"message":"scan finished"/, 120_000);
    await daemon.waitFor(/"message":"outbox delivered"/, 60_000);
    prometheus = await startPrometheus({ target: `127.0.0.1:${metricsPort}` });
    await prometheus.waitFor('up{job="pantau"} == 1');
    await prometheus.waitFor('count_over_time(up{job="pantau"}[1m]) >= 3');
    await prometheus.waitFor("opd:pantau_sla_compliance:ratio");
  });

  after(async () => {
    await prometheus?.stop();
    if (daemon && daemon.child.exitCode === null) {
      daemon.child.kill("SIGTERM");
      await daemon.exited;
    }
    await pg?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs every dashboard query successfully, and the key ones return data", async () => {
    const top = await prometheus!.query("topk(1, sum by (opd) (pantau_reports_overdue))");
    overdueOpd = top.data?.result[0]?.metric.opd ?? overdueOpd;
    const failures: string[] = [];
    const empty: string[] = [];
    for (const t of promTargets(allDashboards())) {
      const expr = expandPromVariables(t.expr, overdueOpd, "1m");
      const r = await prometheus!.query(expr);
      if (r.status !== "success")
        failures.push(`${t.dashboard} / ${t.panel}: ${r.error} — ${expr}`);
      // 30-day windows (increase()) have nothing to show in a Prometheus started seconds ago
      // over counters that did not move; they are checked with growing counters in
      // prometheus.test.ts.
      else if (
        (r.data?.result.length ?? 0) === 0 &&
        !t.expr.includes("30d") &&
        KEY_METRICS.some((m) => t.expr.includes(m))
      )
        empty.push(`${t.dashboard} / ${t.panel} ${t.refId}: ${expr}`);
    }
    expect(failures, failures.join("\n")).to.deep.equal([]);
    expect(empty, empty.join("\n")).to.deep.equal([]);
  });

  it("shows the demo's overdue reports and an agency without a liaison", async () => {
    const overdue = await prometheus!.query("sum(pantau_reports_overdue)");
    expect(Number(overdue.data?.result[0]?.value?.[1])).to.be.greaterThan(0);
    const vacant = await prometheus!.query('pantau_opd_liaison_active{opd="dishub"}');
    expect(vacant.data?.result[0]?.value?.[1]).to.equal("0");
  });

  it("runs every PostgreSQL panel query on the same database with the macros expanded", async () => {
    // The embedded folder belongs to the daemon: stop it first (SIGTERM, clean exit).
    daemon!.child.kill("SIGTERM");
    expect(await daemon!.exited).to.equal(0);
    const db = await openDatabase({
      databaseUrl: env.DATABASE_URL || null,
      dataDir: env.PANTAU_DATA_DIR ?? "",
      command: "test",
      ...(pg?.schema ? { schema: pg.schema } : {}),
    });
    try {
      const now = Date.now();
      for (const t of sqlTargets(allDashboards())) {
        const sql = expandSqlMacros(t.rawSql, now - 90 * 86_400_000, now, overdueOpd);
        expect(sql, t.panel).not.to.include("$__");
        const result = (await db.knex.raw(sql)) as { rows: unknown[] };
        expect(result.rows, `${t.dashboard} / ${t.panel}`).to.be.an("array");
      }
      const overdue = sqlTargets(allDashboards()).find((t) => t.panel === "Laporan terlambat");
      const rows = (
        (await db.knex.raw(
          expandSqlMacros(overdue!.rawSql, now - 86_400_000, now, overdueOpd),
        )) as {
          rows: { tracking_id: string }[];
        }
      ).rows;
      expect(rows.length, `overdue reports of ${overdueOpd}`).to.be.greaterThan(0);
      expect(rows[0]?.tracking_id).to.match(/^900\d{4}$/);
    } finally {
      await db.close();
    }
  });
});
