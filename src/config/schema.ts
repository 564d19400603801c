// Schemas of the config files (zod), with bilingual messages that say how to fix each problem.
// The leaf machinery (Fail, leaf, withDefault, …) is in leaf.ts, shared with notifySettings.ts;
// re-exported here for the callers of the schemas.
import { IANAZone } from "luxon";
import { validate as validateCron } from "node-cron";
import { z } from "zod";
import type { Bilingual } from "../i18n/lang.js";
import type { AgencyKind, Duration, DurationUnit, IsoWeekday } from "../core/types.js";
import { parseDuration } from "../core/calendar/duration.js";
import {
  clockTime,
  Fail,
  leaf,
  optionalLeaf,
  posInt,
  show,
  withDefault,
  type LeafParser,
} from "./leaf.js";
import { notifySchema } from "./notifySettings.js";
import { keyPath, splitBilingual, type ConfigIssue, type IssueSeverity } from "./issues.js";
import { editDistance } from "../core/format/text.js";

// ---------------------------------------------------------------------------------------------
// Leaf parsers (exported: environment overrides reuse them)

export { clockTime, Fail, leaf, posInt, show, withDefault, type LeafParser };

export const text: LeafParser<string> = (v) => {
  if (typeof v === "string" && v.trim() !== "") return v.trim();
  if (typeof v === "number" || typeof v === "boolean")
    return new Fail({
      id: `harus berupa teks, bukan ${show(v)}: beri tanda kutip`,
      en: `must be text, not ${show(v)}: quote it`,
    });
  return new Fail({ id: "harus berupa teks yang tidak kosong", en: "must be non-empty text" });
};

export const zone: LeafParser<string> = (v) => {
  const t = text(v);
  if (t instanceof Fail) return t;
  if (!IANAZone.isValidZone(t))
    return new Fail({
      id: `zona waktu ${show(t)} tidak dikenal: gunakan nama IANA seperti Asia/Jakarta (WIB), Asia/Makassar (WITA) atau Asia/Jayapura (WIT)`,
      en: `unknown time zone ${show(t)}: use an IANA name such as Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT)`,
    });
  return t;
};

export const port: LeafParser<number> = (v) => {
  const n = typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65535)
    return new Fail({
      id: `nomor port ${show(v)} tidak valid: gunakan bilangan bulat 1–65535, misalnya 8080 (0 = port bebas mana pun)`,
      en: `invalid port number ${show(v)}: use an integer from 1 to 65535, e.g. 8080 (0 = any free port)`,
    });
  return n;
};

export type LogLevel = "error" | "warn" | "info" | "http" | "verbose" | "debug" | "silly";
export const LOG_LEVELS: readonly LogLevel[] = [
  "error",
  "warn",
  "info",
  "http",
  "verbose",
  "debug",
  "silly",
];

function oneOf<T extends string>(values: readonly T[], what: Bilingual): LeafParser<T> {
  return (v) => {
    if (typeof v === "string" && (values as readonly string[]).includes(v.trim().toLowerCase()))
      return v.trim().toLowerCase() as T;
    return new Fail({
      id: `${what.id} ${show(v)} tidak dikenal: gunakan salah satu dari ${values.join(", ")}`,
      en: `unknown ${what.en} ${show(v)}: use one of ${values.join(", ")}`,
    });
  };
}

export const logLevel = oneOf(LOG_LEVELS, { id: "tingkat log", en: "log level" });

/** How log lines look: readable text, JSON, or auto (text on a terminal, JSON otherwise). */
export type LogFormat = "auto" | "text" | "json";
export const LOG_FORMATS: readonly LogFormat[] = ["auto", "text", "json"];
export const logFormat = oneOf(LOG_FORMATS, { id: "format log", en: "log format" });

export const lang: LeafParser<"id" | "en"> = (v) => {
  const m = typeof v === "string" ? /^\s*(id|en)(?:[_-][\w.@-]*)?\s*$/i.exec(v) : null;
  if (m?.[1]) return m[1].toLowerCase() as "id" | "en";
  return new Fail({
    id: `bahasa ${show(v)} tidak dikenal: gunakan id (Bahasa Indonesia) atau en (English)`,
    en: `unknown language ${show(v)}: use id (Bahasa Indonesia) or en (English)`,
  });
};

