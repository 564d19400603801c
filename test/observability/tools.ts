// Helpers of the observability tests: locating promtool/prometheus (skip locally when absent,
// fail under CI), the PromQL expressions of the dashboards, and Grafana variable expansion.
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Dashboard, Panel } from "@grafana/grafana-foundation-sdk/dashboard";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const RULES_DIR = join(REPO_ROOT, "dashboards", "prometheus", "rules");

const INSTALL_HINT =
  "install Debian's prometheus package (apt-get update && apt-get install -y prometheus)";

export function hasTool(name: string): boolean {
  return spawnSync(name, ["--version"], { encoding: "utf8" }).status === 0;
}

/** Skips the test when `name` is missing, unless CI is set: then the test fails. */
export function requireTool(context: Mocha.Context, name: string): void {
  if (hasTool(name)) return;
  if (process.env.CI) throw new Error(`${name} is required under CI: ${INSTALL_HINT}`);
  console.warn(`      skipped: ${name} not found (${INSTALL_HINT}; required when CI is set)`);
  context.skip();
}

export interface Run {
  status: number | null;
  output: string;
}

export function run(command: string, args: string[], input?: string, cwd = REPO_ROOT): Run {
  const r = spawnSync(command, args, { cwd, input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

export interface PromTarget {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

export interface SqlTarget {
  dashboard: string;
  panel: string;
  refId: string;
  rawSql: string;
}

interface TargetLike {
  refId?: string;
  expr?: string;
  rawSql?: string;
}

export function panelsOf(d: Dashboard): Panel[] {
  return (d.panels ?? []) as Panel[];
}

export function promTargets(dashboards: Record<string, Dashboard>): PromTarget[] {
  const out: PromTarget[] = [];
  for (const [file, d] of Object.entries(dashboards))
    for (const p of panelsOf(d))
      for (const t of (p.targets ?? []) as TargetLike[])
        if (typeof t.expr === "string")
          out.push({ dashboard: file, panel: p.title ?? "?", refId: t.refId ?? "?", expr: t.expr });
  return out;
}

export function sqlTargets(dashboards: Record<string, Dashboard>): SqlTarget[] {
  const out: SqlTarget[] = [];
  for (const [file, d] of Object.entries(dashboards))
    for (const p of panelsOf(d))
      for (const t of (p.targets ?? []) as TargetLike[])
        if (typeof t.rawSql === "string")
          out.push({
            dashboard: file,
            panel: p.title ?? "?",
            refId: t.refId ?? "?",
            rawSql: t.rawSql,
          });
  return out;
}

/** Expands the Grafana variables our PromQL uses, as Grafana would for one chosen agency. */
export function expandPromVariables(expr: string, opd = "dinkes", rateInterval = "1m"): string {
  return expr
    .replaceAll("$__rate_interval", rateInterval)
    .replaceAll("$__interval", rateInterval)
    .replaceAll("$__range", "1d")
    .replaceAll("${hari_tidak_aktif}", "7")
    .replaceAll("$hari_tidak_aktif", "7")
    .replace(/\$\{opd(?::\w+)?\}/g, opd)
    .replaceAll("$opd", opd)
    .replaceAll("${datasource}", "pantau-prometheus")
    .replaceAll("$datasource", "pantau-prometheus");
}

/** Expands Grafana's PostgreSQL macros the dashboards use, for running panel SQL in tests. */
export function expandSqlMacros(sql: string, from: number, to: number, opd: string): string {
  const ts = (ms: number): string => `'${new Date(ms).toISOString()}'`;
  return sql
    .replace(
      /\$__timeGroupAlias\(([^,]+),\s*'1d'\)/g,
      (_m, col: string) => `floor(extract(epoch from ${col})/86400)*86400 AS "time"`,
    )
    .replace(
      /\$__timeFilter\(([^)]+)\)/g,
      (_m, col: string) => `${col} BETWEEN ${ts(from)} AND ${ts(to)}`,
    )
    .replaceAll("$__timeFrom()", ts(from))
    .replaceAll("$__timeTo()", ts(to))
    .replaceAll("${opd:sqlstring}", `'${opd.replaceAll("'", "''")}'`);
}
