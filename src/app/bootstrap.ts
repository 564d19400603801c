// The composition root: loads configuration, opens the database (embedded or PostgreSQL), brings
// the schema up to date, mirrors the agency directory, and returns the AppContext services use.
import { createHash } from "node:crypto";
import { hostname } from "node:os";
import { pick } from "../i18n/lang.js";
import { loadConfig, type PantauConfig } from "../config/index.js";
import { openDatabase, type Database } from "../db/connect.js";
import { migrateLatest } from "../db/migrate.js";
import { createLogger, wantsTextLogs, type Logger } from "../log.js";
import { getMeta, setMeta, syncAgencies } from "../store/reportStore.js";
import {
  agenciesWithOwnSop,
  CalendarDirectory,
  clockConfigFingerprint,
  NOOP_METRICS,
  type AppContext,
} from "../context/appContext.js";

export interface BootstrapOptions {
  /** What this process is ("pantau start"), recorded in the embedded lock. */
  command: string;
  env?: NodeJS.ProcessEnv;
  config?: PantauConfig;
  logger?: Logger;
  /** Log to stderr so a CLI command's stdout stays clean. */
  logToStderr?: boolean;
  /** CLI commands: readable lines, warnings and errors only unless PANTAU_LOG_LEVEL is set. */
  humanLogs?: boolean;
  /** Log the configuration's warnings (the daemon's start does; other commands stay quiet). */
  configWarnings?: boolean;
  /** Whether the log stream is a terminal (`log.format: auto` then prints readable lines). */
  logIsTty?: boolean;
  /** An already opened database (tests). */
  db?: Database;
  /** Wall clock, read once here for bookkeeping rows (agency sync). */
  now: number;
}

export async function bootstrap(options: BootstrapOptions): Promise<AppContext> {
  const config = options.config ?? loadConfig({ env: options.env ?? process.env });
  const logger =
    options.logger ??
    createLogger({
      level:
        options.humanLogs && !(options.env ?? process.env).PANTAU_LOG_LEVEL
          ? "warn"
          : config.log.level,
      stderr: options.logToStderr ?? true,
      human: options.humanLogs ?? false,
      text: wantsTextLogs(config.log.format, options.logIsTty ?? false),
    });
  const db =
    options.db ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      command: options.command,
    }));
  try {
    const { applied } = await migrateLatest(db.knex);
    if (applied.length > 0) logger.info("migrations applied", { applied });
    // Mirror the agency directory only when it changed: every command starts here.
    const ownSop = agenciesWithOwnSop(config);
    const directory = createHash("sha256")
      .update(JSON.stringify([config.agencies, [...ownSop].sort()]))
      .digest("hex")
      .slice(0, 16);
    if ((await getMeta(db.knex, "agency_directory")) !== directory) {
      await syncAgencies(db.knex, config.agencies, ownSop, options.now);
      await setMeta(db.knex, "agency_directory", directory, options.now);
    }
    const fingerprint = clockConfigFingerprint(config);
    const stored = await getMeta(db.knex, "clock_config_fingerprint");
    if (stored === null) {
      await setMeta(db.knex, "clock_config_fingerprint", fingerprint, options.now);
    } else if (stored !== fingerprint) {
      logger.warn(
        "calendar or SOP configuration changed since open clocks were computed: run `pantau recompute` to apply it to open clocks",
        { stored, current: fingerprint },
      );
    }
  } catch (error) {
    if (!options.db) await db.close();
    throw error;
  }
  // Configuration warnings (e.g. next year's holidays missing) are said where someone looks for
  // them — the daemon's start, `config check`, `doctor`, the calendar metric — not on every command.
  if (options.configWarnings) {
    for (const warning of config.warnings) {
      logger.warn(pick(config.lang, warning.message), { file: warning.file });
    }
  }
  return {
    config,
    db,
    logger,
    instanceId: `${hostname()}:${process.pid}`,
    calendars: new CalendarDirectory(config),
    metrics: NOOP_METRICS,
  };
}
