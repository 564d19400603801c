// The one email a person receives from a scan (see perPerson.ts for the grouping).
//
// Pure: no I/O, no clock reads (`now` is in the context).
//
// API
// - personalSections(bundle, ctx): PersonalSection[] — "Perlu tindakan Anda" (items the person
//     is the addressee of), "Tembusan" (items they are copied on), each grouped by agency, then
//     "Jabatan kosong" (vacancy notices). Every item says who else was told and, when the person
//     stands in for a vacant role, which one. Shared by the email and the chat message.
// - personalSubject(bundle, ctx), personalSummary(bundle, ctx): the subject and the first line;
//     both give the counts of every item carried, listed or not. A bundle of items to act on
//     only, all listed, keeps the classic subject ("[Pantau] 5 laporan Dinas Kesehatan mendekati
//     batas waktu").
// - unlistedLines(bundle, ctx): what the message says of the items it carries without listing
//     them (listing.ts: at most ITEMS_LISTED listed): "dan N laporan lain" per agency, pointing
//     to `pantau status --opd <kode>`; empty when every item is listed.
// - composePersonalEmails(decisions, resolutions, ctx): OutboundEmail[] — every person's email
//     for decisions nobody has received yet (bundlesPerPerson, then composePersonalEmail).
// - composePersonalEmail(bundle, ctx): OutboundEmail — To the person only (no Cc: everyone told
//     gets their own message), dedupe key "escalation|<person>|<sorted item keys>" — or, when
//     some items are not listed, "escalation|<person>|<n> items|<digest of the item set>" — so
//     the same person and item set always yield the same Message-ID.
import { pick } from "../../i18n/lang.js";
import {
  agencyLabel,
  checkAddress,
  escalationSubject,
  footerLines,
  headersFor,
  KIND_ORDER,
  recipientLabel,
  renderItem,
  reportsOf,
  slotLabel,
  vacancyParagraphs,
  type ComposeContext,
  type Field,
  type OutboundEmail,
  type RenderedItem,
} from "./compose.js";
import type { EscalationDecision, LevelKind } from "./ladder.js";
import type { RecipientResolution } from "./recipients.js";
import {
  bundleItemKeys,
  bundlesPerPerson,
  type PersonBundle,
  type PersonItem,
} from "./perPerson.js";
import { escapeHtml, messageIdFor, sanitizeHeaderText } from "./safety.js";

export interface PersonalGroup {
  /** Agency heading ("Dinas Kesehatan (dinkes)"); empty for vacancy paragraphs. */
  heading: string;
  items: RenderedItem[];
  paragraphs: string[];
}

export interface PersonalSection {
  title: string;
  groups: PersonalGroup[];
}

function tr(ctx: ComposeContext): (id: string, en: string) => string {
  return (id, en) => (ctx.lang === "en" ? en : id);
}

function sortItems(items: readonly PersonItem[]): PersonItem[] {
  return [...items].sort(
    (a, b) =>
      a.decision.opd.localeCompare(b.decision.opd) ||
      KIND_ORDER[a.decision.kind] - KIND_ORDER[b.decision.kind] ||
      (a.decision.view.clock.dueAt ?? 0) - (b.decision.view.clock.dueAt ?? 0) ||
      a.decision.key.localeCompare(b.decision.key),
  );
}

function itemFields(item: PersonItem, ctx: ComposeContext): Field[] {
  const t = tr(ctx);
  const fields: Field[] = [];
  if (item.standsInFor) {
    fields.push({
      label: t("Sebagai pengganti", "Standing in for"),
      value: t(
        `${slotLabel(ctx, item.standsInFor)} (jabatan kosong; Anda menerimanya sebagai admin koordinator)`,
        `${slotLabel(ctx, item.standsInFor)} (vacant; you receive it as the coordinator)`,
      ),
    });
  }
  fields.push({
    label: t("Juga diberitahukan kepada", "Also told"),
    value:
      item.others.length === 0
        ? t("tidak ada", "nobody")
        : item.others.map((o) => recipientLabel(ctx, o)).join("; "),
  });
  return fields;
}

function itemGroups(items: readonly PersonItem[], ctx: ComposeContext): PersonalGroup[] {
  const t = tr(ctx);
  const groups = new Map<string, PersonalGroup>();
  for (const item of sortItems(items)) {
    const d = item.decision;
    let g = groups.get(d.opd);
    if (!g) {
      const name = ctx.agencyName(d.opd);
      g = {
        heading: name ? `${agencyLabel(ctx, d.opd)} (${d.opd})` : d.opd,
        items: [],
        paragraphs: [],
      };
      groups.set(d.opd, g);
    }
    const level = `${pick(ctx.lang, d.name)} (${t("tingkat", "level")} ${d.level})`;
    g.items.push(renderItem(d.view, ctx, itemFields(item, ctx), level));
  }
  return [...groups.values()];
}

