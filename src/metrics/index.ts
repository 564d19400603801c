// Pantau's metrics: the registry (createPantauRegistry), the database source and the HTTP endpoint.
export {
  COLLECTORS,
  ESCALATION_LEVELS,
  NOOP_METRICS,
  createPantauRegistry,
  type AgencyInfo,
  type CollectorName,
  type MetricsLogger,
  type PantauMetrics,
  type PantauRegistry,
  type PantauRegistryOptions,
  type ScanReport,
} from "./registry.js";
export {
  OUTBOX_STATES,
  calendarCoveredUntil,
  type AgencyFactRow,
  type ClockCountRow,
  type EscalationCountRow,
  type MetricsSource,
  type OutboxCountRow,
  type OutboxState,
  type OutcomeCountRow,
} from "./source.js";
export {
  DEFAULT_LEADER_LOCK_KEY,
  createPgMetricsSource,
  type PgMetricsSource,
  type PgMetricsSourceOptions,
} from "./pgSource.js";
export {
  renderMetrics,
  startMetricsServer,
  type MetricsServer,
  type MetricsServerLogger,
  type MetricsServerOptions,
} from "./server.js";
