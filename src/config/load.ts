// Loads and validates the whole config directory; collects every problem before giving up.
import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { DateTime } from "luxon";
import type { z } from "zod";
import { parseLang, type Bilingual, type Lang } from "../i18n/lang.js";
import type {
  Agency,
  CalendarSpec,
  Duration,
  DurationUnit,
  Holiday,
  HolidayKind,
  IsoWeekday,
  PartialSopVersion,
  SopCatalog,
  SopVersion,
  StageTargets,
} from "../core/types.js";
import {
  DEFAULT_LADDER,
  LadderError,
  parseEscalationLadder,
  type EscalationLadder,
} from "../core/escalation/ladder.js";
import { notifySettings, type NotifySettings } from "./notifySettings.js";
import { ConfigError, ENV_FILE, keyPath, type ConfigIssue } from "./issues.js";
import { packageRoot, resolveConfigDir } from "./paths.js";
import {
  agenciesSchema,
  agencySopSchema,
  bindHost,
  calendarSchema,
  cron,
  databaseUrl,
  defaultSopSchema,
  holidaysSchema,
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
  zodIssues,
  type LogLevel,
  type LogFormat,
} from "./schema.js";
import { readYamlFile, type YamlFile } from "./yamlFile.js";

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

export const PANTAU_FILE = "pantau.yaml";
export const AGENCIES_FILE = "agencies.yaml";
export const CALENDAR_FILE = "calendar.yaml";
export const HOLIDAYS_DIR = "holidays";
export const DEFAULT_SOP_FILE = "sop/default.yaml";
export const AGENCY_SOP_DIR = "sop/agencies";

/** The environment variables Pantau reads, with what they override. */
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

/** Key used to compare codes, names and aliases: lowercase, dots/dashes/underscores as spaces. */
export function normalizeAgencyKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/[._\-,]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Finds an agency by code, name or alias (see normalizeAgencyKey). */
export function agencyLookup(agencies: readonly Agency[]): (text: string) => Agency | undefined {
  const index = new Map<string, Agency>();
  for (const a of agencies) {
    for (const key of [a.code, a.name, ...a.aliases]) {
      const k = normalizeAgencyKey(key);
      if (!index.has(k)) index.set(k, a);
    }
  }
  return (text) => index.get(normalizeAgencyKey(text));
}

// ---------------------------------------------------------------------------------------------

interface ReadResult {
  config?: PantauConfig;
  configDir: string;
  issues: ConfigIssue[];
  lang: Lang;
  counts: { agencies: number; sops: number; holidayYears: number[] };
}

type Raw = Record<string, unknown>;

function asRecord(v: unknown): Raw {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Raw) : {};
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function err(
  file: YamlFile | string,
  path: readonly PropertyKey[] | string,
  message: Bilingual,
): ConfigIssue {
  const rel = typeof file === "string" ? file : file.rel;
  const key = typeof path === "string" ? path : keyPath(path);
  const line = typeof file === "string" || typeof path === "string" ? undefined : file.lineOf(path);
  return { file: rel, key, severity: "error", message, ...(line !== undefined ? { line } : {}) };
}

function warn(file: string, key: string, message: Bilingual): ConfigIssue {
  return { file, key, severity: "warning", message };
}

