// Shared pieces of Pantau's dashboards: datasource references through template variables (file
// provisioning does not fill __inputs), the `opd` variable, Prometheus and SQL queries, a grid
// layout, thresholds and a stable JSON rendering.
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import {
  CustomVariableBuilder,
  DatasourceVariableBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  MappingType,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type GridPos,
  type Panel,
  type ThresholdsConfig,
  type ValueMapping,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";

/** Datasource UIDs fixed by dashboards/provisioning/datasources/pantau.yaml. */
export const PROMETHEUS_UID = "pantau-prometheus";
export const POSTGRES_UID = "pantau-postgres";
export const POSTGRES_TYPE = "grafana-postgresql-datasource";

export const PROM = { type: "prometheus", uid: "${datasource}" };
export const PG = { type: POSTGRES_TYPE, uid: "${pg_datasource}" };

export const DASHBOARD_UIDS = {
  kepatuhan: "pantau-kepatuhan",
  detailOpd: "pantau-detail-opd",
  eskalasi: "pantau-eskalasi",
} as const;

/** Public report page in LAPOR! (config lapor.report_url_template; change here if it differs). */
export const LAPOR_REPORT_URL = "https://www.lapor.go.id/pengaduan/${__value.raw}";

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder("datasource")
    .label("Sumber data Prometheus")
    .type("prometheus")
    .current({ text: "Pantau Prometheus", value: PROMETHEUS_UID, selected: true });
}

export function pgDatasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder("pg_datasource")
    .label("Sumber data PostgreSQL")
    .type(POSTGRES_TYPE)
    .current({ text: "Pantau PostgreSQL", value: POSTGRES_UID, selected: true });
}

/** The agency variable, fed by pantau_opd_info, refreshed when the time range changes. */
export function opdVariable(multi: boolean): QueryVariableBuilder {
  const query = "label_values(pantau_opd_info, opd)";
  const v = new QueryVariableBuilder("opd")
    .label("OPD")
    .description("Kode perangkat daerah (dari pantau_opd_info).")
    .datasource(PROM)
    .query({ qryType: 1, query, refId: "PrometheusVariableQueryEditor-VariableQuery" })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .hide(VariableHide.DontHide);
  if (multi) v.multi(true).includeAll(true).allValue(".*");
  return v;
}

export interface PromOptions {
  legend?: string;
  /** Instant query in table format (for tables and stats of the latest value). */
  table?: boolean;
  instant?: boolean;
}

export function prom(refId: string, expr: string, options: PromOptions = {}): DataqueryBuilder {
  const q = new DataqueryBuilder().refId(refId).datasource(PROM).expr(expr);
  if (options.legend) q.legendFormat(options.legend);
  if (options.table) q.instant().format(PromQueryFormat.Table);
  else if (options.instant) q.instant();
  else q.range();
  return q;
}

/** A PostgreSQL query: the SDK has no builder for it, so this is its custom-query pattern. */
export interface SqlDataquery extends cog.Dataquery {
  refId: string;
  datasource: { type: string; uid: string };
  rawSql: string;
  rawQuery: true;
  editorMode: "code";
  format: "table" | "time_series";
}

export class SqlQueryBuilder implements cog.Builder<cog.Dataquery> {
  constructor(
    private readonly refId: string,
    private readonly rawSql: string,
    private readonly format: "table" | "time_series",
  ) {}

  build(): SqlDataquery {
    return {
      refId: this.refId,
      datasource: PG,
      rawSql: this.rawSql,
      rawQuery: true,
      editorMode: "code",
      format: this.format,
      _implementsDataqueryVariant: () => undefined,
    };
  }
}

export function thresholds(base: string, steps: [number, string][]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

/** Compliance colours: red below 70 %, orange below 85 %, green from 85 %. */
export const COMPLIANCE_THRESHOLDS = (): ThresholdsConfigBuilder =>
  thresholds("red", [
    [0.7, "orange"],
    [0.85, "green"],
  ]);

export type ThresholdsBuilder = cog.Builder<ThresholdsConfig>;

/** Anything with a gridPos: the panel builders of the SDK. */
export interface Placeable {
  gridPos(gridPos: GridPos): unknown;
}

/** Collects panels placed on a grid, in order. */
export class PanelList {
  readonly grid = new Grid();
  readonly panels: cog.Builder<Panel>[] = [];

  add(panel: cog.Builder<Panel> & Placeable, w: number, h: number): void {
    this.panels.push(this.grid.place(panel, w, h));
  }
}

/** Places panels left to right in rows of 24 columns. */
export class Grid {
  private x = 0;
  private y = 0;
  private rowHeight = 0;

  place<T extends Placeable>(panel: T, w: number, h: number): T {
    if (this.x + w > 24) this.newRow();
    panel.gridPos({ x: this.x, y: this.y, w, h });
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    return panel;
  }

  newRow(): void {
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

/** A link in the dashboard's header to another Pantau dashboard, keeping time and variables. */
export function dashboardLink(title: string, uid: string): DashboardLinkBuilder {
  return new DashboardLinkBuilder(title)
    .type(DashboardLinkType.Link)
    .url(`/d/${uid}`)
    .icon("dashboard")
    .tooltip(title)
    .keepTime(true)
    .includeVars(true)
    .targetBlank(false)
    .asDropdown(false);
}

/** The inactivity threshold in days (Kepatuhan dashboard). */
export function inactiveDaysVariable(): CustomVariableBuilder {
  return new CustomVariableBuilder("hari_tidak_aktif")
    .label("Tidak menjawab (hari)")
    .description("Berapa hari tanpa jawaban membuat OPD dianggap tidak aktif (hari kalender).")
    .values("5,7,14,30")
    .current({ text: "7", value: "7", selected: true })
    .options([
      { text: "5", value: "5", selected: false },
      { text: "7", value: "7", selected: true },
      { text: "14", value: "14", selected: false },
      { text: "30", value: "30", selected: false },
    ]);
}

/** JSON with keys sorted at every level and a trailing newline: stable diffs. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) {
        const child = (v as Record<string, unknown>)[key];
        if (child !== undefined && typeof child !== "function") out[key] = sort(child);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2) + "\n";
}

export type { Dashboard, Panel };

/** Maps 0/1 gauges to words. */
export function yesNo(yes: string, no: string): ValueMapping[] {
  return [
    {
      type: MappingType.ValueToText,
      options: {
        "1": { text: yes, color: "green", index: 0 },
        "0": { text: no, color: "red", index: 1 },
      },
    },
  ];
}

/** A last-response age of more than 30 years means "never" (timestamp 0). */
export const NEVER_ANSWERED: ValueMapping[] = [
  {
    type: MappingType.RangeToText,
    options: {
      from: 946_080_000,
      to: null,
      result: { text: "belum pernah", color: "red", index: 0 },
    },
  },
];