/** Cron fields with the largest step that still means something (the field's span). */
const CRON_FIELDS: readonly { id: string; en: string; span: number }[] = [
  { id: "menit", en: "minute", span: 59 },
  { id: "jam", en: "hour", span: 23 },
  { id: "tanggal", en: "day of month", span: 30 },
  { id: "bulan", en: "month", span: 11 },
  { id: "hari", en: "weekday", span: 6 },
];

export const cron: LeafParser<string> = (v) => {
  const t = text(v);
  if (t instanceof Fail) return t;
  if (!validateCron(t))
    return new Fail({
      id: `jadwal cron ${show(t)} tidak valid: gunakan 5 kolom (menit jam tanggal bulan hari), misalnya "*/5 * * * *" untuk tiap 5 menit`,
      en: `invalid cron schedule ${show(t)}: use 5 fields (minute hour day month weekday), e.g. "*/5 * * * *" for every 5 minutes`,
    });
  // node-cron accepts a step larger than its field ("*/70" minutes fires at minute 0 only, i.e.
  // hourly): refuse it instead of running on a schedule nobody wrote.
  const fields = t.trim().split(/\s+/);
  const named =
    fields.length === 6 ? [{ id: "detik", en: "second", span: 59 }, ...CRON_FIELDS] : CRON_FIELDS;
  for (const [i, field] of fields.entries()) {
    const f = named[i];
    if (!f) continue;
    for (const part of field.split(",")) {
      const step = /\/(\d+)$/.exec(part)?.[1];
      if (step === undefined) continue;
      const n = Number(step);
      if (n >= 1 && n <= f.span) continue;
      return new Fail({
        id: `jadwal cron ${show(t)}: langkah "/${step}" pada kolom ${f.id} harus 1–${f.span}; "*/${step}" tidak berarti "tiap ${step} ${f.id}" (cron hanya menghitung di dalam satu ${f.id === "menit" ? "jam" : "putaran kolom"}). Contoh: "*/5 * * * *" tiap 5 menit, "0 * * * *" tiap jam`,
        en: `cron schedule ${show(t)}: the step "/${step}" in the ${f.en} field must be 1–${f.span}; "*/${step}" does not mean "every ${step} ${f.en}s" (cron counts within one cycle of the field). E.g. "*/5 * * * *" every 5 minutes, "0 * * * *" hourly`,
      });
    }
  }
  return t;
};

/** A cron expression, or "" (off). */
export const optionalCron: LeafParser<string | null> = (v) =>
  typeof v === "string" && v.trim() === "" ? null : cron(v);

/** A host name or address to bind to, e.g. 127.0.0.1, ::1 or 0.0.0.0 (all interfaces). */
export const bindHost: LeafParser<string> = (v) => {
  const t = text(v);
  if (t instanceof Fail) return t;
  if (!/^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+)$/.test(t))
    return new Fail({
      id: `alamat ${show(t)} tidak valid: tulis nama host atau alamat IP, misalnya 127.0.0.1 (hanya mesin ini) atau 0.0.0.0 (semua antarmuka)`,
      en: `invalid address ${show(t)}: write a host name or IP address, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces)`,
    });
  return t;
};

/** "" or null → null; otherwise a user name without spaces or colons (basic auth). */
export const optionalName: LeafParser<string | null> = (v) => {
  if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return null;
  if (typeof v === "string" && /^[\x21-\x39\x3b-\x7e]{1,64}$/.test(v.trim())) return v.trim();
  return new Fail({
    id: "harus berupa nama tanpa spasi dan tanpa titik dua (maks. 64 karakter), atau kosong",
    en: "must be a name without spaces or colons (at most 64 characters), or empty",
  });
};

/** "" or null → null (no credential); otherwise a secret of printable characters without spaces. */
export const secret: LeafParser<string | null> = (v) => {
  if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return null;
  if (typeof v === "string" && /^[\x21-\x7e]{8,}$/.test(v.trim())) return v.trim();
  return new Fail({
    id: "harus berupa teks minimal 8 karakter tanpa spasi (huruf, angka, tanda baca ASCII), atau kosong",
    en: "must be text of at least 8 characters without spaces (ASCII letters, digits, punctuation), or empty",
  });
};

