// Pantau's Prometheus exposition: an own prom-client registry (never the global one).
//
// Two kinds of series:
// - events counted by this process (scans, emails, messages per channel, escalation decisions), reported by the services
//   through the small PantauMetrics interface, so that no service imports prom-client;
// - values derived from the database (open / at-risk / overdue clocks, met / breached totals,
//   escalations, liaisons, outbox), read on scrape from a MetricsSource behind a short cache with
//   one refresh in flight at a time. A failing collector sets pantau_collector_success{collector}
//   to 0 and keeps its last values; the scrape never fails. Only the leader instance exports them,
//   so that several daemons on one PostgreSQL never count them twice.
//
// Labels are bounded: agency codes from the directory, the three stages, escalation levels 0–9,
// outbox states, collector names. No report ID, person or free text is ever a label.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { STAGES, type Instant } from "../core/types.js";
import { NOTIFICATION_CHANNELS, type PantauMetrics } from "../context/metrics.js";
import {
  OUTBOX_STATES,
  type AgencyFactRow,
  type ClockCountRow,
  type EscalationCountRow,
  type MetricsSource,
  type OutboxCountRow,
  type OutcomeCountRow,
  type ImportCountRow,
  IMPORT_FILE_RESULTS,
} from "./source.js";

/** An agency of the directory (config/agencies.yaml); every one is pre-filled with zeros. */
export interface AgencyInfo {
  code: string;
  name: string;
  kind: string;
}

export {
  NOOP_METRICS,
  NOTIFICATION_CHANNELS,
  type NotificationChannel,
  type PantauMetrics,
  type ScanReport,
} from "../context/metrics.js";

export interface MetricsLogger {
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface PantauRegistryOptions {
  /** The agency directory: every per-agency series has one series per agency here. */
  agencies: readonly AgencyInfo[];
  /** Database-derived values; null or absent exports process metrics only. */
  source?: MetricsSource | null;
  /** The instant database-derived values are computed at (default Date.now). */
  clock?: () => Instant;
  /** Minimum interval between two reads of the source (default 5000 ms; 0 reads every scrape). */
  cacheTtlMs?: number;
  build?: { version: string; revision: string };
  /** Node.js process metrics (process_*, nodejs_*), default true. */
  processMetrics?: boolean;
  logger?: MetricsLogger;
}

export interface PantauRegistry {
  readonly registry: Registry;
  readonly metrics: PantauMetrics;
  readonly contentType: string;
  /** The text exposition, as served on /metrics. */
  render(): Promise<string>;
  /** Makes the next scrape read the source again, whatever the cache. */
  invalidate(): void;
}

/** Names of the database collectors; each reports its own success and duration. */
export const COLLECTORS = [
  "leader",
  "clocks",
  "outcomes",
  "agencies",
  "escalations",
  "liaisons",
  "outbox",
  "calendar",
  "imports",
] as const;
export type CollectorName = (typeof COLLECTORS)[number];

/** Escalation levels pre-filled with 0; other single-digit levels are exported when they occur. */
export const ESCALATION_LEVELS: readonly string[] = ["0", "1", "2"];
const LEVEL_PATTERN = /^[0-9]$/;

const SCAN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

interface CollectorStatus {
  success: boolean;
  durationSeconds: number;
  lastSuccessAt: Instant | null;
}

/** The last values read from the source; null where never read (or not the leader). */
interface Snapshot {
  now: Instant;
  leader: boolean;
  clocks: ClockCountRow[] | null;
  outcomes: OutcomeCountRow[] | null;
  agencies: AgencyFactRow[] | null;
  escalations: EscalationCountRow[] | null;
  liaisons: string[] | null;
  outbox: OutboxCountRow[] | null;
  imports: ImportCountRow | null;
  /** Undefined: never read; null: the current year is not covered. */
  calendar: Instant | null | undefined;
  collectors: Map<CollectorName, CollectorStatus>;
}

/** Keeps the refresh cadence: at most one read per TTL, one in flight, shared by all scrapes. */
class SourceCache {
  private snapshot: Snapshot;
  private fetchedAt = -Infinity;
  private inFlight: Promise<void> | null = null;
  /** Incremented after every refresh: the rendered database series are reused until it moves. */
  version = 0;

