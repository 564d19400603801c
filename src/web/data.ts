// What the web pages show, read through the functions the CLI and /metrics already use — never
// computed a second way, so every figure equals `pantau status`, `pantau report … --format json`
// and /metrics for the same data and instant:
// - open / at risk / overdue by stage, all-time outcomes, liaisons, SOP adoption, last answers,
//   outbox and calendar coverage: the metrics source (src/metrics/source.ts), as /metrics reads;
//   the last 30 days are the all-time outcomes at `now` minus those at `now` − 30 days (what
//   Prometheus' increase(…[30d]) over the counters gives);
// - this month and the monthly history: monthlyReport / fetchFigures (the rollups), as
//   `pantau report monthly`; the yearly trends: yearlyReport, as `pantau report yearly`;
// - an agency's open clocks: statusView, as `pantau status --opd`; a report: explainView.
// Only the agency's escalations of the last 30 days and the last scan are read here directly.
import { DateTime } from "luxon";
import type { AppContext } from "../context/appContext.js";
import { clockStates, statusRow, type StatusRow } from "../app/statusService.js";
import {
  holderAt,
  OFFICER_ROLES,
  isRegencyRole,
  type Appointment,
  type OfficerRole,
} from "../core/escalation/appointments.js";
import type { AgencyKind, Instant, Stage } from "../core/types.js";
import { loadAppointments } from "../officers/officerStore.js";
import { type MetricsSource, type OutcomeCountRow } from "../metrics/source.js";
import {
  emptyFigures,
  fetchFigures,
  hoursPerDayOf,
  monthlyReport,
  rollupYears,
  yearlyReport,
  type Figures,
  type MonthlyReport,
  type YearlyReport,
  type YearlySort,
} from "../reports/index.js";
import { figuresKey } from "../reports/figures.js";

const DAY = 86_400_000;
export const STAGES: readonly Stage[] = ["verification", "first_response", "resolution"];

export interface WebDeps {
  ctx: AppContext;
  /** The database reads behind /metrics (the same object the registry scrapes). */
  metrics: MetricsSource;
  /** The /metrics text, for the collectors' health on the operations page (absent in tests). */
  metricsText?: () => Promise<string>;
}

export interface Outcome {
  met: number;
  breached: number;
  /** met / (met + breached), null when nothing was measured. */
  share: number | null;
}

const outcome = (met: number, breached: number): Outcome => ({
  met,
  breached,
  share: met + breached === 0 ? null : met / (met + breached),
});

function sumOutcomes(rows: readonly OutcomeCountRow[], opd?: string): Outcome {
  let met = 0;
  let breached = 0;
  for (const r of rows) {
    if (opd !== undefined && r.opd !== opd) continue;
    met += r.met;
    breached += r.breached;
  }
  return outcome(met, breached);
}

export interface StageCounts {
  open: number;
  atRisk: number;
  overdue: number;
}

export interface AgencyRank {
  code: string;
  name: string;
  kind: AgencyKind;
  allTime: Outcome;
  last30: Outcome;
  /** This month, from the monthly report (rollups); its rank there (null: nothing measured). */
  month: Outcome;
  monthRank: number | null;
  open: number;
  atRisk: number;
  overdue: number;
  hasLiaison: boolean;
  hasOwnSop: boolean;
  lastResponseAt: Instant | null;
  /** Open reports and no answer for web.inactive_days days (or never). */
  inactive: boolean;
}

export interface Summary {
  now: Instant;
  /** "yyyy-mm" of `now` in the regency's zone. */
  month: string;
  compliance: { allTime: Outcome; last30: Outcome; month: Outcome };
  stages: Record<Stage, StageCounts>;
  agencies: AgencyRank[];
  sop: { own: number; total: number };
  /** Set when next year's holidays are not loaded: the first year missing. */
  calendarMissingYear: number | null;
}

