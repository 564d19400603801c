// Every figure on the pages equals what `pantau status --format json`, `pantau report monthly
// --format json` and /metrics say for the same data and instant (the demo data, scanned at a
// fixed instant). On PostgreSQL the real CLI (runCli) reads the same schema; on the embedded
// database, which one process owns, the CLI's own functions and JSON renderers are called.
import { expect } from "chai";
import { statusView } from "../../src/app/statusService.js";
import { runCli } from "../../src/cli/main.js";
import { statusJson } from "../../src/cli/output.js";
import { hoursPerDayOf, monthlyReport, monthlyViews, renderJson } from "../../src/reports/index.js";
import { agencyOf, MAX_ROWS, monthOf } from "../../src/web/data.js";
import { shareText } from "../../src/web/format.js";
import { figure, get, startWeb, type WebHarness } from "./harness.js";

interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseMetrics(text: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").matchAll(/([a-z_]+)="([^"]*)"/g)) labels[pair[1]!] = pair[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const sum = (samples: MetricSample[], name: string, filter: Record<string, string> = {}): number =>
  samples
    .filter((s) => s.name === name && Object.entries(filter).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);

describe("web pages: figures equal the CLI and /metrics", function () {
  this.timeout(120_000);
  let h: WebHarness;
  let cookie: string;

  /** `pantau <args> --format json` at the harness' instant, parsed. */
  async function cli(args: string[], local: () => Promise<unknown>): Promise<unknown> {
    const url = h.app.db.url;
    if (!url) return JSON.parse(JSON.stringify(await local()));
    let out = "";
    let err = "";
    process.exitCode = undefined;
    const code = await runCli([...args, "--format", "json"], {
      out: (s) => (out += s + "\n"),
      err: (s) => (err += s + "\n"),
      env: { DATABASE_URL: url, PANTAU_LOG_LEVEL: "error", PANTAU_LANG: "id" },
      clock: h.now,
    });
    process.exitCode = undefined;
    expect(code, err).to.equal(0);
    return JSON.parse(out);
  }

  before(async () => {
    h = await startWeb();
    cookie = await h.sessionCookie({
      kind: "officer",
      email: "admin.koordinator@malangkab.example",
    });
  });
  after(() => h?.close());

  it("summary: compliance and open / at risk / overdue by stage equal /metrics", async () => {
    const page = await get(h, "/", cookie);
    expect(page.status).to.equal(200);
    const metrics = parseMetrics(await h.metricsText());
    const met = sum(metrics, "pantau_sla_met_total");
    const breached = sum(metrics, "pantau_sla_breached_total");
    expect(met + breached).to.be.greaterThan(0);
    expect(figure(page.text, "compliance-all")).to.equal(String(met / (met + breached)));
    for (const stage of ["verification", "first_response", "resolution"]) {
      expect(figure(page.text, `open-${stage}`), stage).to.equal(
        String(sum(metrics, "pantau_reports_open", { stage })),
      );
      expect(figure(page.text, `atrisk-${stage}`), stage).to.equal(
        String(sum(metrics, "pantau_reports_at_risk", { stage })),
      );
      expect(figure(page.text, `overdue-${stage}`), stage).to.equal(
        String(sum(metrics, "pantau_reports_overdue", { stage })),
      );
    }
    // Every agency's all-time share in the ranking: its own counters.
    for (const code of ["dinkes", "dishub", "35.07.13"]) {
      const m = sum(metrics, "pantau_sla_met_total", { opd: code });
      const b = sum(metrics, "pantau_sla_breached_total", { opd: code });
      const row = new RegExp(
        `data-opd="${code.replaceAll(".", "\\.")}"[\\s\\S]*?data-col="semua" data-value(?:="([^"]*)")?[ >]`,
      ).exec(page.text);
      expect(row, code).to.not.equal(null);
      expect(row?.[1] ?? "", code).to.equal(m + b === 0 ? "" : String(m / (m + b)));
    }
  });

  it("summary: this month's compliance and ranks equal `pantau report monthly --format json`", async () => {
    const month = monthOf(h.now(), h.ctx.config.defaultZone);
    const json = (await cli(["report", "monthly", "--month", month], async () => {
      const report = await monthlyReport(h.ctx.db.knex, {
        month,
        zone: h.ctx.config.defaultZone,
        coveredYears: h.ctx.config.coveredYears,
        hoursPerDay: hoursPerDayOf(h.ctx.config.calendar),
      });
      return JSON.parse(
        renderJson(report, monthlyViews(report, { lang: "id", regency: h.ctx.config.regency })),
      );
    })) as {
      total: { figures: { compliance: { share: number | null } } };
      rows: {
        opd: string;
        rank: number | null;
        figures: { compliance: { share: number | null } };
      }[];
    };
    const page = await get(h, "/", cookie);
    const share = json.total.figures.compliance.share;
    expect(figure(page.text, "compliance-month")).to.equal(share === null ? "" : String(share));
    expect(page.text).to.include(shareText(share, "id"));
    // An agency with no decided clock this month shows "–", never 100,0 %.
    const quiet = json.rows.find((r) => r.figures.compliance.share === null);
    expect(quiet, "the demo has an agency without a decided clock").to.not.equal(undefined);
    const quietCell = new RegExp(
      `data-opd="${quiet!.opd.replaceAll(".", "\\.")}"[\\s\\S]*?data-col="bulan" data-value>([^<]*)<`,
    ).exec(page.text);
    expect(quietCell?.[1]).to.equal("–");
    for (const row of json.rows) {
      const cell = new RegExp(
        `data-opd="${row.opd.replaceAll(".", "\\.")}"[\\s\\S]*?data-col="bulan" data-value(?:="([^"]*)")?[ >]`,
      ).exec(page.text);
      const s = row.figures.compliance.share;
      expect(cell, row.opd).to.not.equal(null);
      expect(cell?.[1] ?? "", row.opd).to.equal(s === null ? "" : String(s));
    }
  });

  it("agency page: the open and overdue clocks equal `pantau status --opd --format json`", async () => {
    for (const code of ["dinkes", "dishub"]) {
      const json = (await cli(
        ["status", "--opd", code, "--now", new Date(h.now()).toISOString()],
        async () => statusJson(await statusView(h.ctx, { opd: code, now: h.now() })),
      )) as { clocks: { trackingId: string; state: string }[] };
      const page = await get(h, `/opd/${code}`, cookie);
      expect(page.status).to.equal(200);
      expect(figure(page.text, "open-clocks"), code).to.equal(String(json.clocks.length));
      expect(figure(page.text, "overdue-clocks"), code).to.equal(
        String(json.clocks.filter((c) => c.state === "breached").length),
      );
      const shown = [...page.text.matchAll(/data-tracking="(\d+)" data-state="([a-z_]+)"/g)].map(
        (m) => `${m[1]}|${m[2]}`,
      );
      expect(shown, code).to.deep.equal(json.clocks.map((c) => `${c.trackingId}|${c.state}`));
    }
  });

  it("agency page data: the listed rows and margins are `pantau status --opd`'s, counts of all", async () => {
    for (const code of ["dinkes", "dishub"]) {
      const status = await statusView(h.ctx, { opd: code, now: h.now() });
      const detail = await agencyOf(h.ctx, code, h.now());
      const overdue = status.rows.filter((r) => r.state === "breached");
      expect(overdue.length, `${code} has overdue clocks in the demo`).to.be.greaterThan(0);
      expect(detail?.rows, code).to.deep.equal(status.rows.slice(0, MAX_ROWS));
      expect(detail?.overdueRows, code).to.deep.equal(overdue.slice(0, MAX_ROWS));
      expect(detail?.counts, code).to.deep.equal(status.counts);
      expect(detail?.openCount, code).to.equal(status.rows.length);
    }
  });

  it("operations page: the outbox counts equal /metrics", async () => {
    const page = await get(h, "/operasional", cookie);
    expect(page.status).to.equal(200);
    const metrics = parseMetrics(await h.metricsText());
    for (const state of ["pending", "sent", "failed"]) {
      expect(figure(page.text, `outbox-${state}`), state).to.equal(
        String(sum(metrics, "pantau_outbox_messages", { state })),
      );
    }
  });
});
