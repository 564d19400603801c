// "Kepatuhan SLA per OPD": for leadership. The regency's compliance, every agency ranked, SOP
// adoption, liaison coverage and the agencies that hold open reports yet answer nothing.
import { DashboardBuilder, type Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { TableCellDisplayMode } from "@grafana/grafana-foundation-sdk/common";
import { TableSortByFieldStateBuilder } from "@grafana/grafana-foundation-sdk/common";
import { PanelBuilder as StatPanel } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TablePanel } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";
import {
  COMPLIANCE_THRESHOLDS,
  DASHBOARD_UIDS,
  Grid,
  NEVER_ANSWERED,
  PROM,
  dashboardLink,
  datasourceVariable,
  inactiveDaysVariable,
  opdVariable,
  prom,
  thresholds,
} from "./common.js";
import { OPEN_STAGES, inactiveAgencies, withName } from "./queries.js";

const OPD = 'opd=~"$opd"';

function stat(title: string, description: string, unit: string): StatPanel {
  return new StatPanel().title(title).description(description).datasource(PROM).unit(unit);
}

export function kepatuhanDashboard(): Dashboard {
  const grid = new Grid();
  const panels = [
    grid.place(
      stat(
        "Kepatuhan SLA kabupaten",
        "Bagian tahap yang selesai tepat waktu dari semua tahap yang sudah selesai (sepanjang waktu, seluruh OPD): jumlah tepat waktu dibagi jumlah tepat waktu + terlambat.",
        "percentunit",
      )
        .withTarget(
          prom("A", "sum(job:pantau_sla_met:sum) / sum(job:pantau_sla_decided:sum)", {
            instant: true,
          }),
        )
        .thresholds(COMPLIANCE_THRESHOLDS())
        .decimals(1),
      4,
      5,
    ),
    grid.place(
      stat(
        "Kepatuhan SLA 30 hari",
        "Kepatuhan tahap yang selesai dalam 30 hari terakhir, seluruh OPD.",
        "percentunit",
      )
        .withTarget(
          prom(
            "A",
            "sum(job:pantau_sla_met:increase30d) / sum(job:pantau_sla_decided:increase30d)",
            {
              instant: true,
            },
          ),
        )
        .thresholds(COMPLIANCE_THRESHOLDS())
        .decimals(1),
      4,
      5,
    ),
    grid.place(
      stat(
        "Laporan terbuka",
        "Laporan yang masih menunggu verifikasi (admin koordinator) atau penyelesaian (OPD) pada OPD terpilih.",
        "none",
      ).withTarget(
        prom("A", `sum(pantau_reports_open{${OPEN_STAGES}, ${OPD}})`, { instant: true }),
      ),
      4,
      5,
    ),
    grid.place(
      stat(
        "Tahap berisiko",
        "Tahap laporan yang mendekati batas waktu (melewati titik risiko, belum jatuh tempo).",
        "none",
      )
        .withTarget(prom("A", `sum(pantau_reports_at_risk{${OPD}})`, { instant: true }))
        .thresholds(thresholds("green", [[1, "orange"]])),
      4,
      5,
    ),
    grid.place(
      stat(
        "Tahap terlambat",
        "Tahap laporan yang sudah melewati batas waktu dan belum selesai (respons pertama dan penyelesaian dihitung terpisah).",
        "none",
      )
        .withTarget(prom("A", `sum(pantau_reports_overdue{${OPD}})`, { instant: true }))
        .thresholds(thresholds("green", [[1, "red"]])),
      4,
      5,
    ),
    grid.place(
      stat(
        "OPD tanpa pejabat penghubung",
        "Jumlah OPD yang saat ini tidak punya pejabat penghubung aktif.",
        "none",
      )
        .withTarget(
          prom("A", `count(max by (opd) (pantau_opd_liaison_active{${OPD}}) == 0) or vector(0)`, {
            instant: true,
          }),
        )
        .thresholds(thresholds("green", [[1, "orange"]])),
      4,
      5,
    ),
    grid.place(
      stat(
        "Adopsi SOP sendiri",
        "Bagian OPD yang sudah menetapkan SOP SP4N-LAPOR! sendiri; yang lain mengikuti SOP bawaan kabupaten.",
        "percentunit",
      )
        .withTarget(
          prom(
            "A",
            "sum(max by (opd) (pantau_opd_has_own_sop)) / count(max by (opd) (pantau_opd_has_own_sop))",
            { instant: true },
          ),
        )
        .thresholds(thresholds("orange", [[0.5, "green"]])),
      6,
      5,
    ),
    grid.place(
      stat(
        "OPD dengan SOP sendiri",
        "Jumlah OPD dengan SOP sendiri dan jumlah seluruh OPD dalam direktori.",
        "none",
      )
        .withTarget(
          prom("A", "sum(max by (opd) (pantau_opd_has_own_sop))", {
            instant: true,
            legend: "SOP sendiri",
          }),
        )
        .withTarget(
          prom("B", "count(max by (opd) (pantau_opd_info))", {
            instant: true,
            legend: "Seluruh OPD",
          }),
        ),
      6,
      5,
    ),
    grid.place(
      stat(
        "Cakupan pejabat penghubung",
        "Bagian OPD yang punya pejabat penghubung aktif saat ini.",
        "percentunit",
      )
        .withTarget(
          prom(
            "A",
            "sum(max by (opd) (pantau_opd_liaison_active)) / count(max by (opd) (pantau_opd_liaison_active))",
            { instant: true },
          ),
        )
        .thresholds(
          thresholds("red", [
            [0.8, "orange"],
            [1, "green"],
          ]),
        ),
      6,
      5,
    ),
    grid.place(
      stat(
        "OPD tidak aktif",
        "OPD yang memegang laporan terbuka lebih lama dari ${hari_tidak_aktif} hari dan tidak menjawab apa pun selama ${hari_tidak_aktif} hari. Penghubung yang tidak aktif adalah penyebab utama keterlambatan.",
        "none",
      )
        .withTarget(prom("A", `count(${inactiveAgencies(OPD)}) or vector(0)`, { instant: true }))
        .thresholds(thresholds("green", [[1, "red"]])),
      6,
      5,
    ),
  ];
  grid.newRow();

  const ranked = grid.place(
    new TablePanel()
      .title("Peringkat kepatuhan OPD")
      .description(
        "Semua OPD, diurutkan dari kepatuhan terendah. Kepatuhan = tepat waktu / (tepat waktu + terlambat). Terbuka: laporan; berisiko dan terlambat: tahap. Klik kode OPD untuk membuka Detail OPD.",
      )
      .datasource(PROM)
      .unit("short")
      .withTarget(prom("A", withName("opd:pantau_sla_compliance:ratio"), { table: true }))
      .withTarget(prom("B", withName("opd:pantau_sla_compliance:ratio30d"), { table: true }))
      .withTarget(
        prom("C", withName(`sum by (opd) (pantau_reports_open{${OPEN_STAGES}})`), { table: true }),
      )
      .withTarget(prom("D", withName("sum by (opd) (pantau_reports_at_risk)"), { table: true }))
      .withTarget(prom("E", withName("sum by (opd) (pantau_reports_overdue)"), { table: true }))
      .withTarget(
        prom("F", withName("max by (opd) (pantau_reports_oldest_overdue_seconds)"), {
          table: true,
        }),
      )
      .withTarget(
        prom("G", withName("sum by (opd) (increase(pantau_escalations_total[30d]))"), {
          table: true,
        }),
      )
      .withTransformation({ id: "merge", options: {} })
      .withTransformation({
        id: "organize",
        options: {
          excludeByName: { Time: true },
          indexByName: {
            opd: 0,
            name: 1,
            "Value #A": 2,
            "Value #B": 3,
            "Value #C": 4,
            "Value #D": 5,
            "Value #E": 6,
            "Value #F": 7,
            "Value #G": 8,
          },
          renameByName: {
            opd: "Kode",
            name: "OPD",
            "Value #A": "Kepatuhan",
            "Value #B": "Kepatuhan 30 hari",
            "Value #C": "Terbuka",
            "Value #D": "Berisiko",
            "Value #E": "Terlambat",
            "Value #F": "Terlambat terlama",
            "Value #G": "Eskalasi 30 hari",
          },
        },
      })
      .sortBy([new TableSortByFieldStateBuilder().displayName("Kepatuhan").desc(false)])
      .overrideByName("Kepatuhan", [
        { id: "unit", value: "percentunit" },
        { id: "decimals", value: 1 },
        { id: "thresholds", value: COMPLIANCE_THRESHOLDS().build() },
        { id: "custom.cellOptions", value: { type: TableCellDisplayMode.ColorBackground } },
      ])
      .overrideByName("Kepatuhan 30 hari", [
        { id: "unit", value: "percentunit" },
        { id: "decimals", value: 1 },
        { id: "thresholds", value: COMPLIANCE_THRESHOLDS().build() },
        { id: "custom.cellOptions", value: { type: TableCellDisplayMode.ColorBackground } },
      ])
      .overrideByName("Terlambat", [
        { id: "thresholds", value: thresholds("green", [[1, "red"]]).build() },
        { id: "custom.cellOptions", value: { type: TableCellDisplayMode.ColorText } },
      ])
      .overrideByName("Terlambat terlama", [{ id: "unit", value: "s" }])
      .overrideByName("Kode", [
        {
          id: "links",
          value: [
            {
              title: "Detail OPD",
              url: `/d/${DASHBOARD_UIDS.detailOpd}?var-opd=\${__value.raw}&\${datasource:queryparam}&\${__url_time_range}`,
            },
          ],
        },
      ]),
    24,
    14,
  );
  grid.newRow();

  const inactive = grid.place(
    new TablePanel()
      .title("OPD tidak aktif")
      .description(
        "OPD yang memegang laporan terbuka lebih lama dari ${hari_tidak_aktif} hari dan belum menjawab apa pun selama itu, dengan lama sejak jawaban terakhir. Hubungi kepala OPD: biasanya pejabat penghubungnya sudah mutasi.",
      )
      .datasource(PROM)
      .unit("s")
      .mappings(NEVER_ANSWERED)
      .withTarget(prom("A", withName(inactiveAgencies(OPD)), { table: true }))
      .withTransformation({
        id: "organize",
        options: {
          excludeByName: { Time: true },
          renameByName: { opd: "Kode", name: "OPD", Value: "Sejak jawaban terakhir" },
        },
      })
      .sortBy([
        new TableSortByFieldStateBuilder().displayName("Sejak jawaban terakhir").desc(true),
      ]),
    12,
    10,
  );
  const trend = grid.place(
    new TimeseriesPanel()
      .title("Kepatuhan kabupaten (30 hari bergulir)")
      .description(
        "Kepatuhan seluruh OPD atas tahap yang selesai dalam 30 hari sebelum setiap titik.",
      )
      .datasource(PROM)
      .unit("percentunit")
      .min(0)
      .max(1)
      .withTarget(
        prom("A", "sum(job:pantau_sla_met:increase30d) / sum(job:pantau_sla_decided:increase30d)", {
          legend: "Kabupaten",
        }),
      ),
    12,
    10,
  );

  const builder = new DashboardBuilder("Kepatuhan SLA per OPD")
    .uid(DASHBOARD_UIDS.kepatuhan)
    .description("Kepatuhan SP4N-LAPOR! per perangkat daerah, untuk pimpinan (Pantau).")
    .tags(["pantau", "sla"])
    .timezone("browser")
    .readonly()
    .time({ from: "now-30d", to: "now" })
    .refresh("5m")
    .withVariable(datasourceVariable())
    .withVariable(opdVariable(true))
    .withVariable(inactiveDaysVariable())
    .link(dashboardLink("Detail OPD", DASHBOARD_UIDS.detailOpd))
    .link(dashboardLink("Eskalasi & kesehatan Pantau", DASHBOARD_UIDS.eskalasi));
  for (const p of [...panels, ranked, inactive, trend]) builder.withPanel(p);
  return builder.build();
}
