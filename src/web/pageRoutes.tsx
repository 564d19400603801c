// The pages of the Papan Kepatuhan (GET /, /publik, /opd/{code}, /laporan/{trackingId}, /tren,
// /tren/unduh, /operasional): each route reads its data (through the 30 s page cache where the
// data is the same for every viewer), checks what the signed-in person may see, and renders.
//
// Invariants: scoping is checked before any of an agency's data is read (a liaison of dinkes gets
// 403 on a dishub report page, not its figures); the public page (web.public) shows the regency
// figures and ranking only, never tracking IDs.
import { explainView, ReportNotFoundError } from "../app/statusService.js";
import { reportUrl } from "../config/index.js";
import { HttpError, type HttpRouter } from "../http/server.js";
import {
  monthlyViews,
  parseMonth,
  renderCsv,
  renderXlsx,
  yearlyViews,
  type YearlySort,
} from "../reports/index.js";
import { maySeeAgency, maySeeOperations } from "./auth/access.js";
import { recentSignIns } from "./auth/sessions.js";
import { PageCache } from "./cache.js";
import {
  agencyOf,
  monthOf,
  monthSeries,
  monthlyOf,
  operationsOf,
  summaryOf,
  yearSpan,
  yearlyOf,
} from "./data.js";
import { translator } from "./format.js";
import type { Answer, Call, SignedIn, WebKit } from "./kit.js";
import { AgencyPage } from "./pages/agency.js";
import { OperationsPage } from "./pages/operations.js";
import { ReportPage } from "./pages/report.js";
import { SummaryPage } from "./pages/summary.js";
import { TrendsPage, type TrendsQuery } from "./pages/trends.js";

/** Registers the pages on the router; one page cache for all of them. */
export function registerPageRoutes(router: HttpRouter, kit: WebKit): void {
  const pages = new Pages(kit, new PageCache());
  router.add(
    "GET",
    "/",
    kit.signedInOnly((call, s) => pages.summary(call, s)),
  );
  router.add(
    "GET",
    "/publik",
    kit.handler((call) => pages.publicSummary(call)),
  );
  router.add(
    "GET",
    "/opd/{code}",
    kit.signedInOnly((call, s) => pages.agency(call, s)),
  );
  router.add(
    "GET",
    "/laporan/{trackingId}",
    kit.signedInOnly((call, s) => pages.report(call, s)),
  );
  router.add(
    "GET",
    "/tren",
    kit.signedInOnly((call, s) => pages.trends(call, s)),
  );
  router.add(
    "GET",
    "/tren/unduh",
    kit.signedInOnly((call) => pages.trendsDownload(call)),
  );
  router.add(
    "GET",
    "/operasional",
    kit.signedInOnly((call, s) => pages.operations(call, s)),
  );
}

class Pages {
  constructor(
    private readonly kit: WebKit,
    private readonly cache: PageCache,
  ) {}

  private get config() {
    return this.kit.config;
  }

  private summaryData(call: Call) {
    return this.cache.get("summary", call.now, (at) => summaryOf(this.kit.deps, at));
  }

  async summary(call: Call, s: SignedIn): Promise<Answer> {
    const summary = await this.summaryData(call);
    return this.kit.ok(
      call,
      <SummaryPage
        {...this.kit.frame(call, this.kit.viewerOf(s))}
        summary={summary}
        zone={this.config.defaultZone}
        inactiveDays={this.config.web.inactiveDays}
        agencyLink={(code) => maySeeAgency(s.access, code)}
      />,
    );
  }

  async publicSummary(call: Call): Promise<Answer> {
    if (!this.config.web.public)
      throw new HttpError(
        404,
        "Halaman publik tidak diaktifkan (web.public). / The public page is not enabled (web.public).",
      );
    const summary = await this.summaryData(call);
    return this.kit.ok(
      call,
      <SummaryPage
        {...this.kit.frame(call, null)}
        summary={summary}
        zone={this.config.defaultZone}
        inactiveDays={this.config.web.inactiveDays}
        agencyLink={() => false}
        publicPage
      />,
    );
  }

  async agency(call: Call, s: SignedIn): Promise<Answer> {
    const code = call.params.code ?? "";
    const ctx = this.kit.ctx;
    if (!ctx.calendars.agency(code)) {
      const t = translator(call.lang);
      return this.kit.message(
        call,
        404,
        t(`OPD "${code}" tidak ada di direktori.`, `No agency "${code}" in the directory.`),
        this.kit.viewerOf(s),
      );
    }
    if (!maySeeAgency(s.access, code)) return this.kit.forbidden(call, s, code);
    const detail = await this.cache.get(`agency|${code}`, call.now, (at) =>
      agencyOf(ctx, code, at),
    );
    if (!detail) throw new HttpError(404, `unknown agency ${code}`);
    return this.kit.ok(
      call,
      <AgencyPage
        {...this.kit.frame(call, this.kit.viewerOf(s))}
        detail={detail}
        reportUrl={(id) => reportUrl(this.config, id)}
      />,
    );
  }