/** "" or null → null (embedded database); otherwise a postgres:// URL. */
export const databaseUrl: LeafParser<string | null> = (v) => {
  if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return null;
  if (typeof v === "string" && /^postgres(?:ql)?:\/\/\S+$/.test(v.trim())) return v.trim();
  return new Fail({
    id: "URL basis data harus diawali postgres:// atau postgresql:// (contoh postgres://pantau:sandi@localhost:5432/pantau), atau kosong untuk basis data bawaan",
    en: "the database URL must start with postgres:// or postgresql:// (e.g. postgres://pantau:secret@localhost:5432/pantau), or be empty for the embedded database",
  });
};

export const urlTemplate: LeafParser<string> = (v) => {
  const t = text(v);
  if (t instanceof Fail) return t;
  if (!/^https?:\/\/\S+$/.test(t) || !t.includes("{tracking_id}"))
    return new Fail({
      id: `templat URL ${show(t)} tidak valid: harus diawali http(s):// dan memuat {tracking_id}, misalnya https://www.lapor.go.id/pengaduan/{tracking_id}`,
      en: `invalid URL template ${show(t)}: it must start with http(s):// and contain {tracking_id}, e.g. https://www.lapor.go.id/pengaduan/{tracking_id}`,
    });
  return t;
};

/** true or false (web.public). */
export const flag: LeafParser<boolean> = (v) =>
  typeof v === "boolean"
    ? v
    : new Fail({ id: `${show(v)} harus true atau false`, en: `${show(v)} must be true or false` });

/** "" or null → null; otherwise an http(s):// address without a trailing slash (web.base_url). */
export const baseUrl: LeafParser<string | null> = (v) => {
  if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return null;
  if (typeof v === "string" && /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(v.trim()))
    return v.trim().replace(/\/+$/, "");
  return new Fail({
    id: `alamat ${show(v)} tidak valid: tulis alamat yang dibuka pengguna, diawali http:// atau https://, tanpa ? atau #, misalnya https://pantau.malangkab.go.id`,
    en: `invalid address ${show(v)}: write the address people open, starting with http:// or https://, without ? or #, e.g. https://pantau.malangkab.go.id`,
  });
};

/** "" or null → null (write .eml files); otherwise an smtp:// or smtps:// URL. */
export const smtpUrl: LeafParser<string | null> = (v) => {
  if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return null;
  if (typeof v === "string" && /^smtps?:\/\/\S+$/.test(v.trim())) return v.trim();
  return new Fail({
    id: "URL SMTP harus diawali smtp:// (STARTTLS bila server menawarkannya) atau smtps:// (TLS langsung), misalnya smtps://pantau:sandi@mail.malangkab.go.id:465, atau kosong untuk menulis berkas .eml",
    en: "the SMTP URL must start with smtp:// (STARTTLS when offered) or smtps:// (implicit TLS), e.g. smtps://pantau:secret@mail.malangkab.go.id:465, or be empty to write .eml files",
  });
};

