// The alias table (config/import-aliases.yaml) and the mapping of a file's headers to fields. Pure:
// the YAML text is handed in by the reader module.
import { parse as parseYaml } from "yaml";
import type { Bilingual } from "../i18n/lang.js";
import {
  EVENT_KINDS,
  type Channel,
  type Complexity,
  type EventKind,
  type ReportType,
} from "../core/types.js";
import { editDistance, matchKey } from "./cells.js";
import { ImportError } from "./errors.js";

/** Fields of the report snapshot (canonical CSV column names). */
export const SNAPSHOT_FIELDS = [
  "tracking_id",
  "received_at",
  "opd",
  "status",
  "category",
  "type",
  "complexity",
  "channel",
  "anonymous",
  "confidential",
  "contact_complete",
  "disposed_at",
  "first_response_at",
  "followed_up_at",
  "completed_at",
  "archived_at",
] as const;

/** Reporter contact: read only for the manual-intake check, never returned. */
export const CONTACT_FIELDS = ["contact_phone", "contact_email"] as const;

/** Extra fields of the canonical event log (`tracking_id, at, event, opd`). */
export const EVENT_FIELDS = ["at", "event"] as const;

export type ImportField =
  | (typeof SNAPSHOT_FIELDS)[number]
  | (typeof CONTACT_FIELDS)[number]
  | (typeof EVENT_FIELDS)[number];

export const IMPORT_FIELDS: readonly ImportField[] = [
  ...SNAPSHOT_FIELDS,
  ...CONTACT_FIELDS,
  ...EVENT_FIELDS,
];

export const CHANNELS: readonly Channel[] = [
  "lapor_web",
  "lapor_app",
  "sms_1708",
  "whatsapp",
  "social_media",
  "website",
  "email",
  "call_center_112",
  "walk_in",
  "other",
];
export const REPORT_TYPES: readonly ReportType[] = [
  "pengaduan",
  "aspirasi",
  "permintaan_informasi",
];
export const COMPLEXITIES: readonly Complexity[] = [
  "ringan",
  "normatif",
  "tidak_berkadar_pengawasan",
  "berkadar_pengawasan",
  "unknown",
];

/** The alias table as written in config/import-aliases.yaml. */
export interface ImportAliases {
  headers: Record<ImportField, string[]>;
  ignored: string[];
  values: {
    channel: Record<Channel, string[]>;
    type: Record<ReportType, string[]>;
    complexity: Record<Complexity, string[]>;
    boolean: { true: string[]; false: string[] };
    event: Record<EventKind, string[]>;
  };
}

/** A value table compiled for lookups: match key → canonical value. */
export type ValueTable<T extends string> = ReadonlyMap<string, T>;

/** The alias table ready for use (see compileAliases). */
export interface CompiledAliases {
  source: ImportAliases;
  /** Match keys of each field's headers, canonical name first. */
  headerKeys: ReadonlyMap<ImportField, readonly string[]>;
  channel: ValueTable<Channel>;
  type: ValueTable<ReportType>;
  complexity: ValueTable<Complexity>;
  boolean: ValueTable<"true" | "false">;
  event: ValueTable<EventKind>;
}

type Raw = Record<string, unknown>;