  async report(call: Call, s: SignedIn): Promise<Answer> {
    const id = call.params.trackingId ?? "";
    const t = translator(call.lang);
    const notFound = (): Answer =>
      this.kit.message(
        call,
        404,
        t(
          `Laporan ${id} tidak ditemukan; periksa ID tracking-nya.`,
          `No report ${id}; check the tracking ID.`,
        ),
        this.kit.viewerOf(s),
      );
    if (!/^[0-9]{1,20}$/.test(id)) return notFound();
    const ctx = this.kit.ctx;
    const owner = (await ctx.db
      .knex("reports")
      .select("opd")
      .where({ tracking_id: id })
      .first()) as { opd: string | null } | undefined;
    if (!owner) return notFound();
    // Before a disposition the report is the coordinator's, as for API tokens.
    const opd = owner.opd ?? this.config.coordinator;
    if (!maySeeAgency(s.access, opd)) return this.kit.forbidden(call, s, opd);
    let doc;
    try {
      doc = await explainView(ctx, id, call.now, call.lang);
    } catch (error) {
      if (error instanceof ReportNotFoundError) return notFound();
      throw error;
    }
    return this.kit.ok(
      call,
      <ReportPage
        {...this.kit.frame(call, this.kit.viewerOf(s))}
        doc={doc}
        opd={opd}
        laporUrl={reportUrl(this.config, id)}
      />,
    );
  }

  async trends(call: Call, s: SignedIn): Promise<Answer> {
    const q = await this.trendsQuery(call);
    const ctx = this.kit.ctx;
    const renderCtx = { lang: call.lang, regency: this.config.regency };
    const [yearly, monthly, months] = await this.cache.get(
      `trends|${q.from}|${q.to}|${q.sort}|${q.month}`,
      call.now,
      (at) =>
        Promise.all([
          yearlyOf(ctx, q.from, q.to, q.sort),
          monthlyOf(ctx, q.month),
          monthSeries(ctx, at, null),
        ]),
    );
    return this.kit.ok(
      call,
      <TrendsPage
        {...this.kit.frame(call, this.kit.viewerOf(s))}
        q={q}
        yearly={yearly}
        yearlyRendered={yearlyViews(yearly, renderCtx)}
        monthly={monthly}
        monthlyRendered={monthlyViews(monthly, renderCtx)}
        months={months}
      />,
    );
  }

  /** The same xlsx/csv files as `pantau report yearly|monthly --out`. */
  async trendsDownload(call: Call): Promise<Answer> {
    const q = await this.trendsQuery(call);
    const kind = call.url.searchParams.get("laporan");
    const format = call.url.searchParams.get("format");
    if ((kind !== "tahunan" && kind !== "bulanan") || (format !== "csv" && format !== "xlsx"))
      throw new HttpError(
        400,
        "Pilih laporan=tahunan|bulanan dan format=csv|xlsx. / Choose laporan=tahunan|bulanan and format=csv|xlsx.",
      );
    const ctx = this.kit.ctx;
    const renderCtx = { lang: call.lang, regency: this.config.regency };
    const rendered =
      kind === "tahunan"
        ? yearlyViews(await yearlyOf(ctx, q.from, q.to, q.sort), renderCtx)
        : monthlyViews(await monthlyOf(ctx, q.month), renderCtx);
    const name =
      kind === "tahunan" ? `pantau-tahunan-${q.from}-${q.to}` : `pantau-bulanan-${q.month}`;
    const body =
      format === "xlsx" ? await renderXlsx(rendered, call.lang) : renderCsv(rendered, call.lang);
    return this.kit.answer(call, 200, body, {
      "content-type":
        format === "xlsx"
          ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          : "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}.${format}"`,
    });
  }

  async operations(call: Call, s: SignedIn): Promise<Answer> {
    if (!maySeeOperations(s.access)) return this.kit.forbidden(call, s, this.config.coordinator);
    const ops = await operationsOf(this.kit.deps, call.now);
    // Who used the pages: for admin tokens and the coordinator (operators), not leadership.
    const seesUsers = s.access.admin || s.access.roles.includes("coordinator");
    const signIns = seesUsers
      ? await recentSignIns(this.kit.ctx.db.knex, call.now - 7 * 86_400_000)
      : null;
    return this.kit.ok(
      call,
      <OperationsPage
        {...this.kit.frame(call, this.kit.viewerOf(s))}
        ops={ops}
        zone={this.config.defaultZone}
        signIns={signIns}
      />,
    );
  }

  /** The years, sort and month of /tren and /tren/unduh, or a 400 saying what to write. */
  private async trendsQuery(call: Call): Promise<TrendsQuery> {
    const span = await yearSpan(this.kit.ctx, call.now);
    const to = yearParam(call, "sampai", span.last);
    const from = yearParam(call, "dari", Math.max(span.first, to - 2));
    if (from > to)
      throw new HttpError(
        400,
        `Tahun awal ${from} sesudah tahun akhir ${to}. / First year ${from} is after last year ${to}.`,
      );
    if (to - from > 20)
      throw new HttpError(400, "Paling banyak 20 tahun sekaligus. / At most 20 years at once.");
    const sortRaw = call.url.searchParams.get("urut");
    const sort: YearlySort =
      sortRaw === "compliance" || sortRaw === "volume" ? sortRaw : "improvement";
    const monthRaw = call.url.searchParams.get("bulan");
    const month =
      monthRaw === null || monthRaw === "" ? monthOf(call.now, this.config.defaultZone) : monthRaw;
    if (!parseMonth(month))
      throw new HttpError(
        400,
        `Bulan "${month}" tidak valid: tulis yyyy-mm, mis. 2026-10. / Month "${month}" is invalid: write yyyy-mm, e.g. 2026-10.`,
      );
    return { from, to, sort, month };
  }
}

function yearParam(call: Call, name: string, fallback: number): number {
  const raw = call.url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  if (!/^\d{4}$/.test(raw) || Number(raw) < 2000 || Number(raw) > 2100)
    throw new HttpError(
      400,
      `Tahun "${raw}" tidak valid: tulis empat angka, mis. 2025. / Year "${raw}" is invalid: write four digits, e.g. 2025.`,
    );
  return Number(raw);
}
