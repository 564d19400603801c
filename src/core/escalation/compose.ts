// Email composition for escalation decisions, vacancy notices and the daily reminder digest.
//
// Pure: no I/O, no clock reads (`now` comes in the context). The adapter writes the returned
// OutboundEmail rows to the outbox in the same transaction as the decisions, and the sender hands
// them to nodemailer ({ messageId, to, cc, subject, text, html, headers }) or writes .eml files.
//
// API
// - interface ComposeContext { lang; regency; agencyName(opd); reportUrl(trackingId);
//     calendar(opd); now; scanId }
// - interface OutboundEmail { messageId; dedupeKey; kind; to; cc; recipientNames; subject; text;
//     html; items; headers }
// - The pieces of an escalation email (renderItem, escalationSubject, vacancyParagraphs, …): the
//     per-person email that uses them is personalEmail.ts (one message per person per scan).
// - composeReminderEmails(digests, ctx): OutboundEmail[] — one per ReminderDigest (dedupeKey =
//     the digest key "reminder|<email>|<date>").
//
// Dedupe keys make a message once-only in the outbox and give it a deterministic Message-ID
// (messageIdFor): "escalation|<person>|<sorted item keys>" (personalEmail.ts), the digest key
// "reminder|<email>|<date>".
//
// Content: each item states tracking ID, agency, stage (verifikasi / tanggapan pertama /
// penyelesaian), SOP id + version and target, received and due instants in the agency's local time
// with zone abbreviation, how late (or how much is left) in the target's unit, pauses (a clock
// breached before the reporter was asked is marked "terlambat, sedang menunggu pelapor"), and the
// LAPOR! link. A rahasia report shows only tracking ID, agency, stage, times and link, marked
// "(rahasia)": no type, no category. Nothing about the reporter exists to be shown. Every value
// is escaped in HTML; header values (subject, names) are stripped of CR/LF and control
// characters; every address is checked (an invalid one is a programming error: RangeError).
import type { BusinessCalendar } from "../calendar/index.js";
import { pick, type Bilingual, type Lang } from "../../i18n/lang.js";
import { formatBusinessAmount, formatDurationText, formatLocal } from "../format/index.js";
import type { Instant, ReportType, Stage } from "../types.js";
import {
  remainingMs,
  type EscalationDecision,
  type LevelKind,
  type ReminderDigest,
  type StoredClockView,
} from "./ladder.js";
import { roleName } from "./appointments.js";
import { isValidEmail } from "./emailAddress.js";
import { isAwaitingReporter, stateName } from "../sla/clocks.js";
import type { Recipient, RoleSlot, VacancyNotice } from "./recipients.js";
import { escapeHtml, messageIdFor, safeHref, sanitizeHeaderText } from "./safety.js";

export interface ComposeContext {
  lang: Lang;
  /** "Kabupaten Malang": footer and Message-ID domain. */
  regency: string;
  /** Agency name for people ("Dinas Kesehatan"); the code is used when undefined. */
  agencyName(opd: string): string | undefined;
  /** Link to the report in LAPOR! (config reportUrl). */
  reportUrl(trackingId: string): string;
  calendar(opd: string): BusinessCalendar;
  now: Instant;
  /** Identifies the scan; sent as the X-Pantau-Scan header. */
  scanId: string;
}

/** "signin": a one-time sign-in link to the web pages (src/web/auth), never about a report. */
export type EmailKind = "escalation" | "vacancy" | "reminder" | "signin";

export interface OutboundEmail {
  /** "<hex@pantau.slug>", with angle brackets. */
  messageId: string;
  dedupeKey: string;
  kind: EmailKind;
  /** Bare, validated addresses. */
  to: string[];
  cc: string[];
  /** Display name per address (header-safe), for "Name <address>". */
  recipientNames: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  /** Decision keys (escalation), the vacancy key, or the digest's clock keys (reminder). */
  items: string[];
  /** Extra headers: X-Pantau-Scan, X-Pantau-Kind, Auto-Submitted. */
  headers: Record<string, string>;
}

export const STAGE_NAMES: Record<Stage, Bilingual> = {
  verification: { id: "verifikasi", en: "verification" },
  first_response: { id: "tanggapan pertama", en: "first response" },
  resolution: { id: "penyelesaian", en: "resolution" },
};

export const TYPE_NAMES: Record<ReportType, Bilingual> = {
  pengaduan: { id: "pengaduan", en: "complaint" },
  aspirasi: { id: "aspirasi", en: "suggestion" },
  permintaan_informasi: { id: "permintaan informasi", en: "information request" },
};

/** A line of an item: label and value (both plain text; escaped when rendered as HTML). */
export interface Field {
  label: string;
  value: string;
  href?: string;
}

