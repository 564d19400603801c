// "Tren Tahunan Tindak Lanjut": year-over-year volume, compliance and days to follow-up per
// agency and for the regency, volume by channel, and the agencies most improved and most declined
// — all from the report rollups in PostgreSQL (migrations/20261128000004_rollups.ts), never from
// raw history. Years are local (Asia/Jakarta) calendar years touched by the time range.
import { DashboardBuilder, type Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as StatPanel } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TablePanel } from "@grafana/grafana-foundation-sdk/table";
import { GraphDrawStyle } from "@grafana/grafana-foundation-sdk/common";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";
import {
  COMPLIANCE_THRESHOLDS,
  DASHBOARD_UIDS,
  PG,
  PanelList,
  SqlQueryBuilder,
  dashboardLink,
  datasourceVariable,
  opdVariable,
  pgDatasourceVariable,
} from "./common.js";

export const TRENDS_UID = "pantau-tren-tahunan";

const ZONE = "'Asia/Jakarta'";
/** Months of the local years touched by the dashboard's time range. */
const YEARS = `month >= date_trunc('year', $__timeFrom()::timestamptz AT TIME ZONE ${ZONE})::date
   AND month <= ($__timeTo()::timestamptz AT TIME ZONE ${ZONE})::date`;
const YEAR_TIME = `make_timestamptz(extract(year FROM month)::int, 1, 1, 0, 0, 0, ${ZONE}) AS "time"`;
const SHARE = (f = ""): string => `(sum(met)${f})::float8 / nullif(sum(met + breached)${f}, 0)`;

export const TREND_RECEIVED_TOTAL_SQL = `SELECT coalesce(sum(received), 0)::float8 AS diterima
  FROM rollup_received_month
 WHERE ${YEARS}`;

export const TREND_COMPLIANCE_TOTAL_SQL = `SELECT ${SHARE()} AS kepatuhan
  FROM rollup_clock_month
 WHERE ${YEARS}`;

export const TREND_RECEIVED_SQL = `SELECT ${YEAR_TIME}, 'diterima' AS metric, sum(received)::float8 AS value
  FROM rollup_received_month
 WHERE ${YEARS}
 GROUP BY 1
 ORDER BY 1`;

export const TREND_FOLLOWED_UP_SQL = `SELECT ${YEAR_TIME}, 'ditindaklanjuti' AS metric,
       coalesce(sum(met + breached) FILTER (WHERE stage = 'resolution'), 0)::float8 AS value
  FROM rollup_clock_month
 WHERE ${YEARS}
 GROUP BY 1
 ORDER BY 1`;

export const TREND_STAGE_COMPLIANCE_SQL = `SELECT ${YEAR_TIME},
       CASE stage WHEN 'verification' THEN 'verifikasi'
                  WHEN 'first_response' THEN 'respons pertama'
                  ELSE 'tindak lanjut' END AS metric,
       ${SHARE()} AS value
  FROM rollup_clock_month
 WHERE ${YEARS}
 GROUP BY 1, 2
 ORDER BY 1, 2`;

export const TREND_OPD_COMPLIANCE_SQL = `SELECT ${YEAR_TIME}, \${opd:sqlstring} AS metric, ${SHARE()} AS value
  FROM rollup_clock_month
 WHERE opd = \${opd:sqlstring} AND ${YEARS}
 GROUP BY 1, 2
 ORDER BY 1`;

export const TREND_REGENCY_COMPLIANCE_SQL = `SELECT ${YEAR_TIME}, 'kabupaten' AS metric, ${SHARE()} AS value
  FROM rollup_clock_month
 WHERE ${YEARS}
 GROUP BY 1, 2
 ORDER BY 1`;

/** Nearest-rank median (percentile_disc semantics) walked over the 0.01-day buckets. */
function medianSql(opdFilter: string, label: string): string {
  return `WITH b AS (
  SELECT year, stage, used_bucket, sum(n) AS n
    FROM rollup_used_year
   WHERE stage IN ('first_response', 'resolution')${opdFilter}
     AND year BETWEEN extract(year FROM $__timeFrom()::timestamptz AT TIME ZONE ${ZONE})
                  AND extract(year FROM $__timeTo()::timestamptz AT TIME ZONE ${ZONE})
   GROUP BY 1, 2, 3),
c AS (
  SELECT year, stage, used_bucket,
         sum(n) OVER (PARTITION BY year, stage ORDER BY used_bucket) AS cum,
         sum(n) OVER (PARTITION BY year, stage) AS total
    FROM b)
SELECT make_timestamptz(year, 1, 1, 0, 0, 0, ${ZONE}) AS "time",
       ${label} || CASE stage WHEN 'first_response' THEN 'respons pertama' ELSE 'tindak lanjut' END AS metric,
       min(used_bucket)::float8 / 100 AS value
  FROM c
 WHERE cum >= ceil(0.5::float8 * total::float8)
 GROUP BY 1, 2
 ORDER BY 1, 2`;
}