/** A sender address: "Name <local@domain>" or a bare address, on one line. */
export const mailFrom: LeafParser<string> = (v) => {
  const t = text(v);
  if (t instanceof Fail) return t;
  const m =
    /^(?:[^<>\r\n"]*<([^<>\s]+@[^<>\s]+\.[A-Za-z]{2,})>|([^<>\s]+@[^<>\s]+\.[A-Za-z]{2,}))$/.exec(
      t,
    );
  if (!m)
    return new Fail({
      id: `alamat pengirim ${show(t)} tidak valid: tulis "Nama <alamat@domain>" atau alamat saja, misalnya "Pantau <pantau@malangkab.go.id>"`,
      en: `invalid sender address ${show(t)}: write "Name <address@domain>" or a bare address, e.g. "Pantau <pantau@malangkab.go.id>"`,
    });
  return t;
};

export const duration: LeafParser<Duration> = (v) => {
  if (typeof v !== "string")
    return new Fail({
      id: `durasi ${show(v)} tidak valid: tulis angka diikuti satuan wd (hari kerja), wh (jam kerja) atau d (hari kalender), misalnya 3wd`,
      en: `invalid duration ${show(v)}: write a number followed by the unit wd (working days), wh (working hours) or d (calendar days), e.g. 3wd`,
    });
  try {
    return parseDuration(v);
  } catch (err) {
    return new Fail(splitBilingual(err instanceof Error ? err.message : String(err)));
  }
};

/** A margin for targets in `unit` must be written in that same unit. */
function margin(unit: DurationUnit): LeafParser<Duration> {
  return (v) => {
    const d = duration(v);
    if (d instanceof Fail) return d;
    if (d.unit !== unit)
      return new Fail({
        id: `margin untuk target bersatuan ${unit} harus juga dalam ${unit}, misalnya 1${unit}`,
        en: `the margin for targets in ${unit} must also be in ${unit}, e.g. 1${unit}`,
      });
    return d;
  };
}

/** A local date "yyyy-mm-dd" that exists in the calendar. */
export const localDate: LeafParser<string> = (v) => {
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : v;
  if (typeof s === "string" && /^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const [y, m, d] = s.split("-").map(Number) as [number, number, number];
    const dt = new Date(Date.UTC(y, m - 1, d));
    if (dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d) return s;
  }
  return new Fail({
    id: `tanggal ${show(v)} tidak valid: tulis yyyy-mm-dd dengan tanggal yang ada, misalnya 2025-08-17`,
    en: `invalid date ${show(v)}: write an existing date as yyyy-mm-dd, e.g. 2025-08-17`,
  });
};

/** Agency codes: lowercase letters, digits, "." and "-", starting and ending with a letter or digit. */
export const CODE_PATTERN = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;

export const agencyCode: LeafParser<string> = (v) => {
  if (typeof v === "number")
    return new Fail({
      id: `kode ${show(v)} terbaca sebagai angka: beri tanda kutip, misalnya "35.07.13"`,
      en: `code ${show(v)} was read as a number: quote it, e.g. "35.07.13"`,
    });
  if (typeof v !== "string" || !CODE_PATTERN.test(v) || v.includes("..")) {
    const hint =
      typeof v === "string" && CODE_PATTERN.test(v.trim().toLowerCase())
        ? {
            id: ` (tulis ${show(v.trim().toLowerCase())})`,
            en: ` (write ${show(v.trim().toLowerCase())})`,
          }
        : { id: "", en: "" };
    return new Fail({
      id: `kode ${show(v)} tidak valid: gunakan huruf kecil, angka, titik dan tanda hubung, diawali dan diakhiri huruf atau angka${hint.id}`,
      en: `invalid code ${show(v)}: use lowercase letters, digits, dots and dashes, starting and ending with a letter or digit${hint.en}`,
    });
  }
  return v;
};

export const AGENCY_KINDS: readonly AgencyKind[] = [
  "sekretariat",
  "inspektorat",
  "badan",
  "dinas",
  "satpol",
  "rsud",
  "kecamatan",
  "kelurahan",
];
const agencyKind = oneOf(AGENCY_KINDS, { id: "jenis perangkat daerah", en: "agency kind" });

const aliasList: LeafParser<string[]> = (v) => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((a) => typeof a !== "string" || a.trim() === ""))
    return new Fail({
      id: 'alias harus berupa daftar teks yang tidak kosong, misalnya ["Dinkes"]',
      en: 'aliases must be a list of non-empty texts, e.g. ["Dinkes"]',
    });
  return (v as string[]).map((a) => a.trim());
};

const WEEKDAY_NAMES: Readonly<Record<string, IsoWeekday>> = {
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
  sun: 7,
  senin: 1,
  selasa: 2,
  rabu: 3,
  kamis: 4,
  jumat: 5,
  sabtu: 6,
  minggu: 7,
};

