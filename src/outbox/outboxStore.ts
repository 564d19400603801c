// The outbox: composed messages waiting for the sender, by email or a chat webhook (channel,
// endpoint, payload). Rows are written in the scan's notify step together with the delivery rows
// of the items they carry (deliveryStore.ts); the unique dedupe_key makes a message once-only (a
// person's message of a scan, a day's reminder digest).
//
// States: pending → sending (claimed by one sender, FOR UPDATE SKIP LOCKED, with a lease) →
// sent | pending again with a later next_attempt_at (retry) | failed (attempts exhausted);
// cancelled when a decision it carried was cancelled before it was sent (its other items are
// composed again).
//
// A claim is only as good as its lease: before handing a message to the transport the sender
// renews the claim of exactly that message (renewClaim), which fails once another sender has
// taken it over, so a message is never sent under a lost claim. Claims of a sender known to be
// dead are expired at once (expireClaims) instead of waiting for the lease: on one host by its
// pid; on PostgreSQL by its liveness lock (a session advisory lock held while it drains).
import { createHash } from "node:crypto";
import type { Knex } from "knex";
import type { OutboundEmail } from "../core/escalation/compose.js";
import type { Instant } from "../core/types.js";
import type { Db } from "../store/reportStore.js";
import { markItemsSent } from "./deliveryStore.js";

// The states are declared once, beside the metrics that count them (a layer below).
import { OUTBOX_STATES, type OutboxState } from "../metrics/source.js";
export { OUTBOX_STATES, type OutboxState };

export interface OutboxMessage {
  id: number;
  dedupeKey: string;
  messageId: string;
  kind: OutboundEmail["kind"];
  to: string[];
  cc: string[];
  recipientNames: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  items: string[];
  state: OutboxState;
  attempts: number;
  nextAttemptAt: Instant;
  lastError: string | null;
  createdAt: Instant;
  sentAt: Instant | null;
  lockedBy: string | null;
  /** "email", or "webhook" (then `endpoint` names the webhook and `payload` is its JSON body). */
  channel: OutboxChannel;
  endpoint: string | null;
  payload: unknown;
}

export type OutboxChannel = "email" | "webhook";

/** What a webhook message adds to the composed text (see webhookStep.ts). */
export interface ChannelFields {
  channel: OutboxChannel;
  endpoint: string;
  payload: unknown;
  /** Not before (quiet hours); default: now. */
  notBefore: Instant;
}

interface OutboxRow {
  id: number | string;
  dedupe_key: string;
  message_id: string;
  kind: string;
  to: unknown;
  cc: unknown;
  recipient_names: unknown;
  subject: string;
  text: string;
  html: string;
  headers: unknown;
  items: unknown;
  state: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
  locked_by: string | null;
  channel?: string;
  endpoint?: string | null;
  payload?: unknown;
}

const json = <T>(v: unknown): T => (typeof v === "string" ? (JSON.parse(v) as T) : (v as T));

export function outboxFromRow(r: OutboxRow): OutboxMessage {
  return {
    id: Number(r.id),
    dedupeKey: r.dedupe_key,
    messageId: r.message_id,
    kind: r.kind as OutboundEmail["kind"],
    to: json<string[]>(r.to),
    cc: json<string[]>(r.cc),
    recipientNames: json<Record<string, string>>(r.recipient_names),
    subject: r.subject,
    text: r.text,
    html: r.html,
    headers: json<Record<string, string>>(r.headers),
    items: json<string[]>(r.items),
    state: r.state as OutboxState,
    attempts: r.attempts,
    nextAttemptAt: new Date(r.next_attempt_at).getTime(),
    lastError: r.last_error,
    createdAt: new Date(r.created_at).getTime(),
    sentAt: r.sent_at === null ? null : new Date(r.sent_at).getTime(),
    lockedBy: r.locked_by,
    channel: (r.channel ?? "email") as OutboxChannel,
    endpoint: r.endpoint ?? null,
    payload: r.payload === undefined || r.payload === null ? null : json<unknown>(r.payload),
  };
}