export const TREND_MEDIAN_REGENCY_SQL = medianSql("", "'kabupaten: '");
export const TREND_MEDIAN_OPD_SQL = medianSql(
  " AND opd = ${opd:sqlstring}",
  "${opd:sqlstring} || ': '",
);

export const TREND_CHANNEL_SQL = `SELECT ${YEAR_TIME},
       CASE channel WHEN '' THEN 'tidak diketahui' ELSE channel END AS metric,
       sum(received)::float8 AS value
  FROM rollup_received_month
 WHERE ${YEARS}
 GROUP BY 1, 2
 ORDER BY 1, 2`;

export const TREND_BY_AGENCY_SQL = `WITH r AS (
  SELECT opd, extract(year FROM month)::int AS tahun, sum(received)::float8 AS diterima
    FROM rollup_received_month WHERE opd <> '' AND ${YEARS} GROUP BY 1, 2),
c AS (
  SELECT opd, extract(year FROM month)::int AS tahun,
         coalesce(sum(met + breached) FILTER (WHERE stage = 'resolution'), 0)::float8 AS ditindaklanjuti,
         ${SHARE(" FILTER (WHERE stage = 'first_response')")} AS respons_pertama,
         ${SHARE(" FILTER (WHERE stage = 'resolution')")} AS tindak_lanjut,
         ${SHARE()} AS kepatuhan
    FROM rollup_clock_month WHERE ${YEARS} GROUP BY 1, 2)
SELECT coalesce(c.opd, r.opd) AS opd, coalesce(c.tahun, r.tahun) AS tahun,
       coalesce(r.diterima, 0) AS diterima, coalesce(c.ditindaklanjuti, 0) AS ditindaklanjuti,
       c.respons_pertama, c.tindak_lanjut, c.kepatuhan
  FROM c FULL JOIN r ON r.opd = c.opd AND r.tahun = c.tahun
 ORDER BY 1, 2`;

/** Compliance of the range's last year against the year before, per agency. */
function changeSql(order: "DESC" | "ASC"): string {
  return `WITH y AS (
  SELECT extract(year FROM $__timeTo()::timestamptz AT TIME ZONE ${ZONE})::int AS last),
k AS (
  SELECT opd, extract(year FROM month)::int AS tahun, ${SHARE()} AS kepatuhan
    FROM rollup_clock_month, y
   WHERE month >= make_date(y.last - 1, 1, 1) AND month < make_date(y.last + 1, 1, 1)
   GROUP BY 1, 2)
SELECT coalesce(a.opd, b.opd) AS opd, b.kepatuhan AS kepatuhan_sebelumnya,
       a.kepatuhan AS kepatuhan, a.kepatuhan - b.kepatuhan AS perubahan
  FROM (SELECT k.* FROM k, y WHERE k.tahun = y.last) a
  FULL JOIN (SELECT k.* FROM k, y WHERE k.tahun = y.last - 1) b ON b.opd = a.opd
 ORDER BY perubahan ${order} NULLS LAST, opd
 LIMIT 10`;
}

export const TREND_IMPROVED_SQL = changeSql("DESC");
export const TREND_DECLINED_SQL = changeSql("ASC");

const PERCENT_COLUMNS = (names: string[]) =>
  names.map((name) => ({
    matcher: { id: "byName", options: name },
    properties: [
      { id: "unit", value: "percentunit" },
      { id: "decimals", value: 1 },
    ],
  }));

function yearly(title: string, description: string, unit: string): TimeseriesPanel {
  return new TimeseriesPanel()
    .title(title)
    .description(description)
    .datasource(PG)
    .unit(unit)
    .drawStyle(GraphDrawStyle.Bars)
    .fillOpacity(60)
    .barAlignment(0);
}

function changeTable(title: string, description: string, sql: string): TablePanel {
  return new TablePanel()
    .title(title)
    .description(description)
    .datasource(PG)
    .unit("none")
    .withTarget(new SqlQueryBuilder("A", sql, "table"))
    .overrides(PERCENT_COLUMNS(["kepatuhan_sebelumnya", "kepatuhan", "perubahan"]))
    .withTransformation({
      id: "organize",
      options: {
        renameByName: {
          opd: "OPD",
          kepatuhan_sebelumnya: "Kepatuhan tahun sebelumnya",
          kepatuhan: "Kepatuhan tahun terakhir",
          perubahan: "Perubahan (poin)",
        },
      },
    });
}

