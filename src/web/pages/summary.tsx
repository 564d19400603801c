// Ringkasan kabupaten: the regency's compliance (all time, last 30 days, this month), open / at
// risk / overdue by stage, the ranking of every agency (sortable and filterable by kind through
// links and a GET form: no script), agencies without a liaison, inactive agencies, SOP adoption
// and the calendar coverage warning. Also the public page (web.public) in a reduced form: no
// link to agency pages, nothing but aggregates.
import type { JSX } from "preact";
import type { AgencyKind, Stage } from "../../core/types.js";
import { stageName } from "../../core/sla/explain.js";
import { pick, type Lang } from "../../i18n/lang.js";
import type { AgencyRank, Summary } from "../data.js";
import { STAGES } from "../data.js";
import { countText, instantText, shareText, translator } from "../format.js";
import { Figure, Layout, type PageFrame } from "./layout.js";

export const KIND_NAMES: Record<AgencyKind, { id: string; en: string }> = {
  sekretariat: { id: "Sekretariat", en: "Secretariat" },
  inspektorat: { id: "Inspektorat", en: "Inspectorate" },
  badan: { id: "Badan", en: "Agency (badan)" },
  dinas: { id: "Dinas", en: "Service (dinas)" },
  satpol: { id: "Satpol PP", en: "Civil police" },
  rsud: { id: "RSUD", en: "Regional hospital" },
  kecamatan: { id: "Kecamatan", en: "District (kecamatan)" },
  kelurahan: { id: "Kelurahan", en: "Urban village (kelurahan)" },
};

export const SORT_KEYS = [
  "peringkat",
  "bulan",
  "30hari",
  "semua",
  "terbuka",
  "terlambat",
  "nama",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface RankingQuery {
  sort: SortKey;
  descending: boolean;
  kind: AgencyKind | null;
  /** 1-based page of RANKING_PAGE rows. */
  page: number;
}

/** Ranking rows per page (84 agencies fit one page; 700 nationally take seven). */
export const RANKING_PAGE = 100;
/** Names listed under "needs attention" before "and N more". */
const LIST_MAX = 25;

/** The ranking options of a URL; unknown values fall back to the defaults (never an error). */
export function rankingQuery(url: URL): RankingQuery {
  const sort = url.searchParams.get("urut");
  const kind = url.searchParams.get("jenis");
  const key: SortKey = (SORT_KEYS as readonly string[]).includes(sort ?? "")
    ? (sort as SortKey)
    : "peringkat";
  const dir = url.searchParams.get("arah");
  const page = Number(url.searchParams.get("hal") ?? "1");
  return {
    sort: key,
    descending: dir === null ? key !== "peringkat" && key !== "nama" : dir === "turun",
    kind: kind !== null && kind in KIND_NAMES ? (kind as AgencyKind) : null,
    page: Number.isInteger(page) && page >= 1 && page <= 1000 ? page : 1,
  };
}

function sortValue(a: AgencyRank, key: SortKey): number | string | null {
  switch (key) {
    case "peringkat":
      return a.monthRank;
    case "bulan":
      return a.month.share;
    case "30hari":
      return a.last30.share;
    case "semua":
      return a.allTime.share;
    case "terbuka":
      return a.open;
    case "terlambat":
      return a.overdue;
    case "nama":
      return a.name;
  }
}

/** The agencies of the ranking in the asked order; empty values (–) always last. */
export function rankAgencies(agencies: readonly AgencyRank[], q: RankingQuery): AgencyRank[] {
  const rows = agencies.filter((a) => q.kind === null || a.kind === q.kind);
  return rows.sort((a, b) => {
    const x = sortValue(a, q.sort);
    const y = sortValue(b, q.sort);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) {
      const c = typeof x === "string" ? x.localeCompare(String(y), "id") : x - (y as number);
      return q.descending ? -c : c;
    }
    return a.code.localeCompare(b.code);
  });
}

