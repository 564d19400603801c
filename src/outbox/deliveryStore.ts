// Per-item deliveries: which item (a decision key or a vacancy key) goes to which person over
// which channel, and in which outbox message. The primary key (item_key, person, channel) is
// the exactly-once rule per item: a pair is delivered by inserting its row, in the same
// transaction as the message that carries it, and never twice. A message carries every item
// delivered through it, listed in its text or only counted there (a person's message lists at
// most ITEMS_LISTED items): either way the item is delivered to that person.
//
// A notify step claims its pairs first, in a claim table of its own transaction (a temporary
// table, dropped at commit: no index upkeep or WAL on the shared table for pairs it has not
// written yet): claimDeliveries keeps the pairs neither delivered before nor claimed already,
// and says which; once a person's message is written, deliverClaims writes that person's
// claimed pairs to notification_deliveries with the message id — each pair written once, with
// its message, instead of inserted and then updated. Should any of them exist by then (a second
// notify step running outside the scan lock got there first), deliverClaims throws and the
// whole step rolls back: nothing is sent twice, and the next scan composes what is left.
//
// Invariants: a delivery row exists only together with its message (same transaction); rows of
// a message cancelled before it goes out are deleted (escalationStore.cancelDecisions), so its
// items are composed again for that person; rows of a message being sent or sent are never
// deleted. Set-based: one statement per call, whatever the number of pairs or people.
import type { Knex } from "knex";
import type { Instant } from "../core/types.js";
import { ColumnBatch, type BulkSession } from "../store/bulkSession.js";

export interface DeliveryPair {
  itemKey: string;
  person: string;
  channel: string;
}

const pairKey = (p: DeliveryPair): string => `${p.itemKey}\u0000${p.person}\u0000${p.channel}`;

/** This transaction's claim table; created by openClaims, dropped at commit or rollback. */
const OPEN_CLAIMS = [
  `CREATE TEMP TABLE pantau_claims (item_key text NOT NULL, person text NOT NULL,
     channel text NOT NULL, PRIMARY KEY (item_key, person, channel)) ON COMMIT DROP`,
  "CREATE INDEX ON pantau_claims (channel, person)",
];

/** Starts the claims of a notify step (once per transaction, before claimDeliveries). */
export async function openClaims(trx: Knex.Transaction): Promise<void> {
  for (const sql of OPEN_CLAIMS) await trx.raw(sql);
}

const CLAIM = `INSERT INTO pantau_claims (item_key, person, channel)
SELECT u.item_key, u.person, u.channel
FROM unnest($1::text::text[], $2::text::text[], $3::text::text[]) AS u(item_key, person, channel)
WHERE NOT EXISTS (SELECT 1 FROM notification_deliveries d
  WHERE d.item_key = u.item_key AND d.person = u.person AND d.channel = u.channel)
ON CONFLICT (item_key, person, channel) DO NOTHING
RETURNING item_key, person, channel`;

/**
 * Claims the pairs neither delivered before nor claimed earlier in this step, in one
 * statement. Returns the keys of the pairs claimed now (see isClaimed); the caller composes
 * exactly those and hands each person's message to deliverClaims.
 */
export async function claimDeliveries(
  session: BulkSession,
  pairs: readonly DeliveryPair[],
): Promise<Set<string>> {
  const claimed = new Set<string>();
  const rows = new ColumnBatch(3);
  const seen = new Set<string>();
  for (const p of pairs) {
    const key = pairKey(p);
    if (seen.has(key)) continue;
    seen.add(key);
    rows.add([p.itemKey, p.person, p.channel]);
  }
  if (rows.rows === 0) return claimed;
  const out = (await session.query(CLAIM, rows.literals())) as unknown as {
    item_key: string;
    person: string;
    channel: string;
  }[];
  for (const r of out) {
    claimed.add(pairKey({ itemKey: r.item_key, person: r.person, channel: r.channel }));
  }
  return claimed;
}

export function isClaimed(claimed: ReadonlySet<string>, pair: DeliveryPair): boolean {
  return claimed.has(pairKey(pair));
}

const DELIVER = `WITH c AS (
  DELETE FROM pantau_claims c
  USING unnest($1::text::text[], $2::text::bigint[]) AS u(person, outbox_id)
  WHERE c.channel = $3 AND c.person = u.person
  RETURNING c.item_key, c.person, c.channel, u.outbox_id),
ins AS (
  INSERT INTO notification_deliveries (item_key, person, channel, outbox_id, created_at)
  SELECT item_key, person, channel, outbox_id, $4::timestamptz FROM c
  ON CONFLICT (item_key, person, channel) DO NOTHING
  RETURNING 1)
SELECT (SELECT count(*) FROM c)::int AS claimed, (SELECT count(*) FROM ins)::int AS delivered`;

const DELIVER_REST = `WITH c AS (DELETE FROM pantau_claims RETURNING item_key, person, channel),
ins AS (
  INSERT INTO notification_deliveries (item_key, person, channel, outbox_id, created_at)
  SELECT item_key, person, channel, NULL, $1::timestamptz FROM c
  ON CONFLICT (item_key, person, channel) DO NOTHING
  RETURNING 1)
SELECT (SELECT count(*) FROM c)::int AS claimed, (SELECT count(*) FROM ins)::int AS delivered`;

function checkDelivered(rows: readonly Record<string, unknown>[]): void {
  const r = rows[0] as { claimed: number; delivered: number } | undefined;
  if (r && r.delivered !== r.claimed) {
    throw new Error(
      `${r.claimed - r.delivered} of ${r.claimed} claimed deliveries were written by another notify step meanwhile: this one is rolled back, the next scan composes what is left`,
    );
  }
}

/**
 * Writes the pairs claimed in this step for these people on `channel` (person → their message's
 * outbox id; null: no message, as for a person without a chat address) to
 * notification_deliveries, in one statement. Throws if any of them was delivered meanwhile.
 */
export async function deliverClaims(
  session: BulkSession,
  channel: string,
  messages: ReadonlyMap<string, number | null>,
  now: Instant,
): Promise<void> {
  if (messages.size === 0) return;
  const rows = new ColumnBatch(2);
  for (const [person, id] of messages) rows.add([person, id]);
  checkDelivered(
    await session.query(DELIVER, [...rows.literals(), channel, new Date(now).toISOString()]),
  );
}

/**
 * The claims no message took (a person left without any message): written without a message,
 * as delivered, so that they are not composed again. Normally none.
 */
export async function deliverRemainingClaims(session: BulkSession, now: Instant): Promise<void> {
  checkDelivered(await session.query(DELIVER_REST, [new Date(now).toISOString()]));
}

/** A message went out: the pending decisions it carries are sent (a step sent stays sent). */
export async function markItemsSent(
  trx: Knex.Transaction,
  outboxId: number,
  now: Instant,
): Promise<void> {
  await trx("escalations")
    .where({ status: "pending" })
    .whereIn(
      "decision_key",
      trx("notification_deliveries").select("item_key").where({ outbox_id: outboxId }),
    )
    .update({ status: "sent", sent_at: new Date(now) });
}
