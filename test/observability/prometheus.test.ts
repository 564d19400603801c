// A real Prometheus scrapes Pantau's metrics endpoint (fake source: no database needed) with the
// rules loaded; every dashboard query runs through its HTTP API and succeeds, the key ones with data.
import { expect } from "chai";
import { allDashboards } from "../../src/dashboards/index.js";
import { createPantauRegistry } from "../../src/metrics/registry.js";
import { startMetricsServer, type MetricsServer } from "../../src/metrics/server.js";
import { agencies, fakeSource } from "./fixtures.js";
import { startPrometheus, type PrometheusProcess } from "./prometheusProcess.js";
import { expandPromVariables, promTargets, requireTool } from "./tools.js";

/** Queries that must return data with the fake source (the rest may legitimately be empty). */
const KEY_METRICS = [
  "pantau_sla_compliance:ratio",
  "pantau_reports_open",
  "pantau_reports_overdue",
  "pantau_reports_at_risk",
  "pantau_reports_oldest_overdue_seconds",
  "pantau_opd_liaison_active",
  "pantau_opd_has_own_sop",
  "pantau_outbox_messages",
  "pantau_calendar_covered_until_timestamp_seconds",
  "pantau_collector_success",
  "pantau_scan_last_success_timestamp_seconds",
];

describe("observability: a real Prometheus scrapes Pantau", function () {
  this.timeout(120_000);
  let server: MetricsServer | undefined;
  let prometheus: PrometheusProcess | undefined;

  before(async function () {
    requireTool(this, "prometheus");
    const registry = createPantauRegistry({
      agencies: agencies(84),
      source: fakeSource(Date.now(), { growing: true }),
      cacheTtlMs: 500,
      build: { version: "0.1.0", revision: "test" },
    });
    registry.metrics.scanFinished({ durationSeconds: 0.4, finishedAt: Date.now(), clocksDue: 3 });
    registry.metrics.emailSent(2);
    server = await startMetricsServer({ host: "127.0.0.1", port: 0, registry });
    prometheus = await startPrometheus({ target: `127.0.0.1:${server.port}` });
    await prometheus.waitFor('up{job="pantau"} == 1');
    // Two scrapes and a rule evaluation after them, so increase() and the rules have samples.
    await prometheus.waitFor('count_over_time(up{job="pantau"}[1m]) >= 3');
    await prometheus.waitFor("opd:pantau_sla_compliance:ratio30d");
  });

  after(async () => {
    await prometheus?.stop();
    await server?.close();
  });

  it("scrapes the target successfully", async () => {
    const r = await prometheus!.query('up{job="pantau"}');
    expect(r.data?.result[0]?.value?.[1]).to.equal("1");
  });

  it("runs every dashboard query successfully, and the key ones return data", async () => {
    const failures: string[] = [];
    const empty: string[] = [];
    for (const t of promTargets(allDashboards())) {
      const expr = expandPromVariables(t.expr, "dinkes", "1m");
      const r = await prometheus!.query(expr);
      if (r.status !== "success")
        failures.push(`${t.dashboard} / ${t.panel}: ${r.error} — ${expr}`);
      else if ((r.data?.result.length ?? 0) === 0 && KEY_METRICS.some((m) => t.expr.includes(m)))
        empty.push(`${t.dashboard} / ${t.panel} ${t.refId}: ${expr}`);
    }
    expect(failures, failures.join("\n")).to.deep.equal([]);
    expect(empty, empty.join("\n")).to.deep.equal([]);
  });

  it("computes compliance from summed counters (dinkes: 4 met for 1 breached)", async () => {
    const r = await prometheus!.query('opd:pantau_sla_compliance:ratio{opd="dinkes"}');
    expect(Number(r.data?.result[0]?.value?.[1])).to.be.closeTo(0.8, 1e-9);
    const window = await prometheus!.query('opd:pantau_sla_compliance:ratio30d{opd="dinkes"}');
    expect(Number(window.data?.result[0]?.value?.[1])).to.be.closeTo(0.8, 1e-9);
    const quiet = await prometheus!.query('opd:pantau_sla_compliance:ratio{opd="kec-010"}');
    expect(quiet.data?.result).to.deep.equal([]);
  });

  it("fires nothing unexpected and evaluates the liaison alert for agencies without one", async () => {
    const r = await prometheus!.query('ALERTS{alertname="PantauOpdWithoutLiaison"}');
    expect(r.status).to.equal("success");
    const rules = await fetch(`${prometheus!.url}/api/v1/rules`);
    const body = (await rules.json()) as {
      data: { groups: { rules: { health: string; name: string }[] }[] };
    };
    const unhealthy = body.data.groups.flatMap((g) => g.rules).filter((x) => x.health !== "ok");
    expect(unhealthy, JSON.stringify(unhealthy)).to.deep.equal([]);
  });
});
