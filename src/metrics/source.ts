// What the metrics registry reads on scrape: plain rows from the database (or a fake in tests).
// Services never see this; they report events through PantauMetrics (registry.ts).
import { DateTime } from "luxon";
import type { Instant, Stage } from "../core/types.js";

/** Open clocks of one agency and stage at `now`. */
export interface ClockCountRow {
  opd: string;
  stage: Stage;
  open: number;
  /** Open clocks past their at-risk instant but not yet due. */
  atRisk: number;
  /** Open clocks past their due instant. */
  overdue: number;
  /** Earliest due instant among the overdue clocks, or null when none is overdue. */
  oldestDueAt: Instant | null;
  /** Earliest start among the open clocks, or null when none is open. */
  oldestStartedAt: Instant | null;
}

/** Stopped clocks of one agency and stage, counted from the database (all time, up to `now`). */
export interface OutcomeCountRow {
  opd: string;
  stage: Stage;
  met: number;
  breached: number;
}

/** Facts about one agency kept in the database. */
export interface AgencyFactRow {
  opd: string;
  hasOwnSop: boolean;
  /** Last instant the agency answered (a first-response or resolution clock stopped), or null. */
  lastResponseAt: Instant | null;
}

export interface EscalationCountRow {
  opd: string;
  /** Escalation level as a label value: "0" (pengingat), "1" (eskalasi), "2" (pimpinan). */
  level: string;
  count: number;
}

export type OutboxState = "pending" | "sending" | "sent" | "failed" | "cancelled";
export const OUTBOX_STATES: readonly OutboxState[] = [
  "pending",
  "sending",
  "sent",
  "failed",
  "cancelled",
];

export interface OutboxCountRow {
  state: OutboxState;
  count: number;
}

export type ImportFileResult = "imported" | "unchanged" | "failed";
export const IMPORT_FILE_RESULTS: readonly ImportFileResult[] = ["imported", "unchanged", "failed"];

/** The import history (table import_files), all time up to `now`. */
export interface ImportCountRow {
  /** Files finished per result. */
  byResult: Record<ImportFileResult, number>;
  /** The last file imported (new content), or null when none ever was. */
  lastImportedAt: Instant | null;
  /**
   * When the feed counts as stopped: `import.alert_after_working_days` working days after the
   * last file imported (business calendar of the regency); null when none ever was.
   */
  feedDueAt: Instant | null;
}

/**
 * Database-derived values, read on scrape. Every method returns plain rows; the registry caches
 * them, pre-fills quiet agencies with 0 and turns them into series.
 */
export interface MetricsSource {
  /**
   * Whether this instance exports the database-derived series. With several daemons on one
   * PostgreSQL only one (the holder of an advisory lock) answers true; the embedded database
   * always has a single instance.
   */
  isLeader(): Promise<boolean>;
  /**
   * Open / at-risk / overdue per (opd, stage) at `now`; `oldest: false` leaves the oldest
   * instants null (the web summary shows only the counts: two index probes per group fewer).
   */
  clockCounts(now: Instant, options?: { oldest?: boolean }): Promise<ClockCountRow[]>;
  outcomeCounts(now: Instant): Promise<OutcomeCountRow[]>;
  agencyFacts(now: Instant): Promise<AgencyFactRow[]>;
  escalationCounts(now: Instant): Promise<EscalationCountRow[]>;
  /** Agency codes that have a liaison (pejabat penghubung) appointed at `now`. */
  liaisonsActive(now: Instant): Promise<string[]>;
  outboxCounts(now: Instant): Promise<OutboxCountRow[]>;
  /** The daily feed's files (absent: no import series, e.g. a fake in tests). */
  importCounts?(now: Instant): Promise<ImportCountRow>;
  /**
   * First instant the holiday decrees no longer cover, or null when the current year is not
   * covered at all. Read from configuration, so every instance exports it (not leader-only).
   */
  calendarCoveredUntil(now: Instant): Promise<Instant | null>;
}

/**
 * The first instant not covered by consecutive holiday decrees starting at the year of `now`
 * (1 January 00:00 of the first missing year, in `zone`); null when `now`'s year is missing.
 */
export function calendarCoveredUntil(
  coveredYears: readonly number[],
  zone: string,
  now: Instant,
): Instant | null {
  const years = new Set(coveredYears);
  let year = DateTime.fromMillis(now, { zone }).year;
  if (!years.has(year)) return null;
  while (years.has(year + 1)) year += 1;
  return DateTime.fromObject({ year: year + 1, month: 1, day: 1 }, { zone }).toMillis();
}
