// Loads and validates the whole config directory; collects every problem before giving up.
// This file assembles PantauConfig from the parts (pantau.yaml, calendar, environment overrides);
// the agency directory, holiday decrees and SOPs with their ladders are read by agencies.ts,
// holidays.ts and sops.ts, with the issue helpers of read.ts.
import { isAbsolute, resolve } from "node:path";
import { DateTime } from "luxon";
import { parseLang, type Lang } from "../i18n/lang.js";
import type {
  Agency,
  CalendarSpec,
  Duration,
  DurationUnit,
  Holiday,
  IsoWeekday,
  SopCatalog,
} from "../core/types.js";
import type { EscalationLadder } from "../core/escalation/ladder.js";
import { notifySettings, type NotifySettings } from "./notifySettings.js";
import { ConfigError, ENV_FILE, type ConfigIssue } from "./issues.js";
import { packageRoot, resolveConfigDir } from "../paths.js";
import {
  agenciesSchema,
  baseUrl,
  bindHost,
  calendarSchema,
  cron,
  databaseUrl,
  lang as langParser,
  mailFrom,
  optionalName,
  secret,
  smtpUrl,
  logLevel as logLevelParser,
  logFormat as logFormatParser,
  pantauSchema,
  parseLeaf,
  port,
  text,
  type LogLevel,
  type LogFormat,
} from "./schema.js";
import { readYamlFile } from "./yamlFile.js";
import {
  asArray,
  asRecord,
  err,
  isDirectory,
  parseFile,
  warn,
  AGENCIES_FILE,
  CALENDAR_FILE,
  DEFAULT_SOP_FILE,
  HOLIDAYS_DIR,
  PANTAU_FILE,
} from "./read.js";
import { checkAgencyDuplicates, normalizeAgencyKey, agencyLookup } from "./agencies.js";
import { readHolidays } from "./holidays.js";
import { readSops } from "./sops.js";
export { agencyLookup, normalizeAgencyKey };

/** Calendar settings of config/calendar.yaml (the zone comes from the agency or default_zone). */
export interface CalendarSettings {
  /** Zone of agencies without their own: pantau.yaml default_zone. */
  defaultZone: string;
  /** ISO weekdays, ascending (1 = Monday). */
  workingWeekdays: IsoWeekday[];
  /** Minutes after local midnight (480 = 08:00). */
  officeOpenMinute: number;
  officeCloseMinute: number;
}

export interface MailSettings {
  /** From header: "Name <address>" or an address. */
  from: string;
  /** smtp:// or smtps:// URL; null = write each message as an .eml file to outboxDir. */
  smtpUrl: string | null;
  /** Absolute directory of the .eml outbox. */
  outboxDir: string;
  /** How often the daemon's sender looks at the outbox besides after each scan. */
  sendIntervalMs: number;
  retry: { baseMs: number; factor: number; capMs: number; maxAttempts: number };
}

/** The daily feed through the inbox folder (pantau.yaml `import`). */
export interface ImportSettings {
  /** Absolute directory the daemon imports new .xlsx / .csv files from. */
  inboxDir: string;
  /** How often the daemon looks into the inbox. */
  inboxIntervalMs: number;
  /** Working days without an imported file after which the feed counts as stopped. */
  alertAfterWorkingDays: number;
}

