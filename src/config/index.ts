// Pantau configuration: loading, validation and the helpers built on it.
export {
  AGENCIES_FILE,
  AGENCY_SOP_DIR,
  CALENDAR_FILE,
  DEFAULT_SOP_FILE,
  ENV_VARIABLES,
  HOLIDAYS_DIR,
  PANTAU_FILE,
  agencyLookup,
  calendarSpecFor,
  checkConfig,
  loadConfig,
  normalizeAgencyKey,
  reportUrl,
  validateConfig,
  type CalendarSettings,
  type ConfigCheck,
  type LoadOptions,
  type ImportSettings,
  type MailSettings,
  type PantauConfig,
} from "./load.js";
export {
  ConfigError,
  ENV_FILE,
  formatConfigIssue,
  formatConfigIssues,
  type ConfigIssue,
  type IssueSeverity,
} from "./issues.js";
export { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "./schema.js";
export { packageRoot, resolveConfigDir } from "../paths.js";
