// Tren: the yearly follow-up report and the monthly scorecard — the same numbers as
// `pantau report yearly|monthly`, from the rollups — with the regency's compliance per year and
// over the last 12 months as charts, and the same xlsx / csv files as the CLI writes. The
// monthly scorecard is what prints on A4 landscape for the coordination meeting.
import type { JSX } from "preact";
import type {
  Figures,
  MonthlyReport,
  Rendered,
  YearlyReport,
  YearlySort,
} from "../../reports/index.js";
import type { View } from "../../reports/render.js";
import { ShareBars } from "../charts.js";
import { shareText, translator } from "../format.js";
import { shortMonth } from "./agency.js";
import { Layout, type PageFrame } from "./layout.js";
import { ReportTable } from "./reportTable.js";

export interface TrendsQuery {
  from: number;
  to: number;
  sort: YearlySort;
  month: string;
}

export function downloadHref(
  kind: "tahunan" | "bulanan",
  format: "csv" | "xlsx",
  q: TrendsQuery,
): string {
  const params = new URLSearchParams({ laporan: kind, format });
  if (kind === "tahunan") {
    params.set("dari", String(q.from));
    params.set("sampai", String(q.to));
    params.set("urut", q.sort);
  } else params.set("bulan", q.month);
  return `/tren/unduh?${params.toString()}`;
}

/** Agencies shown per table on the page; the xlsx / csv downloads hold all of them. */
export const TREND_AGENCIES = 100;

export function TrendsPage(
  p: PageFrame & {
    q: TrendsQuery;
    yearly: YearlyReport;
    yearlyRendered: Rendered;
    monthly: MonthlyReport;
    monthlyRendered: Rendered;
    months: { month: string; figures: Figures }[];
  },
): JSX.Element {
  const t = translator(p.lang);
  const [yAgencies, yRegency] = p.yearlyRendered.views as [View<unknown>, View<unknown>];
  const [mAgencies, mRegency] = p.monthlyRendered.views as [View<unknown>, View<unknown>];
  const years = p.q.to - p.q.from + 1;
  const moreNote = (shown: number, total: number): string =>
    t(
      `Menampilkan ${shown} dari ${total} baris; semua baris ada di berkas unduhan.`,
      `Showing ${shown} of ${total} rows; every row is in the downloads.`,
    );
  return (
    <Layout {...p} title={t("Tren tindak lanjut", "Follow-up trends")} current="trends">
      <form method="get" action="/tren" class="filter">
        <label for="dari">{t("Dari tahun", "From year")}</label>
        <input
          id="dari"
          name="dari"
          inputMode="numeric"
          pattern="[0-9]{4}"
          size={4}
          value={String(p.q.from)}
        />
        <label for="sampai">{t("sampai", "to")}</label>
        <input
          id="sampai"
          name="sampai"
          inputMode="numeric"
          pattern="[0-9]{4}"
          size={4}
          value={String(p.q.to)}
        />
        <label for="urut">{t("Urutan", "Order")}</label>
        <select id="urut" name="urut">
          <option value="improvement" selected={p.q.sort === "improvement"}>
            {t("perbaikan", "improvement")}
          </option>
          <option value="compliance" selected={p.q.sort === "compliance"}>
            {t("kepatuhan", "compliance")}
          </option>
          <option value="volume" selected={p.q.sort === "volume"}>
            {t("jumlah laporan", "volume")}
          </option>
        </select>
        <label for="bulan">{t("Rapor bulan", "Scorecard month")}</label>
        <input id="bulan" name="bulan" type="month" value={p.q.month} />
        <button type="submit">{t("Tampilkan", "Show")}</button>
      </form>

      <section aria-labelledby="tahunan" class="no-print">
        <h2 id="tahunan">{p.yearlyRendered.title}</h2>
        <p>{p.yearlyRendered.period}</p>
        <ShareBars
          title={t("Kepatuhan kabupaten per tahun", "Regency compliance per year")}
          bars={p.yearly.totals.map((r) => ({
            label: String(r.year),
            value: r.figures.compliance.share,
            text: shareText(r.figures.compliance.share, p.lang),
          }))}
        />
        <p class="downloads">
          {t("Unduh:", "Download:")} <a href={downloadHref("tahunan", "xlsx", p.q)}>xlsx</a> ·{" "}
          <a href={downloadHref("tahunan", "csv", p.q)}>csv</a>
        </p>
        <ReportTable view={yRegency} lang={p.lang} name="yearly-regency" />
        <ReportTable
          view={yAgencies}
          lang={p.lang}
          name="yearly-agencies"
          maxRows={TREND_AGENCIES * years}
          moreNote={moreNote}
        />
      </section>

      <section aria-labelledby="duabelas" class="no-print">
        <h2 id="duabelas">
          {t("Kepatuhan kabupaten, 12 bulan terakhir", "Regency compliance, last 12 months")}
        </h2>
        <ShareBars
          title={t("Kepatuhan kabupaten per bulan", "Regency compliance per month")}
          bars={p.months.map((m) => ({
            label: shortMonth(m.month, p.lang),
            value: m.figures.compliance.share,
            text: shareText(m.figures.compliance.share, p.lang),
          }))}
        />
      </section>

      <section aria-labelledby="bulanan" class="scorecard">
        <h2 id="bulanan">{p.monthlyRendered.title}</h2>
        <p>{p.monthlyRendered.period}</p>
        <p class="downloads no-print">
          {t("Unduh:", "Download:")} <a href={downloadHref("bulanan", "xlsx", p.q)}>xlsx</a> ·{" "}
          <a href={downloadHref("bulanan", "csv", p.q)}>csv</a> ·{" "}
          {t(
            "Cetak halaman ini untuk rapat koordinasi (A4 mendatar).",
            "Print this page for the coordination meeting (A4 landscape).",
          )}
        </p>
        <ReportTable view={mRegency} lang={p.lang} name="monthly-regency" />
        <ReportTable
          view={mAgencies}
          lang={p.lang}
          name="monthly-agencies"
          maxRows={TREND_AGENCIES}
          moreNote={moreNote}
        />
        <h3>{t("Catatan", "Notes")}</h3>
        <ul class="notes">
          {p.monthlyRendered.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
        <div class="signatures print-only">
          <p>{t("Mengetahui,", "Acknowledged,")}</p>
          <p class="line">{t("Kepala Dinas Kominfo", "Head of Kominfo")}</p>
        </div>
      </section>
    </Layout>
  );
}
