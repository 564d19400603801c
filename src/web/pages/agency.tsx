// Detail OPD: who holds each role now and which are vacant, the agency's open clocks with state,
// due instant and how late (as `pantau status --opd`), its overdue reports with the LAPOR! link,
// its escalations of the last 30 days and its monthly compliance over the last 12 months.
import type { JSX } from "preact";
import { roleName } from "../../core/escalation/appointments.js";
import { formatBusinessAmount } from "../../core/format/index.js";
import { stateName } from "../../core/sla/clocks.js";
import { stageName } from "../../core/sla/explain.js";
import type { DurationUnit } from "../../core/types.js";
import { pick, type Lang } from "../../i18n/lang.js";
import { monthName } from "../../core/format/index.js";
import { ShareBars } from "../charts.js";
import type { AgencyDetail } from "../data.js";
import { countText, instantText, shareText, translator } from "../format.js";
import { Layout, type PageFrame } from "./layout.js";
import { KIND_NAMES } from "./summary.js";
import type { StatusRow } from "../../app/statusService.js";

/** "Mar 2026" / "Mar 2026": a short month label of "yyyy-mm". */
export function shortMonth(month: string, lang: Lang): string {
  const [y, m] = month.split("-").map(Number);
  return `${monthName(m ?? 1, lang).slice(0, 3)} ${String(y).slice(2)}`;
}

/** Time left or over, as `pantau status` writes it. */
export function marginText(r: StatusRow, lang: Lang): string {
  if (r.marginMs === null) return "–";
  const amount = formatBusinessAmount(Math.abs(r.marginMs), r.unit as DurationUnit, lang);
  return r.marginMs < 0
    ? pick(lang, { id: `lewat ${amount}`, en: `over ${amount}` })
    : pick(lang, { id: `sisa ${amount}`, en: `${amount} left` });
}