export interface RenderedItem {
  heading: string;
  fields: Field[];
}

const one = (s: string): string => sanitizeHeaderText(s, 500);

export function agencyLabel(ctx: ComposeContext, opd: string): string {
  return one(ctx.agencyName(opd) ?? opd);
}

export function renderItem(
  view: StoredClockView,
  ctx: ComposeContext,
  extra: Field[] = [],
  levelLabel?: string,
): RenderedItem {
  const { lang } = ctx;
  const t = (id: string, en: string): string => (lang === "en" ? en : id);
  const c = view.clock;
  const cal = ctx.calendar(c.opd);
  const zone = cal.spec.zone;
  const at = (x: Instant): string => formatLocal(x, zone, lang);
  const secret = view.report.confidential;
  const heading =
    t(`Laporan ${one(c.trackingId)}`, `Report ${one(c.trackingId)}`) +
    (secret ? t(" (rahasia)", " (confidential)") : "");
  const fields: Field[] = [];
  const add = (label: string, value: string, href?: string): void => {
    fields.push(href === undefined ? { label, value } : { label, value, href });
  };
  const agency = ctx.agencyName(c.opd);
  add(t("Perangkat daerah", "Agency"), agency ? `${one(agency)} (${one(c.opd)})` : one(c.opd));
  const seq = c.seq > 1 ? t(` (disposisi ke-${c.seq})`, ` (disposition #${c.seq})`) : "";
  add(t("Tahap", "Stage"), pick(lang, STAGE_NAMES[c.stage]) + seq);
  if (levelLabel) add(t("Tingkat", "Level"), levelLabel);
  if (!secret) {
    add(t("Jenis", "Type"), pick(lang, TYPE_NAMES[view.report.type]));
    if (view.report.category) add(t("Kategori", "Category"), one(view.report.category));
  }
  add(
    "SOP",
    t(
      `${one(c.sopId)} versi ${c.sopVersion}, target ${formatDurationText(c.target, lang)}`,
      `${one(c.sopId)} version ${c.sopVersion}, target ${formatDurationText(c.target, lang)}`,
    ),
  );
  add(t("Diterima", "Received"), at(view.report.receivedAt));
  if (c.stage !== "verification" || c.startedAt !== view.report.receivedAt) {
    add(t("Tahap dimulai", "Stage started"), at(c.startedAt));
  }
  add(t("Jatuh tempo", "Due"), c.dueAt === null ? "—" : at(c.dueAt));
  const left = remainingMs(c, cal, ctx.now);
  if (left <= 0 && c.dueAt !== null && ctx.now >= c.dueAt) {
    add(t("Terlambat", "Late by"), formatBusinessAmount(-left, c.target.unit, lang));
    if (isAwaitingReporter(c)) {
      // The pause began after due: the breach stands, its time is not counted as lateness.
      add(
        "Status",
        pick(lang, stateName("breached", true)) +
          t(
            " (jeda dimulai setelah jatuh tempo; lama jeda tidak dihitung sebagai keterlambatan)",
            " (the pause began after the due time; paused time is not counted as lateness)",
          ),
      );
    }
  } else {
    add(t("Sisa waktu", "Time left"), formatBusinessAmount(Math.max(0, left), c.target.unit, lang));
  }
  if (c.pauses.length === 0) {
    add(t("Jeda", "Pauses"), t("tidak ada", "none"));
  } else {
    const list = c.pauses.map((p) =>
      p.end === null || !Number.isFinite(p.end)
        ? t(`sejak ${at(p.start)} (masih berlangsung)`, `since ${at(p.start)} (still open)`)
        : t(`${at(p.start)} s.d. ${at(p.end)}`, `${at(p.start)} to ${at(p.end)}`),
    );
    add(t("Jeda menunggu pelapor", "Paused awaiting the reporter"), list.join("; "));
  }
  fields.push(...extra);
  const url = ctx.reportUrl(c.trackingId);
  const href = safeHref(url);
  add(t("Tautan LAPOR!", "LAPOR! link"), href ?? one(url), href ?? undefined);
  return { heading, fields };
}

function renderText(greeting: string, intro: string[], items: RenderedItem[], footer: string[]) {
  const out: string[] = [greeting, "", ...intro, ""];
  items.forEach((item, i) => {
    out.push(`${i + 1}. ${item.heading}`);
    for (const f of item.fields) out.push(`   ${f.label}: ${f.value}`);
    out.push("");
  });
  out.push("--", ...footer);
  return out.join("\n") + "\n";
}

