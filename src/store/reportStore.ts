// Reads and writes reports, their events and their clocks. Every function takes the knex instance
// or transaction it runs in, so callers decide the transaction boundaries. Time comes in as `now`
// (bound as a parameter), never from the database's now().
import type { Knex } from "knex";
import type { Agency, Instant, Report, ReportEvent, SlaClock } from "../core/types.js";
import {
  historiesFromRows,
  clockFromRow,
  clockToRow,
  type ClockRow,
  type EventRow,
  type ReportRow,
} from "./rows.js";

export type Db = Knex | Knex.Transaction;

export interface History {
  report: Report;
  events: ReportEvent[];
}

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

const CLOCK_UPDATE_COLUMNS = [
  "opd",
  "sop_id",
  "sop_version",
  "target_amount",
  "target_unit",
  "started_at",
  "due_at",
  "at_risk_at",
  "stopped_at",
  "used_ms",
  "outcome",
  "state",
  "pauses",
  "next_check_at",
  "computed_at",
];

/**
 * Stores freshly derived clocks. A clock already stored as stopped is never rewritten (its
 * outcome is history); open clocks that the derivation no longer produces are removed.
 */
export async function saveClocks(
  db: Db,
  trackingIds: readonly string[],
  clocks: readonly SlaClock[],
  now: Instant,
): Promise<number> {
  if (trackingIds.length === 0) return 0;
  let written = 0;
  const computedAt = new Date(now);
  const rows = clocks.map((c) => ({ ...clockToRow(c), computed_at: computedAt }));
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const result = (await db("sla_clocks")
      .insert(chunk)
      .onConflict(["tracking_id", "stage", "seq"])
      .merge(CLOCK_UPDATE_COLUMNS)
      .where("sla_clocks.stopped_at", null)
      .returning("tracking_id")) as unknown[];
    written += result.length;
  }
  // Open clocks that no longer exist in the derivation (the history changed their shape).
  const keep = new Set(clocks.map((c) => `${c.trackingId}|${c.stage}|${c.seq}`));
  const open = (await db("sla_clocks")
    .select("tracking_id", "stage", "seq")
    .whereIn("tracking_id", trackingIds)
    .whereNull("stopped_at")) as { tracking_id: string; stage: string; seq: number }[];
  const stale = open.filter((r) => !keep.has(`${r.tracking_id}|${r.stage}|${r.seq}`));
  for (const r of stale) {
    await db("sla_clocks").where({ tracking_id: r.tracking_id, stage: r.stage, seq: r.seq }).del();
  }
  return written;
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