/**
 * The dedupe key as stored: as composed when short; a long one (an escalation grouping hundreds
 * of decisions) is cut and completed with its SHA-256, since a B-tree entry must stay small.
 */
export function storedKey(key: string): string {
  if (key.length <= 400) return key;
  return `${key.slice(0, 200)}…#${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

function rowOf(
  email: OutboundEmail,
  now: Instant,
  fields?: ChannelFields,
): Record<string, unknown> {
  return {
    channel: fields?.channel ?? "email",
    endpoint: fields?.endpoint ?? null,
    payload: fields ? JSON.stringify(fields.payload) : null,
    dedupe_key: storedKey(email.dedupeKey),
    message_id: email.messageId,
    kind: email.kind,
    to: JSON.stringify(email.to),
    cc: JSON.stringify(email.cc),
    recipient_names: JSON.stringify(email.recipientNames),
    subject: email.subject,
    text: email.text,
    html: email.html,
    headers: JSON.stringify(email.headers),
    items: JSON.stringify(email.items),
    state: "pending",
    attempts: 0,
    next_attempt_at: new Date(fields?.notBefore ?? now),
    created_at: new Date(now),
  };
}

/**
 * Inserts a composed message unless its dedupe key exists (then nothing happens). An escalation
 * message whose earlier copy was cancelled (a decision in it was cancelled, and the same set is
 * decided again) is revived with the new content. Returns the row id and whether it is new.
 */
export async function enqueue(
  trx: Knex.Transaction,
  email: OutboundEmail,
  now: Instant,
  fields?: ChannelFields,
): Promise<{ id: number; created: boolean }> {
  const row = rowOf(email, now, fields);
  const insert = trx("outbox").insert(row).onConflict("dedupe_key");
  const inserted = (await (
    email.kind === "escalation"
      ? insert
          .merge({ ...row, last_error: null, sent_at: null, locked_by: null, locked_until: null })
          .where("outbox.state", "cancelled")
      : insert.ignore()
  ).returning("id")) as { id: number | string }[];
  if (inserted[0]) return { id: Number(inserted[0].id), created: true };
  const existing = (await trx("outbox")
    .select("id")
    .where({ dedupe_key: storedKey(email.dedupeKey) })
    .first()) as { id: number | string } | undefined;
  return { id: Number(existing?.id), created: false };
}

/** Where each message of one enqueueAll went: its row id, and whether it is new. */
export type Enqueued = Map<string, { id: number; created: boolean }>;

/**
 * enqueue for many messages in two statements (the insert, then the ids of the keys that
 * existed), with enqueue's rules: an existing key is left alone, except a cancelled escalation
 * message, which is revived with the new content. Keyed by the messages' dedupe keys; a key
 * given twice is written once. `fieldsOf` gives a message's channel fields (webhook messages);
 * without them a message is an email. `idOf` gives the id a new message is to have (taken from
 * the outbox's sequence beforehand, as DeliveryWriter does); a message revived or existing
 * keeps its own.
 */
export async function enqueueAll(
  trx: Knex.Transaction,
  emails: readonly OutboundEmail[],
  now: Instant,
  fieldsOf: (email: OutboundEmail) => ChannelFields | undefined = () => undefined,
  idOf: (email: OutboundEmail) => number | undefined = () => undefined,
): Promise<Enqueued> {
  const out: Enqueued = new Map();
  const byStored = new Map<string, Record<string, unknown>>();
  const original = new Map<string, string>();
  for (const email of emails) {
    const row = rowOf(email, now, fieldsOf(email));
    const stored = row.dedupe_key as string;
    if (byStored.has(stored)) continue;
    const id = idOf(email);
    byStored.set(stored, {
      ...(id === undefined ? {} : { id }),
      ...row,
      last_error: null,
      sent_at: null,
      locked_by: null,
      locked_until: null,
    });
    original.set(stored, email.dedupeKey);
  }
  if (byStored.size === 0) return out;
  const rows = [...byStored.values()];
  const inserted = (await trx("outbox")
    .insert(rows)
    .onConflict("dedupe_key")
    .merge(Object.keys(rows[0]!).filter((c) => c !== "dedupe_key" && c !== "id"))
    .where("outbox.state", "cancelled")
    .andWhereRaw("excluded.kind = 'escalation'")
    .returning(["id", "dedupe_key"])) as { id: number | string; dedupe_key: string }[];
  for (const r of inserted) {
    out.set(original.get(r.dedupe_key)!, { id: Number(r.id), created: true });
  }
  const missing = [...byStored.keys()].filter((k) => !out.has(original.get(k)!));
  if (missing.length > 0) {
    const existing = (await trx("outbox")
      .select("id", "dedupe_key")
      .whereIn("dedupe_key", missing)) as { id: number | string; dedupe_key: string }[];
    for (const r of existing) {
      out.set(original.get(r.dedupe_key)!, { id: Number(r.id), created: false });
    }
  }
  return out;
}

/** Dedupe keys of this kind that exist (any state) among `keys`. */
export async function existingKeys(db: Db, keys: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const byStored = new Map(keys.map((k) => [storedKey(k), k]));
  const stored = [...byStored.keys()];
  for (let i = 0; i < stored.length; i += 1000) {
    const rows = (await db("outbox")
      .select("dedupe_key")
      .whereIn("dedupe_key", stored.slice(i, i + 1000))) as { dedupe_key: string }[];
    for (const r of rows) out.add(byStored.get(r.dedupe_key) ?? r.dedupe_key);
  }
  return out;
}

/**
 * Claims up to `limit` messages for this sender: pending ones whose time has come, and
 * 'sending' ones whose lease expired (a sender that died mid-send). Rows other senders hold are
 * skipped. Attempts are counted here, so a message that crashes the sender cannot loop forever.
 */
export async function claimBatch(
  db: Db,
  sender: string,
  now: Instant,
  leaseMs: number,
  limit: number,
): Promise<OutboxMessage[]> {
  const at = new Date(now);
  const result = (await db.raw(
    `UPDATE outbox SET state = 'sending', locked_by = ?, locked_until = ?, attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM outbox
       WHERE (state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND locked_until < ?)
       ORDER BY id
       LIMIT ?
       FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [sender, new Date(now + leaseMs), at, at, limit],
  )) as { rows: OutboxRow[] };
  return result.rows.map(outboxFromRow).sort((a, b) => a.id - b.id);
}