const weekdays: LeafParser<IsoWeekday[]> = (v) => {
  const bad = new Fail({
    id: "hari kerja harus berupa daftar hari yang tidak kosong dan tanpa duplikat: mon, tue, wed, thu, fri, sat, sun (atau 1–7), misalnya [mon, tue, wed, thu, fri]",
    en: "working weekdays must be a non-empty list without duplicates of mon, tue, wed, thu, fri, sat, sun (or 1–7), e.g. [mon, tue, wed, thu, fri]",
  });
  if (!Array.isArray(v) || v.length === 0) return bad;
  const out: IsoWeekday[] = [];
  for (const item of v as unknown[]) {
    const day =
      typeof item === "number" && Number.isInteger(item) && item >= 1 && item <= 7
        ? (item as IsoWeekday)
        : typeof item === "string"
          ? WEEKDAY_NAMES[item.trim().toLowerCase().replace("'", "")]
          : undefined;
    if (day === undefined || out.includes(day)) return bad;
    out.push(day);
  }
  return out.sort((a, b) => a - b);
};

/** A number >= 1 (retry backoff factor). */
const factor: LeafParser<number> = (v) =>
  typeof v === "number" && Number.isFinite(v) && v >= 1 && v <= 10
    ? v
    : new Fail({
        id: "harus berupa angka 1–10, misalnya 2",
        en: "must be a number from 1 to 10, e.g. 2",
      });

// ---------------------------------------------------------------------------------------------
// File schemas

export function pantauSchema() {
  return z.strictObject({
    regency: leaf(withDefault(text, "Kabupaten Malang")),
    coordinator: leaf(withDefault(agencyCode, "diskominfo")),
    default_zone: leaf(withDefault(zone, "Asia/Jakarta")),
    language: leaf(withDefault(lang, "id")),
    data_dir: leaf(withDefault(text, "./var/db")),
    database_url: leaf(databaseUrl),
    http: z
      .strictObject({
        host: leaf(withDefault(bindHost, "127.0.0.1")),
        port: leaf(withDefault(port, 8080)),
      })
      .prefault({}),
    metrics: z
      .strictObject({
        host: leaf(withDefault(bindHost, "127.0.0.1")),
        port: leaf(withDefault(port, 9464)),
        bearer_token: leaf(secret),
        basic_auth_user: leaf(optionalName),
        basic_auth_password: leaf(secret),
      })
      .prefault({}),
    api: z
      .strictObject({
        backdate_tolerance: leaf(withDefault(duration, { amount: 1, unit: "wd" } as Duration)),
        clock_skew_seconds: leaf(withDefault(posInt, 300)),
      })
      .prefault({}),
    web: z
      .strictObject({
        public: leaf(withDefault(flag, false)),
        base_url: leaf(baseUrl),
        link_minutes: leaf(withDefault(posInt, 15)),
        session_hours: leaf(withDefault(posInt, 12)),
        inactive_days: leaf(withDefault(posInt, 30)),
      })
      .prefault({}),
    scan: z
      .strictObject({
        schedule: leaf(withDefault(cron, "*/5 * * * *")),
        zone: leaf(optionalLeaf(zone)),
      })
      .prefault({}),
    lapor: z
      .strictObject({
        report_url_template: leaf(
          withDefault(urlTemplate, "https://www.lapor.go.id/pengaduan/{tracking_id}"),
        ),
      })
      .prefault({}),
    import: z
      .strictObject({
        inbox_dir: leaf(withDefault(text, "./var/inbox")),
        inbox_interval_seconds: leaf(withDefault(posInt, 30)),
        alert_after_working_days: leaf(withDefault(posInt, 1)),
      })
      .prefault({}),
    log: z
      .strictObject({
        level: leaf(withDefault(logLevel, "info")),
        format: leaf(withDefault(logFormat, "auto")),
      })
      .prefault({}),
    mail: z
      .strictObject({
        from: leaf(withDefault(mailFrom, "Pantau <pantau@localhost.localdomain>")),
        smtp_url: leaf(smtpUrl),
        outbox_dir: leaf(withDefault(text, "./var/outbox")),
        send_interval_seconds: leaf(withDefault(posInt, 30)),
        retry: z
          .strictObject({
            base_seconds: leaf(withDefault(posInt, 30)),
            factor: leaf(withDefault(factor, 2)),
            cap_seconds: leaf(withDefault(posInt, 3600)),
            max_attempts: leaf(withDefault(posInt, 8)),
          })
          .prefault({}),
      })
      .prefault({}),
    backup: z
      .strictObject({
        dir: leaf(withDefault(text, "./var/backups")),
        schedule: leaf(optionalLeaf(optionalCron)),
        keep: leaf(withDefault(posInt, 7)),
      })
      .prefault({}),
    notify: notifySchema(),
    at_risk_margin: z
      .strictObject({
        wd: leaf(withDefault(margin("wd"), { amount: 1, unit: "wd" } as Duration)),
        wh: leaf(withDefault(margin("wh"), { amount: 2, unit: "wh" } as Duration)),
        d: leaf(withDefault(margin("d"), { amount: 1, unit: "d" } as Duration)),
      })
      .prefault({}),
  });
}