/** "yyyy-mm" of an instant in a zone. */
export const monthOf = (now: Instant, zone: string): string =>
  DateTime.fromMillis(now, { zone }).toFormat("yyyy-MM");

function reportSettings(ctx: AppContext) {
  return {
    zone: ctx.config.defaultZone,
    coveredYears: ctx.config.coveredYears,
    hoursPerDay: hoursPerDayOf(ctx.config.calendar),
  };
}

/**
 * The monthly report for "yyyy-mm", as `pantau report monthly --month` computes it; without
 * `openAtEnd` its open / overdue-at-month-end columns stay 0 (the summary does not show them).
 */
export function monthlyOf(
  ctx: AppContext,
  month: string,
  openAtEnd = true,
): Promise<MonthlyReport> {
  return monthlyReport(ctx.db.knex, { month, openAtEnd, ...reportSettings(ctx) });
}

/** The yearly report, as `pantau report yearly --from --to --sort` computes it. */
export function yearlyOf(
  ctx: AppContext,
  from: number,
  to: number,
  sort: YearlySort,
): Promise<YearlyReport> {
  return yearlyReport(ctx.db.knex, { from, to, sort, ...reportSettings(ctx) });
}

/** Years with data in the rollups, or this year alone. */
export async function yearSpan(
  ctx: AppContext,
  now: Instant,
): Promise<{ first: number; last: number }> {
  const thisYear = DateTime.fromMillis(now, { zone: ctx.config.defaultZone }).year;
  const span = await rollupYears(ctx.db.knex);
  return {
    first: Math.min(span?.first ?? thisYear, thisYear),
    last: Math.max(span?.last ?? thisYear, thisYear),
  };
}

export async function summaryOf(deps: WebDeps, now: Instant): Promise<Summary> {
  const { ctx, metrics } = deps;
  const zone = ctx.config.defaultZone;
  const month = monthOf(now, zone);
  const [clocks, outcomes, outcomesBefore, facts, liaisons, coveredUntil, report] =
    await Promise.all([
      metrics.clockCounts(now, { oldest: false }),
      metrics.outcomeCounts(now),
      metrics.outcomeCounts(now - 30 * DAY),
      metrics.agencyFacts(now),
      metrics.liaisonsActive(now),
      metrics.calendarCoveredUntil(now),
      monthlyOf(ctx, month, false),
    ]);
  const stages = Object.fromEntries(
    STAGES.map((s) => [s, { open: 0, atRisk: 0, overdue: 0 }]),
  ) as Record<Stage, StageCounts>;
  const perAgency = new Map<string, StageCounts>();
  for (const c of clocks) {
    const st = stages[c.stage];
    st.open += c.open;
    st.atRisk += c.atRisk;
    st.overdue += c.overdue;
    const a = perAgency.get(c.opd) ?? { open: 0, atRisk: 0, overdue: 0 };
    a.open += c.open;
    a.atRisk += c.atRisk;
    a.overdue += c.overdue;
    perAgency.set(c.opd, a);
  }
  const factsBy = new Map(facts.map((f) => [f.opd, f]));
  const monthBy = new Map(report.rows.map((r) => [r.opd, r]));
  const liaisonSet = new Set(liaisons);
  const inactiveBefore = now - ctx.config.web.inactiveDays * DAY;
  const agencies: AgencyRank[] = ctx.config.agencies.map((a) => {
    const counts = perAgency.get(a.code) ?? { open: 0, atRisk: 0, overdue: 0 };
    const fact = factsBy.get(a.code);
    const all = sumOutcomes(outcomes, a.code);
    const before = sumOutcomes(outcomesBefore, a.code);
    const m = monthBy.get(a.code);
    const lastResponseAt = fact?.lastResponseAt ?? null;
    return {
      code: a.code,
      name: a.name,
      kind: a.kind,
      allTime: all,
      last30: outcome(all.met - before.met, all.breached - before.breached),
      month: m ? m.figures.compliance : outcome(0, 0),
      monthRank: m?.rank ?? null,
      ...counts,
      hasLiaison: liaisonSet.has(a.code),
      hasOwnSop: fact?.hasOwnSop ?? false,
      lastResponseAt,
      inactive: counts.open > 0 && (lastResponseAt === null || lastResponseAt < inactiveBefore),
    };
  });
  const all = sumOutcomes(outcomes);
  const before = sumOutcomes(outcomesBefore);
  const nextYear = DateTime.fromMillis(now, { zone }).year + 1;
  const nextYearStart = DateTime.fromObject(
    { year: nextYear, month: 1, day: 1 },
    { zone },
  ).toMillis();
  return {
    now,
    month,
    compliance: {
      allTime: all,
      last30: outcome(all.met - before.met, all.breached - before.breached),
      month: report.total.figures.compliance,
    },
    stages,
    agencies,
    sop: { own: agencies.filter((a) => a.hasOwnSop).length, total: agencies.length },
    calendarMissingYear:
      coveredUntil === null ? nextYear - 1 : coveredUntil <= nextYearStart ? nextYear : null,
  };
}