function isRecord(v: unknown): v is Raw {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function aliasError(source: string, key: string, what: Bilingual): ImportError {
  return new ImportError("bad_aliases", {
    id: `${source}: ${key}: ${what.id}`,
    en: `${source}: ${key}: ${what.en}`,
  });
}

function stringList(v: unknown, source: string, key: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string" || typeof s === "number"))
    throw aliasError(source, key, {
      id: 'harus berupa daftar teks, misalnya ["No. Tracking", "ID Tracking"]',
      en: 'must be a list of texts, e.g. ["No. Tracking", "ID Tracking"]',
    });
  return v.map(String);
}

function table<T extends string>(
  raw: unknown,
  allowed: readonly T[],
  source: string,
  key: string,
): Record<T, string[]> {
  if (!isRecord(raw))
    throw aliasError(source, key, { id: "bagian ini wajib ada", en: "this section is required" });
  const out = {} as Record<T, string[]>;
  for (const k of Object.keys(raw)) {
    if (!(allowed as readonly string[]).includes(k))
      throw aliasError(source, `${key}.${k}`, {
        id: `nilai tidak dikenal; gunakan salah satu dari ${allowed.join(", ")}`,
        en: `unknown value; use one of ${allowed.join(", ")}`,
      });
  }
  for (const v of allowed) out[v] = stringList(raw[v], source, `${key}.${v}`);
  return out;
}

/** Parses and checks the alias table; throws ImportError("bad_aliases") naming the key. */
export function parseImportAliases(
  yamlText: string,
  source = "import-aliases.yaml",
): ImportAliases {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (e) {
    throw aliasError(source, "(file)", {
      id: `YAML tidak valid: ${(e as Error).message}`,
      en: `invalid YAML: ${(e as Error).message}`,
    });
  }
  if (!isRecord(doc))
    throw aliasError(source, "(file)", {
      id: "harus berisi headers, ignored dan values",
      en: "must contain headers, ignored and values",
    });
  const values = isRecord(doc.values) ? doc.values : {};
  const bool = table(values.boolean, ["true", "false"] as const, source, "values.boolean");
  const aliases: ImportAliases = {
    headers: table(doc.headers, IMPORT_FIELDS, source, "headers"),
    ignored: stringList(doc.ignored, source, "ignored"),
    values: {
      channel: table(values.channel, CHANNELS, source, "values.channel"),
      type: table(values.type, REPORT_TYPES, source, "values.type"),
      complexity: table(values.complexity, COMPLEXITIES, source, "values.complexity"),
      boolean: { true: bool.true, false: bool.false },
      event: table(values.event, EVENT_KINDS, source, "values.event"),
    },
  };
  compileAliases(aliases, source); // reports clashes now
  return aliases;
}

function compileValues<T extends string>(
  lists: Record<T, string[]>,
  source: string,
  key: string,
): ValueTable<T> {
  const map = new Map<string, T>();
  for (const canonical of Object.keys(lists) as T[]) {
    for (const alias of [canonical, ...lists[canonical]]) {
      const k = matchKey(alias);
      if (k === "") continue;
      const other = map.get(k);
      if (other !== undefined && other !== canonical)
        throw aliasError(source, `${key}.${canonical}`, {
          id: `"${alias}" juga tercantum untuk ${other}; satu alias hanya boleh menunjuk satu nilai`,
          en: `"${alias}" is also listed for ${other}; an alias may point to one value only`,
        });
      map.set(k, canonical);
    }
  }
  return map;
}

/** Builds the lookup tables; throws ImportError("bad_aliases") on a clash. */
export function compileAliases(
  aliases: ImportAliases,
  source = "import-aliases.yaml",
): CompiledAliases {
  const headerKeys = new Map<ImportField, string[]>();
  const owner = new Map<string, ImportField>();
  for (const field of IMPORT_FIELDS) {
    const keys: string[] = [];
    for (const alias of [field, ...aliases.headers[field]]) {
      const k = matchKey(alias);
      if (k === "" || keys.includes(k)) continue;
      const other = owner.get(k);
      // "Email" may name the contact column and nothing else; a clash is a config mistake.
      if (other !== undefined && other !== field)
        throw aliasError(source, `headers.${field}`, {
          id: `"${alias}" juga tercantum untuk ${other}; satu judul kolom hanya boleh menunjuk satu kolom`,
          en: `"${alias}" is also listed for ${other}; a header may point to one field only`,
        });
      owner.set(k, field);
      keys.push(k);
    }
    headerKeys.set(field, keys);
  }
  const b = aliases.values.boolean;
  return {
    source: aliases,
    headerKeys,
    channel: compileValues(aliases.values.channel, source, "values.channel"),
    type: compileValues(aliases.values.type, source, "values.type"),
    complexity: compileValues(aliases.values.complexity, source, "values.complexity"),
    boolean: compileValues({ true: b.true, false: b.false }, source, "values.boolean"),
    event: compileValues(aliases.values.event, source, "values.event"),
  };
}

// ---------------------------------------------------------------------------------------------
// Mapping files (--mapping FILE): canonical field → header text; null ignores the field.

export type ColumnMapping = Partial<Record<ImportField, string | null>>;

/** Parses a --mapping file; throws ImportError("bad_mapping") naming the key. */
export function parseMapping(yamlText: string, source = "mapping"): ColumnMapping {
  const fail = (key: string, what: Bilingual) =>
    new ImportError("bad_mapping", {
      id: `berkas pemetaan ${source}: ${key}: ${what.id}`,
      en: `mapping file ${source}: ${key}: ${what.en}`,
    });
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (e) {
    throw fail("(file)", {
      id: `YAML tidak valid: ${(e as Error).message}`,
      en: `invalid YAML: ${(e as Error).message}`,
    });
  }
  if (!isRecord(doc))
    throw fail("(file)", {
      id: 'harus berisi pasangan kolom: judul, misalnya tracking_id: "Nomor Aduan"',
      en: 'must hold field: header pairs, e.g. tracking_id: "Complaint Number"',
    });
  const out: ColumnMapping = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!(IMPORT_FIELDS as readonly string[]).includes(key))
      throw fail(key, {
        id: `kolom tidak dikenal; gunakan salah satu dari ${IMPORT_FIELDS.join(", ")}`,
        en: `unknown field; use one of ${IMPORT_FIELDS.join(", ")}`,
      });
    if (value !== null && typeof value !== "string" && typeof value !== "number")
      throw fail(key, {
        id: "harus berupa judul kolom (teks), atau null untuk mengabaikan kolom ini",
        en: "must be a header text, or null to ignore this field",
      });
    out[key as ImportField] = value === null ? null : String(value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Identity columns: never onto a stored field

/**
 * Words that mark a column as reporter identity or complaint text whatever else its header says
 * ("Nama Lengkap Pelapor", "No. KTP", "Alamat Rumah", "Lampiran Foto").
 */
const IDENTITY_WORDS = new Set([
  "pelapor",
  "reporter",
  "nik",
  "ktp",
  "alamat",
  "address",
  "telepon",
  "telp",
  "phone",
  "hp",
  "wa",
  "whatsapp",
  "email",
  "surel",
  "judul",
  "title",
  "isi",
  "uraian",
  "lampiran",
  "attachment",
]);

/**
 * Whether `header` is a column known to carry reporter identity or complaint text: one of the
 * alias table's `ignored` headers or contact headers (read only for the contact check), or a
 * header containing one of IDENTITY_WORDS that the table does not give a stored field.
 */
export function isIdentityHeader(header: string, aliases: CompiledAliases): boolean {
  const key = matchKey(header);
  const known = [
    ...aliases.source.ignored.map(matchKey),
    ...CONTACT_FIELDS.flatMap((f) => aliases.headerKeys.get(f) ?? []),
  ];
  if (known.includes(key)) return true;
  // A header the alias table gives a stored field ("Data Pelapor Lengkap") is not identity.
  for (const [field, keys] of aliases.headerKeys) {
    if (!(CONTACT_FIELDS as readonly string[]).includes(field) && keys.includes(key)) return false;
  }
  const words = header
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u);
  return words.some((w) => IDENTITY_WORDS.has(w));
}

/** A mapping may point only the contact fields (never stored) at an identity column. */
function refuseIdentityMapping(field: ImportField, header: string, aliases: CompiledAliases) {
  if ((CONTACT_FIELDS as readonly string[]).includes(field)) return;
  if (!isIdentityHeader(header, aliases)) return;
  throw new ImportError("bad_mapping", {
    id: `berkas pemetaan: ${field}: "${header}" memuat identitas pelapor atau isi pengaduan (nama, NIK, telepon, email, alamat, judul, isi, lampiran), yang tidak pernah disimpan Pantau; petakan ${field} ke kolom lain, atau null untuk mengabaikannya`,
    en: `mapping file: ${field}: "${header}" holds reporter identity or complaint text (name, NIK, phone, email, address, title, text, attachment), which Pantau never stores; map ${field} to another column, or to null to ignore it`,
  });
}

// ---------------------------------------------------------------------------------------------
// Header mapping

export type TableKind = "snapshot" | "event";

export interface HeaderMap {
  kind: TableKind;
  /** Field → the header (as written in the file) it is read from. */
  columns: Partial<Record<ImportField, string>>;
  /** Headers that are not read (unknown, ignored on purpose, or mapped away). */
  unused: string[];
}

const REQUIRED: Record<TableKind, readonly ImportField[]> = {
  snapshot: ["tracking_id", "received_at"],
  event: ["tracking_id", "at", "event"],
};

/**
 * Finds each field's column. The table is an event log when it has `at` and `event` columns and
 * no `received_at`. Throws ImportError("missing_columns") naming the missing field, the headers
 * found and the closest alias.
 */
export function mapHeaders(
  headers: readonly string[],
  aliases: CompiledAliases,
  mapping: ColumnMapping = {},
): HeaderMap {
  const byKey = new Map<string, string>();
  for (const h of headers) {
    const k = matchKey(h);
    if (k !== "" && !byKey.has(k)) byKey.set(k, h);
  }
  const taken = new Set<string>();
  const columns: Partial<Record<ImportField, string>> = {};
  const mappingMissing: { field: ImportField; header: string }[] = [];
  // Mapping first: it overrides the aliases.
  for (const field of IMPORT_FIELDS) {
    if (!(field in mapping)) continue;
    const wanted = mapping[field];
    if (wanted === null || wanted === undefined) continue;
    refuseIdentityMapping(field, wanted, aliases);
    const found = byKey.get(matchKey(wanted));
    if (found === undefined || taken.has(found)) mappingMissing.push({ field, header: wanted });
    else {
      columns[field] = found;
      taken.add(found);
    }
  }
  for (const field of IMPORT_FIELDS) {
    if (field in mapping) continue;
    for (const k of aliases.headerKeys.get(field) ?? []) {
      const found = byKey.get(k);
      if (found !== undefined && !taken.has(found)) {
        columns[field] = found;
        taken.add(found);
        break;
      }
    }
  }
  const kind: TableKind =
    columns.received_at === undefined && columns.at !== undefined && columns.event !== undefined
      ? "event"
      : "snapshot";
  const shown = headers.map((h) => JSON.stringify(h)).join(", ");
  if (mappingMissing.length > 0) {
    const list = mappingMissing.map((m) => `${m.field} → ${JSON.stringify(m.header)}`).join("; ");
    throw new ImportError("missing_columns", {
      id: `kolom dari berkas pemetaan tidak ada di berkas: ${list}. Judul kolom yang ada: ${shown}`,
      en: `columns named in the mapping file are not in the file: ${list}. Headers found: ${shown}`,
    });
  }
  const missing = REQUIRED[kind].filter((f) => columns[f] === undefined);
  if (missing.length > 0) {
    const parts = missing.map((field) => describeMissing(field, headers, taken, aliases));
    throw new ImportError("missing_columns", {
      id: `kolom wajib tidak ditemukan: ${parts.map((p) => p.id).join("; ")}. Judul kolom yang ada: ${shown}. Ubah judul kolom atau gunakan --mapping.`,
      en: `required column missing: ${parts.map((p) => p.en).join("; ")}. Headers found: ${shown}. Rename the header or use --mapping.`,
    });
  }
  return { kind, columns, unused: headers.filter((h) => !taken.has(h)) };
}

function describeMissing(
  field: ImportField,
  headers: readonly string[],
  taken: ReadonlySet<string>,
  aliases: CompiledAliases,
): Bilingual {
  const names = [field, ...aliases.source.headers[field]];
  const examples = names
    .slice(1, 4)
    .map((n) => JSON.stringify(n))
    .join(", ");
  let best: { header: string; alias: string; d: number } | undefined;
  for (const h of headers) {
    if (taken.has(h)) continue;
    const hk = matchKey(h);
    if (hk === "") continue;
    for (const alias of names) {
      const ak = matchKey(alias);
      const d = editDistance(hk, ak);
      if (d <= Math.max(2, Math.floor(ak.length / 3)) && (best === undefined || d < best.d))
        best = { header: h, alias, d };
    }
  }
  const near = best
    ? {
        id: `; yang paling mirip: ${JSON.stringify(best.header)} (alias terdekat ${JSON.stringify(best.alias)})`,
        en: `; closest: ${JSON.stringify(best.header)} (nearest alias ${JSON.stringify(best.alias)})`,
      }
    : { id: "", en: "" };
  return {
    id: `${field} (misalnya ${examples})${near.id}`,
    en: `${field} (e.g. ${examples})${near.en}`,
  };
}