function SortHeader(props: {
  url: URL;
  q: RankingQuery;
  key_: SortKey;
  label: string;
  lang: Lang;
}) {
  const active = props.q.sort === props.key_;
  const params = new URLSearchParams(props.url.searchParams);
  params.set("urut", props.key_);
  const nextDescending = active
    ? !props.q.descending
    : props.key_ !== "peringkat" && props.key_ !== "nama";
  params.set("arah", nextDescending ? "turun" : "naik");
  params.delete("lang");
  params.delete("hal");
  const sortState = active ? (props.q.descending ? "descending" : "ascending") : undefined;
  const t = translator(props.lang);
  return (
    <th scope="col" aria-sort={sortState}>
      <a href={`?${params.toString()}#peringkat`} data-sort={props.key_}>
        {props.label}
        {active ? (props.q.descending ? " ▼" : " ▲") : ""}
        <span class="sr">
          {active
            ? props.q.descending
              ? t(" (urut menurun)", " (sorted descending)")
              : t(" (urut menaik)", " (sorted ascending)")
            : t(" (urutkan)", " (sort)")}
        </span>
      </a>
    </th>
  );
}

export interface SummaryProps extends PageFrame {
  summary: Summary;
  zone: string;
  inactiveDays: number;
  /** Whether a row links to the agency's page (public page: never). */
  agencyLink: (code: string) => boolean;
  publicPage?: boolean;
}