/** Everything Pantau reads from its config directory, environment overrides applied. */
export interface PantauConfig {
  /** Absolute path of the config directory that was read. */
  configDir: string;
  /** Absolute path of the Pantau installation (the directory of its package.json). */
  packageRoot: string;
  /** "Kabupaten Malang". */
  regency: string;
  /** Agency code of the admin koordinator (owner of the verification clock). */
  coordinator: string;
  /** IANA zone of the deployment and of agencies without their own. */
  defaultZone: string;
  lang: Lang;
  /** Absolute directory of the embedded database and other state. */
  dataDir: string;
  /** PostgreSQL URL, or null for the embedded database in dataDir. */
  databaseUrl: string | null;
  /** The daemon's HTTP server (health, API); host 127.0.0.1 unless opened on purpose. */
  http: { host: string; port: number };
  /**
   * The /metrics server; with a bearer token and/or basic-auth credentials set, a scrape must
   * present one of them (null = open, for a host-local Prometheus).
   */
  metrics: {
    host: string;
    port: number;
    bearerToken: string | null;
    basicAuth: { username: string; password: string } | null;
  };
  /**
   * The web pages (src/web): the public ranking page on or off, the address people open (links
   * in sign-in emails; https:// makes the session cookie Secure; null = http://<http.host>:<port>),
   * how long a sign-in link and a session last, and after how many days without an answer an
   * agency with open reports counts as inactive.
   */
  web: {
    public: boolean;
    baseUrl: string | null;
    linkMs: number;
    sessionMs: number;
    inactiveDays: number;
  };
  /** Rules for instants written through the API (see core/sla/recording.ts). */
  api: { backdateTolerance: Duration; clockSkewMs: number };
  /** Cron schedule of the periodic scan and the zone it is read in. */
  scan: { schedule: string; zone: string };
  /** Link template with "{tracking_id}"; see reportUrl(). */
  lapor: { reportUrlTemplate: string };
  /** format "auto": readable lines on a terminal, JSON otherwise (journal, files, pipes). */
  log: { level: LogLevel; format: LogFormat };
  /**
   * Backups: `pantau backup` through the daemon and the scheduled ones go to `dir`; the daemon
   * takes one on `schedule` (cron, null = off) and keeps the newest `keep`.
   */
  backup: { dir: string; schedule: string | null; keep: number };
  /** Outgoing email: SMTP when smtpUrl is set, otherwise .eml files in outboxDir. */
  mail: MailSettings;
  /** The inbox folder of the daily feed. */
  import: ImportSettings;
  /** Quiet hours for chat messages and the webhook channels (config/notifySettings.ts). */
  notify: NotifySettings;
  /**
   * Escalation ladder per SOP id ("default" or an agency code); an SOP file without an
   * `escalation` section uses the default SOP's, which without one is DEFAULT_LADDER.
   */
  escalation: { defaultLadder: EscalationLadder; bySop: Record<string, EscalationLadder> };
  /** A clock is at risk when less than this is left; one margin per target unit. */
  atRiskMargin: Record<DurationUnit, Duration>;
  calendar: CalendarSettings;
  /** All holidays of all holiday files, sorted by date. */
  holidays: Holiday[];
  /** Years with a holiday file, ascending. */
  coveredYears: number[];
  /** The agency directory, in file order; `zone` always filled. */
  agencies: Agency[];
  sops: SopCatalog;
  /** Non-fatal findings (e.g. the current year has no holiday file). */
  warnings: ConfigIssue[];
}

export interface LoadOptions {
  /** Default: PANTAU_CONFIG_DIR, else <package root>/config. */
  configDir?: string;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** "Now" for the holiday-coverage warnings (epoch ms). Default: Date.now(). */
  now?: number;
}

export {
  AGENCIES_FILE,
  AGENCY_SOP_DIR,
  CALENDAR_FILE,
  DEFAULT_SOP_FILE,
  HOLIDAYS_DIR,
  PANTAU_FILE,
} from "./read.js";

export const ENV_VARIABLES: Readonly<Record<string, string>> = {
  PANTAU_CONFIG_DIR: "config directory",
  DATABASE_URL: "database_url",
  PANTAU_DATA_DIR: "data_dir",
  PANTAU_HTTP_HOST: "http.host",
  PANTAU_HTTP_PORT: "http.port",
  PANTAU_METRICS_HOST: "metrics.host",
  PANTAU_METRICS_PORT: "metrics.port",
  PANTAU_METRICS_BEARER_TOKEN: "metrics.bearer_token",
  PANTAU_METRICS_BASIC_AUTH_USER: "metrics.basic_auth_user",
  PANTAU_METRICS_BASIC_AUTH_PASSWORD: "metrics.basic_auth_password",
  PANTAU_LANG: "language",
  PANTAU_LOG_LEVEL: "log.level",
  PANTAU_LOG_FORMAT: "log.format",
  PANTAU_SCAN_SCHEDULE: "scan.schedule",
  SMTP_URL: "mail.smtp_url",
  PANTAU_MAIL_FROM: "mail.from",
  PANTAU_OUTBOX_DIR: "mail.outbox_dir",
  PANTAU_BACKUP_DIR: "backup.dir",
  PANTAU_BACKUP_SCHEDULE: "backup.schedule",
  PANTAU_INBOX_DIR: "import.inbox_dir",
  PANTAU_WEB_BASE_URL: "web.base_url",
};

/** Loads the configuration; throws a ConfigError listing every error found. */
export function loadConfig(options: LoadOptions = {}): PantauConfig {
  const result = readConfig(options);
  if (!result.config) throw new ConfigError(result.issues, result.lang);
  return result.config;
}