function renderHtml(
  lang: Lang,
  title: string,
  greeting: string,
  intro: string[],
  items: RenderedItem[],
  footer: string[],
): string {
  const e = escapeHtml;
  const parts: string[] = [
    "<!DOCTYPE html>",
    `<html lang="${lang}"><head><meta charset="utf-8"><title>${e(title)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">',
    `<p>${e(greeting)}</p>`,
    ...intro.map((p) => `<p>${e(p)}</p>`),
  ];
  items.forEach((item, i) => {
    parts.push(`<h3 style="margin:16px 0 4px">${i + 1}. ${e(item.heading)}</h3>`);
    parts.push('<table cellpadding="3" style="border-collapse:collapse">');
    for (const f of item.fields) {
      const value = f.href ? `<a href="${e(f.href)}">${e(f.value)}</a>` : e(f.value);
      parts.push(
        `<tr><td style="color:#555;vertical-align:top">${e(f.label)}</td><td>${value}</td></tr>`,
      );
    }
    parts.push("</table>");
  });
  parts.push(
    `<hr><p style="color:#777;font-size:12px">${footer.map((f) => e(f)).join("<br>")}</p>`,
    "</body></html>",
  );
  return parts.join("\n") + "\n";
}

export function footerLines(ctx: ComposeContext): string[] {
  const t = (id: string, en: string): string => (ctx.lang === "en" ? en : id);
  const regency = one(ctx.regency);
  return [
    t(
      `Pesan otomatis Pantau, pemantau tenggat SP4N-LAPOR! ${regency}. Mohon tidak membalas email ini.`,
      `Automatic message from Pantau, the SP4N-LAPOR! deadline monitor of ${regency}. Please do not reply.`,
    ),
    t(
      "Isi laporan dan identitas pelapor tidak pernah dicantumkan; buka tautan LAPOR! untuk rinciannya.",
      "Report contents and reporter identity are never included; open the LAPOR! link for details.",
    ),
  ];
}

export function checkAddress(address: string): string {
  if (!isValidEmail(address)) {
    throw new RangeError(
      `invalid email address for an outgoing message: ${JSON.stringify(address)}`,
    );
  }
  return address;
}

export function headersFor(ctx: ComposeContext, kind: EmailKind): Record<string, string> {
  return {
    "X-Pantau-Scan": sanitizeHeaderText(ctx.scanId, 100),
    "X-Pantau-Kind": kind,
    "Auto-Submitted": "auto-generated",
  };
}

export function slotLabel(ctx: ComposeContext, slot: RoleSlot): string {
  const role = pick(ctx.lang, roleName(slot.role));
  if (slot.opd === null) return role;
  return ctx.lang === "en"
    ? `${role} of ${agencyLabel(ctx, slot.opd)}`
    : `${role} ${agencyLabel(ctx, slot.opd)}`;
}

export function recipientLabel(ctx: ComposeContext, r: Recipient): string {
  return `${one(r.name)} (${slotLabel(ctx, { role: r.role, opd: r.opd })})`;
}

// ---- subjects ----

type Counts = Record<LevelKind, number>;

const KIND_PHRASE: Record<LevelKind, { id: string; en1: string; enN: string }> = {
  at_risk: {
    id: "mendekati batas waktu",
    en1: "is nearing its deadline",
    enN: "are nearing their deadline",
  },
  overdue: { id: "melewati batas waktu", en1: "is overdue", enN: "are overdue" },
  escalated: { id: "melewati batas waktu", en1: "is overdue", enN: "are overdue" },
};

/** "laporan Dinas Kesehatan" / "Dinas Kesehatan report(s)" or "dari N perangkat daerah". */
export function reportsOf(ctx: ComposeContext, n: number, opds: string[]): string {
  if (ctx.lang === "en") {
    const noun = n === 1 ? "report" : "reports";
    return opds.length === 1
      ? `${n} ${agencyLabel(ctx, opds[0]!)} ${noun}`
      : `${n} ${noun} from ${opds.length} agencies`;
  }
  return opds.length === 1
    ? `${n} laporan ${agencyLabel(ctx, opds[0]!)}`
    : `${n} laporan dari ${opds.length} perangkat daerah`;
}

export function escalationSubject(
  ctx: ComposeContext,
  decisions: readonly EscalationDecision[],
  opds: string[],
): string {
  const n = decisions.length;
  const counts: Counts = { at_risk: 0, overdue: 0, escalated: 0 };
  for (const d of decisions) counts[d.kind]++;
  const kinds = (Object.keys(counts) as LevelKind[]).filter((k) => counts[k] > 0);
  const top = decisions.reduce((a, b) => (b.level > a.level ? b : a));
  const topName = pick(ctx.lang, top.name);
  const what = reportsOf(ctx, n, opds);
  let s: string;
  if (kinds.length === 1) {
    const k = kinds[0]!;
    const p = KIND_PHRASE[k];
    s = ctx.lang === "en" ? `${what} ${n === 1 ? p.en1 : p.enN}` : `${what} ${p.id}`;
    if (k === "escalated") s += ` — ${topName}`;
  } else {
    const parts: string[] = [];
    if (counts.escalated > 0) parts.push(`${counts.escalated} ${topName}`);
    if (counts.overdue > 0) {
      parts.push(`${counts.overdue} ${ctx.lang === "en" ? "overdue" : "melewati batas waktu"}`);
    }
    if (counts.at_risk > 0) {
      parts.push(
        `${counts.at_risk} ${ctx.lang === "en" ? "nearing the deadline" : "mendekati batas waktu"}`,
      );
    }
    s =
      ctx.lang === "en"
        ? `${what} need attention: ${parts.join(", ")}`
        : `${what} perlu perhatian: ${parts.join(", ")}`;
  }
  return sanitizeHeaderText(`[Pantau] ${s}`);
}

export const KIND_ORDER: Record<LevelKind, number> = { escalated: 0, overdue: 1, at_risk: 2 };

// ---- vacancy notices ----

/** What a vacancy notice says: the slot's name and the paragraphs about it. */
export function vacancyParagraphs(
  v: VacancyNotice,
  ctx: ComposeContext,
): { slot: string; lines: string[] } {
  const { lang } = ctx;
  const t = (id: string, en: string): string => (lang === "en" ? en : id);
  const slot = slotLabel(ctx, { role: v.role, opd: v.opd });
  const zone = ctx.calendar(v.opd ?? "").spec.zone;
  const since =
    v.since === null
      ? t(
          "Jabatan ini belum pernah terisi di Pantau.",
          "This role has never been filled in Pantau.",
        )
      : t(
          `Jabatan ini kosong sejak ${formatLocal(v.since, zone, lang)}.`,
          `This role has been vacant since ${formatLocal(v.since, zone, lang)}.`,
        );
  return {
    slot,
    lines: [
      t(
        `Pantau tidak menemukan ${slot} yang aktif. ${since}`,
        `Pantau found no active ${slot}. ${since}`,
      ),
      t(
        "Sampai ada pengangkatan baru, pemberitahuan untuk jabatan ini dikirim kepada Anda. Catat pengangkatan (SK) dengan `pantau officers import`.",
        "Until someone is appointed, notifications for this role are sent to you. Record the appointment (SK) with `pantau officers import`.",
      ),
    ],
  };
}

// ---- daily reminder ----

export function composeReminderEmails(
  digests: readonly ReminderDigest[],
  ctx: ComposeContext,
): OutboundEmail[] {
  const { lang } = ctx;
  const t = (id: string, en: string): string => (lang === "en" ? en : id);
  return digests
    .filter((d) => d.items.length > 0)
    .map((d) => {
      const n = d.total ?? d.items.length;
      const opds = d.opds ?? [...new Set(d.items.map((v) => v.clock.opd))].sort();
      const more = n - d.items.length;
      const what = reportsOf(ctx, n, opds);
      const subject = sanitizeHeaderText(
        t(
          `[Pantau] Pengingat harian: ${what} masih melewati batas waktu`,
          `[Pantau] Daily reminder: ${what} ${n === 1 ? "is" : "are"} still overdue`,
        ),
      );
      const name = one(d.name);
      const greeting = t(`Yth. ${name},`, `Dear ${name},`);
      const intro = [
        t(
          `Berikut ${what} yang masih melewati batas waktu per ${formatLocal(ctx.now, ctx.calendar(opds[0] ?? "").spec.zone, lang)}.`,
          `These ${what} are still overdue as of ${formatLocal(ctx.now, ctx.calendar(opds[0] ?? "").spec.zone, lang)}.`,
        ),
        // A long backlog lists the oldest only (REMINDER_ITEMS_LISTED): the count says the rest.
        ...(more > 0
          ? [
              t(
                `Di bawah ini ${d.items.length} yang paling lama; ${more} lainnya terlihat dengan \`pantau status\`.`,
                `Below are the ${d.items.length} oldest; ${more} more are shown by \`pantau status\`.`,
              ),
            ]
          : []),
      ];
      const items = d.items.map((v) => renderItem(v, ctx));
      const footer = footerLines(ctx);
      const to = checkAddress(d.email);
      return {
        messageId: messageIdFor(d.key, ctx.regency),
        dedupeKey: d.key,
        kind: "reminder" as const,
        to: [to],
        cc: [],
        recipientNames: { [to]: sanitizeHeaderText(d.name, 100) },
        subject,
        text: renderText(greeting, intro, items, footer),
        html: renderHtml(lang, subject, greeting, intro, items, footer),
        items: d.items.map((v) => `${v.clock.trackingId}|${v.clock.stage}|${v.clock.seq}`).sort(),
        headers: headersFor(ctx, "reminder"),
      };
    });
}
