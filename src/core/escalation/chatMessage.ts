// The chat message (WhatsApp gateway, Telegram bot) a person receives from a scan: the same
// per-person bundle as the email, as a JSON payload with the items and a short plain-text
// message built from a template.
//
// Pure: no I/O, no clock reads (`now` is in the context).
//
// API
// - type ChatContact (chatContacts.ts), re-exported
// - DEFAULT_CHAT_TEMPLATE; TEMPLATE_FIELDS: the placeholders a template may use: {name},
//   {summary}, {items}, {count_action}, {count_copy}, {footer}
// - chatText(bundle, ctx, template): string — plain text, Bahasa Indonesia by default.
// - chatPayload(bundle, contact, ctx, template, messageId): ChatPayload — schema "pantau.chat/1":
//     { schema, message_id, kind, recipient { name, role, opd, phone, telegram_chat_id },
//       phone, chat_id, counts { action, copy }, items [ { tracking_id, as ("action"|"copy"),
//       agency_code, agency, stage, level, level_name, due, due_local, late, lapor_url,
//       confidential, type?, category? } ], text }
//     A rahasia report's item has no type and no category. Nothing about reporters exists.
import { pick } from "../../i18n/lang.js";
import { formatBusinessAmount, formatLocal } from "../format/index.js";
import { remainingMs } from "./ladder.js";
import type { OfficerRole } from "./appointments.js";
import { agencyLabel, STAGE_NAMES, TYPE_NAMES, type ComposeContext } from "./compose.js";
import type { PersonBundle, PersonItem } from "./perPerson.js";
import type { ChatContact } from "./chatContacts.js";
import { personalSummary, unlistedLines } from "./personalEmail.js";
import { sanitizeHeaderText } from "./safety.js";

export type { ChatContact };

export const TEMPLATE_FIELDS = [
  "name",
  "summary",
  "items",
  "count_action",
  "count_copy",
  "footer",
] as const;

export const DEFAULT_CHAT_TEMPLATE = "Yth. {name},\n{summary}\n\n{items}\n\n{footer}";
/** The default template in English (PANTAU_LANG=en); a configured template is used as written. */
const DEFAULT_CHAT_TEMPLATE_EN = "Dear {name},\n{summary}\n\n{items}\n\n{footer}";

export interface ChatItem {
  tracking_id: string;
  as: "action" | "copy";
  agency_code: string;
  agency: string;
  stage: string;
  level: number;
  level_name: string;
  /** ISO 8601 UTC, or null when the clock has no due instant. */
  due: string | null;
  due_local: string | null;
  /** "1,5 hari kerja" when late, else null. */
  late: string | null;
  lapor_url: string;
  confidential: boolean;
  type?: string;
  category?: string | null;
}

export interface ChatPayload {
  schema: "pantau.chat/1";
  message_id: string;
  kind: "escalation";
  recipient: {
    name: string;
    role: OfficerRole;
    opd: string | null;
    phone: string | null;
    telegram_chat_id: string | null;
  };
  phone: string | null;
  chat_id: string | null;
  counts: { action: number; copy: number };
  items: ChatItem[];
  text: string;
}

function chatItem(item: PersonItem, ctx: ComposeContext): ChatItem {
  const d = item.decision;
  const c = d.view.clock;
  const cal = ctx.calendar(c.opd);
  const left = remainingMs(c, cal, ctx.now);
  const late =
    c.dueAt !== null && ctx.now >= c.dueAt && left <= 0
      ? formatBusinessAmount(-left, c.target.unit, ctx.lang)
      : null;
  const out: ChatItem = {
    tracking_id: c.trackingId,
    as: item.as === "to" ? "action" : "copy",
    agency_code: c.opd,
    agency: agencyLabel(ctx, c.opd),
    stage: pick(ctx.lang, STAGE_NAMES[c.stage]),
    level: d.level,
    level_name: pick(ctx.lang, d.name),
    due: c.dueAt === null ? null : new Date(c.dueAt).toISOString(),
    due_local: c.dueAt === null ? null : formatLocal(c.dueAt, cal.spec.zone, ctx.lang),
    late,
    lapor_url: ctx.reportUrl(c.trackingId),
    confidential: d.view.report.confidential,
  };
  if (!d.view.report.confidential) {
    out.type = pick(ctx.lang, TYPE_NAMES[d.view.report.type]);
    out.category = d.view.report.category;
  }
  return out;
}