/** Every problem of the config directory `dir` (errors and warnings); `env` overrides are checked too. */
export function validateConfig(
  dir: string,
  env: NodeJS.ProcessEnv = {},
  now?: number,
): ConfigIssue[] {
  return readConfig({ configDir: dir, env, ...(now !== undefined ? { now } : {}) }).issues;
}

export interface ConfigCheck {
  ok: boolean;
  configDir: string;
  issues: ConfigIssue[];
  summary: { agencies: number; sops: number; holidayYears: number[] };
}

/** For `pantau config check`: never throws on a bad config, reports it. */
export function checkConfig(options: LoadOptions = {}): ConfigCheck {
  const result = readConfig(options);
  return {
    ok: result.config !== undefined,
    configDir: result.configDir,
    issues: result.issues,
    summary: {
      agencies: result.config?.agencies.length ?? result.counts.agencies,
      sops: result.config
        ? Object.keys(result.config.sops.agencyVersions).length
        : result.counts.sops,
      holidayYears: result.config?.coveredYears ?? result.counts.holidayYears,
    },
  };
}

/** The business calendar of `zone` (default: the deployment's default zone). */
export function calendarSpecFor(
  config: PantauConfig,
  zone: string = config.defaultZone,
): CalendarSpec {
  return {
    zone,
    workingWeekdays: config.calendar.workingWeekdays,
    officeOpenMinute: config.calendar.officeOpenMinute,
    officeCloseMinute: config.calendar.officeCloseMinute,
    holidays: config.holidays,
    coveredYears: config.coveredYears,
  };
}

/** The LAPOR! link of a report. */
export function reportUrl(config: PantauConfig, trackingId: string): string {
  return config.lapor.reportUrlTemplate.split("{tracking_id}").join(encodeURIComponent(trackingId));
}

// ---------------------------------------------------------------------------------------------

interface ReadResult {
  config?: PantauConfig;
  configDir: string;
  issues: ConfigIssue[];
  lang: Lang;
  counts: { agencies: number; sops: number; holidayYears: number[] };
}

