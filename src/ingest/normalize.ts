// Turning table rows into report snapshots, event rows or rejections (pure apart from the default
// alias table). Reporter contact columns are read only for the manual-intake check; complaint text
// and reporter identity are never returned.
//
// A tracking ID met twice in one file: identical rows import once (the second changes nothing);
// rows with different values are never guessed between. The DuplicateLedger notes them, and the
// caller imports the file again with them known, so that every row of that ID is rejected, each
// naming the others. A value that changes no deadline and is not recognised (an unknown channel,
// an unreadable category) keeps the report, with a warning row instead of a rejection.
import { createHash } from "node:crypto";
import type { Bilingual, Lang } from "../i18n/lang.js";
import {
  MANUAL_CHANNELS,
  type Agency,
  type Channel,
  type Complexity,
  type ReportType,
  type Instant,
  type ReportEventRow,
  type ReportMilestones,
  type ReportSnapshot,
} from "../core/types.js";
import {
  mapHeaders,
  type ColumnMapping,
  type CompiledAliases,
  type HeaderMap,
  type ImportField,
} from "./aliases.js";
import { createAgencyMatcher, type AgencyMatcher } from "./agency.js";
import { cellText, isEmptyValue, truncate, type CellValue } from "./cells.js";
import {
  loadImportAliases,
  readTable,
  type ReadOptions,
  type Table,
  type TableRow,
} from "./read.js";
import {
  contactState,
  parseBoolean,
  parseChannel,
  parseComplexity,
  parseDate,
  parseEventKind,
  parseReportType,
  parseText,
  parseTrackingId,
  type Parsed,
} from "./values.js";
import type { ItemWritten, Rejection } from "../core/import/plan.js";

// One problem of one row, and the row as written: the importer's types (core/import/plan.ts).
export type { Rejection };
/** As written in the row, for rejections the importer adds later (they name the row). */
export type RowWritten = ItemWritten;

export type NormalizedRow =
  | {
      rowNumber: number;
      kind: "snapshot";
      snapshot: ReportSnapshot;
      written?: RowWritten;
      warnings?: Rejection[];
    }
  | { rowNumber: number; kind: "event"; event: ReportEventRow; written?: RowWritten }
  | { rowNumber: number; kind: "rejected"; rejections: Rejection[] };

/**
 * The tracking IDs of one file seen so far, to tell identical repeats from contradicting ones.
 * Holds a short fingerprint per ID; row lists only for the IDs met more than once.
 */
export class DuplicateLedger {
  private readonly seen = new Map<string, { fingerprint: string; rows: number[] }>();
  /** IDs found with contradicting rows in this pass, with every row number of each. */
  readonly contradicted = new Map<string, number[]>();

  /** `known`: the contradicted IDs of an earlier pass over the same file (rejected outright). */
  constructor(readonly known: ReadonlyMap<string, readonly number[]> = new Map()) {}

  /** Rows other than `rowNumber` that contradict this row, or [] when it may be imported. */
  see(trackingId: string, rowNumber: number, snapshot: ReportSnapshot): number[] {
    const fingerprint = createHash("sha1").update(JSON.stringify(snapshot)).digest("base64");
    const first = this.seen.get(trackingId);
    if (!first) {
      this.seen.set(trackingId, { fingerprint, rows: [rowNumber] });
      return [];
    }
    const others = [...first.rows];
    first.rows.push(rowNumber);
    const contradicted = this.contradicted.get(trackingId);
    if (contradicted) {
      contradicted.push(rowNumber);
      return others;
    }
    if (first.fingerprint === fingerprint) return [];
    this.contradicted.set(trackingId, [...first.rows]);
    return others;
  }

  /** True when this pass found contradictions the earlier pass did not know. */
  get needsAnotherPass(): boolean {
    for (const id of this.contradicted.keys()) if (!this.known.has(id)) return true;
    return false;
  }
}

