// The registry: pre-filled zeros, cache and single flight, failing collectors, bounded labels,
// leader-only database series, the HTTP endpoint and promtool's lint of the exposition.
import { expect } from "chai";
import { STAGES } from "../../src/core/types.js";
import { createPantauRegistry, type PantauRegistry } from "../../src/metrics/registry.js";
import { renderMetrics, startMetricsServer } from "../../src/metrics/server.js";
import { calendarCoveredUntil } from "../../src/metrics/source.js";
import { NOW, agencies, fakeSource, type FakeSource } from "./fixtures.js";
import { requireTool, run } from "./tools.js";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] ?? ""] = l[2] ?? "";
    out.push({ name: m[1] ?? "", labels, value: Number(m[3]) });
  }
  return out;
}

function samples(text: string, name: string): Sample[] {
  return parse(text).filter((s) => s.name === name);
}

function value(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples(text, name).find((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}

function make(source: FakeSource | null, n = 84, ttl = 5000): PantauRegistry {
  return createPantauRegistry({
    agencies: agencies(n),
    source,
    clock: () => NOW,
    cacheTtlMs: ttl,
    build: { version: "0.1.0", revision: "test" },
  });
}

describe("observability: metrics registry", () => {
  it("pre-fills every agency of the directory in every per-agency series, with 0 where quiet", async () => {
    const text = await make(fakeSource()).render();
    const n = 84;
    for (const name of [
      "pantau_reports_open",
      "pantau_reports_at_risk",
      "pantau_reports_overdue",
      "pantau_sla_met_total",
      "pantau_sla_breached_total",
    ])
      expect(samples(text, name), name).to.have.length(n * STAGES.length);
    for (const name of [
      "pantau_opd_info",
      "pantau_opd_has_own_sop",
      "pantau_opd_liaison_active",
      "pantau_opd_last_response_timestamp_seconds",
      "pantau_reports_oldest_overdue_seconds",
      "pantau_reports_oldest_open_seconds",
    ])
      expect(samples(text, name), name).to.have.length(n);
    expect(samples(text, "pantau_escalations_total")).to.have.length(n * 3);
    expect(value(text, "pantau_reports_open", { opd: "kec-050", stage: "resolution" })).to.equal(0);
    expect(value(text, "pantau_reports_open", { opd: "dinkes", stage: "resolution" })).to.equal(7);
    expect(
      value(text, "pantau_reports_overdue", { opd: "dispendik", stage: "resolution" }),
    ).to.equal(3);
    expect(
      value(text, "pantau_sla_met_total", { opd: "dinkes", stage: "first_response" }),
    ).to.equal(40);
    expect(value(text, "pantau_escalations_total", { opd: "dinkes", level: "1" })).to.equal(3);
    expect(value(text, "pantau_opd_liaison_active", { opd: "diskominfo" })).to.equal(1);
    expect(value(text, "pantau_opd_has_own_sop", { opd: "dinkes" })).to.equal(1);
    // 12 days past due at NOW.
    expect(value(text, "pantau_reports_oldest_overdue_seconds", { opd: "dispendik" })).to.equal(
      12 * 86400,
    );
    expect(value(text, "pantau_outbox_messages", { state: "sending" })).to.equal(0);
    expect(value(text, "pantau_outbox_messages", { state: "failed" })).to.equal(1);
    expect(value(text, "pantau_build_info", { version: "0.1.0", revision: "test" })).to.equal(1);
    expect(value(text, "pantau_leader")).to.equal(1);
    // Rows of agencies not in the directory are dropped.
    expect(text).not.to.include("unknown-opd");
  });

  it("uses only bounded labels: no report ID, person or free text", async () => {
    const text = await make(fakeSource()).render();
    const allowed = new Set([
      "opd",
      "stage",
      "level",
      "state",
      "collector",
      "channel",
      "name",
      "kind",
      "version",
      "revision",
      "le",
      "quantile",
      "type",
      "space",
      "kind",
      "major",
      "minor",
      "patch",
      "version",
    ]);
    for (const s of parse(text)) {
      for (const [label, v] of Object.entries(s.labels)) {
        expect(allowed.has(label), `${s.name}: label ${label}`).to.equal(true);
        expect(v, `${s.name}{${label}} looks like a tracking ID`).not.to.match(/^\d{5,}$/);
      }
      if (s.labels.name !== undefined) expect(s.name).to.equal("pantau_opd_info");
    }
  });

  it("reads the source once per TTL, and concurrent scrapes share one read", async () => {
    const source = fakeSource();
    const r = make(source, 10, 60_000);
    await r.render();
    await r.render();
    expect(source.calls).to.equal(1);
    r.invalidate();
    let release: () => void = () => undefined;
    source.gate = new Promise<void>((resolve) => (release = resolve));
    const scrapes = [r.render(), r.render(), r.render()];
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const texts = await Promise.all(scrapes);
    expect(source.calls).to.equal(2);
    for (const t of texts)
      expect(value(t, "pantau_reports_open", { opd: "dinkes", stage: "resolution" })).to.equal(7);
    // TTL 0 reads on every scrape.
    const eager = fakeSource();
    const r0 = make(eager, 10, 0);
    await r0.render();
    await r0.render();
    expect(eager.calls).to.equal(2);
  });

  it("a failing collector reports success 0, keeps its last values and never fails the scrape", async () => {
    const source = fakeSource();
    const r = make(source, 10, 0);
    const server = await startMetricsServer({ host: "127.0.0.1", port: 0, registry: r });
    try {
      await r.render();
      source.failing.add("clockCounts");
      source.failing.add("outboxCounts");
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.include("text/plain");
      const text = await res.text();
      expect(value(text, "pantau_collector_success", { collector: "clocks" })).to.equal(0);
      expect(value(text, "pantau_collector_success", { collector: "outbox" })).to.equal(0);
      expect(value(text, "pantau_collector_success", { collector: "outcomes" })).to.equal(1);
      expect(value(text, "pantau_collector_duration_seconds", { collector: "clocks" })).to.be.a(
        "number",
      );
      expect(value(text, "pantau_reports_open", { opd: "dinkes", stage: "resolution" })).to.equal(
        7,
      );
      // A source that fails from the start: zeros are not invented, the series are absent.
      const broken = fakeSource();
      broken.failing.add("clockCounts");
      const t2 = await make(broken, 10).render();
      expect(samples(t2, "pantau_reports_open")).to.have.length(0);
      expect(value(t2, "pantau_sla_met_total", { opd: "dinkes", stage: "resolution" })).to.equal(
        40,
      );
      const notFound = await fetch(`http://127.0.0.1:${server.port}/other`);
      expect(notFound.status).to.equal(404);
    } finally {
      await server.close();
    }
  });

  it("exports database-derived series only from the leader", async () => {
    const source = fakeSource();
    source.leader = false;
    const r = make(source, 10, 0);
    const text = await r.render();
    expect(text).not.to.match(/\{opd="/);
    expect(value(text, "pantau_leader")).to.equal(0);
    expect(value(text, "pantau_build_info", { version: "0.1.0" })).to.equal(1);
    expect(value(text, "pantau_calendar_covered_until_timestamp_seconds")).to.be.greaterThan(0);
    expect(source.calls).to.equal(0);
    source.leader = true;
    const led = await r.render();
    expect(samples(led, "pantau_reports_open")).to.have.length(30);
    expect(value(led, "pantau_leader")).to.equal(1);
  });

  it("counts process events through PantauMetrics, without the source", async () => {
    const r = make(null, 5);
    r.metrics.scanFinished({ durationSeconds: 0.3, finishedAt: NOW, clocksDue: 4 });
    r.metrics.scanFailed(1);
    r.metrics.emailSent();
    r.metrics.emailSent(2);
    r.metrics.emailFailed();
    r.metrics.escalationDecided(1, 3);
    r.metrics.escalationDecided("not-a-level");
    const text = await renderMetrics(r);
    expect(value(text, "pantau_scan_duration_seconds_count")).to.equal(1);
    expect(value(text, "pantau_scan_last_success_timestamp_seconds")).to.equal(NOW / 1000);
    expect(value(text, "pantau_scan_failures_total")).to.equal(1);
    expect(value(text, "pantau_scan_clocks_processed_total")).to.equal(4);
    expect(value(text, "pantau_emails_sent_total")).to.equal(3);
    expect(value(text, "pantau_email_failures_total")).to.equal(1);
    expect(value(text, "pantau_scan_escalations_decided_total", { level: "1" })).to.equal(3);
    expect(text).not.to.include("not-a-level");
    expect(text).not.to.match(/\{opd="/);
    expect(text).not.to.match(/^pantau_calendar_covered_until_timestamp_seconds /m);
  });

  it("computes the holiday calendar's coverage from the loaded decree years", () => {
    const zone = "Asia/Jakarta";
    expect(calendarCoveredUntil([2024, 2025, 2026], zone, NOW)).to.equal(
      Date.parse("2026-12-31T17:00:00Z"),
    );
    expect(calendarCoveredUntil([2026, 2027], zone, NOW)).to.equal(
      Date.parse("2027-12-31T17:00:00Z"),
    );
    expect(calendarCoveredUntil([2025], zone, NOW)).to.equal(null);
  });

  it("passes promtool check metrics with 84 agencies (process metrics included)", async function () {
    requireTool(this, "promtool");
    const r = make(fakeSource(), 84);
    r.metrics.scanFinished({ durationSeconds: 1.5, finishedAt: NOW });
    const text = await r.render();
    expect(text).to.include("process_cpu_user_seconds_total");
    const result = run("promtool", ["check", "metrics"], text);
    expect(result.status, result.output).to.equal(0);
    expect(result.output.trim()).to.equal("");
  });
});
