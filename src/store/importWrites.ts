// The import's statements, in the shape the bulk session wants them: a chunk's reports, events
// and new clocks are written by ONE statement (three data-modifying parts, rows unnested from one
// array per column, instants as epoch milliseconds); the stored open clocks of reports that
// existed before the chunk are updated by a second (never in the same statement as the inserts:
// see insertClocksSql) and the stale ones removed by a third; stored histories are read by a
// fourth. The same clock statements serve the scan and saveClocks in reportStore.ts. Conflicts,
// foreign keys, the rollup triggers and the rule that a stopped clock is never rewritten apply
// exactly as for any other write.
import type { Instant, Report, ReportEvent, SlaClock } from "../core/types.js";
import { ColumnBatch, type BulkSession, type CellValue } from "./bulkSession.js";
import {
  historiesFromRows,
  pausesToJson,
  type EventRow,
  type History,
  type ReportRow,
} from "./rows.js";

export type Column = readonly [name: string, arrayType: string];

const REPORT_COLUMNS: readonly Column[] = [
  ["tracking_id", "text"],
  ["opd", "text"],
  ["type", "text"],
  ["complexity", "text"],
  ["category", "text"],
  ["channel", "text"],
  ["anonymous", "boolean"],
  ["confidential", "boolean"],
  ["contact_complete", "boolean"],
  ["received_at", "bigint"],
];
const EVENT_COLUMNS: readonly Column[] = [
  ["tracking_id", "text"],
  ["kind", "text"],
  ["at", "bigint"],
  ["opd", "text"],
];
export const CLOCK_COLUMNS: readonly Column[] = [
  ["tracking_id", "text"],
  ["stage", "text"],
  ["seq", "integer"],
  ["opd", "text"],
  ["sop_id", "text"],
  ["sop_version", "text"],
  ["target_amount", "double precision"],
  ["target_unit", "text"],
  ["started_at", "bigint"],
  ["due_at", "bigint"],
  ["at_risk_at", "bigint"],
  ["stopped_at", "bigint"],
  ["used_ms", "double precision"],
  ["outcome", "text"],
  ["state", "text"],
  ["pauses", "jsonb"],
  ["next_check_at", "bigint"],
];
const REPORT_INSTANTS = new Set(["received_at"]);
const EVENT_INSTANTS = new Set(["at"]);
export const CLOCK_INSTANTS = new Set([
  "started_at",
  "due_at",
  "at_risk_at",
  "stopped_at",
  "next_check_at",
]);

/** `unnest($n::text::type[], …) AS alias(columns)`, parameters numbered from `first`. */
export function unnest(
  columns: readonly Column[],
  first: number,
  alias: string,
  ordinality = false,
): string {
  const arrays = columns.map(([, type], i) => `$${first + i}::text::${type}[]`).join(", ");
  const names = columns.map(([name]) => name);
  if (ordinality) names.push("ord");
  return `unnest(${arrays})${ordinality ? " WITH ORDINALITY" : ""} AS ${alias}(${names.join(", ")})`;
}

/**
 * An instant (epoch ms) as timestamptz, exact to the millisecond from 1970 to beyond 2150:
 * to_timestamp takes a double and rounds to whole microseconds, and the quotient's error stays
 * far below half a microsecond there. Dividing by the numeric 1000.0 instead gives the very
 * same double at 2.5 times the server's cost.
 */
export const instantSql = (column: string): string => `to_timestamp(${column}::float8 / 1000)`;

export function selectList(columns: readonly Column[], instants: ReadonlySet<string>): string {
  return columns.map(([name]) => (instants.has(name) ? instantSql(name) : name)).join(", ");
}

export const names = (columns: readonly Column[]): string => columns.map(([n]) => n).join(", ");

const P_STAMP = 1;
const P_SOURCE = 2;
const P_REPORTS = 3;
const P_EVENTS = P_REPORTS + REPORT_COLUMNS.length;
const P_CLOCKS = P_EVENTS + EVENT_COLUMNS.length;