  constructor(
    private readonly source: MetricsSource,
    private readonly clock: () => Instant,
    private readonly ttlMs: number,
    private readonly logger: MetricsLogger | undefined,
  ) {
    this.snapshot = {
      now: 0,
      leader: false,
      clocks: null,
      outcomes: null,
      agencies: null,
      escalations: null,
      liaisons: null,
      outbox: null,
      imports: null,
      calendar: undefined,
      collectors: new Map(),
    };
  }

  get current(): Snapshot {
    return this.snapshot;
  }

  invalidate(): void {
    this.fetchedAt = -Infinity;
  }

  /** Resolves once the snapshot is no older than the TTL; never rejects. */
  fresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (performance.now() - this.fetchedAt < this.ttlMs) return Promise.resolve();
    this.inFlight = this.refresh().finally(() => {
      this.fetchedAt = performance.now();
      this.inFlight = null;
      this.version++;
    });
    return this.inFlight;
  }

  private async run<T>(name: CollectorName, read: () => Promise<T>): Promise<T | undefined> {
    const started = performance.now();
    const previous = this.snapshot.collectors.get(name);
    try {
      const value = await read();
      this.snapshot.collectors.set(name, {
        success: true,
        durationSeconds: (performance.now() - started) / 1000,
        lastSuccessAt: Date.now(),
      });
      return value;
    } catch (error) {
      this.snapshot.collectors.set(name, {
        success: false,
        durationSeconds: (performance.now() - started) / 1000,
        lastSuccessAt: previous?.lastSuccessAt ?? null,
      });
      this.logger?.warn("metrics collector failed", {
        collector: name,
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
  }

  // Collectors run one after another: one query in flight per instance, whatever the scrapes.
  private async refresh(): Promise<void> {
    const now = this.clock();
    const s = this.snapshot;
    s.now = now;
    const leader = await this.run("leader", () => this.source.isLeader());
    if (leader !== undefined) s.leader = leader;
    const calendar = await this.run("calendar", () => this.source.calendarCoveredUntil(now));
    if (calendar !== undefined) s.calendar = calendar;
    if (!s.leader) {
      s.clocks = s.outcomes = s.agencies = s.escalations = s.liaisons = s.outbox = null;
      s.imports = null;
      for (const name of COLLECTORS)
        if (name !== "leader" && name !== "calendar") s.collectors.delete(name);
      return;
    }
    s.clocks = (await this.run("clocks", () => this.source.clockCounts(now))) ?? s.clocks;
    s.outcomes = (await this.run("outcomes", () => this.source.outcomeCounts(now))) ?? s.outcomes;
    s.agencies = (await this.run("agencies", () => this.source.agencyFacts(now))) ?? s.agencies;
    s.escalations =
      (await this.run("escalations", () => this.source.escalationCounts(now))) ?? s.escalations;
    s.liaisons = (await this.run("liaisons", () => this.source.liaisonsActive(now))) ?? s.liaisons;
    s.outbox = (await this.run("outbox", () => this.source.outboxCounts(now))) ?? s.outbox;
    const importCounts = this.source.importCounts?.bind(this.source);
    if (importCounts) s.imports = (await this.run("imports", () => importCounts(now))) ?? s.imports;
  }
}

function finiteNonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** Creates the registry with every Pantau metric; see docs/observability.md for the contract. */
export function createPantauRegistry(options: PantauRegistryOptions): PantauRegistry {
  // Database-derived series (thousands at national scale) live in their own registry whose text
  // is rendered once per source refresh and reused by every scrape until the next refresh; the
  // small registry of this process's events and process metrics is rendered on every scrape.
  const dbRegistry = new Registry();
  const processRegistry = new Registry();
  const agencies = [...new Map(options.agencies.map((a) => [a.code, a])).values()];
  const cache = options.source
    ? new SourceCache(
        options.source,
        options.clock ?? Date.now,
        options.cacheTtlMs ?? 5000,
        options.logger,
      )
    : null;

  // render() refreshes the cache itself before rendering; collectors then use that snapshot.
  let renderingFromSnapshot = false;
  const series: DbSeries = {
    registers: [dbRegistry],
    agencies,
    known: new Set(agencies.map((a) => a.code)),
    hasSource: cache !== null,
    collectFrom: (apply) => async () => {
      if (!cache) return;
      if (!renderingFromSnapshot) await cache.fresh();
      apply(cache.current);
    },
  };
  // Registration order is the order of the exposition.
  registerClockSeries(series);
  registerOutcomeSeries(series);
  registerAgencySeries(series);
  registerOutboxAndCalendarSeries(series);
  registerImportFeedSeries(series);
  registerCollectorHealthSeries(series);
  const metrics = registerProcessEvents(processRegistry, options);

  let dbText: string | null = null;
  let dbVersion = -1;
  const render = async (): Promise<string> => {
    if (cache) await cache.fresh();
    const version = cache?.version ?? 0;
    if (dbText === null || version !== dbVersion) {
      renderingFromSnapshot = true;
      try {
        dbText = await dbRegistry.metrics();
      } finally {
        renderingFromSnapshot = false;
      }
      dbVersion = version;
    }
    return dbText + (await processRegistry.metrics());
  };

  return {
    registry: Registry.merge([dbRegistry, processRegistry]),
    metrics,
    contentType: processRegistry.contentType,
    render,
    invalidate: () => cache?.invalidate(),
  };
}

/** What the database-derived series are registered with. */
interface DbSeries {
  /** The registry of the database series (rendered once per source refresh). */
  registers: Registry[];
  /** The agency directory, without duplicate codes; every per-agency series has one each. */
  agencies: readonly AgencyInfo[];
  known: ReadonlySet<string>;
  /** False without a source: the series that are absent until read are removed at once. */
  hasSource: boolean;
  /** A collect() that runs `apply` with the fresh snapshot; `apply` must not await (reset and set together). */
  collectFrom(apply: (s: Snapshot) => void): () => Promise<void>;
}

const KEY_SEPARATOR = "\u0000";

/** Zeros for every (agency, label value), so that every series exists before it counts. */
function zeroPerAgency(agencies: readonly AgencyInfo[], values: readonly string[]) {
  const map = new Map<string, number>();
  for (const a of agencies) for (const v of values) map.set(`${a.code}${KEY_SEPARATOR}${v}`, 0);
  return map;
}

function splitKey(key: string): [string, string] {
  const [opd = "", value = ""] = key.split(KEY_SEPARATOR);
  return [opd, value];
}

function setPerStage(
  g: Gauge<"opd" | "stage"> | Counter<"opd" | "stage">,
  values: Map<string, number>,
): void {
  g.reset();
  for (const [key, value] of values) {
    const [opd, stage] = splitKey(key);
    if (g instanceof Gauge) g.set({ opd, stage }, value);
    else g.inc({ opd, stage }, value);
  }
}

/** Sums `pick` per (agency, stage) over rows, for known agencies only. */
function perStage<R extends { opd: string; stage: string }>(
  agencies: readonly AgencyInfo[],
  rows: readonly R[],
  pick: (r: R) => number,
): Map<string, number> {
  const values = zeroPerAgency(agencies, STAGES);
  for (const r of rows) {
    const key = `${r.opd}${KEY_SEPARATOR}${r.stage}`;
    if (values.has(key)) values.set(key, (values.get(key) ?? 0) + pick(r));
  }
  return values;
}

/** A gauge with one series per agency; `compute` null (or not the leader) exports none. */
function perAgencyGauge(
  series: DbSeries,
  name: string,
  help: string,
  compute: (s: Snapshot) => Map<string, number> | null,
): Gauge<"opd"> {
  const gauge: Gauge<"opd"> = new Gauge({
    name,
    help,
    labelNames: ["opd"],
    registers: series.registers,
    collect: series.collectFrom((s) => {
      const values = s.leader ? compute(s) : null;
      gauge.reset();
      if (!values) return;
      for (const a of series.agencies) gauge.set({ opd: a.code }, values.get(a.code) ?? 0);
    }),
  });
  return gauge;
}

/** Open, at-risk and overdue clocks per agency and stage; the oldest overdue and open ages. */
function registerClockSeries(series: DbSeries): void {
  const clockGauge = (name: string, help: string, pick: (r: ClockCountRow) => number) => {
    const gauge: Gauge<"opd" | "stage"> = new Gauge({
      name,
      help,
      labelNames: ["opd", "stage"],
      registers: series.registers,
      collect: series.collectFrom((s) => {
        if (!s.clocks) return gauge.reset();
        setPerStage(gauge, perStage(series.agencies, s.clocks, pick));
      }),
    });
  };
  clockGauge(
    "pantau_reports_open",
    "Open SLA clocks (reports awaiting this stage) by agency and stage.",
    (r) => r.open,
  );
  clockGauge(
    "pantau_reports_at_risk",
    "Open SLA clocks past their at-risk instant but not yet due, by agency and stage.",
    (r) => r.atRisk,
  );
  clockGauge(
    "pantau_reports_overdue",
    "Open SLA clocks past their due instant, by agency and stage.",
    (r) => r.overdue,
  );

  const oldest = (s: Snapshot, pick: (r: ClockCountRow) => Instant | null) => {
    if (!s.clocks) return null;
    const earliest = new Map<string, Instant>();
    for (const r of s.clocks) {
      const at = pick(r);
      if (at === null || !series.known.has(r.opd)) continue;
      earliest.set(r.opd, Math.min(earliest.get(r.opd) ?? Infinity, at));
    }
    const ages = new Map<string, number>();
    for (const [opd, at] of earliest) ages.set(opd, finiteNonNegative((s.now - at) / 1000));
    return ages;
  };
  perAgencyGauge(
    series,
    "pantau_reports_oldest_overdue_seconds",
    "How long past its due instant the most overdue open clock of the agency is (0 when none).",
    (s) => oldest(s, (r) => r.oldestDueAt),
  );
  perAgencyGauge(
    series,
    "pantau_reports_oldest_open_seconds",
    "Age of the agency's oldest open clock since it started (0 when none is open).",
    (s) => oldest(s, (r) => r.oldestStartedAt),
  );
}

/** Stopped clocks (met, breached) and escalation steps, counted in the database. */
function registerOutcomeSeries(series: DbSeries): void {
  const outcomeCounter = (name: string, help: string, pick: (r: OutcomeCountRow) => number) => {
    const counter: Counter<"opd" | "stage"> = new Counter({
      name,
      help,
      labelNames: ["opd", "stage"],
      registers: series.registers,
      collect: series.collectFrom((s) => {
        if (!s.outcomes) return counter.reset();
        setPerStage(
          counter,
          perStage(series.agencies, s.outcomes, (r) => finiteNonNegative(pick(r))),
        );
      }),
    });
  };
  outcomeCounter(
    "pantau_sla_met_total",
    "Clocks stopped within their target, counted in the database (all time), by agency and stage.",
    (r) => r.met,
  );
  outcomeCounter(
    "pantau_sla_breached_total",
    "Clocks stopped after their due instant, counted in the database (all time), by agency and stage.",
    (r) => r.breached,
  );

  const escalations: Counter<"opd" | "level"> = new Counter({
    name: "pantau_escalations_total",
    help: "Escalation steps sent, counted in the database (all time), by agency and level.",
    labelNames: ["opd", "level"],
    registers: series.registers,
    collect: series.collectFrom((s) => {
      escalations.reset();
      if (!s.escalations) return;
      const values = zeroPerAgency(series.agencies, ESCALATION_LEVELS);
      for (const r of s.escalations) {
        if (!series.known.has(r.opd) || !LEVEL_PATTERN.test(r.level)) continue;
        const key = `${r.opd}${KEY_SEPARATOR}${r.level}`;
        values.set(key, (values.get(key) ?? 0) + finiteNonNegative(r.count));
      }
      for (const [key, value] of values) {
        const [opd, level] = splitKey(key);
        escalations.inc({ opd, level }, value);
      }
    }),
  });
}

/** The agency directory and facts per agency: own SOP, last response, liaison appointed. */
function registerAgencySeries(series: DbSeries): void {
  const info: Gauge<"opd" | "name" | "kind"> = new Gauge({
    name: "pantau_opd_info",
    help: "The agency directory (value 1): code, name and kind of every agency (perangkat daerah).",
    labelNames: ["opd", "name", "kind"],
    registers: series.registers,
    collect: series.collectFrom((s) => {
      info.reset();
      if (!s.leader) return;
      for (const a of series.agencies) info.set({ opd: a.code, name: a.name, kind: a.kind }, 1);
    }),
  });
  const facts = (s: Snapshot, pick: (r: AgencyFactRow) => number) =>
    s.agencies ? new Map(s.agencies.map((r) => [r.opd, pick(r)])) : null;
  perAgencyGauge(
    series,
    "pantau_opd_has_own_sop",
    "1 when the agency has its own SP4N-LAPOR! SOP, 0 when it follows the regency default.",
    (s) => facts(s, (r) => (r.hasOwnSop ? 1 : 0)),
  );
  perAgencyGauge(
    series,
    "pantau_opd_last_response_timestamp_seconds",
    "Last time the agency answered (a first-response or resolution clock stopped); 0 when never.",
    (s) => facts(s, (r) => (r.lastResponseAt === null ? 0 : r.lastResponseAt / 1000)),
  );
  perAgencyGauge(
    series,
    "pantau_opd_liaison_active",
    "1 when a liaison officer (pejabat penghubung) is appointed for the agency now, else 0.",
    (s) => (s.liaisons ? new Map(s.liaisons.map((opd) => [opd, 1])) : null),
  );
}

/** Outbox messages by state; the end of the holiday decrees loaded. */
function registerOutboxAndCalendarSeries(series: DbSeries): void {
  const outbox: Gauge<"state"> = new Gauge({
    name: "pantau_outbox_messages",
    help: "Messages in the outbox by state (pending, sending, sent, failed, cancelled).",
    labelNames: ["state"],
    registers: series.registers,
    collect: series.collectFrom((s) => {
      outbox.reset();
      if (!s.outbox) return;
      const values = new Map<string, number>(OUTBOX_STATES.map((st) => [st, 0]));
      for (const r of s.outbox)
        if (values.has(r.state)) values.set(r.state, (values.get(r.state) ?? 0) + r.count);
      for (const [state, value] of values) outbox.set({ state }, value);
    }),
  });
  const calendar: Gauge = new Gauge({
    name: "pantau_calendar_covered_until_timestamp_seconds",
    help: "First instant not covered by a loaded holiday decree (0 when the current year is not).",
    registers: series.registers,
    collect: series.collectFrom((s) => {
      if (s.calendar === undefined) return calendar.remove({});
      calendar.set(s.calendar === null ? 0 : s.calendar / 1000);
    }),
  });
  if (!series.hasSource) calendar.remove({});
}

/** The daily import feed (table import_files): files by result, last import, when it stops. */
function registerImportFeedSeries(series: DbSeries): void {
  const importFiles: Counter<"result"> = new Counter({
    name: "pantau_import_files_total",
    help: "Files finished by imports (inbox and pantau import), counted in the database, by result: imported, unchanged (content imported before), failed.",
    labelNames: ["result"],
    registers: series.registers,
    collect: series.collectFrom((s) => {
      importFiles.reset();
      if (!s.imports) return;
      for (const result of IMPORT_FILE_RESULTS)
        importFiles.inc({ result }, finiteNonNegative(s.imports.byResult[result]));
    }),
  });
  const importLast: Gauge = new Gauge({
    name: "pantau_import_last_success_timestamp_seconds",
    help: "Last time a file with new content was imported (0 when never).",
    registers: series.registers,
    collect: series.collectFrom((s) => {
      if (!s.imports) return importLast.remove({});
      importLast.set(s.imports.lastImportedAt === null ? 0 : s.imports.lastImportedAt / 1000);
    }),
  });
  const feedDue: Gauge = new Gauge({
    name: "pantau_import_feed_due_timestamp_seconds",
    help: "When the import feed counts as stopped: import.alert_after_working_days working days after the last file imported (absent when none ever was).",
    registers: series.registers,
    collect: series.collectFrom((s) => {
      if (!s.imports || s.imports.feedDueAt === null) return feedDue.remove({});
      feedDue.set(s.imports.feedDueAt / 1000);
    }),
  });
  if (!series.hasSource) {
    importLast.remove({});
    feedDue.remove({});
  }
}

/** Each collector's success, duration and last success; whether this instance is the leader. */
function registerCollectorHealthSeries(series: DbSeries): void {
  const collectorGauge = (
    name: string,
    help: string,
    pick: (c: CollectorStatus) => number | null,
  ) => {
    const gauge: Gauge<"collector"> = new Gauge({
      name,
      help,
      labelNames: ["collector"],
      registers: series.registers,
      collect: series.collectFrom((s) => {
        gauge.reset();
        for (const [collector, status] of s.collectors) {
          const value = pick(status);
          if (value !== null) gauge.set({ collector }, value);
        }
      }),
    });
  };
  collectorGauge(
    "pantau_collector_success",
    "1 when the collector's last read of the database succeeded, 0 when it failed.",
    (c) => (c.success ? 1 : 0),
  );
  collectorGauge(
    "pantau_collector_duration_seconds",
    "Duration of the collector's last read of the database.",
    (c) => c.durationSeconds,
  );
  collectorGauge(
    "pantau_collector_last_success_timestamp_seconds",
    "Last time the collector read the database successfully.",
    (c) => (c.lastSuccessAt === null ? null : c.lastSuccessAt / 1000),
  );
  const leader: Gauge = new Gauge({
    name: "pantau_leader",
    help: "1 when this instance exports the database-derived series (holds the leader lock).",
    registers: series.registers,
    collect: series.collectFrom((s) => leader.set(s.leader ? 1 : 0)),
  });
}

/**
 * The events of this process (scans, deliveries, decisions, backups), its build and the Node.js
 * process metrics, in `registry`; returns the PantauMetrics the services report through.
 */
function registerProcessEvents(registry: Registry, options: PantauRegistryOptions): PantauMetrics {
  const scans = registerScanEvents(registry);
  const deliveries = registerDeliveryEvents(registry);
  const decisions = new Counter({
    name: "pantau_scan_escalations_decided_total",
    help: "Escalation steps decided by this process's scans, by level.",
    labelNames: ["level"],
    registers: [registry],
  });
  for (const level of ESCALATION_LEVELS) decisions.inc({ level }, 0);
  const backups = registerBackupEvents(registry);
  registerBuildInfo(registry, options.build);
  if (options.processMetrics ?? true) registerNodeProcessMetrics(registry);

  const count = (n: number | undefined): number => (n === undefined ? 1 : finiteNonNegative(n));
  return {
    scanFinished(report) {
      scans.duration.observe(finiteNonNegative(report.durationSeconds));
      scans.lastSuccess.set(report.finishedAt / 1000);
      if (report.clocksDue) scans.clocks.inc(finiteNonNegative(report.clocksDue));
    },
    scanFailed() {
      scans.failures.inc();
    },
    emailSent(n) {
      deliveries.emailsSent.inc(count(n));
    },
    emailFailed(n) {
      deliveries.emailFailures.inc(count(n));
    },
    notificationSent(channel) {
      if (NOTIFICATION_CHANNELS.includes(channel)) deliveries.sent.inc({ channel });
    },
    notificationFailed(channel) {
      if (NOTIFICATION_CHANNELS.includes(channel)) deliveries.failures.inc({ channel });
    },
    escalationDecided(level, n) {
      const label = String(level);
      if (LEVEL_PATTERN.test(label)) decisions.inc({ level: label }, count(n));
    },
    backupSucceeded(at) {
      backups.succeeded(at);
    },
    backupFailed() {
      backups.failures.inc();
    },
  };
}

function registerScanEvents(registry: Registry) {
  return {
    duration: new Histogram({
      name: "pantau_scan_duration_seconds",
      help: "Duration of successful scans of this process.",
      buckets: SCAN_BUCKETS,
      registers: [registry],
    }),
    lastSuccess: new Gauge({
      name: "pantau_scan_last_success_timestamp_seconds",
      help: "Last time a scan of this process succeeded (0 before the first one).",
      registers: [registry],
    }),
    failures: new Counter({
      name: "pantau_scan_failures_total",
      help: "Scans of this process that failed.",
      registers: [registry],
    }),
    clocks: new Counter({
      name: "pantau_scan_clocks_processed_total",
      help: "Clocks whose next instant had come, processed by this process's scans.",
      registers: [registry],
    }),
  };
}

/** Emails, and messages per channel with every channel pre-filled with 0. */
function registerDeliveryEvents(registry: Registry) {
  const emailsSent = new Counter({
    name: "pantau_emails_sent_total",
    help: "Emails delivered by this process (accepted by SMTP or written to the outbox folder).",
    registers: [registry],
  });
  const emailFailures = new Counter({
    name: "pantau_email_failures_total",
    help: "Failed email delivery attempts of this process.",
    registers: [registry],
  });
  const sent = new Counter({
    name: "pantau_notifications_sent_total",
    help: "Messages delivered by this process, by channel (email, webhook).",
    labelNames: ["channel"],
    registers: [registry],
  });
  const failures = new Counter({
    name: "pantau_notification_failures_total",
    help: "Failed delivery attempts of this process, by channel (email, webhook).",
    labelNames: ["channel"],
    registers: [registry],
  });
  for (const channel of NOTIFICATION_CHANNELS) {
    sent.inc({ channel }, 0);
    failures.inc({ channel }, 0);
  }
  return { emailsSent, emailFailures, sent, failures };
}

function registerBackupEvents(registry: Registry) {
  // Absent until a backup is known, so that an installation without scheduled backups (or before
  // its first one) does not look like one whose backups stopped.
  let lastBackupAt: Instant | null = null;
  const lastSuccess: Gauge = new Gauge({
    name: "pantau_backup_last_success_timestamp_seconds",
    help: "Time of the newest complete backup in backup.dir (absent before the first one).",
    registers: [registry],
    collect() {
      if (lastBackupAt === null) lastSuccess.remove({});
      else lastSuccess.set(lastBackupAt / 1000);
    },
  });
  const failures = new Counter({
    name: "pantau_backup_failures_total",
    help: "Backups of this process that failed.",
    registers: [registry],
  });
  return {
    failures,
    /** The newest backup wins; an older one reported later changes nothing. */
    succeeded(at: Instant): void {
      if (Number.isFinite(at) && (lastBackupAt === null || at > lastBackupAt)) lastBackupAt = at;
    },
  };
}

function registerBuildInfo(registry: Registry, build: PantauRegistryOptions["build"]): void {
  const info = new Gauge({
    name: "pantau_build_info",
    help: "Version and revision of the running Pantau (value 1).",
    labelNames: ["version", "revision"],
    registers: [registry],
  });
  info.set({ version: build?.version ?? "unknown", revision: build?.revision ?? "unknown" }, 1);
}

/** Node.js process metrics (process_*, nodejs_*). */
function registerNodeProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  // Gauges named *_total are rejected by `promtool check metrics` (counters only end in _total).
  for (const metric of registry.getMetricsAsArray()) {
    const m = metric as unknown as { name: string; type?: string };
    if (m.name.endsWith("_total") && m.type === "gauge") registry.removeSingleMetric(m.name);
  }
}