export function SummaryPage(p: SummaryProps): JSX.Element {
  const t = translator(p.lang);
  const s = p.summary;
  const q = rankingQuery(p.url);
  const ranked = rankAgencies(s.agencies, q);
  const pages = Math.max(1, Math.ceil(ranked.length / RANKING_PAGE));
  const pageNo = Math.min(q.page, pages);
  const rows = ranked.slice((pageNo - 1) * RANKING_PAGE, pageNo * RANKING_PAGE);
  const pageHref = (n: number): string => {
    const params = new URLSearchParams(p.url.searchParams);
    params.set("hal", String(n));
    params.delete("lang");
    return `?${params.toString()}#peringkat`;
  };
  const shortList = (list: AgencyRank[], name: string, line: (a: AgencyRank) => string) => (
    <>
      <ul class="compact" data-list={name}>
        {list.slice(0, LIST_MAX).map((a) => (
          <li key={a.code}>
            {line(a)} <span class="code">{a.code}</span>
          </li>
        ))}
      </ul>
      {list.length > LIST_MAX ? (
        <p class="note">
          {t(`… dan ${list.length - LIST_MAX} lainnya.`, `… and ${list.length - LIST_MAX} more.`)}
        </p>
      ) : null}
    </>
  );
  const c = s.compliance;
  const detail = (o: { met: number; breached: number }) =>
    t(
      `${countText(o.met, p.lang)} tepat waktu dari ${countText(o.met + o.breached, p.lang)} tahap`,
      `${countText(o.met, p.lang)} on time of ${countText(o.met + o.breached, p.lang)} stages`,
    );
  const withoutLiaison = s.agencies.filter((a) => !a.hasLiaison);
  const inactive = s.agencies.filter((a) => a.inactive);
  const title = p.publicPage
    ? t("Kepatuhan tindak lanjut pengaduan", "Complaint follow-up compliance")
    : t("Ringkasan kabupaten", "Regency summary");
  return (
    <Layout {...p} title={title} current={p.publicPage ? "public" : "summary"}>
      <p class="asof">
        {t("Per", "As of")} {instantText(s.now, p.zone, p.lang)}
      </p>
      {s.calendarMissingYear !== null ? (
        <p class="warning" role="alert">
          <strong>{t("Peringatan: ", "Warning: ")}</strong>
          {t(
            `hari libur ${s.calendarMissingYear} belum dimuat (SKB 3 Menteri); batas waktu sesudah 31 Desember dihitung tanpa hari libur. Tambahkan config/holidays/${s.calendarMissingYear}.yaml.`,
            `the ${s.calendarMissingYear} holidays are not loaded (joint ministerial decree); deadlines after 31 December are computed without holidays. Add config/holidays/${s.calendarMissingYear}.yaml.`,
          )}
        </p>
      ) : null}
      <section aria-labelledby="kepatuhan">
        <h2 id="kepatuhan">{t("Kepatuhan (semua tahap)", "Compliance (all stages)")}</h2>
        <div class="figures">
          <Figure
            name="compliance-all"
            value={c.allTime.share}
            text={shareText(c.allTime.share, p.lang)}
            label={t("Sepanjang waktu", "All time")}
            detail={detail(c.allTime)}
          />
          <Figure
            name="compliance-30d"
            value={c.last30.share}
            text={shareText(c.last30.share, p.lang)}
            label={t("30 hari terakhir", "Last 30 days")}
            detail={detail(c.last30)}
          />
          <Figure
            name="compliance-month"
            value={c.month.share}
            text={shareText(c.month.share, p.lang)}
            label={t(`Bulan ini (${s.month})`, `This month (${s.month})`)}
            detail={detail(c.month)}
          />
        </div>
      </section>
      <section aria-labelledby="tahap">
        <h2 id="tahap">{t("Laporan terbuka per tahap", "Open reports by stage")}</h2>
        <div class="scroll" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("Tahap", "Stage")}</th>
                <th scope="col" class="num">
                  {t("Terbuka", "Open")}
                </th>
                <th scope="col" class="num">
                  {t("Berisiko", "At risk")}
                </th>
                <th scope="col" class="num">
                  {t("Terlambat", "Overdue")}
                </th>
              </tr>
            </thead>
            <tbody>
              {STAGES.map((stage: Stage) => (
                <tr key={stage}>
                  <th scope="row">{pick(p.lang, stageName(stage))}</th>
                  <td class="num" data-figure={`open-${stage}`} data-value={s.stages[stage].open}>
                    {countText(s.stages[stage].open, p.lang)}
                  </td>
                  <td
                    class="num"
                    data-figure={`atrisk-${stage}`}
                    data-value={s.stages[stage].atRisk}
                  >
                    {countText(s.stages[stage].atRisk, p.lang)}
                  </td>
                  <td
                    class="num"
                    data-figure={`overdue-${stage}`}
                    data-value={s.stages[stage].overdue}
                  >
                    {countText(s.stages[stage].overdue, p.lang)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="peringkat">
        <h2 id="peringkat">
          {t(`Peringkat ${s.agencies.length} OPD`, `Ranking of ${s.agencies.length} agencies`)}
        </h2>
        <form method="get" action={p.url.pathname} class="filter">
          <label for="jenis">{t("Jenis OPD", "Agency kind")}</label>
          <select id="jenis" name="jenis">
            <option value="">{t("Semua", "All")}</option>
            {(Object.keys(KIND_NAMES) as AgencyKind[]).map((k) => (
              <option key={k} value={k} selected={q.kind === k}>
                {pick(p.lang, KIND_NAMES[k])}
              </option>
            ))}
          </select>
          <input type="hidden" name="urut" value={q.sort} />
          <input type="hidden" name="arah" value={q.descending ? "turun" : "naik"} />
          <button type="submit">{t("Tampilkan", "Show")}</button>
        </form>
        <p class="note">
          {t(
            "Peringkat bulan ini menurut kepatuhan semua tahap (seperti pantau report monthly); – berarti belum ada tahap yang selesai diukur.",
            "This month's rank by compliance of all stages (as pantau report monthly); – means no stage was measured yet.",
          )}
        </p>
        <div class="scroll" tabIndex={0}>
          <table class="ranking" data-rows={ranked.length}>
            <thead>
              <tr>
                <SortHeader url={p.url} q={q} key_="peringkat" label="#" lang={p.lang} />
                <SortHeader
                  url={p.url}
                  q={q}
                  key_="nama"
                  label={t("OPD", "Agency")}
                  lang={p.lang}
                />
                <th scope="col">{t("Jenis", "Kind")}</th>
                <SortHeader
                  url={p.url}
                  q={q}
                  key_="bulan"
                  label={t("Bulan ini", "This month")}
                  lang={p.lang}
                />
                <SortHeader
                  url={p.url}
                  q={q}
                  key_="30hari"
                  label={t("30 hari", "30 days")}
                  lang={p.lang}
                />
                <SortHeader
                  url={p.url}
                  q={q}
                  key_="semua"
                  label={t("Sepanjang waktu", "All time")}
                  lang={p.lang}
                />
                <SortHeader
                  url={p.url}
                  q={q}
                  key_="terbuka"
                  label={t("Terbuka", "Open")}
                  lang={p.lang}
                />
                <SortHeader
                  url={p.url}
                  q={q}
                  key_="terlambat"
                  label={t("Terlambat", "Overdue")}
                  lang={p.lang}
                />
                {p.publicPage ? null : <th scope="col">{t("Penghubung", "Liaison")}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.code} data-opd={a.code}>
                  <td class="num">{a.monthRank ?? "–"}</td>
                  <th scope="row">
                    {p.agencyLink(a.code) ? (
                      <a href={`/opd/${encodeURIComponent(a.code)}`}>{a.name}</a>
                    ) : (
                      a.name
                    )}
                    <span class="code">{a.code}</span>
                  </th>
                  <td>{pick(p.lang, KIND_NAMES[a.kind])}</td>
                  <td class="num" data-col="bulan" data-value={a.month.share ?? ""}>
                    {shareText(a.month.share, p.lang)}
                  </td>
                  <td class="num" data-col="30hari" data-value={a.last30.share ?? ""}>
                    {shareText(a.last30.share, p.lang)}
                  </td>
                  <td class="num" data-col="semua" data-value={a.allTime.share ?? ""}>
                    {shareText(a.allTime.share, p.lang)}
                  </td>
                  <td class="num" data-col="terbuka" data-value={a.open}>
                    {countText(a.open, p.lang)}
                  </td>
                  <td class="num" data-col="terlambat" data-value={a.overdue}>
                    {countText(a.overdue, p.lang)}
                  </td>
                  {p.publicPage ? null : (
                    <td>
                      {a.hasLiaison ? (
                        t("✓ ada", "✓ yes")
                      ) : (
                        <strong>{t("✗ kosong", "✗ vacant")}</strong>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {pages > 1 ? (
          <nav class="pager" aria-label={t("Halaman peringkat", "Ranking pages")}>
            {t("Halaman:", "Page:")}{" "}
            {Array.from({ length: pages }, (_, i) => i + 1).map((n) =>
              n === pageNo ? (
                <strong key={n} aria-current="page">
                  {n}
                </strong>
              ) : (
                <a key={n} href={pageHref(n)}>
                  {n}
                </a>
              ),
            )}
          </nav>
        ) : null}
      </section>
      {p.publicPage ? null : (
        <section aria-labelledby="perhatian" class="columns">
          <h2 id="perhatian">{t("Perlu perhatian", "Needs attention")}</h2>
          <div>
            <h3>
              {t("OPD tanpa pejabat penghubung", "Agencies without a liaison officer")} (
              {withoutLiaison.length})
            </h3>
            {withoutLiaison.length === 0 ? (
              <p>
                {t("Semua OPD memiliki pejabat penghubung.", "Every agency has a liaison officer.")}
              </p>
            ) : (
              shortList(withoutLiaison, "without-liaison", (x) => x.name)
            )}
          </div>
          <div>
            <h3>
              {t(
                `OPD tidak aktif (ada laporan terbuka, tanpa jawaban ${p.inactiveDays} hari)`,
                `Inactive agencies (open reports, no answer for ${p.inactiveDays} days)`,
              )}{" "}
              ({inactive.length})
            </h3>
            {inactive.length === 0 ? (
              <p>{t("Tidak ada.", "None.")}</p>
            ) : (
              shortList(inactive, "inactive", (x) =>
                x.lastResponseAt === null
                  ? `${x.name} — ${t("belum pernah menjawab", "never answered")}`
                  : `${x.name} — ${t("terakhir menjawab", "last answered")} ${instantText(x.lastResponseAt, p.zone, p.lang)}`,
              )
            )}
          </div>
          <div>
            <h3>{t("Adopsi SOP", "SOP adoption")}</h3>
            <p data-figure="sop-own" data-value={s.sop.own}>
              {t(
                `${s.sop.own} dari ${s.sop.total} OPD memiliki SOP SP4N-LAPOR! sendiri; lainnya memakai SOP kabupaten.`,
                `${s.sop.own} of ${s.sop.total} agencies have their own SP4N-LAPOR! SOP; the others follow the regency's.`,
              )}
            </p>
          </div>
        </section>
      )}
    </Layout>
  );
}
