// "Detail OPD": one agency over time, and the list of its overdue reports from PostgreSQL with
// tracking IDs linking to LAPOR!.
import { DashboardBuilder, type Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as StatPanel } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TablePanel } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";
import {
  COMPLIANCE_THRESHOLDS,
  DASHBOARD_UIDS,
  PanelList,
  LAPOR_REPORT_URL,
  NEVER_ANSWERED,
  PG,
  PROM,
  SqlQueryBuilder,
  dashboardLink,
  datasourceVariable,
  opdVariable,
  pgDatasourceVariable,
  prom,
  thresholds,
  yesNo,
} from "./common.js";
import { OPEN_STAGES } from "./queries.js";

const OPD = 'opd="$opd"';

/** Open clocks of the agency past their due instant at the end of the time range. */
export const OVERDUE_REPORTS_SQL = `SELECT c.tracking_id AS tracking_id,
       c.stage AS stage,
       r.type AS report_type,
       c.sop_id AS sop,
       c.started_at AS started_at,
       c.due_at AS due_at,
       EXTRACT(EPOCH FROM ($__timeTo()::timestamptz - c.due_at))::float8 AS overdue_seconds
  FROM sla_clocks c
  JOIN reports r ON r.tracking_id = c.tracking_id
 WHERE c.opd = \${opd:sqlstring}
   AND c.stopped_at IS NULL
   AND c.outcome IN ('open', 'breached')
   AND c.due_at < $__timeTo()
 ORDER BY c.due_at ASC
 LIMIT 500`;

/** Daily compliance of the agency from the stopped clocks (long history lives in PostgreSQL). */
export const DAILY_COMPLIANCE_SQL = `SELECT $__timeGroupAlias(c.stopped_at, '1d'),
       (count(*) FILTER (WHERE c.outcome = 'met'))::float8 / count(*) AS compliance
  FROM sla_clocks c
 WHERE c.opd = \${opd:sqlstring}
   AND c.outcome IN ('met', 'breached')
   AND $__timeFilter(c.stopped_at)
 GROUP BY 1
 ORDER BY 1`;

function stat(title: string, description: string, unit: string): StatPanel {
  return new StatPanel().title(title).description(description).datasource(PROM).unit(unit);
}