function readConfig(options: LoadOptions): ReadResult {
  const env = options.env ?? process.env;
  const issues: ConfigIssue[] = [];
  const counts = { agencies: 0, sops: 0, holidayYears: [] as number[] };
  const envLang = nonEmpty(env.PANTAU_LANG);
  let lang: Lang = envLang ? parseLang(envLang) : "id";
  const configDir = resolveConfigDir(options.configDir, env);
  const done = (config?: PantauConfig): ReadResult => ({
    configDir,
    issues: sortIssues(issues),
    lang,
    counts,
    ...(config && !issues.some((i) => i.severity === "error") ? { config } : {}),
  });

  if (!isDirectory(configDir)) {
    const viaEnv = !options.configDir && nonEmpty(env.PANTAU_CONFIG_DIR);
    issues.push(
      err(viaEnv ? ENV_FILE : configDir, viaEnv ? "PANTAU_CONFIG_DIR" : "", {
        id: `direktori konfigurasi ${configDir} tidak ada: periksa PANTAU_CONFIG_DIR atau salin config/ bawaan Pantau ke sana`,
        en: `config directory ${configDir} does not exist: check PANTAU_CONFIG_DIR or copy Pantau's shipped config/ there`,
      }),
    );
    return done();
  }

  // --- pantau.yaml
  const pantauFile = readYamlFile(configDir, PANTAU_FILE, issues);
  const settings = pantauFile ? parseFile(pantauSchema(), pantauFile, issues) : undefined;
  if (settings && !envLang) lang = settings.language;

  // --- agencies.yaml
  const agenciesFile = readYamlFile(configDir, AGENCIES_FILE, issues);
  const agenciesParsed = agenciesFile
    ? parseFile(agenciesSchema(), agenciesFile, issues)
    : undefined;
  if (agenciesFile) checkAgencyDuplicates(agenciesFile, issues);
  const rawCodes = new Set<string>(
    agenciesFile
      ? asArray(asRecord(agenciesFile.data).agencies)
          .map((a) => asRecord(a).code)
          .filter((c): c is string => typeof c === "string")
      : [],
  );
  counts.agencies = rawCodes.size;

  if (pantauFile && agenciesFile) {
    const coordinator = asRecord(pantauFile.data).coordinator ?? "diskominfo";
    if (typeof coordinator === "string" && !rawCodes.has(coordinator)) {
      issues.push(
        err(pantauFile, ["coordinator"], {
          id: `kode admin koordinator ${JSON.stringify(coordinator)} tidak ada di ${AGENCIES_FILE}: gunakan kode perangkat daerah yang terdaftar (mis. diskominfo) atau tambahkan perangkat daerahnya`,
          en: `coordinator code ${JSON.stringify(coordinator)} is not in ${AGENCIES_FILE}: use a listed agency code (e.g. diskominfo) or add the agency`,
        }),
      );
    }
  }

  // --- calendar.yaml
  const calendarFile = readYamlFile(configDir, CALENDAR_FILE, issues);
  const calendar = calendarFile ? parseFile(calendarSchema(), calendarFile, issues) : undefined;
  if (calendarFile && calendar && calendar.office_hours.open >= calendar.office_hours.close) {
    issues.push(
      err(calendarFile, ["office_hours", "close"], {
        id: 'jam tutup kantor harus setelah jam buka (mis. open: "08:00", close: "16:00")',
        en: 'office closing time must be after opening time (e.g. open: "08:00", close: "16:00")',
      }),
    );
  }

  // --- holidays/<year>.yaml
  const holidays = readHolidays(configDir, issues);
  counts.holidayYears = holidays.years;

  // --- SOPs
  const sops = readSops(
    configDir,
    rawCodes,
    agenciesFile !== undefined,
    issues,
    settings?.coordinator,
  );
  counts.sops = sops.agencyCount;

  // --- environment overrides
  const overrides = readEnv(env, issues);

  if (settings && overrides) {
    const httpPort = overrides.httpPort ?? settings.http.port;
    const metricsPort = overrides.metricsPort ?? settings.metrics.port;
    if (httpPort === metricsPort && httpPort !== 0) {
      const viaEnv = overrides.metricsPort !== undefined || overrides.httpPort !== undefined;
      issues.push(
        err(
          viaEnv ? ENV_FILE : (pantauFile ?? PANTAU_FILE),
          viaEnv
            ? overrides.metricsPort !== undefined
              ? "PANTAU_METRICS_PORT"
              : "PANTAU_HTTP_PORT"
            : ["metrics", "port"],
          {
            id: `port metrik (${metricsPort}) sama dengan port HTTP: pilih port lain, misalnya 9464`,
            en: `the metrics port (${metricsPort}) equals the HTTP port: choose another one, e.g. 9464`,
          },
        ),
      );
    }
  }

  if (settings && overrides) {
    const auth = {
      user:
        overrides.metricsBasicUser !== undefined
          ? overrides.metricsBasicUser
          : settings.metrics.basic_auth_user,
      password:
        overrides.metricsBasicPassword !== undefined
          ? overrides.metricsBasicPassword
          : settings.metrics.basic_auth_password,
    };
    if ((auth.user === null) !== (auth.password === null)) {
      const missing = auth.user === null ? "basic_auth_user" : "basic_auth_password";
      issues.push(
        err(pantauFile ?? PANTAU_FILE, ["metrics", missing], {
          id: `basic auth /metrics memerlukan nama pengguna dan kata sandi: isi juga metrics.${missing} (atau kosongkan keduanya)`,
          en: `basic auth for /metrics needs both a user name and a password: set metrics.${missing} too (or leave both empty)`,
        }),
      );
    }
  }

  // Warnings: holiday coverage of the current (and, late in the year, the next) year.
  if (holidays.ok && settings) {
    const today = DateTime.fromMillis(options.now ?? Date.now(), { zone: settings.default_zone });
    const wanted = today.month >= 10 ? [today.year, today.year + 1] : [today.year];
    for (const year of wanted) {
      if (!holidays.years.includes(year)) {
        issues.push(
          warn(`${HOLIDAYS_DIR}/${year}.yaml`, "", {
            id: `belum ada hari libur tahun ${year}: tanpa berkas ini hanya Sabtu/Minggu yang dihitung libur. Tambahkan ${HOLIDAYS_DIR}/${year}.yaml dari SKB 3 Menteri tahun ${year}`,
            en: `no holidays for ${year} yet: without this file only weekends count as non-working days. Add ${HOLIDAYS_DIR}/${year}.yaml from the ${year} joint ministerial decree`,
          }),
        );
      }
    }
  }

  if (
    !settings ||
    !agenciesParsed ||
    !calendar ||
    !holidays.ok ||
    !sops.catalog ||
    !overrides ||
    issues.some((i) => i.severity === "error")
  ) {
    return done();
  }

  const root = packageRoot();
  // A folder: from the environment relative to the current directory, from pantau.yaml relative
  // to the installation.
  const folder = (override: string | undefined, configured: string): string =>
    override !== undefined
      ? resolve(override)
      : isAbsolute(configured)
        ? configured
        : resolve(root, configured);
  const defaultZone = settings.default_zone;
  const config: PantauConfig = {
    configDir,
    packageRoot: root,
    regency: settings.regency,
    coordinator: settings.coordinator,
    defaultZone,
    lang: overrides.lang ?? settings.language,
    dataDir: folder(overrides.dataDir, settings.data_dir),
    databaseUrl:
      overrides.databaseUrl !== undefined ? overrides.databaseUrl : settings.database_url,
    http: {
      host: overrides.httpHost ?? settings.http.host,
      port: overrides.httpPort ?? settings.http.port,
    },
    metrics: {
      host: overrides.metricsHost ?? settings.metrics.host,
      port: overrides.metricsPort ?? settings.metrics.port,
      bearerToken:
        overrides.metricsBearerToken !== undefined
          ? overrides.metricsBearerToken
          : settings.metrics.bearer_token,
      basicAuth: basicAuth(settings.metrics, overrides),
    },
    web: {
      public: settings.web.public,
      baseUrl: overrides.webBaseUrl !== undefined ? overrides.webBaseUrl : settings.web.base_url,
      linkMs: settings.web.link_minutes * 60_000,
      sessionMs: settings.web.session_hours * 3_600_000,
      inactiveDays: settings.web.inactive_days,
    },
    api: {
      backdateTolerance: settings.api.backdate_tolerance,
      clockSkewMs: settings.api.clock_skew_seconds * 1000,
    },
    scan: {
      schedule: overrides.scanSchedule ?? settings.scan.schedule,
      zone: settings.scan.zone ?? defaultZone,
    },
    lapor: { reportUrlTemplate: settings.lapor.report_url_template },
    log: {
      level: overrides.logLevel ?? settings.log.level,
      format: overrides.logFormat ?? settings.log.format,
    },
    mail: {
      from: overrides.mailFrom ?? settings.mail.from,
      smtpUrl: overrides.smtpUrl !== undefined ? overrides.smtpUrl : settings.mail.smtp_url,
      outboxDir: folder(overrides.outboxDir, settings.mail.outbox_dir),
      sendIntervalMs: settings.mail.send_interval_seconds * 1000,
      retry: {
        baseMs: settings.mail.retry.base_seconds * 1000,
        factor: settings.mail.retry.factor,
        capMs: settings.mail.retry.cap_seconds * 1000,
        maxAttempts: settings.mail.retry.max_attempts,
      },
    },
    backup: {
      dir: folder(overrides.backupDir, settings.backup.dir),
      schedule:
        overrides.backupSchedule !== undefined
          ? overrides.backupSchedule
          : (settings.backup.schedule ?? null),
      keep: settings.backup.keep,
    },
    import: {
      inboxDir: folder(overrides.inboxDir, settings.import.inbox_dir),
      inboxIntervalMs: settings.import.inbox_interval_seconds * 1000,
      alertAfterWorkingDays: settings.import.alert_after_working_days,
    },
    notify: notifySettings(settings.notify),
    escalation: sops.escalation,
    atRiskMargin: { ...settings.at_risk_margin },
    calendar: {
      defaultZone,
      workingWeekdays: calendar.working_weekdays,
      officeOpenMinute: calendar.office_hours.open,
      officeCloseMinute: calendar.office_hours.close,
    },
    holidays: holidays.list,
    coveredYears: holidays.years,
    agencies: agenciesParsed.agencies.map((a) => ({
      code: a.code,
      name: a.name,
      kind: a.kind,
      zone: a.zone ?? defaultZone,
      aliases: a.aliases,
    })),
    sops: sops.catalog,
    warnings: issues.filter((i) => i.severity === "warning"),
  };
  return done(config);
}

