// Per-item deliveries: which item (a decision key or a vacancy key) goes to which person over
// which channel, and in which outbox message. The unique index (item_key, person, channel) is
// the exactly-once rule per item: a pair is claimed by inserting its row, in the same transaction
// as the message that carries it, and never twice.
//
// Invariants: a delivery row exists only together with its message (same transaction); rows of a
// message that is cancelled before it goes out are deleted, so its items are composed again for
// that person; rows of a message being sent or sent are never deleted.
import type { Knex } from "knex";
import type { Instant } from "../core/types.js";

export interface DeliveryPair {
  itemKey: string;
  person: string;
  channel: string;
}

const pairKey = (p: DeliveryPair): string => `${p.itemKey}\u0000${p.person}\u0000${p.channel}`;

/**
 * Claims the pairs not delivered yet (ON CONFLICT DO NOTHING; a concurrent claimer waits for
 * the other transaction and then skips). Returns the keys (itemKey, person, channel joined by
 * NUL) of the pairs claimed now; the caller composes exactly those and attaches the messages.
 */
export async function claimDeliveries(
  trx: Knex.Transaction,
  pairs: readonly DeliveryPair[],
  now: Instant,
): Promise<Set<string>> {
  const claimed = new Set<string>();
  const unique = [...new Map(pairs.map((p) => [pairKey(p), p])).values()];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = (await trx("notification_deliveries")
      .insert(
        chunk.map((p) => ({
          item_key: p.itemKey,
          person: p.person,
          channel: p.channel,
          created_at: new Date(now),
        })),
      )
      .onConflict(["item_key", "person", "channel"])
      .ignore()
      .returning(["item_key", "person", "channel"])) as {
      item_key: string;
      person: string;
      channel: string;
    }[];
    for (const r of rows) {
      claimed.add(pairKey({ itemKey: r.item_key, person: r.person, channel: r.channel }));
    }
  }
  return claimed;
}

export function isClaimed(claimed: ReadonlySet<string>, pair: DeliveryPair): boolean {
  return claimed.has(pairKey(pair));
}

/** Points the person's claimed pairs of these items at the message that carries them. */
export async function attachMessage(
  trx: Knex.Transaction,
  person: string,
  channel: string,
  itemKeys: readonly string[],
  outboxId: number,
): Promise<void> {
  for (let i = 0; i < itemKeys.length; i += 1000) {
    await trx("notification_deliveries")
      .where({ person, channel })
      .whereNull("outbox_id")
      .whereIn("item_key", itemKeys.slice(i, i + 1000))
      .update({ outbox_id: outboxId });
  }
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

/**
 * Cancels pending decisions none of whose messages has started to go out. Returns the keys
 * cancelled and how many messages were cancelled. A message carrying a cancelled decision is
 * cancelled (if still pending or failed); its deliveries are deleted and the other decisions it
 * carried become uncomposed, so the notify step composes them again for that person.
 */
export async function cancelDecisions(
  trx: Knex.Transaction,
  keys: readonly string[],
  now: Instant,
): Promise<{ cancelled: Set<string>; messagesCancelled: number }> {
  const cancelled = new Set<string>();
  if (keys.length === 0) return { cancelled, messagesCancelled: 0 };
  const pending = (
    (await trx("escalations")
      .select("decision_key")
      .whereIn("decision_key", keys)
      .where({ status: "pending" })) as { decision_key: string }[]
  ).map((r) => r.decision_key);
  if (pending.length === 0) return { cancelled, messagesCancelled: 0 };
  const deliveries = (await trx("notification_deliveries")
    .select("item_key", "outbox_id")
    .whereIn("item_key", pending)) as { item_key: string; outbox_id: number | string | null }[];
  const outboxIds = [...new Set(deliveries.map((d) => d.outbox_id).filter((x) => x !== null))].map(
    Number,
  );
  // Lock the messages: a sender claiming one waits for this transaction (or skips it).
  const states = new Map<number, string>();
  if (outboxIds.length > 0) {
    const rows = (await trx("outbox")
      .select("id", "state")
      .whereIn("id", outboxIds)
      .forUpdate()) as { id: number | string; state: string }[];
    for (const r of rows) states.set(Number(r.id), r.state);
  }
  const busy = new Set(
    deliveries
      .filter((d) => {
        const s = d.outbox_id === null ? undefined : states.get(Number(d.outbox_id));
        return s === "sending" || s === "sent";
      })
      .map((d) => d.item_key),
  );
  const cancelKeys = pending.filter((k) => !busy.has(k));
  if (cancelKeys.length === 0) return { cancelled, messagesCancelled: 0 };
  await trx("escalations")
    .whereIn("decision_key", cancelKeys)
    .where({ status: "pending" })
    .update({ status: "cancelled", cancelled_at: new Date(now) });
  for (const k of cancelKeys) cancelled.add(k);
  const affected = [
    ...new Set(
      deliveries
        .filter((d) => cancelled.has(d.item_key) && d.outbox_id !== null)
        .map((d) => Number(d.outbox_id))
        .filter((id) => {
          const s = states.get(id);
          return s === "pending" || s === "failed";
        }),
    ),
  ];
  if (affected.length > 0) {
    await trx("outbox")
      .whereIn("id", affected)
      .update({ state: "cancelled", locked_by: null, locked_until: null });
    const siblings = trx("notification_deliveries")
      .select("item_key")
      .whereIn("outbox_id", affected);
    await trx("escalations")
      .where({ status: "pending" })
      .whereIn("decision_key", siblings)
      .update({ composed_at: null });
    await trx("notification_deliveries").whereIn("outbox_id", affected).delete();
  }
  await trx("notification_deliveries").whereIn("item_key", cancelKeys).delete();
  return { cancelled, messagesCancelled: affected.length };
}
