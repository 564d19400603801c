// Dashboards as code: the committed JSON is what the generator writes, and it passes the
// dashboard-linter rules listed in observability.md (checked here without a Grafana server).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parser } from "@prometheus-io/lezer-promql";
import type { Dashboard, VariableModel } from "@grafana/grafana-foundation-sdk/dashboard";
import { allDashboards, renderDashboards } from "../../src/dashboards/index.js";
import { REPO_ROOT, expandPromVariables, panelsOf, promTargets, sqlTargets } from "./tools.js";

const dashboards = allDashboards();
const committed: Record<string, Dashboard> = {};
for (const file of Object.keys(dashboards))
  committed[file] = JSON.parse(
    readFileSync(join(REPO_ROOT, "dashboards", file), "utf8"),
  ) as Dashboard;

/** Number of error nodes in the lezer parse (the parser never throws). */
function promqlErrors(expr: string): number {
  let errors = 0;
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) errors++;
    },
  });
  return errors;
}

const COUNTER_FUNCTIONS = new Set(["rate", "irate", "increase", "resets"]);

/** Counter series (…_total, histogram …_bucket/_count/_sum) read outside rate()/increase(). */
function bareCounters(expr: string): string[] {
  const bare: string[] = [];
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (n) => {
      if (n.name !== "VectorSelector") return;
      const id = n.node.getChild("Identifier");
      const name = id ? expr.slice(id.from, id.to) : "";
      if (!/(_total|_bucket|_count|_sum)$/.test(name) || name.includes(":")) return;
      for (let p = n.node.parent; p; p = p.parent) {
        if (p.name === "FunctionCall") {
          const f = p.getChild("FunctionIdentifier");
          if (f && COUNTER_FUNCTIONS.has(expr.slice(f.from, f.to))) return;
        }
      }
      bare.push(name);
    },
  });
  return bare;
}

function variables(d: Dashboard): VariableModel[] {
  return (d.templating?.list ?? []) as VariableModel[];
}

