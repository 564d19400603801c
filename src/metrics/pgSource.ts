// MetricsSource over Pantau's schema through knex, on PostgreSQL and on the embedded PGlite alike:
// count(*)::int, bound parameters, and `now` always passed in (never SQL now()), so that
// `pantau metrics --now ISO` and tests read the database as of a chosen instant.
import type { Knex } from "knex";
import type { Instant } from "../core/types.js";
import {
  calendarCoveredUntil,
  OUTBOX_STATES,
  type AgencyFactRow,
  type ClockCountRow,
  type EscalationCountRow,
  type MetricsSource,
  type OutboxCountRow,
  type OutboxState,
  type OutcomeCountRow,
  type ImportCountRow,
} from "./source.js";
import { importCounts } from "../store/importHistory.js";
import { openClockCounts } from "../store/openClockCounts.js";
import { stoppedOutcomeCounts } from "../store/stoppedOutcomes.js";

export interface PgMetricsSourceOptions {
  knex: Knex;
  /** "embedded" (PGlite) has a single instance: always the leader. */
  kind: "postgres" | "embedded";
  /** Holiday decree years and the regency's zone (config), for the calendar coverage gauge. */
  calendar: { coveredYears: readonly number[]; zone: string };
  /** Per-query time limit (default 10 s); a slow query fails its collector, not the scrape. */
  queryTimeoutMs?: number;
  /**
   * The instant the import feed counts as stopped after a file imported at `last` (working
   * days in the regency's calendar); absent: never (no feed gauge).
   */
  feedDueAt?: (last: Instant) => Instant;
  /** Advisory lock key (two int4) of the metrics leader; default [0x50414e54 ("PANT"), 9464]. */
  leaderLockKey?: readonly [number, number];
}

export const DEFAULT_LEADER_LOCK_KEY: readonly [number, number] = [0x50414e54, 9464];

interface RawResult<T> {
  rows: T[];
}

const toInstant = (v: unknown): Instant | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  const ms = new Date(String(v)).getTime();
  return Number.isNaN(ms) ? null : ms;
};

/** The leader holds a session-level advisory lock on one dedicated connection. */
class AdvisoryLeaderLock {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- knex's connection type is any
  private connection: any = null;
  private held = false;

  constructor(
    private readonly knex: Knex,
    private readonly key: readonly [number, number],
  ) {}

  async isLeader(): Promise<boolean> {
    try {
      if (!this.connection) {
        this.connection = await this.knex.client.acquireConnection();
        this.held = false;
      }
      if (this.held) {
        // Still our session? A broken connection loses the lock with it.
        await this.knex.raw("select 1").connection(this.connection);
        return true;
      }
      const result = (await this.knex
        .raw("select pg_try_advisory_lock(?::int, ?::int) as locked", [this.key[0], this.key[1]])
        .connection(this.connection)) as RawResult<{ locked: boolean }>;
      this.held = result.rows[0]?.locked === true;
      return this.held;
    } catch (error) {
      await this.drop();
      throw error;
    }
  }

  async drop(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    this.held = false;
    if (!connection) return;
    try {
      await this.knex.client.releaseConnection(connection);
    } catch {
      // The pool discards broken connections itself.
    }
  }

  async release(): Promise<void> {
    if (this.connection && this.held) {
      try {
        await this.knex
          .raw("select pg_advisory_unlock(?::int, ?::int)", [this.key[0], this.key[1]])
          .connection(this.connection);
      } catch {
        // Closing the session releases it anyway.
      }
    }
    await this.drop();
  }
}

export interface PgMetricsSource extends MetricsSource {
  /** Releases the leader lock and its connection (call before destroying knex). */
  close(): Promise<void>;
}