export interface NormalizeOptions {
  agencies: readonly Agency[];
  /** Zone of dates without an offset when the row names no (known) agency. */
  defaultZone: string;
  /** Language of thrown ImportError texts' `message` is English; `lang` is kept for callers. */
  lang?: Lang;
  mapping?: ColumnMapping;
  /** Default: loadImportAliases() (config/import-aliases.yaml). */
  aliases?: CompiledAliases;
  /** Tracking IDs of this file (default: a fresh ledger); see DuplicateLedger. */
  duplicates?: DuplicateLedger;
}

/** The rows a table can feed, with headers known up front (a Table, or an array in tests). */
export interface RowSource extends AsyncIterable<TableRow> {
  headers: readonly string[];
}

export const MAX_VALUE_CHARS = 200;
const CONTACT_MASK = "(disamarkan / masked)";
const contactFields = ["contact_phone", "contact_email"] as const;

const MILESTONES: readonly [ImportField, keyof ReportMilestones][] = [
  ["disposed_at", "disposedAt"],
  ["first_response_at", "firstResponseAt"],
  ["followed_up_at", "followedUpAt"],
  ["completed_at", "completedAt"],
  ["archived_at", "archivedAt"],
];

/** Milestones that must not precede one another, in order (archiving may happen any time). */
const ORDERED: readonly ImportField[] = [
  "received_at",
  "disposed_at",
  "first_response_at",
  "followed_up_at",
  "completed_at",
];

/**
 * Normalises the rows of `table`. Throws ImportError("missing_columns") on the first `next()`
 * when a required column is absent. The table is a snapshot table or, when its headers are those
 * of the event log (`tracking_id, at, event, opd`), an event table.
 */
export async function* normalizeRows(
  table: RowSource,
  options: NormalizeOptions,
): AsyncGenerator<NormalizedRow> {
  const aliases = options.aliases ?? loadImportAliases();
  const map = mapHeaders(table.headers, aliases, options.mapping);
  const agency = createAgencyMatcher(options.agencies);
  const index: Partial<Record<ImportField, number>> = {};
  for (const [field, header] of Object.entries(map.columns) as [ImportField, string][]) {
    index[field] = table.headers.indexOf(header);
  }
  const ctx: Ctx = {
    map,
    index,
    aliases,
    agency,
    parsers: {
      agency: (v) => agency(cellText(v)),
      type: (v) => parseReportType(v, aliases.type),
      complexity: (v) => parseComplexity(v, aliases.complexity),
      channel: (v) => parseChannel(v, aliases.channel),
      boolean: (v) => parseBoolean(v, aliases.boolean),
    },
    defaultZone: options.defaultZone,
    duplicates: options.duplicates ?? new DuplicateLedger(),
    memo: new Map(),
  };
  for await (const row of table) {
    yield map.kind === "event" ? eventRow(row, ctx) : snapshotRow(row, ctx);
  }
}

interface Ctx {
  map: HeaderMap;
  /** Field → its column's index in the rows' values. */
  index: Partial<Record<ImportField, number>>;
  aliases: CompiledAliases;
  agency: AgencyMatcher;
  defaultZone: string;
  /** Tracking IDs of the file (repeats in one file). */
  duplicates: DuplicateLedger;
  /** The parsers of those columns, made once. */
  parsers: {
    agency: (v: CellValue) => Parsed<Agency>;
    type: (v: CellValue) => Parsed<ReportType>;
    complexity: (v: CellValue) => Parsed<Complexity>;
    channel: (v: CellValue) => Parsed<Channel | null>;
    boolean: (v: CellValue) => Parsed<boolean>;
  };
  /** Parses of columns with few distinct texts (agency, type, channel…), by field and text. */
  memo: Map<ImportField, Map<string, Parsed<unknown>>>;
}

/** Distinct texts remembered per field: a column with more is parsed cell by cell beyond. */
const MEMO_LIMIT = 2_000;

class RowReader {
  readonly rejections: Rejection[] = [];
  readonly warnings: Rejection[] = [];
  constructor(
    readonly row: TableRow,
    readonly ctx: Ctx,
  ) {}

  header(field: ImportField): string | undefined {
    return this.ctx.map.columns[field];
  }