export function AgencyPage(
  p: PageFrame & { detail: AgencyDetail; reportUrl: (id: string) => string },
): JSX.Element {
  const t = translator(p.lang);
  const d = p.detail;
  const overdue = d.overdueRows;
  const overdueCount = d.counts.breached ?? 0;
  const more = (shown: number, total: number) =>
    total > shown ? (
      <p class="note">
        {t(
          `Menampilkan ${shown} dari ${countText(total, p.lang)}; semuanya: pantau status --opd ${d.code}.`,
          `Showing ${shown} of ${countText(total, p.lang)}; all of them: pantau status --opd ${d.code}.`,
        )}
      </p>
    ) : null;
  return (
    <Layout {...p} title={`${d.name} (${d.code})`} current="agency">
      <p class="asof">
        {pick(p.lang, KIND_NAMES[d.kind])} · {t("zona", "zone")} {d.zone} · {t("per", "as of")}{" "}
        {instantText(d.now, d.zone, p.lang)}
      </p>
      <section aria-labelledby="jabatan">
        <h2 id="jabatan">{t("Pejabat saat ini", "Officers now")}</h2>
        <div class="scroll" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("Peran", "Role")}</th>
                <th scope="col">{t("Nama", "Name")}</th>
                <th scope="col">{t("Sejak", "Since")}</th>
                <th scope="col">{t("SK", "Decree")}</th>
              </tr>
            </thead>
            <tbody>
              {d.roles.map((r) => (
                <tr key={r.role} data-role={r.role}>
                  <th scope="row">{pick(p.lang, roleName(r.role))}</th>
                  {r.holder ? (
                    <>
                      <td>{r.holder.name}</td>
                      <td>{instantText(r.holder.validFrom, d.zone, p.lang)}</td>
                      <td>{r.holder.decree}</td>
                    </>
                  ) : (
                    <td colSpan={3}>
                      <strong>
                        {t("✗ kosong (tidak ada pejabat)", "✗ vacant (nobody appointed)")}
                      </strong>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="terbuka">
        <h2 id="terbuka">
          {t("Jam SLA terbuka", "Open SLA clocks")} (
          <span data-figure="open-clocks" data-value={d.openCount}>
            {countText(d.openCount, p.lang)}
          </span>
          )
        </h2>
        {d.rows.length === 0 ? (
          <p>{t("Tidak ada jam SLA yang terbuka.", "No open SLA clocks.")}</p>
        ) : (
          <div class="scroll" tabIndex={0}>
            <table class="clocks">
              <thead>
                <tr>
                  <th scope="col">{t("ID tracking", "Tracking ID")}</th>
                  <th scope="col">{t("Tahap", "Stage")}</th>
                  <th scope="col">{t("Status", "State")}</th>
                  <th scope="col">{t("Jatuh tempo", "Due")}</th>
                  <th scope="col">{t("Selisih", "Over / left")}</th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => (
                  <tr
                    key={`${r.trackingId}|${r.stage}|${r.seq}`}
                    data-tracking={r.trackingId}
                    data-state={r.state}
                  >
                    <td>
                      <a href={`/laporan/${encodeURIComponent(r.trackingId)}`}>{r.trackingId}</a>
                    </td>
                    <td>
                      {pick(p.lang, stageName(r.stage))}
                      {r.seq > 1 ? ` #${r.seq}` : ""}
                    </td>
                    <td class={`state-${r.state}`}>
                      {pick(p.lang, stateName(r.state, r.awaitingReporter))}
                    </td>
                    <td>{instantText(r.dueAt, r.zone, p.lang)}</td>
                    <td>{marginText(r, p.lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {more(d.rows.length, d.openCount)}
      </section>
      <section aria-labelledby="terlambat">
        <h2 id="terlambat">
          {t("Laporan terlambat", "Overdue reports")} (
          <span data-figure="overdue-clocks" data-value={overdueCount}>
            {countText(overdueCount, p.lang)}
          </span>
          )
        </h2>
        {overdueCount === 0 ? (
          <p>{t("Tidak ada laporan yang terlambat.", "No overdue reports.")}</p>
        ) : (
          <ul class="compact">
            {overdue.map((r) => (
              <li key={`${r.trackingId}|${r.stage}|${r.seq}`}>
                <a href={`/laporan/${encodeURIComponent(r.trackingId)}`}>{r.trackingId}</a> ·{" "}
                {pick(p.lang, stageName(r.stage))} · {t("jatuh tempo", "due")}{" "}
                {instantText(r.dueAt, r.zone, p.lang)} · {marginText(r, p.lang)} ·{" "}
                <a href={p.reportUrl(r.trackingId)} rel="noreferrer">
                  {t("buka di LAPOR!", "open in LAPOR!")}
                </a>
              </li>
            ))}
          </ul>
        )}
        {more(overdue.length, overdueCount)}
      </section>
      <section aria-labelledby="eskalasi">
        <h2 id="eskalasi">{t("Eskalasi 30 hari terakhir", "Escalations of the last 30 days")}</h2>
        {d.escalations.length === 0 ? (
          <p>{t("Tidak ada eskalasi.", "No escalations.")}</p>
        ) : (
          <div class="scroll" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("Diputuskan", "Decided")}</th>
                  <th scope="col">{t("ID tracking", "Tracking ID")}</th>
                  <th scope="col">{t("Tahap", "Stage")}</th>
                  <th scope="col" class="num">
                    {t("Tingkat", "Level")}
                  </th>
                  <th scope="col">{t("Status", "Status")}</th>
                </tr>
              </thead>
              <tbody>
                {d.escalations.map((e) => (
                  <tr key={`${e.trackingId}|${e.stage}|${e.level}|${e.decidedAt}`}>
                    <td>{instantText(e.decidedAt, d.zone, p.lang)}</td>
                    <td>
                      <a href={`/laporan/${encodeURIComponent(e.trackingId)}`}>{e.trackingId}</a>
                    </td>
                    <td>{pick(p.lang, stageName(e.stage))}</td>
                    <td class="num">{e.level}</td>
                    <td>{escalationStatus(e.status, e.sentAt, d.zone, p.lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="bulanan">
        <h2 id="bulanan">
          {t("Kepatuhan bulanan, 12 bulan terakhir", "Monthly compliance, last 12 months")}
        </h2>
        <ShareBars
          title={t(`Kepatuhan bulanan ${d.name}`, `Monthly compliance of ${d.name}`)}
          bars={d.months.map((m) => ({
            label: shortMonth(m.month, p.lang),
            value: m.figures.compliance.share,
            text: shareText(m.figures.compliance.share, p.lang),
          }))}
        />
        <div class="scroll" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("Bulan", "Month")}</th>
                <th scope="col" class="num">
                  {t("Diterima", "Received")}
                </th>
                <th scope="col" class="num">
                  {t("Tepat waktu", "On time")}
                </th>
                <th scope="col" class="num">
                  {t("Terlambat", "Late")}
                </th>
                <th scope="col" class="num">
                  {t("Kepatuhan", "Compliance")}
                </th>
              </tr>
            </thead>
            <tbody>
              {d.months.map((m) => (
                <tr key={m.month} data-month={m.month}>
                  <th scope="row">{m.month}</th>
                  <td class="num">{countText(m.figures.received, p.lang)}</td>
                  <td class="num">{countText(m.figures.compliance.met, p.lang)}</td>
                  <td class="num">{countText(m.figures.compliance.breached, p.lang)}</td>
                  <td class="num" data-value={m.figures.compliance.share ?? ""}>
                    {shareText(m.figures.compliance.share, p.lang)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </Layout>
  );
}

function escalationStatus(status: string, sentAt: number | null, zone: string, lang: Lang): string {
  const names: Record<string, { id: string; en: string }> = {
    pending: { id: "menunggu dikirim", en: "pending" },
    sent: { id: "terkirim", en: "sent" },
    superseded: { id: "dilampaui tingkat berikutnya", en: "superseded" },
    cancelled: { id: "dibatalkan", en: "cancelled" },
  };
  const name = pick(lang, names[status] ?? { id: status, en: status });
  return sentAt === null ? name : `${name} ${instantText(sentAt, zone, lang)}`;
}