/**
 * Re-confirms this sender's claim on one message right before it is sent, extending its lease to
 * `now + leaseMs`. False when the claim was lost: another sender took the message over after the
 * lease expired (locked_by differs), or it is no longer 'sending'. A claim whose lease ran out
 * but that nobody took over is still this sender's, and is renewed.
 */
export async function renewClaim(
  db: Db,
  id: number,
  sender: string,
  now: Instant,
  leaseMs: number,
): Promise<boolean> {
  const n = await db("outbox")
    .where({ id, state: "sending", locked_by: sender })
    .update({ locked_until: new Date(now + leaseMs) });
  return Number(n) === 1;
}

/** Claimants holding unexpired claims at `now`, with how many messages each holds. */
export async function activeClaimants(db: Db, now: Instant): Promise<Map<string, number>> {
  const rows = (await db("outbox")
    .select("locked_by")
    .count("* as n")
    .where({ state: "sending" })
    .where("locked_until", ">=", new Date(now))
    .whereNotNull("locked_by")
    .groupBy("locked_by")) as { locked_by: string; n: number | string }[];
  return new Map(rows.map((r) => [r.locked_by, Number(r.n)]));
}

/** Advisory-lock class of live outbox senders on PostgreSQL ("PANT"); the key is hashtext(id). */
export const SENDER_LOCK_CLASS = 0x50414e54;

/**
 * Claimants (ids ending in ":pg") holding unexpired claims at `now` whose sender liveness lock
 * no session of this database holds: their process died or lost its connection (PostgreSQL).
 */