  cell(field: ImportField): CellValue {
    const i = this.ctx.index[field];
    return i === undefined ? null : (this.row.values[i] ?? null);
  }

  /**
   * The cell of `field` parsed by `parse`, remembered by its text: exports repeat the same few
   * agency names, types and channels on every row. `parse` must depend on the cell only.
   */
  parsed<T>(field: ImportField, parse: (v: CellValue) => Parsed<T>): Parsed<T> {
    const v = this.cell(field);
    if (typeof v !== "string") return parse(v);
    let seen = this.ctx.memo.get(field);
    if (seen === undefined) this.ctx.memo.set(field, (seen = new Map()));
    const known = seen.get(v) as Parsed<T> | undefined;
    if (known !== undefined) return known;
    const result = parse(v);
    if (seen.size < MEMO_LIMIT) seen.set(v, result);
    return result;
  }

  /** The parsed value, or undefined after recording the rejection. */
  take<T>(field: ImportField, parsed: Parsed<T>): T | undefined {
    if (parsed.ok) return parsed.value;
    this.reject(field, parsed.reason);
    return undefined;
  }

  reject(field: ImportField, reason: Bilingual, column?: string, value?: string): void {
    this.rejections.push(this.problem(field, reason, column, value));
  }

  /** A problem that does not stop the row: it is imported, and the warning listed. */
  warn(field: ImportField, reason: Bilingual): void {
    this.warnings.push({ ...this.problem(field, reason), severity: "warning" });
  }

  /** The tracking ID and agency cells as written (trimmed, cut to a readable length). */
  written(): RowWritten {
    return {
      trackingId: truncate(cellText(this.cell("tracking_id")).trim(), 40),
      agency: truncate(cellText(this.cell("opd")).trim(), 80),
    };
  }

  private problem(
    field: ImportField,
    reason: Bilingual,
    column?: string,
    value?: string,
  ): Rejection {
    return {
      rowNumber: this.row.rowNumber,
      column: column ?? this.header(field) ?? field,
      value: value ?? truncate(cellText(this.cell(field)), MAX_VALUE_CHARS),
      reason,
      ...this.written(),
    };
  }

  /** The agency of the `opd` column (null when empty) and the zone of the row's dates. */
  agency(): { code: string | null; zone: string; ok: boolean } {
    const v = this.cell("opd");
    if (isEmptyValue(v)) return { code: null, zone: this.ctx.defaultZone, ok: true };
    const a = this.take("opd", this.parsed("opd", this.ctx.parsers.agency));
    return a
      ? { code: a.code, zone: a.zone, ok: true }
      : { code: null, zone: this.ctx.defaultZone, ok: false };
  }

  date(field: ImportField, zone: string, required: boolean): Instant | undefined {
    const v = this.cell(field);
    if (!required && isEmptyValue(v)) return undefined;
    return this.take(field, parseDate(v, zone));
  }
}

function trackingId(r: RowReader): string | undefined {
  return r.take("tracking_id", parseTrackingId(r.cell("tracking_id")));
}

function contradiction(r: RowReader, id: string, others: readonly number[]): void {
  const rows = others.join(", ");
  r.reject("tracking_id", {
    id: `ID tracking ${id} muncul lagi di baris ${rows} dengan isi yang berbeda: tidak ada yang diimpor, karena Pantau tidak menebak mana yang benar; perbaiki atau hapus baris yang salah lalu impor ulang`,
    en: `tracking ID ${id} appears again on row ${rows} with different values: none of them is imported, since Pantau never guesses which is right; correct or delete the wrong row, then import again`,
  });
}

