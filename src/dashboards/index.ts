// All of Pantau's dashboards, by file name under dashboards/.
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { stableJson } from "./common.js";
import { detailOpdDashboard } from "./detailOpd.js";
import { eskalasiDashboard } from "./eskalasi.js";
import { kepatuhanDashboard } from "./kepatuhan.js";
import { trendsDashboard } from "./trends.js";

export { DASHBOARD_UIDS, POSTGRES_UID, PROMETHEUS_UID, stableJson } from "./common.js";
export { DAILY_COMPLIANCE_SQL, OVERDUE_REPORTS_SQL } from "./detailOpd.js";

/** File name (under dashboards/) → dashboard. */
export function allDashboards(): Record<string, Dashboard> {
  const dashboards = {
    "kepatuhan.json": kepatuhanDashboard(),
    "detail-opd.json": detailOpdDashboard(),
    "eskalasi.json": eskalasiDashboard(),
    "tren-tahunan.json": trendsDashboard(),
  };
  // Stable panel IDs (Grafana would otherwise assign them on load): 1, 2, … in layout order.
  for (const dashboard of Object.values(dashboards))
    (dashboard.panels ?? []).forEach((panel, i) => {
      panel.id = i + 1;
    });
  return dashboards;
}

/** File name → the exact text committed under dashboards/. */
export function renderDashboards(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, dashboard] of Object.entries(allDashboards()))
    out[file] = stableJson(dashboard);
  return out;
}
