// Rendering of command results for people (tables, text) in the configured language.
import { formatBusinessAmount, formatIsoLocal, formatLocal } from "../core/format/index.js";
import { stateName } from "../core/sla/clocks.js";
import type { DurationUnit } from "../core/types.js";
import { pick, type Bilingual, type Lang } from "../i18n/lang.js";
import type { StatusView } from "../app/statusService.js";
import { renderTable } from "../core/format/table.js";

const STAGE_NAMES: Record<string, Bilingual> = {
  verification: { id: "verifikasi", en: "verification" },
  first_response: { id: "respons pertama", en: "first response" },
  resolution: { id: "penyelesaian", en: "resolution" },
};

export function renderStatus(view: StatusView, lang: Lang): string {
  if (view.rows.length === 0) {
    return pick(lang, { id: "Tidak ada jam SLA yang terbuka.", en: "No open SLA clocks." });
  }
  const headers =
    lang === "en"
      ? ["TRACKING ID", "AGENCY", "STAGE", "STATE", "DUE", "OVER/UNDER"]
      : ["ID TRACKING", "OPD", "TAHAP", "STATUS", "JATUH TEMPO", "SELISIH"];
  const rows = view.rows.map((r) => [
    r.trackingId,
    r.opd,
    pick(lang, STAGE_NAMES[r.stage] ?? { id: r.stage, en: r.stage }) +
      (r.seq > 1 ? ` #${r.seq}` : ""),
    pick(lang, stateName(r.state, r.awaitingReporter)),
    r.dueAt === null ? "-" : formatIsoLocal(r.dueAt, r.zone),
    r.marginMs === null
      ? "-"
      : (r.marginMs < 0
          ? pick(lang, { id: "lewat ", en: "over " })
          : pick(lang, { id: "sisa ", en: "left " })) +
        formatBusinessAmount(Math.abs(r.marginMs), r.unit as DurationUnit, lang),
  ]);
  const c = view.counts;
  const awaiting = view.rows.filter((r) => r.state === "breached" && r.awaitingReporter).length;
  const breached =
    awaiting === 0
      ? { id: `${c.breached} terlambat`, en: `${c.breached} breached` }
      : {
          id: `${c.breached} terlambat (${awaiting} sedang menunggu pelapor)`,
          en: `${c.breached} breached (${awaiting} awaiting the reporter)`,
        };
  const summary = pick(lang, {
    id: `${view.rows.length} jam terbuka: ${c.on_track} sesuai jadwal, ${c.at_risk} berisiko, ${breached.id}, ${c.paused} dijeda (per ${formatLocal(view.now, view.rows[0]?.zone ?? "Asia/Jakarta", lang)}).`,
    en: `${view.rows.length} open clocks: ${c.on_track} on track, ${c.at_risk} at risk, ${breached.en}, ${c.paused} paused (as of ${formatLocal(view.now, view.rows[0]?.zone ?? "Asia/Jakarta", lang)}).`,
  });
  return `${renderTable(headers, rows)}\n\n${summary}`;
}

/** JSON for scripts: instants as ISO strings with the local offset. */
export function statusJson(view: StatusView): unknown {
  return {
    now: new Date(view.now).toISOString(),
    counts: view.counts,
    clocks: view.rows.map((r) => ({
      trackingId: r.trackingId,
      opd: r.opd,
      stage: r.stage,
      seq: r.seq,
      state: r.state,
      awaitingReporter: r.awaitingReporter,
      dueAt: r.dueAt === null ? null : formatIsoLocal(r.dueAt, r.zone),
      atRiskAt: r.atRiskAt === null ? null : formatIsoLocal(r.atRiskAt, r.zone),
      marginMs: r.marginMs,
      unit: r.unit,
    })),
  };
}
