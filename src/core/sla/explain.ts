// `pantau explain TRACKING_ID`: a report's history and each clock step by step, in words an
// officer understands (Indonesian by default, English on request). Pure.
import { pick, type Bilingual, type Lang } from "../../i18n/lang.js";
import type { BusinessCalendar } from "../calendar/index.js";
import {
  formatBusinessAmount,
  formatDurationText,
  formatLocal,
  formatLocalDate,
} from "../format/index.js";
import type { Instant, LocalDate, Report, ReportEvent, SlaClock, Stage } from "../types.js";
import { unitMs } from "../calendar/index.js";
import {
  eventName,
  isAwaitingReporter,
  pauseBeganAfterDue,
  type ClockContext,
  type ClockDerivation,
  type ClockDetail,
} from "./clocks.js";
import { RECORDING_NOTE_THRESHOLD_MS } from "./recording.js";
import { resolutionTarget } from "./sop.js";

/** Optional extras for explanations. */
export interface ExplainContext extends ClockContext {
  /** Agency name for people ("Dinas Kesehatan"); the code is shown when absent. */
  agencyName?(opd: string): string | undefined;
  /** When and by what source an event was recorded (audit), if known. */
  recording?(event: ReportEvent): { recordedAt: Instant; source: string } | undefined;
}

/** One fact; `key` is stable for machines and tests (e.g. "due", "holidays"), `text` for people. */
export interface ExplainLine {
  key: string;
  text: string;
}

export interface ExplainSection {
  /** "report", "history", "clock:<stage>:<seq>", "warnings". */
  key: string;
  title: string;
  lines: ExplainLine[];
}

export interface ExplainDocument {
  trackingId: string;
  lang: Lang;
  now: Instant;
  title: string;
  sections: ExplainSection[];
}

const STAGE_NAMES: Record<Stage, Bilingual> = {
  verification: { id: "Verifikasi dan disposisi", en: "Verification and disposition" },
  first_response: { id: "Respons pertama", en: "First response" },
  resolution: { id: "Penyelesaian", en: "Resolution" },
};

/** Name of a stage for people ("Respons pertama"), in both languages. */
export function stageName(stage: Stage): Bilingual {
  return STAGE_NAMES[stage];
}

const TYPE_NAMES: Record<Report["type"], Bilingual> = {
  pengaduan: { id: "pengaduan", en: "complaint" },
  aspirasi: { id: "aspirasi", en: "suggestion" },
  permintaan_informasi: { id: "permintaan informasi", en: "information request" },
};

const COMPLEXITY_NAMES: Record<Report["complexity"], Bilingual> = {
  ringan: { id: "ringan", en: "light" },
  normatif: { id: "normatif", en: "normative" },
  tidak_berkadar_pengawasan: {
    id: "tidak berkadar pengawasan",
    en: "without supervisory content",
  },
  berkadar_pengawasan: { id: "berkadar pengawasan", en: "with supervisory content" },
  unknown: { id: "belum ditentukan", en: "not determined" },
};

/** Guard for date walks: never look at more than ten years of days. */
const MAX_DAYS = 3660;