const REPORT_MERGE = REPORT_COLUMNS.map(([n]) => n)
  .filter((n) => n !== "tracking_id" && n !== "received_at")
  .concat("updated_at");

// A batch's clocks are written by two statements, never by one upsert: an INSERT of the clocks
// not yet stored (stored ones, open or stopped, are left alone), then an UPDATE of the stored open
// ones whose values changed. The month-end rollup's triggers (migrations/…_month_open_rollup.ts)
// rebuild a changed report's clocks as they were before the statement from the current rows and
// the statement's transition table. An upsert that inserts one clock of a report and updates
// another fires both its INSERT and its UPDATE trigger after the whole statement, and each takes
// the other's change for one made before: the report was counted twice in the month-end counts
// (e.g. one import re-disposing a report away and back to the same agency). Apart, each
// statement's trigger is exact; a stopped clock is still never rewritten.

/** The clock columns a write sets besides the key. */
const CLOCK_VALUES = CLOCK_COLUMNS.map(([n]) => n).filter(
  (n) => n !== "tracking_id" && n !== "stage" && n !== "seq",
);

/** The stamp columns: computed_at, and escalation_checked_at when the scan writes (examined). */
const stampColumns = (examined: boolean): string[] =>
  examined ? ["computed_at", "escalation_checked_at"] : ["computed_at"];

/**
 * INSERT of the clocks in the arrays from parameter `first` (CLOCK_COLUMNS), stamped with
 * parameter `stamp`; with `skipStored` the clocks already stored are left alone, without it a
 * stored one fails the statement (clocks of reports new to the database).
 */
export function insertClocksSql(
  stamp: number,
  first: number,
  options: { examined: boolean; skipStored: boolean },
): string {
  const stamps = stampColumns(options.examined);
  return `INSERT INTO sla_clocks (${names(CLOCK_COLUMNS)}, ${stamps.join(", ")})
SELECT ${selectList(CLOCK_COLUMNS, CLOCK_INSTANTS)}, ${stamps.map(() => `$${stamp}::timestamptz`).join(", ")}
FROM ${unnest(CLOCK_COLUMNS, first, "u")}${options.skipStored ? "\nON CONFLICT (tracking_id, stage, seq) DO NOTHING" : ""}`;
}

/**
 * UPDATE of the stored open clocks among the arrays from parameter 2 (CLOCK_COLUMNS), stamped
 * with parameter 1; rows whose values and stamps are already those are not rewritten (the ones the
 * INSERT before it has just written, a clock derived twice at one instant).
 */
export function updateOpenClocksSql(examined: boolean): string {
  const stamps = stampColumns(examined);
  const stamp = "$1::timestamptz";
  const set = [
    ...CLOCK_VALUES.map((c) => `${c} = u.${c}`),
    ...stamps.map((c) => `${c} = ${stamp}`),
  ];
  const stored = [...CLOCK_VALUES, ...stamps].map((c) => `s.${c}`).join(", ");
  const next = [...CLOCK_VALUES.map((c) => `u.${c}`), ...stamps.map(() => stamp)].join(", ");
  const values = CLOCK_COLUMNS.map(([n]) =>
    CLOCK_INSTANTS.has(n) ? `${instantSql(n)} AS ${n}` : n,
  );
  return `UPDATE sla_clocks AS s SET ${set.join(", ")}
FROM (SELECT ${values.join(", ")} FROM ${unnest(CLOCK_COLUMNS, 2, "v")}) AS u
WHERE s.tracking_id = u.tracking_id AND s.stage = u.stage AND s.seq = u.seq
  AND s.stopped_at IS NULL
  AND (${stored}) IS DISTINCT FROM (${next})`;
}

/**
 * One statement writing a chunk's rows. For reports new to the database (`merge` false) plain
 * INSERTs: no conflict is possible but with a concurrent writer adding the same report, which
 * fails the statement (unique violation) rather than losing anything, and a plain INSERT costs
 * the server about two thirds of an INSERT ... ON CONFLICT. Rows of reports that already exist
 * merge: reports are updated, known events and stored clocks skipped; UPDATE_OPEN_CLOCKS then
 * updates the stored open clocks in a statement of its own (see insertClocksSql).
 */