/** Files in reading order, then by line: what an administrator fixes top to bottom. */
function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const rank = (file: string): number =>
    file === PANTAU_FILE
      ? 0
      : file === AGENCIES_FILE
        ? 1
        : file === CALENDAR_FILE
          ? 2
          : file.startsWith(`${HOLIDAYS_DIR}/`)
            ? 3
            : file === DEFAULT_SOP_FILE
              ? 4
              : file.startsWith("sop/")
                ? 5
                : file === ENV_FILE
                  ? 7
                  : 6;
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        rank(a.issue.file) - rank(b.issue.file) ||
        (a.issue.file < b.issue.file ? -1 : a.issue.file > b.issue.file ? 1 : 0) ||
        (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) ||
        a.index - b.index,
    )
    .map(({ issue }) => issue);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== "" ? v.trim() : undefined;
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------

/** The /metrics basic-auth credentials, environment over file; null unless both are set. */
function basicAuth(
  file: { basic_auth_user: string | null; basic_auth_password: string | null },
  env: EnvOverrides,
): { username: string; password: string } | null {
  const username = env.metricsBasicUser !== undefined ? env.metricsBasicUser : file.basic_auth_user;
  const password =
    env.metricsBasicPassword !== undefined ? env.metricsBasicPassword : file.basic_auth_password;
  return username && password ? { username, password } : null;
}

