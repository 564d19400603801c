// Per-item deliveries: which item (a decision key or a vacancy key) goes to which person over
// which channel, and in which outbox message. The primary key (item_key, person, channel) is
// the exactly-once rule per item: a pair is delivered by inserting its row, in the same
// transaction as the message that carries it, and never twice. A message carries every item
// delivered through it, listed in its text or only counted there (a person's message lists at
// most ITEMS_LISTED items): either way the item is delivered to that person.
//
// A notify step writes each pair once, as it claims it (DeliveryWriter): with the id that its
// person's message on that channel will have, taken from the outbox's sequence before the
// message is composed. The insert skips pairs delivered before, and a pair another notify step
// is writing at that moment waits for that step's commit and is then skipped (pairs are written
// in key order, so two steps wait on each other in one order): the unique key is the claim, and
// nothing is updated afterwards unless a person's message turned out to be one that existed
// already (a cancelled message revived, the same message written before) or no message at all
// (no chat address): those pairs then point at it, or at none (settle).
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

const ALLOCATE_IDS = `SELECT nextval(pg_get_serial_sequence('outbox', 'id'))::text AS id
FROM generate_series(1, $1::int)`;

const DELIVER = `INSERT INTO notification_deliveries (item_key, person, channel, outbox_id, created_at)
SELECT u.item_key, u.person, u.channel, u.outbox_id, $5::timestamptz
FROM unnest($1::text::text[], $2::text::text[], $3::text::text[], $4::text::bigint[])
  AS u(item_key, person, channel, outbox_id)
ORDER BY u.item_key, u.person, u.channel
ON CONFLICT (item_key, person, channel) DO NOTHING
RETURNING item_key, person, channel`;

const REPOINT = `UPDATE notification_deliveries d SET outbox_id = u.actual
FROM unnest($1::text::bigint[], $2::text::bigint[]) AS u(planned, actual)
WHERE d.outbox_id = u.planned`;

/**
 * One notify step's deliveries (see the top): `deliver` writes the pairs not delivered before
 * and says which it wrote; `messageId` is the id each person's message on a channel is to be
 * written with; `settle` records which message each person actually got; `finish` detaches the
 * pairs of anyone whose message was never settled. One statement per call, whatever the number
 * of pairs; none for settle and finish in the usual case.
 */
export class DeliveryWriter {
  /** Planned message id by channel and person. */
  private readonly planned = new Map<string, number>();
  private readonly settled = new Set<number>();

  constructor(
    private readonly session: BulkSession,
    private readonly now: Instant,
  ) {}

  /** Writes the pairs neither delivered before nor being delivered; returns those written. */
  async deliver(pairs: readonly DeliveryPair[]): Promise<Set<string>> {
    const written = new Set<string>();
    const unique = new Map<string, DeliveryPair>();
    for (const p of pairs) unique.set(pairKey(p), p);
    if (unique.size === 0) return written;
    const fresh = new Set<string>();
    for (const p of unique.values()) {
      const who = messageKey(p.channel, p.person);
      if (!this.planned.has(who)) fresh.add(who);
    }
    if (fresh.size > 0) {
      const ids = (await this.session.query(ALLOCATE_IDS, [fresh.size])) as { id: string }[];
      let i = 0;
      for (const who of fresh) this.planned.set(who, Number(ids[i++]?.id));
    }
    const rows = new ColumnBatch(4);
    for (const p of unique.values()) {
      rows.add([
        p.itemKey,
        p.person,
        p.channel,
        this.planned.get(messageKey(p.channel, p.person))!,
      ]);
    }
    const out = (await this.session.query(DELIVER, [
      ...rows.literals(),
      new Date(this.now).toISOString(),
    ])) as unknown as { item_key: string; person: string; channel: string }[];
    for (const r of out) {
      written.add(pairKey({ itemKey: r.item_key, person: r.person, channel: r.channel }));
    }
    return written;
  }

  /** The id to write this person's message on `channel` with (undefined: nothing delivered). */
  messageId(channel: string, person: string): number | undefined {
    return this.planned.get(messageKey(channel, person));
  }

  /**
   * The messages these people got on `channel` (null: none, as for a person without a chat
   * address): pairs whose planned message is not the one written point at it instead.
   */
  async settle(channel: string, messages: ReadonlyMap<string, number | null>): Promise<void> {
    const planned = new ColumnBatch(1);
    const actual = new ColumnBatch(1);
    for (const [person, id] of messages) {
      const plan = this.planned.get(messageKey(channel, person));
      if (plan === undefined) continue;
      this.settled.add(plan);
      if (id === plan) continue;
      planned.add([plan]);
      actual.add([id]);
    }
    if (planned.rows === 0) return;
    await this.session.query(REPOINT, [...planned.literals(), ...actual.literals()]);
  }

  /** Pairs of people whose message was never settled are delivered without a message. */
  async finish(): Promise<void> {
    const open = new ColumnBatch(1);
    const none = new ColumnBatch(1);
    for (const id of this.planned.values()) {
      if (this.settled.has(id)) continue;
      open.add([id]);
      none.add([null]);
    }
    if (open.rows === 0) return;
    await this.session.query(REPOINT, [...open.literals(), ...none.literals()]);
  }
}

const messageKey = (channel: string, person: string): string => `${channel}\u0000${person}`;

export function isDelivered(written: ReadonlySet<string>, pair: DeliveryPair): boolean {
  return written.has(pairKey(pair));
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
