// The escalations table as the scan uses it: the decisions already taken for a batch of reports,
// the batch's new decisions (one statement), cancellations before sending, and the notify step's
// reads and marks (pending decisions without a message, with their clocks and report facts;
// undeliverable; composed). Every function runs in the caller's transaction; instants are bound,
// never the database's now().
//
// Invariants: at most one non-cancelled row per decision key (the partial unique index
// escalations_once: a cancelled step can be decided again); a decision one of whose messages has
// started to go out (sending, sent) is never cancelled; a message carrying a cancelled decision
// is cancelled before it goes out, and the other items it carried are composed again.
import type { Knex } from "knex";
import type { EscalationDecision } from "../core/escalation/ladder.js";
import type { Instant } from "../core/types.js";
import { ColumnBatch, type BulkSession } from "../store/bulkSession.js";
import { instantSql, unnest, type Column } from "../store/importWrites.js";

/** A decision row as the scan reads it. */
export interface DecisionRow {
  decision_key: string;
  tracking_id: string;
  stage: string;
  seq: number;
  level: number;
  status: string;
  step_at: Date;
  decided_at: Date;
}

const LOAD_DECISIONS = `SELECT decision_key, tracking_id, stage, seq, level, status, step_at,
  decided_at
FROM escalations WHERE tracking_id = ANY($1::text::text[]) AND status <> 'cancelled'`;

/** Decisions of these reports that are not cancelled (pending, sent, superseded). */
export async function loadDecisions(
  session: BulkSession,
  trackingIds: readonly string[],
): Promise<DecisionRow[]> {
  const ids = new ColumnBatch(1);
  for (const id of trackingIds) ids.add([id]);
  return (await session.query(LOAD_DECISIONS, ids.literals())) as unknown as DecisionRow[];
}

const DECISION_COLUMNS: readonly Column[] = [
  ["decision_key", "text"],
  ["tracking_id", "text"],
  ["stage", "text"],
  ["seq", "integer"],
  ["level", "integer"],
  ["opd", "text"],
  ["status", "text"],
  ["trigger", "text"],
  ["step_at", "bigint"],
  ["decided_at", "bigint"],
  ["superseded_by", "text"],
];

const INSERT_DECISIONS = `INSERT INTO escalations (${DECISION_COLUMNS.map(([n]) => n).join(", ")}, scan_id)
SELECT decision_key, tracking_id, stage, seq, level, opd, status, trigger,
  ${instantSql("step_at")}, ${instantSql("decided_at")}, superseded_by, $${DECISION_COLUMNS.length + 1}
FROM ${unnest(DECISION_COLUMNS, 1, "u", true)}
ORDER BY ord
ON CONFLICT (decision_key) WHERE status <> 'cancelled' DO NOTHING`;

/** Writes new decisions ('pending') and the lower levels they supersede, in one statement. */
export async function insertDecisions(
  session: BulkSession,
  decided: readonly EscalationDecision[],
  superseded: readonly EscalationDecision[],
  scanId: string,
): Promise<void> {
  const rows = new ColumnBatch(DECISION_COLUMNS.length);
  const add = (d: EscalationDecision, status: "pending" | "superseded"): void => {
    const c = d.view.clock;
    rows.add([
      d.key,
      c.trackingId,
      c.stage,
      c.seq,
      d.level,
      d.opd,
      status,
      d.trigger,
      d.stepAt,
      d.decidedAt,
      d.supersededBy ?? null,
    ]);
  };
  for (const d of decided) add(d, "pending");
  for (const d of superseded) add(d, "superseded");
  if (rows.rows === 0) return;
  await session.query(INSERT_DECISIONS, [...rows.literals(), scanId]);
}

export interface Cancellation {
  /** Decision keys cancelled. */
  cancelled: Set<string>;
  /** Messages cancelled because they carried a cancelled decision. */
  messagesCancelled: number;
}

/**
 * Cancels pending decisions none of whose messages has started to go out. A message carrying a
 * cancelled decision is cancelled (if still pending or failed); its delivery rows are deleted and
 * the other decisions it carried become uncomposed, so the notify step composes them again for
 * that person. Statements only when there is something to cancel.
 */
export async function cancelDecisions(
  trx: Knex.Transaction,
  keys: readonly string[],
  now: Instant,
): Promise<Cancellation> {
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

/** Marks pending decisions nobody can receive (the role and the coordinator both vacant). */
export async function markUndeliverable(
  trx: Knex.Transaction,
  keys: readonly string[],
  now: Instant,
): Promise<void> {
  if (keys.length === 0) return;
  await trx("escalations")
    .whereIn("decision_key", keys)
    .where({ status: "pending" })
    .update({ undeliverable_at: new Date(now) });
}