export interface RoleHolder {
  role: OfficerRole;
  holder: Appointment | null;
}

export interface EscalationRow {
  trackingId: string;
  stage: Stage;
  level: number;
  status: string;
  decidedAt: Instant;
  sentAt: Instant | null;
}

export interface AgencyDetail {
  /** The instant the figures were read at. */
  now: Instant;
  code: string;
  name: string;
  kind: AgencyKind;
  zone: string;
  /** The first MAX_ROWS open clocks, in `pantau status --opd` order, with their margins. */
  rows: StatusRow[];
  /** The first MAX_ROWS of those overdue (state breached), in the same order. */
  overdueRows: StatusRow[];
  /** Every open clock of the agency per state, as `pantau status --opd` counts them. */
  counts: Record<string, number>;
  /** All open clocks (rows lists at most MAX_ROWS of them). */
  openCount: number;
  roles: RoleHolder[];
  escalations: EscalationRow[];
  /** The last 12 months, oldest first, each as `pantau report monthly` has it for the agency. */
  months: { month: string; figures: Figures }[];
}

/** Clocks listed in an agency's tables (a page stays under 200 KB); the counts cover all. */
export const MAX_ROWS = 200;

/**
 * Everything of one agency's page at `now`; null when the code is unknown. The rows are those of
 * `pantau status --opd`, but only the listed ones get their business-time margin computed (the
 * walk over working days is most of the time of an agency with a thousand open clocks).
 */
export async function agencyOf(
  ctx: AppContext,
  code: string,
  now: Instant,
): Promise<AgencyDetail | null> {
  const agency = ctx.calendars.agency(code);
  if (!agency) return null;
  const [status, appointments, escalations, months] = await Promise.all([
    clockStates(ctx, { opd: code, now }),
    loadAppointments(ctx.db.knex),
    escalationsOf(ctx, code, now - 30 * DAY, now),
    monthSeries(ctx, now, code),
  ]);
  return {
    now,
    code,
    name: agency.name,
    kind: agency.kind,
    zone: ctx.calendars.forAgency(code).spec.zone,
    rows: status.clocks.slice(0, MAX_ROWS).map((c) => statusRow(ctx, c, now)),
    overdueRows: status.clocks
      .filter((c) => c.state === "breached")
      .slice(0, MAX_ROWS)
      .map((c) => statusRow(ctx, c, now)),
    counts: status.counts,
    openCount: status.clocks.length,
    roles: OFFICER_ROLES.map((role) => ({
      role,
      holder: holderAt(appointments, role, isRegencyRole(role) ? null : code, now),
    })),
    escalations,
    months,
  };
}

/**
 * The last 12 calendar months up to `now` (oldest first), each with the figures
 * `pantau report monthly --month` has for the agency (`opd`) or the regency (null): read at once,
 * grouped by month (the same rows as twelve one-month reads, in one set of queries).
 */