describe("observability: dashboards as code", () => {
  it("writes the four dashboards, and the committed JSON is exactly what regeneration writes", () => {
    const rendered = renderDashboards();
    expect(Object.keys(rendered).sort()).to.deep.equal([
      "detail-opd.json",
      "eskalasi.json",
      "kepatuhan.json",
      "tren-tahunan.json",
    ]);
    for (const [file, text] of Object.entries(rendered)) {
      const onDisk = readFileSync(join(REPO_ROOT, "dashboards", file), "utf8");
      expect(onDisk, `${file} is stale: run npx tsx scripts/generate-dashboards.ts`).to.equal(text);
      expect(text.endsWith("}\n")).to.equal(true);
    }
    const jsonFiles = readdirSync(join(REPO_ROOT, "dashboards")).filter((f) => f.endsWith(".json"));
    expect(jsonFiles.sort(), "no orphan dashboard JSON").to.deep.equal(
      Object.keys(rendered).sort(),
    );
  });

  it("has stable UIDs and Indonesian titles", () => {
    const byUid = Object.fromEntries(Object.values(committed).map((d) => [d.uid, d.title]));
    expect(byUid).to.deep.equal({
      "pantau-kepatuhan": "Kepatuhan SLA per OPD",
      "pantau-detail-opd": "Detail OPD",
      "pantau-eskalasi": "Eskalasi & kesehatan Pantau",
      "pantau-tren-tahunan": "Tren Tahunan Tindak Lanjut",
    });
  });

  for (const [file, d] of Object.entries(committed)) {
    describe(file, () => {
      it("uneditable-dashboard: is not editable", () => {
        expect(d.editable).to.equal(false);
      });

      it("template-datasource-rule: has a `datasource` variable of type prometheus", () => {
        const ds = variables(d).find((v) => v.name === "datasource");
        expect(ds?.type).to.equal("datasource");
        expect(ds?.query).to.equal("prometheus");
        expect(JSON.stringify(d)).not.to.match(/__inputs|\$\{DS_/);
      });

      it("has an `opd` variable fed by pantau_opd_info", () => {
        const opd = variables(d).find((v) => v.name === "opd");
        expect(opd?.type).to.equal("query");
        expect(opd?.definition).to.equal("label_values(pantau_opd_info, opd)");
      });

      it("template-label-promql-rule and template-on-time-change-reload-rule", () => {
        for (const v of variables(d).filter((x) => x.type === "query")) {
          const query = typeof v.query === "string" ? v.query : String(v.query?.query ?? "");
          const m = /^label_values\((.*),\s*(\w+)\)$/.exec(query);
          expect(m, `${v.name}: ${query}`).to.not.equal(null);
          expect(promqlErrors(m?.[1] ?? ""), query).to.equal(0);
          expect(v.refresh, `${v.name} refreshes on time change`).to.equal(2);
          expect(v.datasource?.uid).to.equal("${datasource}");
        }
      });

      it("panel-datasource-rule: every panel and target uses a datasource variable", () => {
        const allowed = new Set(
          variables(d)
            .filter((v) => v.type === "datasource")
            .map((v) => `\${${v.name}}`),
        );
        for (const p of panelsOf(d)) {
          expect(allowed.has(p.datasource?.uid ?? ""), `${p.title}: ${p.datasource?.uid}`).to.equal(
            true,
          );
          for (const t of p.targets ?? []) {
            const ref = (t as { datasource?: { uid?: string } }).datasource;
            if (ref) expect(ref.uid, p.title).to.equal(p.datasource?.uid);
          }
        }
      });

      it("panel-title-description-rule, panel-units-rule, panel-no-targets-rule", () => {
        const ids = new Set<number>();
        for (const p of panelsOf(d)) {
          expect(p.title, "title").to.be.a("string").and.not.equal("");
          expect(p.description, `${p.title}: description`).to.be.a("string").and.not.equal("");
          const unit = p.fieldConfig?.defaults?.unit;
          expect(unit, `${p.title}: unit`).to.be.a("string").and.not.equal("");
          expect((p.targets ?? []).length, `${p.title}: targets`).to.be.greaterThan(0);
          expect(p.gridPos, `${p.title}: gridPos`).to.not.equal(undefined);
          expect(ids.has(p.id ?? -1), `${p.title}: unique id`).to.equal(false);
          ids.add(p.id ?? -1);
          // Ratios are percentunit (0–1), durations s; tables set them per column (overrides).
          if (p.type === "table") {
            const overrides = JSON.stringify(p.fieldConfig?.overrides ?? []);
            if (/:ratio/.test(JSON.stringify(p.targets)))
              expect(overrides).to.include("percentunit");
            continue;
          }
          for (const t of p.targets ?? []) {
            const expr = (t as { expr?: string }).expr ?? "";
            if (/:ratio|compliance/.test(expr)) expect(unit, p.title).to.equal("percentunit");
            const counted = /^\s*count\(/.test(expr);
            if (/_seconds\b|time\(\)/.test(expr) && !counted) expect(unit, p.title).to.equal("s");
          }
        }
      });
    });
  }

  it("target-promql-rule: every PromQL expression parses after expanding Grafana variables", () => {
    const targets = promTargets(dashboards);
    expect(targets.length).to.be.greaterThan(40);
    for (const t of targets) {
      const expanded = expandPromVariables(t.expr);
      expect(expanded, `${t.dashboard} / ${t.panel}: unexpanded variable`).not.to.include("$");
      expect(
        promqlErrors(expanded),
        `${t.dashboard} / ${t.panel} ${t.refId}: ${expanded}`,
      ).to.equal(0);
    }
    // The checker itself finds errors.
    expect(promqlErrors("sum(rate(x[5m])")).to.be.greaterThan(0);
  });

  it("target-counter-agg-rule: counters are only read through rate() or increase()", () => {
    for (const t of promTargets(dashboards)) {
      const expanded = expandPromVariables(t.expr);
      expect(bareCounters(expanded), `${t.dashboard} / ${t.panel}: ${t.expr}`).to.deep.equal([]);
    }
    expect(bareCounters("sum(pantau_sla_met_total)")).to.deep.equal(["pantau_sla_met_total"]);
    expect(bareCounters("sum(increase(pantau_sla_met_total[1d]))")).to.deep.equal([]);
  });

  it("compliance divides summed numerators by summed denominators, never avg() of ratios", () => {
    for (const t of promTargets(dashboards)) expect(t.expr, t.panel).not.to.match(/avg\s*(by|\()/);
  });

  it("Detail OPD lists overdue reports from PostgreSQL with LAPOR! links on the tracking ID", () => {
    const d = committed["detail-opd.json"] as Dashboard;
    expect(variables(d).find((v) => v.name === "pg_datasource")?.query).to.equal(
      "grafana-postgresql-datasource",
    );
    const table = panelsOf(d).find((p) => p.title === "Laporan terlambat");
    expect(table?.type).to.equal("table");
    const link = JSON.stringify(table?.fieldConfig?.overrides ?? []);
    expect(link).to.include("https://www.lapor.go.id/pengaduan/${__value.raw}");
    const sql = sqlTargets(dashboards).filter((s) => s.dashboard === "detail-opd.json");
    expect(sql.map((s) => s.panel).sort()).to.deep.equal([
      "Kepatuhan harian (basis data)",
      "Laporan terlambat",
    ]);
    for (const s of sql) expect(s.rawSql).to.include("${opd:sqlstring}");
  });

  it("Kepatuhan ranks every agency in a table coloured by compliance thresholds", () => {
    const d = committed["kepatuhan.json"] as Dashboard;
    const table = panelsOf(d).find((p) => p.title === "Peringkat kepatuhan OPD");
    const text = JSON.stringify(table);
    for (const metric of [
      "opd:pantau_sla_compliance:ratio",
      "pantau_reports_open",
      "pantau_reports_at_risk",
      "pantau_reports_overdue",
      "pantau_reports_oldest_overdue_seconds",
      "pantau_escalations_total",
    ])
      expect(text).to.include(metric);
    expect(text).to.include("color-background");
    expect(text).to.include(`/d/pantau-detail-opd?var-opd=`);
  });
});
