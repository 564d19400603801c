// The figures of one agency (or the regency) over one period, assembled from the SQL aggregates,
// and the change of a figure against the previous period.
import type { Knex } from "knex";
import { escalationAggregates } from "./escalations.js";
import {
  clockAggregates,
  percentileAggregates,
  receivedAggregates,
  type Grouping,
  type MonthRange,
  type Scope,
  type Source,
} from "./queries.js";

type Db = Knex | Knex.Transaction;

export interface StageFigures {
  met: number;
  breached: number;
  /** met / (met + breached); null when nothing was measured. */
  share: number | null;
  /** Business days to stop, nearest-rank median and 90th percentile; null without data. */
  median: number | null;
  p90: number | null;
}

export interface Figures {
  received: number;
  /** Resolution clocks stopped by a follow-up or completion (met + breached). */
  followedUp: number;
  firstResponse: StageFigures;
  resolution: StageFigures;
  /** All stages the agency owns. */
  compliance: { met: number; breached: number; share: number | null };
  /** Sent escalations by level. */
  escalations: Record<number, number>;
}

export function emptyFigures(): Figures {
  const stage = (): StageFigures => ({ met: 0, breached: 0, share: null, median: null, p90: null });
  return {
    received: 0,
    followedUp: 0,
    firstResponse: stage(),
    resolution: stage(),
    compliance: { met: 0, breached: 0, share: null },
    escalations: {},
  };
}

/** True when the period has nothing at all (used to leave changes blank). */
export function isEmpty(f: Figures): boolean {
  return (
    f.received === 0 &&
    f.compliance.met + f.compliance.breached === 0 &&
    Object.values(f.escalations).every((n) => n === 0)
  );
}

/** Key of a figures map: agency code ("" = regency) and period. */
export const figuresKey = (opd: string | null, period: number): string => `${opd ?? ""}|${period}`;

export interface FetchOptions {
  source: Source;
  range: MonthRange;
  /** The same range as instants in the deployment zone (escalations). */
  instants: { from: number; to: number };
  zone: string;
  grouping: Grouping;
  scope: Scope;
}

/** Figures per (agency or regency, period) of a scope, all computed in SQL. */
export async function fetchFigures(db: Db, o: FetchOptions): Promise<Map<string, Figures>> {
  // Independent queries: concurrent on PostgreSQL's pool (one connection serialises them).
  const [clocks, received, percentiles, escalations] = await Promise.all([
    clockAggregates(db, o.source, o.range, o.grouping, o.scope),
    receivedAggregates(db, o.source, o.range, o.grouping, o.scope),
    percentileAggregates(db, o.source, o.range, o.grouping, o.scope),
    escalationAggregates(db, o.instants, o.zone, o.grouping, o.scope),
  ]);
  const out = new Map<string, Figures>();
  const at = (opd: string | null, period: number): Figures => {
    const key = figuresKey(opd, period);
    let f = out.get(key);
    if (!f) {
      f = emptyFigures();
      out.set(key, f);
    }
    return f;
  };
  for (const c of clocks) {
    const f = at(c.opd, c.period);
    f.firstResponse.met = c.frMet;
    f.firstResponse.breached = c.frBreached;
    f.firstResponse.share = c.frShare;
    f.resolution.met = c.resMet;
    f.resolution.breached = c.resBreached;
    f.resolution.share = c.resShare;
    f.followedUp = c.resMet + c.resBreached;
    f.compliance = { met: c.met, breached: c.breached, share: c.compliance };
  }
  for (const r of received) at(r.opd, r.period).received = r.received;
  for (const p of percentiles) {
    const f = at(p.opd, p.period);
    f.firstResponse.median = p.frMedian;
    f.firstResponse.p90 = p.frP90;
    f.resolution.median = p.resMedian;
    f.resolution.p90 = p.resP90;
  }
  for (const e of escalations) {
    const f = at(e.opd, e.period);
    f.escalations[e.level] = (f.escalations[e.level] ?? 0) + e.count;
  }
  return out;
}

export type Arrow = "▲" | "▼" | "=";

export interface Change {
  /** Difference to the previous period (percentage points for shares), rounded; null: no basis. */
  value: number | null;
  arrow: Arrow | null;
}

const NO_CHANGE: Change = { value: null, arrow: null };

function change(current: number | null, previous: number | null, decimals: number): Change {
  if (current === null || previous === null) return NO_CHANGE;
  const factor = 10 ** decimals;
  const value = Math.round((current - previous) * factor) / factor;
  const clean = Object.is(value, -0) ? 0 : value;
  return { value: clean, arrow: clean > 0 ? "▲" : clean < 0 ? "▼" : "=" };
}

export interface Changes {
  received: Change;
  /** Percentage points. */
  firstResponseShare: Change;
  resolutionShare: Change;
  compliance: Change;
  /** Business days. */
  resolutionMedian: Change;
}

const pp = (share: number | null): number | null => (share === null ? null : share * 100);

export function changes(current: Figures, previous: Figures | undefined): Changes {
  if (!previous || isEmpty(previous) || isEmpty(current))
    return {
      received: NO_CHANGE,
      firstResponseShare: NO_CHANGE,
      resolutionShare: NO_CHANGE,
      compliance: NO_CHANGE,
      resolutionMedian: NO_CHANGE,
    };
  return {
    received: change(current.received, previous.received, 0),
    firstResponseShare: change(
      pp(current.firstResponse.share),
      pp(previous.firstResponse.share),
      1,
    ),
    resolutionShare: change(pp(current.resolution.share), pp(previous.resolution.share), 1),
    compliance: change(pp(current.compliance.share), pp(previous.compliance.share), 1),
    resolutionMedian: change(current.resolution.median, previous.resolution.median, 2),
  };
}

/** Escalation levels to show: 0, 1, 2 and any other level found. */
export function escalationLevels(all: Iterable<Figures>): number[] {
  const levels = new Set([0, 1, 2]);
  for (const f of all) for (const level of Object.keys(f.escalations)) levels.add(Number(level));
  return [...levels].sort((a, b) => a - b);
}