export async function monthSeries(
  ctx: AppContext,
  now: Instant,
  opd: string | null,
): Promise<{ month: string; figures: Figures }[]> {
  const zone = ctx.config.defaultZone;
  const first = DateTime.fromMillis(now, { zone }).startOf("month").minus({ months: 11 });
  const end = first.plus({ months: 12 });
  const map = await fetchFigures(ctx.db.knex, {
    source: "rollup",
    range: { from: first.toFormat("yyyy-MM-dd"), to: end.toFormat("yyyy-MM-dd") },
    instants: { from: first.toMillis(), to: end.toMillis() },
    zone,
    grouping: "month",
    scope: opd === null ? { perAgency: false } : { perAgency: true, opds: [opd] },
  });
  return Array.from({ length: 12 }, (_, i) => first.plus({ months: i })).map((m) => ({
    month: m.toFormat("yyyy-MM"),
    figures: map.get(figuresKey(opd, m.year * 100 + m.month)) ?? emptyFigures(),
  }));
}

/** The agency's escalation steps decided in [from, to), newest first (at most 200). */
async function escalationsOf(
  ctx: AppContext,
  opd: string,
  from: Instant,
  to: Instant,
): Promise<EscalationRow[]> {
  const rows = (await ctx.db
    .knex("escalations")
    .select("tracking_id", "stage", "level", "status", "decided_at", "sent_at")
    .where({ opd })
    .where("decided_at", ">=", new Date(from))
    .where("decided_at", "<", new Date(to))
    .orderBy("decided_at", "desc")
    .limit(200)) as {
    tracking_id: string;
    stage: Stage;
    level: number;
    status: string;
    decided_at: Date;
    sent_at: Date | null;
  }[];
  return rows.map((r) => ({
    trackingId: r.tracking_id,
    stage: r.stage,
    level: Number(r.level),
    status: r.status,
    decidedAt: r.decided_at.getTime(),
    sentAt: r.sent_at === null ? null : r.sent_at.getTime(),
  }));
}

export interface Operations {
  lastScan: { startedAt: Instant; finishedAt: Instant | null; error: string | null } | null;
  outbox: Record<string, number>;
  deliveries: { kind: string; sentAt: Instant }[];
  collectors: { name: string; success: boolean }[];
}

export async function operationsOf(deps: WebDeps, now: Instant): Promise<Operations> {
  const knex = deps.ctx.db.knex;
  const [scan, outbox, sent, text] = await Promise.all([
    knex("scan_runs")
      .select("started_at", "finished_at", "error")
      .where("started_at", "<=", new Date(now))
      .orderBy("started_at", "desc")
      .first() as Promise<
      { started_at: Date; finished_at: Date | null; error: string | null } | undefined
    >,
    deps.metrics.outboxCounts(now),
    knex("outbox")
      .select("kind", "sent_at")
      .where({ state: "sent" })
      .where("sent_at", "<=", new Date(now))
      .orderBy("sent_at", "desc")
      .limit(10) as Promise<{ kind: string; sent_at: Date }[]>,
    deps.metricsText ? deps.metricsText().catch(() => "") : Promise.resolve(""),
  ]);
  const collectors = [
    ...text.matchAll(/^pantau_collector_success\{collector="([a-z_]+)"\} (\d)/gm),
  ].map((m) => ({ name: m[1] ?? "", success: m[2] === "1" }));
  return {
    lastScan: scan
      ? {
          startedAt: scan.started_at.getTime(),
          finishedAt: scan.finished_at === null ? null : scan.finished_at.getTime(),
          error: scan.error,
        }
      : null,
    outbox: Object.fromEntries(outbox.map((o) => [o.state, o.count])),
    deliveries: sent.map((s) => ({ kind: s.kind, sentAt: s.sent_at.getTime() })),
    collectors,
  };
}
