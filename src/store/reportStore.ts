// Reads and writes reports, their events and their clocks. Every function takes the knex instance
// or transaction it runs in, so callers decide the transaction boundaries. Time comes in as `now`
// (bound as a parameter), never from the database's now().
import type { Knex } from "knex";
import type { Agency, Instant, SlaClock } from "../core/types.js";
import { ColumnBatch, type BulkSession } from "./bulkSession.js";
import {
  CLOCK_COLUMNS,
  REMOVE_STALE_CLOCKS,
  clockCells,
  insertClocksSql,
  updateOpenClocksSql,
} from "./importWrites.js";
import {
  historiesFromRows,
  clockFromRow,
  type ClockRow,
  type EventRow,
  type History,
  type ReportRow,
} from "./rows.js";

export type Db = Knex | Knex.Transaction;

export type { History };

/** Mirrors the agency directory of config/agencies.yaml into the agencies table. */
export async function syncAgencies(
  db: Db,
  agencies: readonly Agency[],
  withOwnSop: ReadonlySet<string>,
  now: Instant,
): Promise<void> {
  const at = new Date(now);
  const rows = agencies.map((a) => ({
    code: a.code,
    name: a.name,
    kind: a.kind,
    zone: a.zone,
    has_own_sop: withOwnSop.has(a.code),
    active: true,
    synced_at: at,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await db("agencies")
      .insert(rows.slice(i, i + 500))
      .onConflict("code")
      .merge(["name", "kind", "zone", "has_own_sop", "active", "synced_at"]);
  }
  const codes = agencies.map((a) => a.code);
  await db("agencies").whereNotIn("code", codes).update({ active: false, synced_at: at });
}

/** Reports and their full event histories, in event order. */
export async function loadHistories(
  db: Db,
  trackingIds: readonly string[],
): Promise<Map<string, History>> {
  if (trackingIds.length === 0) return new Map();
  const reports = (await db<ReportRow>("reports").whereIn(
    "tracking_id",
    trackingIds,
  )) as ReportRow[];
  const events = (await db<EventRow>("report_events")
    .select("tracking_id", "kind", "at", "opd")
    .whereIn("tracking_id", trackingIds)
    .orderBy([{ column: "tracking_id" }, { column: "at" }, { column: "id" }])) as EventRow[];
  return historiesFromRows(reports, events);
}

const INSERT_NEW_CLOCKS = insertClocksSql(1, 2, { examined: false, skipStored: true });
const UPDATE_OPEN_CLOCKS = updateOpenClocksSql(false);

/**
 * Stores freshly derived clocks of these reports, inside the caller's transaction: new ones
 * inserted, stored open ones updated (apart: see insertClocksSql), open clocks that the derivation
 * no longer produces removed. A clock already stored as stopped is never rewritten (its outcome
 * is history). Three statements whatever the number of clocks.
 */
export async function saveClocks(
  session: BulkSession,
  trackingIds: readonly string[],
  clocks: readonly SlaClock[],
  now: Instant,
): Promise<void> {
  if (trackingIds.length === 0) return;
  const rows = new ColumnBatch(CLOCK_COLUMNS.length);
  for (const c of clocks) rows.add(clockCells(c));
  const byReport = new Map<string, string[]>(trackingIds.map((id) => [id, []]));
  for (const c of clocks) byReport.get(c.trackingId)?.push(`${c.stage}:${c.seq}`);
  const keep = new ColumnBatch(2);
  for (const [id, list] of byReport) keep.add([id, list.join(",")]);
  const steps: Promise<unknown>[] = [];
  if (rows.rows > 0) {
    const params = [new Date(now), ...rows.literals()];
    steps.push(session.query(INSERT_NEW_CLOCKS, params));
    steps.push(session.query(UPDATE_OPEN_CLOCKS, params));
  }
  steps.push(session.query(REMOVE_STALE_CLOCKS, keep.literals()));
  await Promise.all(steps);
}

export interface ClockFilter {
  opd?: string;
  trackingId?: string;
  /** Only clocks not yet stopped. */
  openOnly?: boolean;
}

export async function listClocks(db: Db, filter: ClockFilter): Promise<SlaClock[]> {
  const query = db<ClockRow>("sla_clocks").select("*");
  if (filter.opd) query.where("opd", filter.opd);
  if (filter.trackingId) query.where("tracking_id", filter.trackingId);
  if (filter.openOnly) query.whereNull("stopped_at");
  query.orderBy([
    { column: "due_at" },
    { column: "tracking_id" },
    { column: "stage" },
    { column: "seq" },
  ]);
  const rows = (await query) as ClockRow[];
  return rows.map(clockFromRow);
}

/** Tracking IDs of reports with at least one open clock, in pages (for recomputation). */
export async function reportsWithOpenClocks(
  db: Db,
  after: string | null,
  limit: number,
): Promise<string[]> {
  const query = db("sla_clocks").distinct("tracking_id").whereNull("stopped_at");
  if (after !== null) query.where("tracking_id", ">", after);
  const rows = (await query.orderBy("tracking_id").limit(limit)) as { tracking_id: string }[];
  return rows.map((r) => r.tracking_id);
}

export async function getMeta(db: Db, key: string): Promise<string | null> {
  const row = (await db("pantau_meta").where({ key }).first()) as { value: string } | undefined;
  return row?.value ?? null;
}

export async function setMeta(db: Db, key: string, value: string, now: Instant): Promise<void> {
  await db("pantau_meta")
    .insert({ key, value, updated_at: new Date(now) })
    .onConflict("key")
    .merge(["value", "updated_at"]);
}