function itemLine(n: number, i: ChatItem, ctx: ComposeContext): string {
  const t = (id: string, en: string): string => (ctx.lang === "en" ? en : id);
  const when =
    i.late !== null
      ? t(`terlambat ${i.late}`, `late by ${i.late}`)
      : t(`jatuh tempo ${i.due_local ?? "—"}`, `due ${i.due_local ?? "—"}`);
  const secret = i.confidential ? t(" (rahasia)", " (confidential)") : "";
  return `${n}. ${sanitizeHeaderText(i.tracking_id, 60)}${secret} — ${i.agency} — ${i.stage}, ${i.level_name} — ${when}\n   ${i.lapor_url}`;
}

function sortedItems(bundle: PersonBundle, ctx: ComposeContext): ChatItem[] {
  const order = (x: PersonItem, y: PersonItem): number =>
    x.decision.opd.localeCompare(y.decision.opd) || x.decision.key.localeCompare(y.decision.key);
  return [...[...bundle.action].sort(order), ...[...bundle.info].sort(order)].map((i) =>
    chatItem(i, ctx),
  );
}

export function chatText(bundle: PersonBundle, ctx: ComposeContext, template: string): string {
  const t = (id: string, en: string): string => (ctx.lang === "en" ? en : id);
  const items = sortedItems(bundle, ctx);
  const lines: string[] = [];
  const action = items.filter((i) => i.as === "action");
  const copy = items.filter((i) => i.as === "copy");
  let n = 0;
  if (action.length > 0) {
    lines.push(t("*Perlu tindakan Anda*", "*Needs your action*"));
    for (const i of action) lines.push(itemLine(++n, i, ctx));
  }
  if (copy.length > 0) {
    if (lines.length > 0) lines.push("");
    lines.push(t("*Tembusan*", "*Copy, for your information*"));
    for (const i of copy) lines.push(itemLine(++n, i, ctx));
  }
  const unlisted = unlistedLines(bundle, ctx);
  if (unlisted.length > 0) lines.push("", ...unlisted);
  const values: Record<(typeof TEMPLATE_FIELDS)[number], string> = {
    name: sanitizeHeaderText(bundle.recipient.name, 100),
    summary: personalSummary(bundle, ctx),
    items: lines.join("\n"),
    count_action: String(bundle.actionTotal),
    count_copy: String(bundle.infoTotal),
    footer: t(
      "Pesan otomatis Pantau. Identitas pelapor tidak pernah dicantumkan.",
      "Automatic message from Pantau. Reporter identity is never included.",
    ),
  };
  const chosen =
    template === DEFAULT_CHAT_TEMPLATE && ctx.lang === "en" ? DEFAULT_CHAT_TEMPLATE_EN : template;
  return chosen.replace(/\{([a-z_]+)\}/g, (whole, key: string) =>
    key in values ? values[key as keyof typeof values] : whole,
  );
}

export function chatPayload(
  bundle: PersonBundle,
  contact: ChatContact,
  ctx: ComposeContext,
  template: string,
  messageId: string,
): ChatPayload {
  const items = sortedItems(bundle, ctx);
  return {
    schema: "pantau.chat/1",
    message_id: messageId,
    kind: "escalation",
    recipient: {
      name: sanitizeHeaderText(bundle.recipient.name, 100),
      role: bundle.recipient.role,
      opd: bundle.recipient.opd,
      phone: contact.phone,
      telegram_chat_id: contact.telegramChatId,
    },
    phone: contact.phone,
    chat_id: contact.telegramChatId,
    counts: { action: bundle.actionTotal, copy: bundle.infoTotal },
    items,
    text: chatText(bundle, ctx, template),
  };
}
