// Per-item deliveries: which item (a decision key or a vacancy key) goes to which person over
// which channel, and in which outbox message. The unique index (item_key, person, channel) is
// the exactly-once rule per item: a pair is claimed by inserting its row, in the same transaction
// as the message that carries it, and never twice. A message carries every item delivered
// through it, listed in its text or only counted there (a person's message lists at most
// ITEMS_LISTED items): either way the item is delivered to that person.
//
// Invariants: a delivery row exists only together with its message (same transaction: rows
// claimed by a notify step are attached to their person's message before it commits); rows of a
// message cancelled before it goes out are deleted (escalationStore.cancelDecisions), so its
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

const CLAIM = `INSERT INTO notification_deliveries (item_key, person, channel, created_at)
SELECT item_key, person, channel, $4::timestamptz
FROM unnest($1::text::text[], $2::text::text[], $3::text::text[]) AS u(item_key, person, channel)
ON CONFLICT (item_key, person, channel) DO NOTHING
RETURNING item_key, person, channel`;

/**
 * Claims the pairs not delivered yet, in one statement (ON CONFLICT DO NOTHING; a concurrent
 * claimer waits for the other transaction and then skips). Returns the keys of the pairs claimed
 * now (see isClaimed); the caller composes exactly those and attaches their messages.
 */
export async function claimDeliveries(
  session: BulkSession,
  pairs: readonly DeliveryPair[],
  now: Instant,
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
  const out = (await session.query(CLAIM, [
    ...rows.literals(),
    new Date(now).toISOString(),
  ])) as unknown as { item_key: string; person: string; channel: string }[];
  for (const r of out) {
    claimed.add(pairKey({ itemKey: r.item_key, person: r.person, channel: r.channel }));
  }
  return claimed;
}

export function isClaimed(claimed: ReadonlySet<string>, pair: DeliveryPair): boolean {
  return claimed.has(pairKey(pair));
}

const ATTACH = `UPDATE notification_deliveries AS d SET outbox_id = u.outbox_id
FROM unnest($1::text::text[], $2::text::bigint[]) AS u(person, outbox_id)
WHERE d.person = u.person AND d.channel = $3 AND d.outbox_id IS NULL`;

/**
 * Points every pair claimed in this transaction for these people on `channel` at their person's
 * message (person → outbox id), in one statement. Only this transaction's claims are unattached
 * (the invariant above), so a person's message carries all of them, listed or counted.
 */
export async function attachMessages(
  session: BulkSession,
  channel: string,
  messages: ReadonlyMap<string, number>,
): Promise<void> {
  if (messages.size === 0) return;
  const rows = new ColumnBatch(2);
  for (const [person, id] of messages) rows.add([person, id]);
  await session.query(ATTACH, [...rows.literals(), channel]);
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