function addDays(date: LocalDate, days: number): LocalDate {
  const ms = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** What every line is written with: the language and agency names for people. */
interface Words {
  lang: Lang;
  /** The Indonesian or the English text, in the explanation's language. */
  t(id: string, en: string): string;
  /** "Dinas Kesehatan (dinkes)", or the code when the name is unknown. */
  agency(opd: string): string;
}

/** Explains a report: its history, then each clock of `result` step by step. */
export function explainReport(
  report: Report,
  events: readonly ReportEvent[],
  result: ClockDerivation,
  ctx: ExplainContext,
  now: Instant,
  lang: Lang,
): ExplainDocument {
  const words: Words = {
    lang,
    t: (id, en) => (lang === "en" ? en : id),
    agency: (opd) => {
      const name = ctx.agencyName?.(opd);
      return name ? `${name} (${opd})` : opd;
    },
  };
  const { t } = words;
  const homeZone = ctx.calendarFor(ctx.coordinatorOpd).spec.zone;

  const sections: ExplainSection[] = [
    {
      key: "report",
      title: t(`Laporan ${report.trackingId}`, `Report ${report.trackingId}`),
      lines: reportLines(report, words, homeZone),
    },
    {
      key: "history",
      title: t("Riwayat", "History"),
      lines: historyLines(events, ctx, words, homeZone),
    },
  ];

  result.clocks.forEach((clock, i) => {
    const detail = result.details[i];
    if (!detail) return;
    sections.push(explainClock(report, clock, detail, ctx, now, words));
  });

  if (result.warnings.length > 0) {
    sections.push({
      key: "warnings",
      title: t("Peringatan data", "Data warnings"),
      lines: result.warnings.map((w) => ({
        key: `warning:${w.code}`,
        text: `${formatLocal(w.at, homeZone, lang)} — ${pick(lang, w.message)}`,
      })),
    });
  }

  return {
    trackingId: report.trackingId,
    lang,
    now,
    title: t(
      `Penjelasan tenggat laporan ${report.trackingId} per ${formatLocal(now, homeZone, lang)}`,
      `Deadline explanation for report ${report.trackingId} as of ${formatLocal(now, homeZone, lang)}`,
    ),
    sections,
  };
}

/** The report itself: type (and complexity of a complaint), receipt, current agency. */
function reportLines(report: Report, words: Words, homeZone: string): ExplainLine[] {
  const { t, lang, agency } = words;
  return [
    {
      key: "type",
      text:
        t("Jenis: ", "Type: ") +
        pick(lang, TYPE_NAMES[report.type]) +
        (report.type === "pengaduan"
          ? t(", kompleksitas ", ", complexity ") + pick(lang, COMPLEXITY_NAMES[report.complexity])
          : ""),
    },
    {
      key: "received",
      text: t("Diterima ", "Received ") + formatLocal(report.receivedAt, homeZone, lang),
    },
    {
      key: "opd",
      text:
        t("Perangkat daerah saat ini: ", "Current agency: ") +
        (report.opd ? agency(report.opd) : t("belum didisposisikan", "not yet dispositioned")),
    },
  ];
}

/** The events in order of `at`, each with its agency and, when recorded late, its recording. */
function historyLines(
  events: readonly ReportEvent[],
  ctx: ExplainContext,
  words: Words,
  homeZone: string,
): ExplainLine[] {
  const { t, lang, agency } = words;
  const history: ExplainLine[] = [...events]
    .sort((a, b) => a.at - b.at)
    .map((e) => {
      const when = Number.isFinite(e.at) ? formatLocal(e.at, homeZone, lang) : "?";
      let what = pick(lang, eventName(e.kind));
      what = what.charAt(0).toUpperCase() + what.slice(1);
      if (e.opd && (e.kind === "disposed" || e.kind === "redisposed")) {
        what += t(" ke ", " to ") + agency(e.opd);
      } else if (e.opd) {
        what += ` (${agency(e.opd)})`;
      }
      // Recorded well after (or before) it happened: say when and by what, for the audit.
      const recording = ctx.recording?.(e);
      if (recording && Math.abs(recording.recordedAt - e.at) > RECORDING_NOTE_THRESHOLD_MS) {
        what +=
          t(" — dicatat ", " — recorded ") +
          `${formatLocal(recording.recordedAt, homeZone, lang)} (${recording.source})`;
      }
      return { key: `event:${e.kind}`, text: `${when} — ${what}` };
    });
  if (history.length === 0) {
    history.push({ key: "none", text: t("Belum ada peristiwa.", "No events yet.") });
  }
  return history;
}

/** The words of one clock: `at` a local time, `amount` business time in the clock's unit. */
interface ClockWords extends Words {
  cal: BusinessCalendar;
  at(x: Instant): string;
  amount(ms: number): string;
}

/** One clock step by step: start, target, counting, skipped days, pauses, due, stop, status. */
function explainClock(
  report: Report,
  clock: SlaClock,
  detail: ClockDetail,
  ctx: ExplainContext,
  now: Instant,
  words: Words,
): ExplainSection {
  const { t, lang, agency } = words;
  const cal = ctx.calendarFor(clock.opd);
  const w: ClockWords = {
    ...words,
    cal,
    at: (x) => formatLocal(x, cal.spec.zone, lang),
    amount: (ms) => formatBusinessAmount(ms, clock.target.unit, lang),
  };
  const lines: ExplainLine[] = [
    startLine(clock, detail, w),
    targetLine(report, clock, detail, w),
    countingLine(clock, w),
    ...skippedDayLines(clock, now, w),
    ...pauseLines(clock, now, w),
    ...dueLines(clock, w),
    ...stopLines(clock, detail, w),
    statusLine(clock, w),
  ];
  const ordinal = clock.stage === "verification" ? "" : t(` (ke-${clock.seq})`, ` (#${clock.seq})`);
  return {
    key: `clock:${clock.stage}:${clock.seq}`,
    title: `${pick(lang, STAGE_NAMES[clock.stage])}${ordinal} — ${agency(clock.opd)}`,
    lines,
  };
}

/** When the clock started, and by what: receipt, disposition or re-disposition. */
function startLine(clock: SlaClock, detail: ClockDetail, w: ClockWords): ExplainLine {
  const { t, at, agency } = w;
  const cause =
    detail.startedBy === "received"
      ? t("saat laporan diterima", "when the report was received")
      : detail.startedBy === "redisposed" || clock.seq > 1
        ? t(
            `saat disposisi ulang ke ${agency(clock.opd)}`,
            `at the re-disposition to ${agency(clock.opd)}`,
          )
        : t(`saat disposisi ke ${agency(clock.opd)}`, `at the disposition to ${agency(clock.opd)}`);
  return {
    key: "start",
    text: t(`Dimulai ${at(clock.startedAt)} ${cause}`, `Started ${at(clock.startedAt)} ${cause}`),
  };
}

/** The target under its SOP version, with an information request's extension when applied. */
function targetLine(
  report: Report,
  clock: SlaClock,
  detail: ClockDetail,
  w: ClockWords,
): ExplainLine {
  const { t, at, lang } = w;
  const sop = detail.sop;
  const since = formatLocalDate(sop.effectiveFrom, lang, false);
  const sopText =
    sop.sopId === "default"
      ? t(`SOP default (berlaku sejak ${since})`, `the default SOP (in force since ${since})`)
      : t(
          `SOP ${sop.sopId} "${sop.title}" (versi berlaku sejak ${since})`,
          `SOP ${sop.sopId} "${sop.title}" (version in force since ${since})`,
        );
  let targetText = t(
    `Tenggat ${formatDurationText(clock.target, lang)} menurut ${sopText}`,
    `Target ${formatDurationText(clock.target, lang)} under ${sopText}`,
  );
  if (detail.extendedAt !== null) {
    const ext = sop.targets.resolution.permintaan_informasi_extension;
    const base = resolutionTarget(sop.targets, report, false);
    targetText += t(
      `, yaitu ${formatDurationText(base, lang)} ditambah perpanjangan ${formatDurationText(ext, lang)} (${at(detail.extendedAt)})`,
      `, i.e. ${formatDurationText(base, lang)} plus an extension of ${formatDurationText(ext, lang)} (${at(detail.extendedAt)})`,
    );
  }
  return { key: "target", text: targetText };
}

/** How counting works in the clock's unit: working days, calendar days or office hours. */
function countingLine(clock: SlaClock, w: ClockWords): ExplainLine {
  const { t, at, cal } = w;
  const unit = clock.target.unit;
  const startDate = cal.localDate(clock.startedAt);
  const dayOf =
    clock.stage === "verification"
      ? t("hari penerimaan", "the day of receipt")
      : t("hari disposisi", "the day of disposition");
  if (unit === "wd") {
    const first = cal.startOfLocalDate(cal.nextWorkingDate(startDate));
    return {
      key: "count_start",
      text: t(
        `Hitungan dimulai ${at(first)} (${dayOf} tidak dihitung)`,
        `Counting starts ${at(first)} (${dayOf} is not counted)`,
      ),
    };
  }
  if (unit === "d") {
    const first = cal.startOfLocalDate(addDays(startDate, 1));
    return {
      key: "count_start",
      text: t(
        `Hitungan hari kalender dimulai ${at(first)} (${dayOf} tidak dihitung; hari libur tetap dihitung)`,
        `Calendar days are counted from ${at(first)} (${dayOf} is not counted; holidays count)`,
      ),
    };
  }
  const hhmm = (m: number): string =>
    `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  const hours = `${hhmm(cal.spec.officeOpenMinute)}–${hhmm(cal.spec.officeCloseMinute)}`;
  return {
    key: "count_start",
    text: t(
      `Hanya jam kerja ${hours} pada hari kerja yang dihitung, mulai ${at(clock.startedAt)}`,
      `Only office hours ${hours} on working days count, from ${at(clock.startedAt)}`,
    ),
  };
}

/** Non-working days skipped between the start and the due instant (or stop / now). */
function skippedDayLines(clock: SlaClock, now: Instant, w: ClockWords): ExplainLine[] {
  const { t, lang, cal } = w;
  const unit = clock.target.unit;
  if (unit === "d") return [];
  const startDate = cal.localDate(clock.startedAt);
  const horizon = clock.dueAt ?? clock.stoppedAt ?? now;
  const { holidays, weekends } = skippedDays(
    cal,
    unit === "wh" ? startDate : addDays(startDate, 1),
    horizon,
  );
  return [
    {
      key: "holidays",
      text:
        holidays.length === 0
          ? t("Tidak ada hari libur yang dilewati", "No holidays skipped")
          : t("Hari libur yang dilewati: ", "Holidays skipped: ") +
            holidays.map((h) => `${formatLocalDate(h.date, lang)} (${h.name})`).join("; "),
    },
    {
      key: "weekends",
      text: t(`Akhir pekan yang dilewati: ${weekends} hari`, `Weekend days skipped: ${weekends}`),
    },
  ];
}

/** Each pause awaiting the reporter with its length and the pause rule that applied. */
function pauseLines(clock: SlaClock, now: Instant, w: ClockWords): ExplainLine[] {
  const { t, at, amount, cal } = w;
  const unit = clock.target.unit;
  if (clock.pauses.length === 0) {
    return [
      {
        key: "pauses",
        text: t("Tidak ada jeda menunggu pelapor", "No pauses awaiting the reporter"),
      },
    ];
  }
  const lines: ExplainLine[] = [];
  let totalMs = 0;
  for (const p of clock.pauses) {
    const open = !Number.isFinite(p.end);
    // Budget measured from the clock's start, so that the day rule of the unit applies.
    const pauseEnd = open ? Math.max(p.start, now) : p.end;
    const ms =
      cal.elapsedMs(clock.startedAt, pauseEnd, unit) -
      cal.elapsedMs(clock.startedAt, p.start, unit);
    totalMs += ms;
    lines.push({
      key: "pause",
      text: open
        ? t(
            `Jeda menunggu pelapor sejak ${at(p.start)}, masih berlangsung (sejauh ini ${amount(ms)})`,
            `Paused awaiting the reporter since ${at(p.start)}, still open (${amount(ms)} so far)`,
          )
        : t(
            `Jeda menunggu pelapor ${at(p.start)} s.d. ${at(p.end)}: ${amount(ms)}`,
            `Paused awaiting the reporter ${at(p.start)} to ${at(p.end)}: ${amount(ms)}`,
          ),
    });
    // Which pause rule applied (see sla/clocks).
    lines.push({
      key: "pause_rule",
      text:
        clock.dueAt !== null && pauseBeganAfterDue(clock, p)
          ? t(
              `Jeda ini dimulai setelah jatuh tempo (${at(clock.dueAt)}): jatuh tempo tidak bergeser dan keterlambatan tetap tercatat; lama jeda tidak dihitung sebagai keterlambatan`,
              `This pause began after the due time (${at(clock.dueAt)}): the due time does not move and the breach stands; the paused time does not count as lateness`,
            )
          : t(
              "Jeda ini dimulai sebelum jatuh tempo: jatuh tempo mundur sebanyak waktu yang terpakai selama jeda",
              "This pause began before the due time: the due time moves later by the time that elapsed while paused",
            ),
    });
  }
  if (clock.pauses.length > 1) {
    lines.push({
      key: "pause_total",
      text: t(`Jumlah jeda: ${amount(totalMs)}`, `Total paused: ${amount(totalMs)}`),
    });
  }
  return lines;
}

/** At risk (when known) and due (unknown while a pause that began before due is open). */
function dueLines(clock: SlaClock, w: ClockWords): ExplainLine[] {
  const { t, at } = w;
  const lines: ExplainLine[] = [];
  if (clock.atRiskAt !== null) {
    lines.push({
      key: "at_risk",
      text: t(`Berisiko mulai ${at(clock.atRiskAt)}`, `At risk from ${at(clock.atRiskAt)}`),
    });
  }
  lines.push({
    key: "due",
    text:
      clock.dueAt !== null
        ? t(`Jatuh tempo ${at(clock.dueAt)}`, `Due ${at(clock.dueAt)}`)
        : t(
            "Jatuh tempo belum dapat ditentukan selama jeda masih berlangsung",
            "The due time cannot be set while the pause is open",
          ),
  });
  return lines;
}

/** The stop (or still running) and the budget used. */
function stopLines(clock: SlaClock, detail: ClockDetail, w: ClockWords): ExplainLine[] {
  const { t, at, amount, lang } = w;
  let stop: ExplainLine;
  if (clock.stoppedAt !== null) {
    const by = detail.stoppedBy ? pick(lang, eventName(detail.stoppedBy)) : "?";
    stop = {
      key: "stop",
      text: t(
        `Berhenti ${at(clock.stoppedAt)} karena ${by}`,
        `Stopped ${at(clock.stoppedAt)} by ${by}`,
      ),
    };
  } else {
    stop = { key: "stop", text: t("Masih berjalan", "Still running") };
  }
  const used = {
    key: "used",
    text: t(
      `Terpakai ${amount(clock.usedMs)} dari ${formatDurationText(clock.target, lang)}`,
      `Used ${amount(clock.usedMs)} of ${formatDurationText(clock.target, lang)}`,
    ),
  };
  return [stop, used];
}

/** The outcome in words: met, breached (running, awaiting the reporter), redisposed, ... */
function statusLine(clock: SlaClock, w: ClockWords): ExplainLine {
  const { t, amount } = w;
  const targetMs = clock.target.amount * unitMs(clock.target.unit);
  const over = amount(Math.max(0, clock.usedMs - targetMs));
  const left = amount(Math.max(0, targetMs - clock.usedMs));
  let status: string;
  switch (clock.outcome) {
    case "met":
      status = t(`terpenuhi, ${left} sebelum jatuh tempo`, `met, ${left} before due`);
      break;
    case "breached":
      status =
        clock.stoppedAt !== null
          ? t(`terlambat ${over}`, `breached by ${over}`)
          : isAwaitingReporter(clock)
            ? t(
                `terlambat ${over}, sedang menunggu pelapor`,
                `overdue by ${over}, awaiting the reporter`,
              )
            : t(`terlambat ${over} dan masih berjalan`, `overdue by ${over} and still running`);
      break;
    case "redisposed":
      status = t(
        `dialihkan (bukan wewenang) ${left} sebelum jatuh tempo`,
        `re-dispositioned (not this agency's authority) ${left} before due`,
      );
      break;
    case "cancelled":
      status = t(
        "dibatalkan karena laporan diarsipkan",
        "cancelled because the report was archived",
      );
      break;
    case "open":
      status =
        clock.state === "paused"
          ? t(`dijeda menunggu pelapor, sisa ${left}`, `paused awaiting the reporter, ${left} left`)
          : clock.state === "at_risk"
            ? t(`berisiko, sisa ${left}`, `at risk, ${left} left`)
            : t(`berjalan sesuai jadwal, sisa ${left}`, `on track, ${left} left`);
      break;
  }
  return { key: "status", text: t(`Status: ${status}`, `Status: ${status}`) };
}

/** Holidays and plain weekend days on local dates from `from` up to the date holding `end`. */
function skippedDays(
  cal: BusinessCalendar,
  from: LocalDate,
  end: Instant,
): { holidays: { date: LocalDate; name: string }[]; weekends: number } {
  const holidays: { date: LocalDate; name: string }[] = [];
  let weekends = 0;
  let d = from;
  for (let i = 0; i < MAX_DAYS && cal.startOfLocalDate(d) < end; i++, d = addDays(d, 1)) {
    const h = cal.holidayOn(d);
    if (h) holidays.push({ date: d, name: h.name });
    else if (!cal.isWorkingDate(d)) weekends++;
  }
  return { holidays, weekends };
}

/** Plain text of an explanation, for the terminal. */
export function renderExplainText(doc: ExplainDocument): string {
  const out: string[] = [doc.title, ""];
  for (const s of doc.sections) {
    out.push(s.title);
    for (const l of s.lines) out.push(`  - ${l.text}`);
    out.push("");
  }
  return out.join("\n").trimEnd() + "\n";
}