/** safeParse + issue conversion. */
function parseFile<S extends z.ZodType>(
  schema: S,
  file: YamlFile,
  issues: ConfigIssue[],
): z.output<S> | undefined {
  const r = schema.safeParse(file.data);
  if (r.success) return r.data;
  issues.push(...zodIssues(r.error, schema, file));
  return undefined;
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

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function listYaml(dir: string): string[] | undefined {
  try {
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/i.test(f) && !f.startsWith("."))
      .sort();
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

function checkAgencyDuplicates(file: YamlFile, issues: ConfigIssue[]): void {
  const codes = new Map<string, number>();
  const keys = new Map<string, { index: number; what: string; value: string }>();
  asArray(asRecord(file.data).agencies).forEach((item, i) => {
    const a = asRecord(item);
    if (typeof a.code === "string") {
      const first = codes.get(a.code);
      if (first !== undefined) {
        issues.push(
          err(file, ["agencies", i, "code"], {
            id: `kode ${JSON.stringify(a.code)} sudah dipakai oleh agencies[${first}]: setiap perangkat daerah perlu kode yang unik`,
            en: `code ${JSON.stringify(a.code)} is already used by agencies[${first}]: every agency needs a unique code`,
          }),
        );
      } else codes.set(a.code, i);
    }
    const seen = new Set<string>();
    const candidates: Array<{ path: PropertyKey[]; value: unknown }> = [
      { path: ["agencies", i, "code"], value: a.code },
      { path: ["agencies", i, "name"], value: a.name },
      ...asArray(a.aliases).map((v, k) => ({ path: ["agencies", i, "aliases", k], value: v })),
    ];
    for (const { path, value } of candidates) {
      if (typeof value !== "string" || value.trim() === "") continue;
      const k = normalizeAgencyKey(value);
      if (seen.has(k)) continue;
      seen.add(k);
      const other = keys.get(k);
      if (other !== undefined && other.index !== i) {
        // Two identical codes are already reported above.
        if (path[2] === "code" && other.what === "code" && other.value === value) continue;
        issues.push(
          err(file, path, {
            id: `${JSON.stringify(value)} sama dengan ${other.what} agencies[${other.index}]: nama dan alias harus menunjuk satu perangkat daerah saja; hapus atau ubah salah satunya`,
            en: `${JSON.stringify(value)} clashes with the ${other.what} of agencies[${other.index}]: names and aliases must point to a single agency; remove or change one of them`,
          }),
        );
      } else if (other === undefined) {
        keys.set(k, { index: i, what: path[2] === "aliases" ? "alias" : String(path[2]), value });
      }
    }
  });
}

interface HolidaysResult {
  ok: boolean;
  list: Holiday[];
  years: number[];
}

const HOLIDAY_KINDS: readonly HolidayKind[] = ["national", "collective", "special"];

function readHolidays(configDir: string, issues: ConfigIssue[]): HolidaysResult {
  const files = listYaml(join(configDir, HOLIDAYS_DIR));
  if (files === undefined) {
    issues.push(
      err(`${HOLIDAYS_DIR}/`, "", {
        id: `direktori ${HOLIDAYS_DIR}/ tidak ada: buat dan isi satu berkas per tahun (mis. ${HOLIDAYS_DIR}/2025.yaml)`,
        en: `directory ${HOLIDAYS_DIR}/ is missing: create it with one file per year (e.g. ${HOLIDAYS_DIR}/2025.yaml)`,
      }),
    );
    return { ok: false, list: [], years: [] };
  }
  const before = issues.length;
  const list: Holiday[] = [];
  const years: number[] = [];
  for (const name of files) {
    const rel = `${HOLIDAYS_DIR}/${name}`;
    const m = /^(\d{4})\.ya?ml$/.exec(name);
    if (!m?.[1]) {
      issues.push(
        err(rel, "", {
          id: `nama berkas hari libur harus <tahun>.yaml (mis. 2026.yaml): ganti nama berkas ini atau pindahkan keluar dari ${HOLIDAYS_DIR}/`,
          en: `holiday files must be named <year>.yaml (e.g. 2026.yaml): rename this file or move it out of ${HOLIDAYS_DIR}/`,
        }),
      );
      continue;
    }
    const year = Number(m[1]);
    const file = readYamlFile(configDir, rel, issues);
    if (!file) continue;
    const parsed = parseFile(holidaysSchema(), file, issues);
    const raw = asRecord(file.data);
    if (typeof raw.year === "number" && raw.year !== year) {
      issues.push(
        err(file, ["year"], {
          id: `year: ${raw.year} tidak cocok dengan nama berkas ${name}: samakan keduanya`,
          en: `year: ${raw.year} does not match the file name ${name}: make them agree`,
        }),
      );
    }
    const seen = new Map<string, string>();
    for (const kind of HOLIDAY_KINDS) {
      asArray(raw[kind]).forEach((entry, i) => {
        const date = asRecord(entry).date;
        if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
        if (Number(date.slice(0, 4)) !== year) {
          issues.push(
            err(file, [kind, i, "date"], {
              id: `tanggal ${date} bukan tahun ${year}: pindahkan ke ${HOLIDAYS_DIR}/${date.slice(0, 4)}.yaml atau perbaiki tahunnya`,
              en: `date ${date} is not in ${year}: move it to ${HOLIDAYS_DIR}/${date.slice(0, 4)}.yaml or fix the year`,
            }),
          );
        }
        const first = seen.get(date);
        if (first !== undefined) {
          issues.push(
            err(file, [kind, i, "date"], {
              id: `tanggal ${date} sudah tercantum di ${first}: satu tanggal hanya boleh sekali; hapus salah satunya`,
              en: `date ${date} is already listed at ${first}: a date may appear only once; remove one of them`,
            }),
          );
        } else seen.set(date, `${kind}[${i}]`);
      });
    }
    if (parsed) {
      years.push(year);
      for (const kind of HOLIDAY_KINDS) {
        for (const h of parsed[kind]) list.push({ date: h.date, name: h.name, kind });
      }
    }
  }
  list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  years.sort((a, b) => a - b);
  const ok = !issues.slice(before).some((i) => i.severity === "error");
  return { ok, list, years };
}

interface SopsResult {
  catalog?: SopCatalog;
  agencyCount: number;
  escalation: PantauConfig["escalation"];
}

/** The `escalation` section of an SOP file, or undefined (after pushing issues) if invalid. */
function readLadder(file: YamlFile, issues: ConfigIssue[]): EscalationLadder | null | undefined {
  const raw = asRecord(file.data).escalation;
  if (raw === undefined || raw === null) return null;
  try {
    return parseEscalationLadder(raw);
  } catch (e) {
    if (!(e instanceof LadderError)) throw e;
    for (const issue of e.issues) {
      issues.push(err(file, issue.path ? `escalation.${issue.path}` : "escalation", issue.message));
    }
    return undefined;
  }
}

type FullTargets = z.output<ReturnType<typeof defaultSopSchema>>["versions"][number]["targets"];
type PartialTargets = z.output<ReturnType<typeof agencySopSchema>>["versions"][number]["targets"];

function toStageTargets(t: FullTargets): StageTargets {
  return {
    verification: t.verification,
    first_response: t.first_response,
    resolution: {
      pengaduan: { ...t.resolution.pengaduan },
      aspirasi: t.resolution.aspirasi,
      permintaan_informasi: t.resolution.permintaan_informasi,
      permintaan_informasi_extension: t.resolution.permintaan_informasi_extension,
    },
  };
}

/** Deep copy without the keys whose value is undefined (and without objects left empty). */
function compact(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if ("unit" in value && "amount" in value) return { ...value };
  const out: Raw = {};
  for (const [k, v] of Object.entries(value)) {
    const c = compact(v);
    if (c === undefined) continue;
    if (typeof c === "object" && c !== null && Object.keys(c).length === 0) continue;
    out[k] = c;
  }
  return out;
}

function toPartialTargets(t: PartialTargets): PartialSopVersion["targets"] {
  return compact(t) as PartialSopVersion["targets"];
}

/** Effective dates must be valid, unique and ascending. */
function checkVersionDates(file: YamlFile, issues: ConfigIssue[]): void {
  let prev: string | undefined;
  const seen = new Map<string, number>();
  asArray(asRecord(file.data).versions).forEach((v, i) => {
    const date = asRecord(v).effective_from;
    if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
    const first = seen.get(date);
    if (first !== undefined) {
      issues.push(
        err(file, ["versions", i, "effective_from"], {
          id: `effective_from ${date} sama dengan versions[${first}]: dua versi tidak boleh berlaku pada tanggal yang sama; gabungkan atau ubah tanggalnya`,
          en: `effective_from ${date} duplicates versions[${first}]: two versions cannot take effect on the same date; merge them or change the date`,
        }),
      );
    } else if (prev !== undefined && date < prev) {
      issues.push(
        err(file, ["versions", i, "effective_from"], {
          id: `effective_from ${date} lebih awal dari versi sebelumnya (${prev}), sehingga masa berlakunya tumpang tindih: urutkan versi dari yang terlama`,
          en: `effective_from ${date} is earlier than the previous version (${prev}), so their periods overlap: list versions oldest first`,
        }),
      );
    }
    seen.set(date, seen.get(date) ?? i);
    if (prev === undefined || date > prev) prev = date;
  });
}

function readSops(
  configDir: string,
  codes: ReadonlySet<string>,
  haveDirectory: boolean,
  issues: ConfigIssue[],
  coordinator: string | undefined,
): SopsResult {
  const before = issues.length;
  const defaultFile = readYamlFile(configDir, DEFAULT_SOP_FILE, issues);
  const defaults = defaultFile ? parseFile(defaultSopSchema(), defaultFile, issues) : undefined;
  if (defaultFile) checkVersionDates(defaultFile, issues);
  const defaultVersions: SopVersion[] = (defaults?.versions ?? [])
    .map((v) => ({
      sopId: "default",
      effectiveFrom: v.effective_from,
      title: v.title ?? defaults?.title ?? "default",
      targets: toStageTargets(v.targets),
    }))
    .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
  const firstDefault = defaultVersions[0]?.effectiveFrom;
  const defaultLadder = (defaultFile ? readLadder(defaultFile, issues) : null) ?? DEFAULT_LADDER;
  const bySop: Record<string, EscalationLadder> = { default: defaultLadder };

  const agencyVersions: Record<string, PartialSopVersion[]> = {};
  const files = listYaml(join(configDir, AGENCY_SOP_DIR)) ?? [];
  for (const name of files) {
    const rel = `${AGENCY_SOP_DIR}/${name}`;
    const file = readYamlFile(configDir, rel, issues);
    if (!file) continue;
    const parsed = parseFile(agencySopSchema(), file, issues);
    checkVersionDates(file, issues);
    const ladder = readLadder(file, issues);
    const stem = name.replace(/\.ya?ml$/i, "");
    const agency = asRecord(file.data).agency;
    if (typeof agency === "string") {
      if (haveDirectory && !codes.has(agency)) {
        issues.push(
          err(file, ["agency"], {
            id: `perangkat daerah ${JSON.stringify(agency)} tidak ada di ${AGENCIES_FILE}: perbaiki kodenya atau tambahkan perangkat daerahnya ke direktori`,
            en: `agency ${JSON.stringify(agency)} is not in ${AGENCIES_FILE}: fix the code or add the agency to the directory`,
          }),
        );
      }
      if (agency !== stem) {
        issues.push(
          err(file, ["agency"], {
            id: `agency: ${agency} tidak cocok dengan nama berkas ${name}: berkas SOP perangkat daerah harus bernama <kode>.yaml (${agency}.yaml)`,
            en: `agency: ${agency} does not match the file name ${name}: an agency SOP file must be named <code>.yaml (${agency}.yaml)`,
          }),
        );
      }
    }
    asArray(asRecord(file.data).versions).forEach((v, i) => {
      const date = asRecord(v).effective_from;
      if (typeof date === "string" && firstDefault !== undefined && date < firstDefault) {
        issues.push(
          err(file, ["versions", i, "effective_from"], {
            id: `effective_from ${date} mendahului versi pertama SOP bawaan (${firstDefault}), sehingga target yang tidak diisi tidak punya nilai: mulai pada/sesudah ${firstDefault} atau tambahkan versi bawaan yang lebih awal`,
            en: `effective_from ${date} precedes the first default SOP version (${firstDefault}), so targets it leaves out have no value: start on or after ${firstDefault} or add an earlier default version`,
          }),
        );
      }
      const targets = asRecord(asRecord(v).targets);
      if (
        typeof agency === "string" &&
        coordinator !== undefined &&
        agency !== coordinator &&
        targets.verification !== undefined
      ) {
        issues.push(
          warn(rel, `versions[${i}].targets.verification`, {
            id: `verifikasi dilakukan oleh admin koordinator (${coordinator}), jadi target ini tidak berpengaruh untuk ${agency}: hapus atau pindahkan ke SOP ${coordinator}`,
            en: `verification is done by the coordinator (${coordinator}), so this target has no effect for ${agency}: remove it or move it to the ${coordinator} SOP`,
          }),
        );
      }
    });
    if (parsed) {
      bySop[parsed.agency] = ladder ?? defaultLadder;
      agencyVersions[parsed.agency] = parsed.versions
        .map((v) => ({
          sopId: parsed.agency,
          effectiveFrom: v.effective_from,
          title: v.title ?? parsed.title,
          targets: toPartialTargets(v.targets),
        }))
        .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
    }
  }
  const ok = defaults !== undefined && !issues.slice(before).some((i) => i.severity === "error");
  return {
    agencyCount: files.length,
    escalation: { defaultLadder, bySop },
    ...(ok ? { catalog: { defaultVersions, agencyVersions } } : {}),
  };
}

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
  return ok ? out : undefined;
}