export function personalSections(bundle: PersonBundle, ctx: ComposeContext): PersonalSection[] {
  const t = tr(ctx);
  const out: PersonalSection[] = [];
  if (bundle.action.length > 0) {
    out.push({
      title: t(
        `Perlu tindakan Anda (${bundle.actionTotal})`,
        `Needs your action (${bundle.actionTotal})`,
      ),
      groups: itemGroups(bundle.action, ctx),
    });
  }
  if (bundle.info.length > 0) {
    out.push({
      title: t(
        `Tembusan, untuk diketahui (${bundle.infoTotal})`,
        `Copy, for your information (${bundle.infoTotal})`,
      ),
      groups: itemGroups(bundle.info, ctx),
    });
  }
  if (bundle.vacancies.length > 0) {
    out.push({
      title: t(
        `Jabatan kosong (${bundle.vacancies.length})`,
        `Vacant roles (${bundle.vacancies.length})`,
      ),
      groups: bundle.vacancies.map((v) => {
        const { slot, lines } = vacancyParagraphs(v, ctx);
        return { heading: slot, items: [], paragraphs: lines };
      }),
    });
  }
  return out;
}

function opdsOf(items: readonly PersonItem[], bundle?: PersonBundle): string[] {
  const opds = new Set(items.map((i) => i.decision.opd));
  for (const u of bundle?.unlisted ?? []) opds.add(u.opd);
  return [...opds].sort();
}

export function personalSubject(bundle: PersonBundle, ctx: ComposeContext): string {
  const t = tr(ctx);
  const a = bundle.actionTotal;
  const i = bundle.infoTotal;
  const v = bundle.vacancies.length;
  if (i === 0 && v === 0 && a > 0 && bundle.unlisted.length === 0) {
    return escalationSubject(
      ctx,
      bundle.action.map((x) => x.decision),
      opdsOf(bundle.action),
    );
  }
  if (a + i === 0) {
    const only = bundle.vacancies[0];
    if (v === 1 && only) {
      const slot = slotLabel(ctx, { role: only.role, opd: only.opd });
      return sanitizeHeaderText(
        t(`[Pantau] Jabatan kosong: ${slot}`, `[Pantau] Vacant role: ${slot}`),
      );
    }
    return sanitizeHeaderText(t(`[Pantau] ${v} jabatan kosong`, `[Pantau] ${v} vacant roles`));
  }
  return sanitizeHeaderText(
    `[Pantau] ${reportsOf(ctx, a + i, opdsOf([...bundle.action, ...bundle.info], bundle))}: ${countParts(bundle, ctx).join(", ")}`,
  );
}

function countParts(bundle: PersonBundle, ctx: ComposeContext): string[] {
  const t = tr(ctx);
  const parts: string[] = [];
  const a = bundle.actionTotal;
  const i = bundle.infoTotal;
  const v = bundle.vacancies.length;
  if (a > 0) parts.push(t(`${a} perlu tindakan Anda`, `${a} need your action`));
  if (i > 0) parts.push(t(`${i} tembusan`, `${i} for your information`));
  if (v > 0) parts.push(t(`${v} jabatan kosong`, `${v} vacant ${v === 1 ? "role" : "roles"}`));
  return parts;
}

/** The first line of the body: the counts, and what is asked. */
export function personalSummary(bundle: PersonBundle, ctx: ComposeContext): string {
  const t = tr(ctx);
  const kinds = new Set<LevelKind>(bundle.action.map((x) => x.decision.kind));
  const ask =
    bundle.actionTotal > 0
      ? t(" Mohon segera ditindaklanjuti di LAPOR!", " Please follow up in LAPOR! promptly.")
      : "";
  const overdue = kinds.has("overdue") || kinds.has("escalated");
  const what = bundle.actionTotal > 0 && overdue ? t(" (melewati batas waktu)", " (overdue)") : "";
  return t(
    `Pantau mencatat untuk Anda: ${countParts(bundle, ctx).join(", ")}${what}.${ask}`,
    `Pantau reports for you: ${countParts(bundle, ctx).join(", ")}${what}.${ask}`,
  );
}

export function unlistedLines(bundle: PersonBundle, ctx: ComposeContext): string[] {
  if (bundle.unlisted.length === 0) return [];
  const t = tr(ctx);
  const listed = bundle.action.length + bundle.info.length;
  const rest = bundle.unlisted.reduce((n, u) => n + u.action + u.info, 0);
  const lines = [
    t(
      `Pesan ini mencantumkan ${listed} laporan (yang perlu tindakan Anda lebih dahulu, yang paling lama lebih dahulu); ${rest} laporan lain juga tercatat untuk Anda di pesan ini dan tidak akan dikirim ulang:`,
      `This message lists ${listed} reports (those needing your action first, the oldest first); ${rest} more are recorded for you in this message and will not be sent again:`,
    ),
  ];
  for (const u of bundle.unlisted) {
    const parts: string[] = [];
    if (u.action > 0)
      parts.push(t(`${u.action} perlu tindakan Anda`, `${u.action} need your action`));
    if (u.info > 0) parts.push(t(`${u.info} tembusan`, `${u.info} for your information`));
    const n = u.action + u.info;
    lines.push(
      t(
        `- dan ${n} laporan lain ${agencyLabel(ctx, u.opd)} (${parts.join(", ")}): lihat \`pantau status --opd ${u.opd}\``,
        `- and ${n} more ${agencyLabel(ctx, u.opd)} ${n === 1 ? "report" : "reports"} (${parts.join(", ")}): see \`pantau status --opd ${u.opd}\``,
      ),
    );
  }
  return lines;
}

