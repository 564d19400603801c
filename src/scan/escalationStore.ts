// The escalations table as the scan uses it: the decisions already taken for a batch of reports,
// the batch's new decisions (one statement), cancellations before sending, undeliverable marks
// and the link from decisions to the outbox message that carries them (one statement). Every
// function runs in the batch's transaction; instants are bound, never the database's now().
//
// Invariants: at most one non-cancelled row per decision key (the partial unique index
// escalations_once: a cancelled step can be decided again); a decision whose message has started
// to go out (sending, sent) is never cancelled; a message left with no live decision is cancelled.
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
  email_id: number | string | null;
  step_at: Date;
  decided_at: Date;
  undeliverable_at: Date | null;
}

const LOAD_DECISIONS = `SELECT decision_key, tracking_id, stage, seq, level, status, email_id,
  step_at, decided_at, undeliverable_at
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
  /** Pending decisions that lost their message (a sibling's cancellation): to compose again. */
  unlinked: Set<string>;
  /** Messages cancelled because every decision they carried was. */
  messagesCancelled: number;
}

/**
 * Cancels pending decisions whose message has not started to go out. Messages left with no live
 * decision are cancelled; the other decisions they carried lose their message (email_id null).
 * Statements only when there is something to cancel.
 */
export async function cancelDecisions(
  trx: Knex.Transaction,
  keys: readonly string[],
  now: Instant,
): Promise<Cancellation> {
  const result: Cancellation = { cancelled: new Set(), unlinked: new Set(), messagesCancelled: 0 };
  if (keys.length === 0) return result;
  const rows = (await trx("escalations")
    .select("decision_key", "email_id")
    .whereIn("decision_key", keys)
    .where({ status: "pending" })) as { decision_key: string; email_id: number | null }[];
  const emailIds = [...new Set(rows.map((r) => r.email_id).filter((x) => x !== null))].map(Number);
  // Lock the messages: a sender claiming one waits for this transaction (or skips it).
  const states = new Map<number, string>();
  if (emailIds.length > 0) {
    const out = (await trx("outbox").select("id", "state").whereIn("id", emailIds).forUpdate()) as {
      id: number | string;
      state: string;
    }[];
    for (const o of out) states.set(Number(o.id), o.state);
  }
  const cancellable = rows.filter((r) => {
    if (r.email_id === null) return true;
    const s = states.get(Number(r.email_id));
    // Already going out (or out): it stays, and the sender marks it sent.
    return s === "pending" || s === "failed" || s === "cancelled";
  });
  if (cancellable.length === 0) return result;
  const cancelKeys = cancellable.map((r) => r.decision_key);
  await trx("escalations")
    .whereIn("decision_key", cancelKeys)
    .where({ status: "pending" })
    .update({ status: "cancelled", cancelled_at: new Date(now) });
  for (const k of cancelKeys) result.cancelled.add(k);
  const affected = [...new Set(cancellable.map((r) => r.email_id).filter((x) => x !== null))].map(
    Number,
  );
  if (affected.length > 0) {
    await trx("outbox")
      .whereIn("id", affected)
      .whereIn("state", ["pending", "failed"])
      .update({ state: "cancelled", locked_by: null, locked_until: null });
    const unlinked = (await trx("escalations")
      .whereIn("email_id", affected)
      .where({ status: "pending" })
      .update({ email_id: null })
      .returning(["decision_key", "undeliverable_at"])) as {
      decision_key: string;
      undeliverable_at: Date | null;
    }[];
    for (const r of unlinked) if (r.undeliverable_at === null) result.unlinked.add(r.decision_key);
  }
  result.messagesCancelled = affected.length;
  return result;
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

const LINK_MESSAGES = `UPDATE escalations AS e SET email_id = u.email_id, undeliverable_at = NULL
FROM unnest($1::text::text[], $2::text::bigint[]) AS u(decision_key, email_id)
WHERE e.decision_key = u.decision_key AND e.status = 'pending'`;

/** Links pending decisions to the outbox message carrying them (decision key → message id). */
export async function linkMessages(
  session: BulkSession,
  links: ReadonlyMap<string, number>,
): Promise<void> {
  if (links.size === 0) return;
  const rows = new ColumnBatch(2);
  for (const [key, id] of links) rows.add([key, id]);
  await session.query(LINK_MESSAGES, rows.literals());
}