function snapshotRow(row: TableRow, ctx: Ctx): NormalizedRow {
  const r = new RowReader(row, ctx);
  const trackingIdValue = trackingId(r);
  const known =
    trackingIdValue === undefined ? undefined : ctx.duplicates.known.get(trackingIdValue);
  if (trackingIdValue !== undefined && known)
    contradiction(
      r,
      trackingIdValue,
      known.filter((n) => n !== row.rowNumber),
    );
  const agency = r.agency();
  const receivedAt = r.date("received_at", agency.zone, true);
  const p = ctx.parsers;
  const type = r.take("type", r.parsed("type", p.type));
  const complexity = r.take("complexity", r.parsed("complexity", p.complexity));
  // Channel and category change no deadline: an unreadable one keeps the report, with a warning.
  const categoryParsed = r.parsed("category", parseText);
  const category = categoryParsed.ok ? categoryParsed.value : null;
  if (!categoryParsed.ok)
    r.warn("category", {
      id: `${categoryParsed.reason.id}; laporan tetap diimpor tanpa kategori`,
      en: `${categoryParsed.reason.en}; the report is imported without a category`,
    });
  const channelParsed = r.parsed("channel", p.channel);
  const channel: Channel | null = channelParsed.ok ? channelParsed.value : "other";
  if (!channelParsed.ok)
    r.warn("channel", {
      id: `${channelParsed.reason.id}; laporan tetap diimpor dengan kanal "other" (lainnya)`,
      en: `${channelParsed.reason.en}; the report is imported with channel "other"`,
    });
  const anonymous = r.take("anonymous", r.parsed("anonymous", p.boolean));
  const confidential = r.take("confidential", r.parsed("confidential", p.boolean));
  const declared = r.take("contact_complete", r.parsed("contact_complete", p.boolean));
  const contacts = contactFields.map((f) => ({
    field: f,
    state: contactState(r.cell(f), f === "contact_phone" ? "phone" : "email"),
  }));
  const contactComplete = declared === true || contacts.some((c) => c.state === "valid");

  const milestones: ReportMilestones = {};
  const instants = new Map<ImportField, Instant>();
  if (receivedAt !== undefined) instants.set("received_at", receivedAt);
  for (const [field, key] of MILESTONES) {
    const at = r.date(field, agency.zone, false);
    if (at !== undefined) {
      milestones[key] = at;
      instants.set(field, at);
    }
  }
  checkOrder(r, instants);
  if (milestones.disposedAt !== undefined && agency.ok && agency.code === null)
    r.reject("opd", {
      id: "tanggal disposisi terisi tetapi instansi tujuan kosong",
      en: "a disposition date is given but the agency is empty",
    });

  const malformed = contacts.filter((c) => c.state === "invalid");
  if (channel && MANUAL_CHANNELS.includes(channel) && !contactComplete && malformed.length > 0) {
    const cols = malformed.map((c) => r.header(c.field) ?? c.field).join(" / ");
    r.reject(
      malformed[0]?.field ?? "contact_phone",
      {
        id: `data pelapor tidak valid (kolom ${cols}): laporan dari kanal ${channel} wajib memuat nomor telepon (8–15 angka) atau email pelapor yang benar; periksa isinya, tanyakan kepada pelapor bila perlu, lalu impor ulang`,
        en: `reporter contact data invalid (column ${cols}): a report from channel ${channel} needs a well-formed phone number (8–15 digits) or email of the reporter; check it, ask the reporter if needed, then import again`,
      },
      cols,
      // Never the contact data itself.
      CONTACT_MASK,
    );
  } else if (channel && MANUAL_CHANNELS.includes(channel) && !contactComplete) {
    const cols = (["contact_phone", "contact_email", "contact_complete"] as const)
      .map((f) => r.header(f))
      .filter((h): h is string => h !== undefined);
    r.reject(
      "contact_phone",
      {
        id: `data pelapor belum lengkap: laporan dari kanal ${channel} wajib memuat nomor telepon atau email pelapor; tanyakan kepada pelapor lalu impor ulang`,
        en: `reporter contact data incomplete: a report from channel ${channel} needs the reporter's phone number or email; ask the reporter, then import again`,
      },
      cols.length > 0 ? cols.join(" / ") : "No. HP / Email",
      // Never the contact data itself: an implausible number or address is only masked.
      contactFields.some((f) => !isEmptyValue(r.cell(f))) ? CONTACT_MASK : "",
    );
  }

  if (
    r.rejections.length > 0 ||
    trackingIdValue === undefined ||
    receivedAt === undefined ||
    type === undefined ||
    complexity === undefined ||
    category === undefined ||
    channel === undefined ||
    anonymous === undefined ||
    confidential === undefined
  )
    return { rowNumber: row.rowNumber, kind: "rejected", rejections: r.rejections };
  const snapshot: ReportSnapshot = {
    trackingId: trackingIdValue,
    receivedAt,
    opd: agency.code,
    type,
    complexity,
    category,
    channel,
    anonymous,
    confidential,
    contactComplete,
    milestones,
  };
  const others = ctx.duplicates.see(trackingIdValue, row.rowNumber, snapshot);
  if (others.length > 0) {
    contradiction(r, trackingIdValue, others);
    return { rowNumber: row.rowNumber, kind: "rejected", rejections: r.rejections };
  }
  return {
    rowNumber: row.rowNumber,
    kind: "snapshot",
    snapshot,
    written: r.written(),
    ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
  };
}