function writeStatement(merge: boolean): string {
  const onConflict = (clause: string): string => (merge ? `ON CONFLICT ${clause}` : "");
  return `WITH
  r AS (
    INSERT INTO reports (${names(REPORT_COLUMNS)}, created_at, updated_at)
    SELECT ${selectList(REPORT_COLUMNS, REPORT_INSTANTS)}, $${P_STAMP}, $${P_STAMP}
    FROM ${unnest(REPORT_COLUMNS, P_REPORTS, "u")}
    ${onConflict(`(tracking_id) DO UPDATE SET ${REPORT_MERGE.map((c) => `${c} = excluded.${c}`).join(", ")}`)}
  ),
  e AS (
    INSERT INTO report_events (${names(EVENT_COLUMNS)}, source, recorded_at)
    SELECT ${selectList(EVENT_COLUMNS, EVENT_INSTANTS)}, $${P_SOURCE}, $${P_STAMP}
    FROM ${unnest(EVENT_COLUMNS, P_EVENTS, "u", true)}
    ORDER BY ord
    ${onConflict("DO NOTHING")}
  )
${insertClocksSql(P_STAMP, P_CLOCKS, { examined: false, skipStored: merge })}`;
}
const INSERT_CHUNK = writeStatement(false);
const MERGE_CHUNK = writeStatement(true);
const UPDATE_OPEN_CLOCKS = updateOpenClocksSql(false);

/** Open clocks of the given reports that the derivation no longer produces (as saveClocks). */
export const REMOVE_STALE_CLOCKS = `DELETE FROM sla_clocks s
USING unnest($1::text::text[], $2::text::text[]) AS k(tracking_id, keep)
WHERE s.tracking_id = k.tracking_id
  AND s.stopped_at IS NULL
  AND NOT (s.stage || ':' || s.seq = ANY (string_to_array(k.keep, ',')))`;

const LOAD_REPORTS = `SELECT tracking_id, opd, type, complexity, category, channel, anonymous,
  confidential, contact_complete, received_at
FROM reports WHERE tracking_id = ANY($1::text::text[]) FOR UPDATE`;
const LOAD_EVENTS = `SELECT tracking_id, kind, at, opd FROM report_events
WHERE tracking_id = ANY($1::text::text[]) ORDER BY tracking_id, at, id`;

/**
 * Statements that start a bulk write: the rollup triggers only collect what changed into temp
 * tables, folded in by FINISH_BULK_WRITE before the commit (migrations/…_deferred_rollups.ts).
 */
export const START_BULK_WRITE = [
  "SET LOCAL pantau.rollup_deferred = 'on'",
  ...["old", "new"].flatMap((r) => [
    `CREATE TEMP TABLE pantau_rollup_clocks_${r} ON COMMIT DROP AS
       SELECT opd, stage, target_unit, outcome, used_ms, stopped_at FROM sla_clocks WITH NO DATA`,
    `CREATE TEMP TABLE pantau_rollup_reports_${r} ON COMMIT DROP AS
       SELECT opd, received_at, channel, type FROM reports WITH NO DATA`,
  ]),
  // The open clock counts' changes likewise (migrations/20261201010000_open_clock_counts.ts).
  `CREATE TEMP TABLE pantau_open_counts_pending
     (opd text, stage text, class text, n int, computed_at timestamptz) ON COMMIT DROP`,
];
export const FINISH_BULK_WRITE =
  "SELECT pantau_rollup_apply_deferred(), pantau_open_counts_apply_deferred()";

const finite = (t: Instant | null): number | null =>
  t === null || !Number.isFinite(t) ? null : Math.round(t);