export function createPgMetricsSource(options: PgMetricsSourceOptions): PgMetricsSource {
  const { knex } = options;
  const timeout = options.queryTimeoutMs ?? 10_000;
  const lock =
    options.kind === "postgres"
      ? new AdvisoryLeaderLock(knex, options.leaderLockKey ?? DEFAULT_LEADER_LOCK_KEY)
      : null;

  async function query<T>(sql: string, bindings: readonly Knex.Value[] = []): Promise<T[]> {
    const result = (await knex.raw(sql, bindings).timeout(timeout)) as RawResult<T>;
    return result.rows;
  }

  async function tableExists(table: string): Promise<boolean> {
    const rows = await query<{ present: boolean }>("select to_regclass(?) is not null as present", [
      table,
    ]);
    return rows[0]?.present === true;
  }

  return {
    isLeader: () => (lock ? lock.isLeader() : Promise.resolve(true)),

    async clockCounts(now, options) {
      // Kept at write time and corrected at `now` (src/store/openClockCounts.ts): the same rows
      // as the GROUP BY over every open clock, without reading them all.
      const rows = await openClockCounts(knex, now, {
        timeoutMs: timeout,
        oldest: options?.oldest ?? true,
      });
      return rows.map((r): ClockCountRow => ({ ...r }));
    },

    async outcomeCounts(now) {
      // From the monthly rollup and the current month's stopped clocks
      // (src/store/stoppedOutcomes.ts), not a GROUP BY over the whole history.
      const rows = await stoppedOutcomeCounts(knex, now, { timeoutMs: timeout });
      return rows.map((r): OutcomeCountRow => ({ ...r }));
    },

    async agencyFacts(now) {
      // An agency "answers" when one of its first-response or resolution clocks stops met or
      // breached (the clock's owner is the agency that held the report at that moment).
      const rows = await query<{
        opd: string;
        has_own_sop: boolean;
        last_response_at: Date | null;
      }>(
        `select a.code as opd, a.has_own_sop,
                (select max(c.stopped_at) from sla_clocks c
                  where c.opd = a.code and c.stopped_at is not null and c.stopped_at <= ?
                    and c.stage in ('first_response', 'resolution')
                    and c.outcome in ('met', 'breached')) as last_response_at
           from agencies a`,
        [new Date(now)],
      );
      return rows.map((r): AgencyFactRow => ({
        opd: r.opd,
        hasOwnSop: r.has_own_sop === true,
        lastResponseAt: toInstant(r.last_response_at),
      }));
    },

    // ---------------------------------------------------------------------------------------
    // ESCALATION SCHEMA — tables of the escalation work (migration 20261128000002_escalation,
    // still being written when this was). Adjust these three queries if that schema changes.
    // Each returns [] while its table does not exist, so the gauges show zeros, never fail.
    //   escalations(opd, level int, status in pending|sent|superseded|cancelled, sent_at)
    //   officer_appointments(opd, role 'liaison', valid_from, valid_to null = in office)
    //   outbox(state in pending|sending|sent|failed|cancelled)
    // ---------------------------------------------------------------------------------------
    async escalationCounts(now) {
      if (!(await tableExists("escalations"))) return [];
      // Sent steps only: a sent row stays sent, so the count never decreases (a counter), while
      // pending rows may still be cancelled or superseded.
      const rows = await query<{ opd: string; level: string; count: number }>(
        `select opd, level::text as level, count(*)::int as count
           from escalations
          where status = 'sent' and sent_at <= ?
          group by opd, level`,
        [new Date(now)],
      );
      return rows.map((r): EscalationCountRow => ({ ...r }));
    },

    async liaisonsActive(now) {
      if (!(await tableExists("officer_appointments"))) return [];
      const at = new Date(now);
      const rows = await query<{ opd: string }>(
        `select distinct opd
           from officer_appointments
          where role = 'liaison' and opd is not null
            and valid_from <= ? and (valid_to is null or valid_to > ?)`,
        [at, at],
      );
      return rows.map((r) => r.opd);
    },

    async outboxCounts() {
      if (!(await tableExists("outbox"))) return [];
      const rows = await query<{ state: string; count: number }>(
        `select state, count(*)::int as count from outbox group by state`,
      );
      const states = new Set<string>(OUTBOX_STATES);
      return rows
        .filter((r) => states.has(r.state))
        .map((r): OutboxCountRow => ({ state: r.state as OutboxState, count: r.count }));
    },
    // --- end of escalation schema ---------------------------------------------------------------

    async importCounts(now): Promise<ImportCountRow> {
      if (!(await tableExists("import_files")))
        return {
          byResult: { imported: 0, unchanged: 0, failed: 0 },
          lastImportedAt: null,
          feedDueAt: null,
        };
      const counts = await importCounts(knex, now);
      const last = counts.lastImportedAt;
      return {
        ...counts,
        feedDueAt: last !== null && options.feedDueAt ? options.feedDueAt(last) : null,
      };
    },

    calendarCoveredUntil: (now) =>
      Promise.resolve(
        calendarCoveredUntil(options.calendar.coveredYears, options.calendar.zone, now),
      ),

    close: () => (lock ? lock.release() : Promise.resolve()),
  };
}