export function detailOpdDashboard(): Dashboard {
  const list = new PanelList();
  const add = list.add.bind(list);

  add(
    stat("Kepatuhan", "Tahap OPD ini yang selesai tepat waktu, sepanjang waktu.", "percentunit")
      .withTarget(prom("A", `opd:pantau_sla_compliance:ratio{${OPD}}`, { instant: true }))
      .thresholds(COMPLIANCE_THRESHOLDS())
      .decimals(1),
    4,
    5,
  );
  add(
    stat(
      "Kepatuhan 30 hari",
      "Tahap OPD ini yang selesai tepat waktu dalam 30 hari terakhir.",
      "percentunit",
    )
      .withTarget(prom("A", `opd:pantau_sla_compliance:ratio30d{${OPD}}`, { instant: true }))
      .thresholds(COMPLIANCE_THRESHOLDS())
      .decimals(1),
    4,
    5,
  );
  add(
    stat("Laporan terbuka", "Laporan yang menunggu penyelesaian oleh OPD ini.", "none").withTarget(
      prom("A", `sum(pantau_reports_open{${OPD}, ${OPEN_STAGES}})`, { instant: true }),
    ),
    4,
    5,
  );
  add(
    stat("Tahap terlambat", "Tahap yang melewati batas waktu dan belum selesai.", "none")
      .withTarget(prom("A", `sum(pantau_reports_overdue{${OPD}})`, { instant: true }))
      .thresholds(thresholds("green", [[1, "red"]])),
    4,
    5,
  );
  add(
    stat(
      "Terlambat terlama",
      "Berapa lama tahap paling terlambat sudah melewati batas waktunya.",
      "s",
    )
      .withTarget(
        prom("A", `max(pantau_reports_oldest_overdue_seconds{${OPD}})`, { instant: true }),
      )
      .thresholds(thresholds("green", [[1, "red"]])),
    4,
    5,
  );
  add(
    stat(
      "Sejak jawaban terakhir",
      "Waktu sejak OPD ini terakhir menjawab laporan (respons pertama atau tindak lanjut).",
      "s",
    )
      .withTarget(
        prom("A", `time() - max(pantau_opd_last_response_timestamp_seconds{${OPD}})`, {
          instant: true,
        }),
      )
      .mappings(NEVER_ANSWERED)
      .thresholds(
        thresholds("green", [
          [5 * 86400, "orange"],
          [7 * 86400, "red"],
        ]),
      ),
    4,
    5,
  );
  add(
    stat("Tahap berisiko", "Tahap yang mendekati batas waktu.", "none")
      .withTarget(prom("A", `sum(pantau_reports_at_risk{${OPD}})`, { instant: true }))
      .thresholds(thresholds("green", [[1, "orange"]])),
    6,
    4,
  );
  add(
    stat(
      "Eskalasi 30 hari",
      "Langkah eskalasi (semua tingkat) untuk OPD ini dalam 30 hari terakhir.",
      "none",
    ).withTarget(
      prom("A", `sum(increase(pantau_escalations_total{${OPD}}[30d]))`, { instant: true }),
    ),
    6,
    4,
  );
  add(
    stat("Pejabat penghubung", "Apakah OPD ini punya pejabat penghubung aktif saat ini.", "none")
      .withTarget(prom("A", `max(pantau_opd_liaison_active{${OPD}})`, { instant: true }))
      .mappings(yesNo("Ada", "Kosong")),
    6,
    4,
  );
  add(
    stat(
      "SOP sendiri",
      "Apakah OPD ini punya SOP SP4N-LAPOR! sendiri (bukan SOP bawaan kabupaten).",
      "none",
    )
      .withTarget(prom("A", `max(pantau_opd_has_own_sop{${OPD}})`, { instant: true }))
      .mappings(yesNo("Ya", "Bawaan")),
    6,
    4,
  );
  add(
    new TimeseriesPanel()
      .title("Kepatuhan per tahap (30 hari bergulir)")
      .description(
        "Kepatuhan OPD ini per tahap (verifikasi, respons pertama, penyelesaian) atas 30 hari sebelum setiap titik.",
      )
      .datasource(PROM)
      .unit("percentunit")
      .min(0)
      .max(1)
      .withTarget(
        prom("A", `opd_stage:pantau_sla_compliance:ratio30d{${OPD}}`, { legend: "{{stage}}" }),
      ),
    12,
    9,
  );
  add(
    new TimeseriesPanel()
      .title("Terbuka dan terlambat per tahap")
      .description("Tahap laporan yang terbuka dan yang terlambat pada OPD ini, per tahap.")
      .datasource(PROM)
      .unit("none")
      .withTarget(
        prom("A", `sum by (stage) (pantau_reports_open{${OPD}})`, { legend: "terbuka {{stage}}" }),
      )
      .withTarget(
        prom("B", `sum by (stage) (pantau_reports_overdue{${OPD}})`, {
          legend: "terlambat {{stage}}",
        }),
      ),
    12,
    9,
  );
  add(
    new TimeseriesPanel()
      .title("Eskalasi per tingkat")
      .description(
        "Langkah eskalasi untuk OPD ini: 0 pengingat, 1 eskalasi ke atasan, 2 eskalasi ke pimpinan.",
      )
      .datasource(PROM)
      .unit("none")
      .withTarget(
        prom("A", `sum by (level) (increase(pantau_escalations_total{${OPD}}[$__rate_interval]))`, {
          legend: "tingkat {{level}}",
        }),
      ),
    12,
    9,
  );
  add(
    new TimeseriesPanel()
      .title("Kepatuhan harian (basis data)")
      .description(
        "Kepatuhan per hari dari jam SLA yang berhenti di basis data Pantau: riwayat panjang yang tidak bergantung pada retensi Prometheus.",
      )
      .datasource(PG)
      .unit("percentunit")
      .min(0)
      .max(1)
      .withTarget(new SqlQueryBuilder("A", DAILY_COMPLIANCE_SQL, "time_series")),
    12,
    9,
  );
  add(
    new TablePanel()
      .title("Laporan terlambat")
      .description(
        "Laporan OPD ini yang tahapnya melewati batas waktu dan belum selesai, yang paling lama lebih dulu. Klik ID pelacakan untuk membuka laporan di LAPOR!.",
      )
      .datasource(PG)
      .unit("none")
      .withTarget(new SqlQueryBuilder("A", OVERDUE_REPORTS_SQL, "table"))
      .withTransformation({
        id: "organize",
        options: {
          renameByName: {
            tracking_id: "ID pelacakan",
            stage: "Tahap",
            report_type: "Jenis",
            sop: "SOP",
            started_at: "Mulai",
            due_at: "Batas waktu",
            overdue_seconds: "Terlambat",
          },
        },
      })
      .overrideByName("tracking_id", [
        {
          id: "links",
          value: [{ title: "Buka di LAPOR!", url: LAPOR_REPORT_URL, targetBlank: true }],
        },
      ])
      .overrideByName("overdue_seconds", [{ id: "unit", value: "s" }])
      .overrideByName("started_at", [{ id: "unit", value: "dateTimeAsLocal" }])
      .overrideByName("due_at", [{ id: "unit", value: "dateTimeAsLocal" }]),
    24,
    12,
  );

  const builder = new DashboardBuilder("Detail OPD")
    .uid(DASHBOARD_UIDS.detailOpd)
    .description(
      "Satu perangkat daerah dari waktu ke waktu, dengan daftar laporannya yang terlambat (Pantau).",
    )
    .tags(["pantau", "sla"])
    .timezone("browser")
    .readonly()
    .time({ from: "now-90d", to: "now" })
    .refresh("5m")
    .withVariable(datasourceVariable())
    .withVariable(pgDatasourceVariable())
    .withVariable(opdVariable(false))
    .link(dashboardLink("Kepatuhan SLA per OPD", DASHBOARD_UIDS.kepatuhan))
    .link(dashboardLink("Eskalasi & kesehatan Pantau", DASHBOARD_UIDS.eskalasi));
  for (const p of list.panels) builder.withPanel(p);
  return builder.build();
}
