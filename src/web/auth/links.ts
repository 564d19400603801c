// One-time sign-in links: an officer of the directory asks with their email address and receives
// a link through the outbox (SMTP or .eml, like every other message). A link is stored only as
// the SHA-256 of its secret, lives `linkMs` (web.link_minutes), and is used at most once: the
// UPDATE that consumes it is the only way to a session. Once used, the secret is also blanked in
// the outbox copy of the email. Whether an address is known is never told to the requester
// (the answer is the same), so the form cannot be used to probe the directory.
import type { Knex } from "knex";
import type { OutboundEmail } from "../../core/escalation/compose.js";
import { isValidEmail } from "../../core/escalation/emailAddress.js";
import { escapeHtml, messageIdFor, sanitizeHeaderText } from "../../core/escalation/safety.js";
import { formatLocal } from "../../core/format/index.js";
import type { Instant } from "../../core/types.js";
import { enqueue } from "../../outbox/outboxStore.js";
import { loadAppointments } from "../../officers/officerStore.js";
import { pick, type Lang } from "../../i18n/lang.js";
import { officerAccess } from "./access.js";
import { hashSecret, newSecret } from "./secrets.js";

export interface LinkSettings {
  regency: string;
  zone: string;
  /** The address people open, without a trailing slash. */
  baseUrl: string;
  linkMs: number;
  lang: Lang;
}

/** The path a sign-in link opens (the secret follows as ?t=). */
export const LINK_PATH = "/masuk/tautan";

const dedupeKeyOf = (linkId: number): string => `signin|${linkId}`;

/** The sign-in email (pure): the link, how long it lasts, and what to do if it was not asked for. */
export function composeSignInEmail(
  to: string,
  name: string,
  link: string,
  expiresAt: Instant,
  linkId: number,
  s: LinkSettings,
): OutboundEmail {
  const until = formatLocal(expiresAt, s.zone, s.lang);
  const minutes = Math.round(s.linkMs / 60_000);
  const lines = {
    id: [
      `Yth. ${name},`,
      "",
      `Untuk masuk ke Papan Kepatuhan SP4N-LAPOR! ${s.regency}, buka tautan ini:`,
      link,
      "",
      `Tautan berlaku ${minutes} menit (sampai ${until}) dan hanya dapat dipakai sekali.`,
      "Jika Anda tidak meminta tautan ini, abaikan email ini: tanpa tautan tidak ada yang dapat masuk atas nama Anda.",
    ],
    en: [
      `Dear ${name},`,
      "",
      `To sign in to the SP4N-LAPOR! compliance board of ${s.regency}, open this link:`,
      link,
      "",
      `The link is valid for ${minutes} minutes (until ${until}) and works once.`,
      "If you did not ask for it, ignore this email: nobody can sign in as you without the link.",
    ],
  };
  const text = pick(s.lang, { id: lines.id.join("\n"), en: lines.en.join("\n") });
  const html = text
    .split("\n")
    .map((l) =>
      l === link
        ? `<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`
        : `<p>${escapeHtml(l)}</p>`,
    )
    .join("\n");
  const dedupeKey = dedupeKeyOf(linkId);
  return {
    messageId: messageIdFor(dedupeKey, s.regency),
    dedupeKey,
    kind: "signin",
    to: [to],
    cc: [],
    recipientNames: { [to]: sanitizeHeaderText(name) },
    subject: sanitizeHeaderText(
      pick(s.lang, {
        id: `Tautan masuk Papan Kepatuhan ${s.regency}`,
        en: `Sign-in link for the ${s.regency} compliance board`,
      }),
    ),
    text,
    html,
    items: [],
    headers: { "X-Pantau-Kind": "signin", "Auto-Submitted": "auto-generated" },
  };
}

/** Stores a new link for `address` (already checked against the directory). */
export async function createLink(
  db: Knex | Knex.Transaction,
  address: string,
  now: Instant,
  linkMs: number,
): Promise<{ secret: string; linkId: number; expiresAt: Instant }> {
  const secret = newSecret();
  const expiresAt = now + linkMs;
  const [row] = (await db("web_signin_links")
    .insert({
      token_hash: hashSecret(secret),
      email: address.toLowerCase(),
      created_at: new Date(now),
      expires_at: new Date(expiresAt),
    })
    .returning("id")) as { id: number | string }[];
  return { secret, linkId: Number(row?.id), expiresAt };
}

/** The address a link with `secret` opens. */
export const linkUrl = (baseUrl: string, secret: string): string =>
  `${baseUrl}${LINK_PATH}?t=${secret}`;

export type LinkRequestResult = { kind: "queued" } | { kind: "unknown" } | { kind: "invalid" };

/**
 * Queues a sign-in link for `email` when an officer holds a role under that address at `now`;
 * "unknown" otherwise (the page answers the same), "invalid" when it is not an email address.
 * One transaction: the link row and its outbox message exist together or not at all.
 */
export async function requestSignInLink(
  knex: Knex,
  email: string,
  now: Instant,
  s: LinkSettings,
): Promise<LinkRequestResult> {
  const address = email.trim().toLowerCase();
  if (!isValidEmail(address)) return { kind: "invalid" };
  return knex.transaction(async (trx) => {
    const appointments = await loadAppointments(trx);
    const access = officerAccess(appointments, address, now);
    if (!access) return { kind: "unknown" as const };
    const { secret, linkId, expiresAt } = await createLink(trx, address, now, s.linkMs);
    const link = linkUrl(s.baseUrl, secret);
    await enqueue(
      trx,
      composeSignInEmail(address, access.displayName, link, expiresAt, linkId, s),
      now,
    );
    return { kind: "queued" as const };
  });
}

export type LinkUse =
  { kind: "ok"; email: string } | { kind: "used" } | { kind: "expired" } | { kind: "unknown" };

const REDACTED = "[tautan masuk sudah dipakai / sign-in link already used]";

/** Uses the link with `secret` at `now`: once, before it expires. */
export async function consumeSignInLink(
  knex: Knex,
  secret: string,
  now: Instant,
): Promise<LinkUse> {
  const hash = hashSecret(secret);
  return knex.transaction(async (trx) => {
    const used = (await trx("web_signin_links")
      .where({ token_hash: hash })
      .whereNull("used_at")
      .where("expires_at", ">", new Date(now))
      .update({ used_at: new Date(now) })
      .returning(["id", "email"])) as { id: number | string; email: string }[];
    const row = used[0];
    if (row) {
      // The secret need not stay readable in the outbox copy once it is spent.
      await trx("outbox")
        .where({ dedupe_key: dedupeKeyOf(Number(row.id)), kind: "signin" })
        .whereIn("state", ["sent", "failed", "cancelled"])
        .update({ text: REDACTED, html: `<p>${REDACTED}</p>` });
      return { kind: "ok" as const, email: row.email };
    }
    const known = (await trx("web_signin_links")
      .select("used_at")
      .where({ token_hash: hash })
      .first()) as { used_at: Date | null } | undefined;
    if (!known) return { kind: "unknown" as const };
    return known.used_at !== null ? { kind: "used" as const } : { kind: "expired" as const };
  });
}