export async function unlockedPgClaimants(db: Db, now: Instant): Promise<string[]> {
  const result = (await db.raw(
    `SELECT DISTINCT o.locked_by FROM outbox o
     WHERE o.state = 'sending' AND o.locked_until >= ? AND o.locked_by LIKE '%:pg'
       AND NOT EXISTS (
         SELECT 1 FROM pg_locks l
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid = (?)::int4::oid AND l.objid = hashtext(o.locked_by)::oid)`,
    [new Date(now), SENDER_LOCK_CLASS],
  )) as { rows: { locked_by: string }[] };
  return result.rows.map((r) => r.locked_by);
}

/**
 * Ends the leases of the given claimants now (senders known to be dead), so their messages are
 * claimed by the next claimBatch instead of after the lease. Returns the messages released.
 */
export async function expireClaims(
  db: Db,
  claimants: readonly string[],
  now: Instant,
): Promise<number> {
  if (claimants.length === 0) return 0;
  const n = await db("outbox")
    .where({ state: "sending" })
    .whereIn("locked_by", claimants)
    .where("locked_until", ">=", new Date(now))
    .update({ locked_until: new Date(now - 1) });
  return Number(n);
}

/** Marks a claimed message sent, and the decisions it carried. False if the claim was lost. */
export async function markSent(
  knex: Knex,
  id: number,
  sender: string,
  now: Instant,
): Promise<boolean> {
  return knex.transaction(async (trx) => {
    const n = await trx("outbox")
      .where({ id, state: "sending", locked_by: sender })
      .update({ state: "sent", sent_at: new Date(now), locked_until: null, last_error: null });
    if (n === 0) return false;
    await markItemsSent(trx, id, now);
    return true;
  });
}

/** Schedules another attempt, or marks the message failed when `retryAt` is null. */
export async function markAttemptFailed(
  db: Db,
  id: number,
  sender: string,
  error: string,
  retryAt: Instant | null,
): Promise<void> {
  await db("outbox")
    .where({ id, state: "sending", locked_by: sender })
    .update({
      state: retryAt === null ? "failed" : "pending",
      next_attempt_at: retryAt === null ? db.raw("next_attempt_at") : new Date(retryAt),
      last_error: error.slice(0, 1000),
      locked_until: null,
    });
}

/** Gives a claimed but untouched message back (shutdown before it was sent). */
export async function release(db: Db, id: number, sender: string): Promise<void> {
  await db("outbox")
    .where({ id, state: "sending", locked_by: sender })
    .update({
      state: "pending",
      locked_until: null,
      attempts: db.raw("greatest(attempts - 1, 0)"),
    });
}

export interface OutboxFilter {
  states?: readonly OutboxState[];
  limit?: number;
}

export async function listOutbox(db: Db, filter: OutboxFilter = {}): Promise<OutboxMessage[]> {
  const q = db("outbox").select("*").orderBy("id");
  if (filter.states && filter.states.length > 0) q.whereIn("state", filter.states);
  if (filter.limit) q.limit(filter.limit);
  return ((await q) as OutboxRow[]).map(outboxFromRow);
}

export async function countByState(db: Db): Promise<Record<OutboxState, number>> {
  const rows = (await db("outbox").select("state").count("* as n").groupBy("state")) as {
    state: OutboxState;
    n: number | string;
  }[];
  const out = { pending: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 };
  for (const r of rows) out[r.state] = Number(r.n);
  return out;
}

/**
 * Puts failed messages (all of them, or the given ids) back in the queue with a fresh attempt
 * budget. Returns the ids re-queued; ids that are not failed are left alone.
 */
export async function requeueFailed(
  db: Db,
  ids: readonly number[] | "all",
  now: Instant,
): Promise<number[]> {
  const q = db("outbox").where({ state: "failed" });
  if (ids !== "all") q.whereIn("id", ids);
  const rows = (await q
    .update({ state: "pending", attempts: 0, next_attempt_at: new Date(now), locked_by: null })
    .returning("id")) as { id: number | string }[];
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}