function checkOrder(r: RowReader, instants: ReadonlyMap<ImportField, Instant>): void {
  const received = instants.get("received_at");
  const archived = instants.get("archived_at");
  if (received !== undefined && archived !== undefined && archived < received)
    r.reject("archived_at", {
      id: `tanggal arsip lebih awal dari tanggal laporan (${r.header("received_at") ?? "received_at"})`,
      en: `the archive date is before the report date (${r.header("received_at") ?? "received_at"})`,
    });
  let prev: { field: ImportField; at: Instant } | undefined;
  for (const field of ORDERED) {
    const at = instants.get(field);
    if (at === undefined) continue;
    if (prev && at < prev.at) {
      const before = r.header(prev.field) ?? prev.field;
      r.reject(field, {
        id: `bertentangan: lebih awal dari ${before}; tahapan laporan tidak bisa mundur`,
        en: `contradictory: earlier than ${before}; a report's milestones cannot go backwards`,
      });
    }
    prev = { field, at };
  }
}

function eventRow(row: TableRow, ctx: Ctx): NormalizedRow {
  const r = new RowReader(row, ctx);
  const id = trackingId(r);
  const agency = r.agency();
  const at = r.date("at", agency.zone, true);
  const kind = r.take("event", parseEventKind(r.cell("event"), ctx.aliases.event));
  if ((kind === "disposed" || kind === "redisposed") && agency.ok && agency.code === null)
    r.reject("opd", {
      id: `peristiwa ${kind} wajib menyebut instansi tujuan (kolom opd)`,
      en: `a ${kind} event must name the receiving agency (opd column)`,
    });
  if (r.rejections.length > 0 || id === undefined || at === undefined || kind === undefined)
    return { rowNumber: row.rowNumber, kind: "rejected", rejections: r.rejections };
  return {
    rowNumber: row.rowNumber,
    kind: "event",
    event: { trackingId: id, kind, at, opd: agency.code },
    written: r.written(),
  };
}

// ---------------------------------------------------------------------------------------------

export interface OpenImportOptions extends NormalizeOptions, Pick<ReadOptions, "sheet"> {}

export interface OpenedImport {
  table: Table;
  headerMap: HeaderMap;
  rows: AsyncIterable<NormalizedRow>;
}

/**
 * Opens `input` for import: reads the table (finding the header row below any title rows),
 * maps its headers (throws ImportError on a missing column before any row is read) and returns
 * the normalised rows.
 */
export async function openImport(
  input: string | Buffer,
  options: OpenImportOptions,
): Promise<OpenedImport> {
  const aliases = options.aliases ?? loadImportAliases();
  const looksLikeHeader = (cells: readonly string[]) => {
    try {
      mapHeaders(cells, aliases, options.mapping);
      return true;
    } catch {
      return false;
    }
  };
  const table = await readTable(input, {
    ...(options.sheet !== undefined ? { sheet: options.sheet } : {}),
    isHeader: looksLikeHeader,
  });
  let headerMap: HeaderMap;
  try {
    headerMap = mapHeaders(table.headers, aliases, options.mapping);
  } catch (e) {
    await table.close();
    throw e;
  }
  return { table, headerMap, rows: normalizeRows(table, { ...options, aliases }) };
}