export function agenciesSchema() {
  return z.strictObject({
    agencies: z.array(
      z.strictObject({
        code: leaf(withDefault(agencyCode)),
        name: leaf(withDefault(text)),
        kind: leaf(withDefault(agencyKind)),
        zone: leaf(optionalLeaf(zone)),
        aliases: leaf(aliasList),
      }),
    ),
  });
}

export function calendarSchema() {
  return z.strictObject({
    working_weekdays: leaf(withDefault(weekdays, [1, 2, 3, 4, 5] as IsoWeekday[])),
    office_hours: z.strictObject({
      open: leaf(withDefault(clockTime)),
      close: leaf(withDefault(clockTime)),
    }),
  });
}

export function holidaysSchema() {
  const entry = z.strictObject({
    date: leaf(withDefault(localDate)),
    name: leaf(withDefault(text)),
  });
  return z.strictObject({
    year: leaf(withDefault(posInt)),
    source: leaf(optionalLeaf(text)),
    national: z.array(entry).prefault([]),
    collective: z.array(entry).prefault([]),
    special: z.array(entry).prefault([]),
  });
}

const requiredDuration = () => leaf(withDefault(duration));
const optionalDuration = () => leaf(optionalLeaf(duration));

/** Targets of a default SOP version: all required. */
function fullTargetsSchema() {
  const d = requiredDuration;
  return z.strictObject({
    verification: d(),
    first_response: d(),
    resolution: z.strictObject({
      pengaduan: z.strictObject({
        ringan: d(),
        normatif: d(),
        tidak_berkadar_pengawasan: d(),
        berkadar_pengawasan: d(),
        unknown: d(),
      }),
      aspirasi: d(),
      permintaan_informasi: d(),
      permintaan_informasi_extension: d(),
    }),
  });
}

/** Targets of an agency SOP version: each optional (missing = the default version's). */
function partialTargetsSchema() {
  const d = optionalDuration;
  return z.strictObject({
    verification: d(),
    first_response: d(),
    resolution: z
      .strictObject({
        pengaduan: z
          .strictObject({
            ringan: d(),
            normatif: d(),
            tidak_berkadar_pengawasan: d(),
            berkadar_pengawasan: d(),
            unknown: d(),
          })
          .optional(),
        aspirasi: d(),
        permintaan_informasi: d(),
        permintaan_informasi_extension: d(),
      })
      .optional(),
  });
}

function versionFields() {
  return {
    effective_from: leaf(withDefault(localDate)),
    title: leaf(optionalLeaf(text)),
    source: leaf(optionalLeaf(text)),
  };
}

export function defaultSopSchema() {
  return z.strictObject({
    title: leaf(withDefault(text)),
    source: leaf(optionalLeaf(text)),
    // Checked by parseEscalationLadder in load.ts.
    escalation: z.unknown().optional(),
    versions: z.array(z.strictObject({ ...versionFields(), targets: fullTargetsSchema() })).min(1),
  });
}

export function agencySopSchema() {
  return z.strictObject({
    agency: leaf(withDefault(agencyCode)),
    title: leaf(withDefault(text)),
    source: leaf(optionalLeaf(text)),
    escalation: z.unknown().optional(),
    versions: z
      .array(z.strictObject({ ...versionFields(), targets: partialTargetsSchema().prefault({}) }))
      .min(1),
  });
}

/** Runs a leaf parser outside zod (environment overrides). */
export function parseLeaf<T>(
  parse: LeafParser<T>,
  value: unknown,
): { ok: T } | { error: Bilingual } {
  const out = parse(value);
  return out instanceof Fail ? { error: out.msg } : { ok: out };
}