/** A clock's cells in CLOCK_COLUMNS order (instants as epoch ms). */
export function clockCells(c: SlaClock): CellValue[] {
  return [
    c.trackingId,
    c.stage,
    c.seq,
    c.opd,
    c.sopId,
    c.sopVersion,
    c.target.amount,
    c.target.unit,
    c.startedAt,
    finite(c.dueAt),
    finite(c.atRiskAt),
    finite(c.stoppedAt),
    Math.round(c.usedMs),
    c.outcome,
    c.state,
    pausesToJson(c.pauses),
    finite(c.nextCheckAt),
  ];
}

/** Rows for one write statement. */
class RowSet {
  readonly reports = new ColumnBatch(REPORT_COLUMNS.length);
  readonly events = new ColumnBatch(EVENT_COLUMNS.length);
  readonly clocks = new ColumnBatch(CLOCK_COLUMNS.length);

  get empty(): boolean {
    return this.reports.rows + this.events.rows + this.clocks.rows === 0;
  }

  params(stamp: Date, source: string, clocks: readonly string[]): unknown[] {
    return [stamp, source, ...this.reports.literals(), ...this.events.literals(), ...clocks];
  }
}

/**
 * What one chunk writes, collected while it is planned: rows of reports new to the database
 * apart from rows of reports that exist (or that an earlier chunk of the import writes).
 */
export class ChunkWrites {
  private readonly fresh = new RowSet();
  private readonly merged = new RowSet();
  /**
   * Reports that existed before the chunk (only they can have open clocks to remove), each with
   * the clocks its derivation produced ("stage:seq,…").
   */
  private readonly existing = new ColumnBatch(2);

  private set(isNew: boolean): RowSet {
    return isNew ? this.fresh : this.merged;
  }

  /** A report that existed before the chunk: its open clocks not in `derived` are removed. */
  addExisting(trackingId: string, derived: readonly SlaClock[]): void {
    this.existing.add([trackingId, derived.map((c) => `${c.stage}:${c.seq}`).join(",")]);
  }

  addReport(r: Report, isNew: boolean): void {
    this.set(isNew).reports.add([
      r.trackingId,
      r.opd,
      r.type,
      r.complexity,
      r.category,
      r.channel,
      r.anonymous,
      r.confidential,
      r.contactComplete,
      r.receivedAt,
    ]);
  }

  addEvent(trackingId: string, e: ReportEvent, isNew: boolean): void {
    this.set(isNew).events.add([trackingId, e.kind, e.at, e.opd ?? null]);
  }

  addClock(c: SlaClock, isNew: boolean): void {
    this.set(isNew).clocks.add(clockCells(c));
  }

  /** Queues the writes; `source` and `now` are recorded with them. */
  queue(session: BulkSession, source: string, now: Instant): Promise<unknown> {
    const stamp = new Date(now);
    const steps: Promise<unknown>[] = [];
    if (!this.fresh.empty) {
      const clocks = this.fresh.clocks.literals();
      steps.push(session.query(INSERT_CHUNK, this.fresh.params(stamp, source, clocks)));
    }
    if (!this.merged.empty) {
      const clocks = this.merged.clocks.literals();
      steps.push(session.query(MERGE_CHUNK, this.merged.params(stamp, source, clocks)));
      if (this.merged.clocks.rows > 0) {
        steps.push(session.query(UPDATE_OPEN_CLOCKS, [stamp, ...clocks]));
      }
    }
    if (this.existing.rows > 0) {
      steps.push(session.query(REMOVE_STALE_CLOCKS, this.existing.literals()));
    }
    return Promise.all(steps);
  }
}

/**
 * Queues the read of the stored histories of `ids`, locking their reports (FOR UPDATE) so that
 * a concurrent scan does not race the refresh.
 */
export async function queueLoadHistories(
  session: BulkSession,
  ids: readonly string[],
): Promise<Map<string, History>> {
  if (ids.length === 0) return new Map();
  const batch = new ColumnBatch(1);
  for (const id of ids) batch.add([id]);
  const [list] = batch.literals();
  const [reports, events] = await Promise.all([
    session.query(LOAD_REPORTS, [list]),
    session.query(LOAD_EVENTS, [list]),
  ]);
  return historiesFromRows(reports as unknown as ReportRow[], events as unknown as EventRow[]);
}