export function trendsDashboard(): Dashboard {
  const list = new PanelList();
  const add = list.add.bind(list);
  add(
    new StatPanel()
      .title("Laporan diterima")
      .description("Laporan yang diterima kabupaten pada tahun-tahun dalam rentang waktu.")
      .datasource(PG)
      .unit("none")
      .withTarget(new SqlQueryBuilder("A", TREND_RECEIVED_TOTAL_SQL, "table")),
    6,
    5,
  );
  add(
    new StatPanel()
      .title("Kepatuhan kabupaten")
      .description(
        "Tahap yang selesai tepat waktu dibagi tahap yang selesai tepat waktu atau terlambat, semua OPD, pada tahun-tahun dalam rentang waktu.",
      )
      .datasource(PG)
      .unit("percentunit")
      .decimals(1)
      .thresholds(COMPLIANCE_THRESHOLDS())
      .withTarget(new SqlQueryBuilder("A", TREND_COMPLIANCE_TOTAL_SQL, "table")),
    6,
    5,
  );
  add(
    yearly(
      "Volume per tahun (kabupaten)",
      "Laporan diterima (menurut tanggal terima) dan tindak lanjut (tahap penyelesaian yang berhenti tepat waktu atau terlambat) per tahun.",
      "none",
    )
      .withTarget(new SqlQueryBuilder("A", TREND_RECEIVED_SQL, "time_series"))
      .withTarget(new SqlQueryBuilder("B", TREND_FOLLOWED_UP_SQL, "time_series")),
    12,
    5,
  );
  add(
    yearly(
      "Kepatuhan per tahap per tahun (kabupaten)",
      "Bagian tahap yang selesai tepat waktu per tahun: verifikasi, respons pertama, tindak lanjut.",
      "percentunit",
    )
      .min(0)
      .max(1)
      .withTarget(new SqlQueryBuilder("A", TREND_STAGE_COMPLIANCE_SQL, "time_series")),
    12,
    9,
  );
  add(
    yearly(
      "Kepatuhan OPD terpilih dan kabupaten per tahun",
      "Kepatuhan (semua tahap) OPD yang dipilih di variabel opd dibanding seluruh kabupaten, tahun demi tahun.",
      "percentunit",
    )
      .min(0)
      .max(1)
      .withTarget(new SqlQueryBuilder("A", TREND_OPD_COMPLIANCE_SQL, "time_series"))
      .withTarget(new SqlQueryBuilder("B", TREND_REGENCY_COMPLIANCE_SQL, "time_series")),
    12,
    9,
  );
  add(
    yearly(
      "Median hari kerja sampai respons pertama dan tindak lanjut",
      "Median (peringkat terdekat, resolusi 0,01 hari kerja) waktu sampai respons pertama dan tindak lanjut, untuk kabupaten dan OPD terpilih, per tahun.",
      "none",
    )
      .decimals(2)
      .withTarget(new SqlQueryBuilder("A", TREND_MEDIAN_REGENCY_SQL, "time_series"))
      .withTarget(new SqlQueryBuilder("B", TREND_MEDIAN_OPD_SQL, "time_series")),
    12,
    9,
  );
  add(
    yearly(
      "Volume per saluran per tahun",
      "Laporan diterima per saluran masuk (LAPOR! web/aplikasi, SMS 1708, WhatsApp, dll.) per tahun.",
      "none",
    ).withTarget(new SqlQueryBuilder("A", TREND_CHANNEL_SQL, "time_series")),
    12,
    9,
  );
  add(
    new TablePanel()
      .title("Per OPD per tahun")
      .description(
        "Setiap OPD per tahun: laporan diterima, tindak lanjut, dan bagian tepat waktu (respons pertama, tindak lanjut, semua tahap).",
      )
      .datasource(PG)
      .unit("none")
      .withTarget(new SqlQueryBuilder("A", TREND_BY_AGENCY_SQL, "table"))
      .overrides(PERCENT_COLUMNS(["respons_pertama", "tindak_lanjut", "kepatuhan"]))
      .withTransformation({
        id: "organize",
        options: {
          renameByName: {
            opd: "OPD",
            tahun: "Tahun",
            diterima: "Diterima",
            ditindaklanjuti: "Ditindaklanjuti",
            respons_pertama: "Respons pertama tepat waktu",
            tindak_lanjut: "Tindak lanjut tepat waktu",
            kepatuhan: "Kepatuhan",
          },
        },
      }),
    24,
    12,
  );
  add(
    changeTable(
      "OPD paling membaik",
      "Sepuluh OPD yang kepatuhannya paling naik pada tahun terakhir rentang waktu dibanding tahun sebelumnya.",
      TREND_IMPROVED_SQL,
    ),
    12,
    10,
  );
  add(
    changeTable(
      "OPD paling menurun",
      "Sepuluh OPD yang kepatuhannya paling turun pada tahun terakhir rentang waktu dibanding tahun sebelumnya.",
      TREND_DECLINED_SQL,
    ),
    12,
    10,
  );

  const builder = new DashboardBuilder("Tren Tahunan Tindak Lanjut")
    .uid(TRENDS_UID)
    .description(
      "Tren tahunan tindak lanjut pengaduan per OPD dan kabupaten dari rollup basis data Pantau (riwayat panjang, bukan retensi Prometheus).",
    )
    .tags(["pantau", "sla", "tahunan"])
    .timezone("browser")
    .readonly()
    .time({ from: "now-6y", to: "now" })
    .refresh("1h")
    .withVariable(datasourceVariable())
    .withVariable(pgDatasourceVariable())
    .withVariable(opdVariable(false))
    .link(dashboardLink("Kepatuhan SLA per OPD", DASHBOARD_UIDS.kepatuhan))
    .link(dashboardLink("Detail OPD", DASHBOARD_UIDS.detailOpd));
  for (const p of list.panels) builder.withPanel(p);
  return builder.build();
}
