// "Eskalasi & kesehatan Pantau": for operations. Escalations by level, the outbox and email,
// scans, collectors and the holiday calendar's coverage.
import { DashboardBuilder, type Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as StatPanel } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";
import {
  DASHBOARD_UIDS,
  PROM,
  PanelList,
  dashboardLink,
  datasourceVariable,
  opdVariable,
  prom,
  thresholds,
  yesNo,
} from "./common.js";

const OPD = 'opd=~"$opd"';
const DAY = 86400;

function stat(title: string, description: string, unit: string): StatPanel {
  return new StatPanel().title(title).description(description).datasource(PROM).unit(unit);
}

function series(title: string, description: string, unit: string): TimeseriesPanel {
  return new TimeseriesPanel().title(title).description(description).datasource(PROM).unit(unit);
}

export function eskalasiDashboard(): Dashboard {
  const list = new PanelList();
  const add = list.add.bind(list);

  add(
    stat(
      "Instans Pantau aktif",
      "Instans Pantau yang berhasil di-scrape Prometheus (job pantau).",
      "none",
    )
      .withTarget(prom("A", 'sum(up{job="pantau"})', { instant: true }))
      .thresholds(thresholds("red", [[1, "green"]])),
    4,
    5,
  );
  add(
    stat(
      "Pemimpin metrik",
      "Instans yang mengekspor deret dari basis data (harus tepat 1).",
      "none",
    )
      .withTarget(prom("A", "sum(pantau_leader)", { instant: true }))
      .thresholds(
        thresholds("red", [
          [1, "green"],
          [2, "red"],
        ]),
      ),
    4,
    5,
  );
  add(
    stat(
      "Sejak pemindaian berhasil",
      "Waktu sejak pemindaian terakhir yang berhasil (jadwal bawaan tiap 5 menit).",
      "s",
    )
      .withTarget(
        prom("A", "time() - max(pantau_scan_last_success_timestamp_seconds)", { instant: true }),
      )
      .thresholds(
        thresholds("green", [
          [600, "orange"],
          [1800, "red"],
        ]),
      ),
    4,
    5,
  );
  add(
    stat("Pesan menunggu", "Pesan di outbox yang belum terkirim (pending dan sending).", "none")
      .withTarget(
        prom("A", 'sum(pantau_outbox_messages{state=~"pending|sending"})', { instant: true }),
      )
      .thresholds(thresholds("green", [[50, "orange"]])),
    4,
    5,
  );
  add(
    stat(
      "Pesan gagal",
      "Pesan yang habis percobaan kirimnya; lihat `pantau outbox list --failed`.",
      "none",
    )
      .withTarget(prom("A", 'sum(pantau_outbox_messages{state="failed"})', { instant: true }))
      .thresholds(thresholds("green", [[1, "red"]])),
    4,
    5,
  );
  add(
    stat(
      "Sisa cakupan kalender libur",
      "Berapa lama lagi kalender libur (SKB 3 Menteri) yang dimuat masih mencakup; muat SKB tahun depan sebelum kurang dari 3 bulan (1 Oktober).",
      "s",
    )
      .withTarget(
        prom("A", "min(pantau_calendar_covered_until_timestamp_seconds) - time()", {
          instant: true,
        }),
      )
      .thresholds(
        thresholds("red", [
          [92 * DAY, "orange"],
          [120 * DAY, "green"],
        ]),
      ),
    4,
    5,
  );

  add(
    series(
      "Eskalasi per tingkat",
      "Langkah eskalasi baru untuk OPD terpilih: 0 pengingat, 1 eskalasi ke atasan, 2 eskalasi ke pimpinan.",
      "none",
    ).withTarget(
      prom("A", `sum by (level) (increase(pantau_escalations_total{${OPD}}[$__rate_interval]))`, {
        legend: "tingkat {{level}}",
      }),
    ),
    12,
    8,
  );
  add(
    stat(
      "Eskalasi 30 hari per tingkat",
      "Jumlah langkah eskalasi dalam 30 hari terakhir untuk OPD terpilih, per tingkat.",
      "none",
    ).withTarget(
      prom("A", `sum by (level) (increase(pantau_escalations_total{${OPD}}[30d]))`, {
        instant: true,
        legend: "tingkat {{level}}",
      }),
    ),
    12,
    8,
  );
  add(
    series("Outbox per status", "Jumlah pesan di outbox per status.", "none").withTarget(
      prom("A", "sum by (state) (pantau_outbox_messages)", { legend: "{{state}}" }),
    ),
    12,
    8,
  );
  add(
    series(
      "Email terkirim dan gagal",
      "Email yang terkirim dan percobaan kirim yang gagal per selang waktu, semua instans.",
      "none",
    )
      .withTarget(
        prom("A", "sum(increase(pantau_emails_sent_total[$__rate_interval]))", {
          legend: "terkirim",
        }),
      )
      .withTarget(
        prom("B", "sum(increase(pantau_email_failures_total[$__rate_interval]))", {
          legend: "gagal",
        }),
      ),
    12,
    8,
  );
  add(
    series("Durasi pemindaian", "Median dan persentil 95 durasi pemindaian yang berhasil.", "s")
      .withTarget(
        prom(
          "A",
          "histogram_quantile(0.5, sum by (le) (rate(pantau_scan_duration_seconds_bucket[$__rate_interval])))",
          {
            legend: "p50",
          },
        ),
      )
      .withTarget(
        prom(
          "B",
          "histogram_quantile(0.95, sum by (le) (rate(pantau_scan_duration_seconds_bucket[$__rate_interval])))",
          {
            legend: "p95",
          },
        ),
      ),
    12,
    8,
  );
  add(
    series(
      "Pemindaian: jam diproses dan kegagalan",
      "Jam SLA yang diproses pemindaian dan pemindaian yang gagal per selang waktu.",
      "none",
    )
      .withTarget(
        prom("A", "sum(increase(pantau_scan_clocks_processed_total[$__rate_interval]))", {
          legend: "jam diproses",
        }),
      )
      .withTarget(
        prom("B", "sum(increase(pantau_scan_failures_total[$__rate_interval]))", {
          legend: "pemindaian gagal",
        }),
      )
      .withTarget(
        prom(
          "C",
          "sum by (level) (increase(pantau_scan_escalations_decided_total[$__rate_interval]))",
          {
            legend: "eskalasi diputuskan tingkat {{level}}",
          },
        ),
      ),
    12,
    8,
  );
  add(
    stat(
      "Kesehatan kolektor",
      "Apakah pembacaan basis data tiap kolektor metrik terakhir berhasil.",
      "none",
    )
      .withTarget(
        prom("A", "min by (collector) (pantau_collector_success)", {
          instant: true,
          legend: "{{collector}}",
        }),
      )
      .mappings(yesNo("OK", "GAGAL")),
    12,
    6,
  );
  add(
    series("Durasi kolektor", "Lama pembacaan basis data tiap kolektor metrik.", "s").withTarget(
      prom("A", "max by (collector) (pantau_collector_duration_seconds)", {
        legend: "{{collector}}",
      }),
    ),
    12,
    6,
  );

  const builder = new DashboardBuilder("Eskalasi & kesehatan Pantau")
    .uid(DASHBOARD_UIDS.eskalasi)
    .description(
      "Eskalasi, outbox dan email, pemindaian, kolektor metrik dan kalender libur (Pantau).",
    )
    .tags(["pantau", "operasi"])
    .timezone("browser")
    .readonly()
    .time({ from: "now-7d", to: "now" })
    .refresh("1m")
    .withVariable(datasourceVariable())
    .withVariable(opdVariable(true))
    .link(dashboardLink("Kepatuhan SLA per OPD", DASHBOARD_UIDS.kepatuhan))
    .link(dashboardLink("Detail OPD", DASHBOARD_UIDS.detailOpd));
  for (const p of list.panels) builder.withPanel(p);
  return builder.build();
}