function sectionsText(sections: readonly PersonalSection[]): string[] {
  const out: string[] = [];
  let n = 0;
  for (const s of sections) {
    out.push(`== ${s.title} ==`, "");
    for (const g of s.groups) {
      out.push(`-- ${g.heading} --`);
      for (const p of g.paragraphs) out.push(p);
      for (const item of g.items) {
        n++;
        out.push(`${n}. ${item.heading}`);
        for (const f of item.fields) out.push(`   ${f.label}: ${f.value}`);
      }
      out.push("");
    }
  }
  return out;
}

function sectionsHtml(sections: readonly PersonalSection[]): string[] {
  const e = escapeHtml;
  const out: string[] = [];
  let n = 0;
  for (const s of sections) {
    out.push(`<h2 style="margin:20px 0 6px;font-size:16px">${e(s.title)}</h2>`);
    for (const g of s.groups) {
      out.push(`<h3 style="margin:12px 0 4px;font-size:14px">${e(g.heading)}</h3>`);
      for (const p of g.paragraphs) out.push(`<p>${e(p)}</p>`);
      for (const item of g.items) {
        n++;
        out.push(`<p style="margin:10px 0 2px"><b>${n}. ${e(item.heading)}</b></p>`);
        out.push('<table cellpadding="3" style="border-collapse:collapse">');
        for (const f of item.fields) {
          const value = f.href ? `<a href="${e(f.href)}">${e(f.value)}</a>` : e(f.value);
          out.push(
            `<tr><td style="color:#555;vertical-align:top">${e(f.label)}</td><td>${value}</td></tr>`,
          );
        }
        out.push("</table>");
      }
    }
  }
  return out;
}

/**
 * The dedupe key of a person's message on a channel ("escalation", "webhook:<name>"): its person
 * and whole item set (see the top of the file).
 */
export function messageKey(
  prefix: string,
  bundle: PersonBundle,
  listed: readonly string[],
): string {
  if (bundle.itemSet === null) return `${prefix}|${bundle.person}|${listed.join(";")}`;
  const n = bundle.actionTotal + bundle.infoTotal + bundle.vacancies.length;
  return `${prefix}|${bundle.person}|${n} items|${bundle.itemSet}`;
}

export function composePersonalEmail(bundle: PersonBundle, ctx: ComposeContext): OutboundEmail {
  const t = tr(ctx);
  const to = checkAddress(bundle.recipient.email);
  const subject = personalSubject(bundle, ctx);
  const greeting = t(
    `Yth. ${recipientLabel(ctx, bundle.recipient)},`,
    `Dear ${recipientLabel(ctx, bundle.recipient)},`,
  );
  const summary = personalSummary(bundle, ctx);
  const sections = personalSections(bundle, ctx);
  const unlisted = unlistedLines(bundle, ctx);
  const footer = footerLines(ctx);
  const text = [
    greeting,
    "",
    summary,
    "",
    ...sectionsText(sections),
    ...(unlisted.length > 0 ? [...unlisted, ""] : []),
    "--",
    ...footer,
  ].join("\n");
  const e = escapeHtml;
  const html = [
    "<!DOCTYPE html>",
    `<html lang="${ctx.lang}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">',
    `<p>${e(greeting)}</p>`,
    `<p>${e(summary)}</p>`,
    ...sectionsHtml(sections),
    ...(unlisted.length > 0
      ? [
          `<p>${e(unlisted[0]!)}</p>`,
          `<ul>${unlisted
            .slice(1)
            .map((l) => `<li>${e(l.slice(2))}</li>`)
            .join("")}</ul>`,
        ]
      : []),
    `<hr><p style="color:#777;font-size:12px">${footer.map((f) => e(f)).join("<br>")}</p>`,
    "</body></html>",
  ].join("\n");
  const items = bundleItemKeys(bundle);
  const dedupeKey = messageKey("escalation", bundle, items);
  return {
    messageId: messageIdFor(dedupeKey, ctx.regency),
    dedupeKey,
    kind: "escalation",
    to: [to],
    cc: [],
    recipientNames: { [to]: sanitizeHeaderText(bundle.recipient.name, 100) },
    subject,
    text: text + "\n",
    html: html + "\n",
    items,
    headers: headersFor(ctx, "escalation"),
  };
}

export function composePersonalEmails(
  decisions: readonly EscalationDecision[],
  resolutions: ReadonlyMap<string, RecipientResolution>,
  ctx: ComposeContext,
): OutboundEmail[] {
  return bundlesPerPerson(decisions, resolutions, () => false).map((b) =>
    composePersonalEmail(b, ctx),
  );
}