interface EnvOverrides {
  databaseUrl?: string | null;
  dataDir?: string;
  httpHost?: string;
  httpPort?: number;
  metricsHost?: string;
  metricsPort?: number;
  metricsBearerToken?: string | null;
  metricsBasicUser?: string | null;
  metricsBasicPassword?: string | null;
  lang?: Lang;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  scanSchedule?: string;
  smtpUrl?: string | null;
  mailFrom?: string;
  outboxDir?: string;
  backupDir?: string;
  backupSchedule?: string | null;
  inboxDir?: string;
  webBaseUrl?: string | null;
}

/** Reads the environment overrides; undefined (after pushing issues) if any is invalid. */
function readEnv(env: NodeJS.ProcessEnv, issues: ConfigIssue[]): EnvOverrides | undefined {
  const out: EnvOverrides = {};
  let ok = true;
  function take<T>(
    name: string,
    parse: Parameters<typeof parseLeaf<T>>[0],
    set: (v: T) => void,
  ): void {
    const raw = nonEmpty(env[name]);
    if (raw === undefined) return;
    const r = parseLeaf(parse, raw);
    if ("ok" in r) {
      set(r.ok);
    } else {
      ok = false;
      issues.push(
        err(ENV_FILE, name, {
          id: `variabel lingkungan ${name}=${JSON.stringify(raw)}: ${r.error.id}`,
          en: `environment variable ${name}=${JSON.stringify(raw)}: ${r.error.en}`,
        }),
      );
    }
  }
  take("DATABASE_URL", databaseUrl, (v) => (out.databaseUrl = v));
  take("PANTAU_DATA_DIR", text, (v) => (out.dataDir = v));
  take("PANTAU_HTTP_HOST", bindHost, (v) => (out.httpHost = v));
  take("PANTAU_HTTP_PORT", port, (v) => (out.httpPort = v));
  take("PANTAU_METRICS_HOST", bindHost, (v) => (out.metricsHost = v));
  take("PANTAU_METRICS_PORT", port, (v) => (out.metricsPort = v));
  take("PANTAU_METRICS_BEARER_TOKEN", secret, (v) => (out.metricsBearerToken = v));
  take("PANTAU_METRICS_BASIC_AUTH_USER", optionalName, (v) => (out.metricsBasicUser = v));
  take("PANTAU_METRICS_BASIC_AUTH_PASSWORD", secret, (v) => (out.metricsBasicPassword = v));
  take("PANTAU_LANG", langParser, (v) => (out.lang = v));
  take("PANTAU_LOG_LEVEL", logLevelParser, (v) => (out.logLevel = v));
  take("PANTAU_LOG_FORMAT", logFormatParser, (v) => (out.logFormat = v));
  take("PANTAU_SCAN_SCHEDULE", cron, (v) => (out.scanSchedule = v));
  take("SMTP_URL", smtpUrl, (v) => (out.smtpUrl = v));
  take("PANTAU_MAIL_FROM", mailFrom, (v) => (out.mailFrom = v));
  take("PANTAU_OUTBOX_DIR", text, (v) => (out.outboxDir = v));
  take("PANTAU_BACKUP_DIR", text, (v) => (out.backupDir = v));
  if (env.PANTAU_BACKUP_SCHEDULE !== undefined && env.PANTAU_BACKUP_SCHEDULE.trim() === "")
    out.backupSchedule = null;
  else take("PANTAU_BACKUP_SCHEDULE", cron, (v) => (out.backupSchedule = v));
  take("PANTAU_INBOX_DIR", text, (v) => (out.inboxDir = v));
  take("PANTAU_WEB_BASE_URL", baseUrl, (v) => (out.webBaseUrl = v));
  return ok ? out : undefined;
}