// ---------------------------------------------------------------------------------------------
// zod issues → ConfigIssue

type AnySchema = z.core.$ZodType;

interface SchemaDef {
  type: string;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  innerType?: AnySchema;
  in?: AnySchema;
}

function defOf(s: AnySchema): SchemaDef {
  return s._zod.def as unknown as SchemaDef;
}

/** The object schema reached by `path`, to list the keys allowed there. */
function shapeAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let s: AnySchema | undefined = schema;
  const unwrap = () => {
    while (s) {
      const def = defOf(s);
      const next: AnySchema | undefined =
        def.innerType ?? (def.type === "pipe" ? def.in : undefined);
      if (!next) break;
      s = next;
    }
  };
  unwrap();
  for (const seg of path) {
    if (!s) return [];
    const def = defOf(s);
    s = typeof seg === "number" ? def.element : def.shape?.[String(seg)];
    unwrap();
  }
  return s ? Object.keys(defOf(s).shape ?? {}) : [];
}

/** The known key closest to a misspelt one, if close enough to be a typo. */
export function suggestKey(wrong: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const k of known) {
    const dist = editDistance(wrong.toLowerCase(), k);
    if (dist < bestDist) [best, bestDist] = [k, dist];
  }
  return best !== undefined && bestDist <= Math.max(2, Math.floor(best.length / 3))
    ? best
    : undefined;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const seg of path) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

const TYPE_NAMES: Readonly<Record<string, Bilingual>> = {
  object: { id: "pemetaan kunci: nilai", en: "a map of key: value" },
  array: { id: "daftar (diawali '- ')", en: "a list (items start with '- ')" },
  string: { id: "teks", en: "text" },
  number: { id: "angka", en: "a number" },
};

/** Converts the issues of a failed safeParse into ConfigIssues located in `file`. */
export function zodIssues(
  error: z.ZodError,
  schema: AnySchema,
  file: { rel: string; data: unknown; lineOf(path: readonly PropertyKey[]): number | undefined },
  severity: IssueSeverity = "error",
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const push = (path: readonly PropertyKey[], message: Bilingual) => {
    const line = file.lineOf(path);
    out.push({
      file: file.rel,
      key: keyPath(path),
      severity,
      message,
      ...(line !== undefined ? { line } : {}),
    });
  };
  for (const iss of error.issues) {
    const path = iss.path;
    switch (iss.code) {
      case "unrecognized_keys": {
        const known = shapeAt(schema, path);
        for (const key of iss.keys) {
          const guess = suggestKey(key, known);
          push([...path, key], {
            id:
              `kunci ${show(key)} tidak dikenal` +
              (guess
                ? `: maksud Anda ${show(guess)}?`
                : `: kunci yang diizinkan di sini: ${known.join(", ")}`),
            en:
              `unknown key ${show(key)}` +
              (guess
                ? `: did you mean ${show(guess)}?`
                : `: allowed keys here: ${known.join(", ")}`),
          });
        }
        break;
      }
      case "custom": {
        const msg = (iss.params as { msg?: Bilingual } | undefined)?.msg;
        push(path, msg ?? { id: iss.message, en: iss.message });
        break;
      }
      case "invalid_type": {
        const got = valueAt(file.data, path);
        const want = TYPE_NAMES[iss.expected] ?? { id: iss.expected, en: iss.expected };
        if (path.length === 0) {
          push(path, {
            id: `berkas harus berisi ${want.id}; berkas ini kosong atau berbentuk lain`,
            en: `the file must hold ${want.en}; it is empty or holds something else`,
          });
        } else if (got === undefined || got === null) {
          push(path, {
            id: `wajib diisi dengan ${want.id}`,
            en: `is required: write ${want.en}`,
          });
        } else {
          push(path, { id: `harus berupa ${want.id}`, en: `must be ${want.en}` });
        }
        break;
      }
      case "too_small":
        push(path, {
          id: `minimal ${String(iss.minimum)} entri: tambahkan entri`,
          en: `needs at least ${String(iss.minimum)} entry/entries: add one`,
        });
        break;
      default:
        push(path, { id: iss.message, en: iss.message });
    }
  }
  return out;
}
