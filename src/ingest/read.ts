// Reading spreadsheet files: the only module of the importer that touches the file system for input.
// xlsx through the exceljs streaming reader, CSV through a streaming parser; rows are produced one
// by one, so memory does not grow with the number of rows.
import { createReadStream, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { packageRoot } from "../paths.js";
import {
  compileAliases,
  parseImportAliases,
  parseMapping,
  type ColumnMapping,
  type CompiledAliases,
} from "./aliases.js";
import { cellText, isBlank, type CellValue } from "./cells.js";
import { CsvParser, sniffDelimiter, type CsvDelimiter } from "./csv.js";
import { ImportError } from "./errors.js";

export interface TableRow {
  /** Row number as a spreadsheet shows it: the xlsx row, or the CSV record (header = 1). */
  readonly rowNumber: number;
  /** Cells in the order of the table's headers (missing trailing cells are absent). */
  readonly values: readonly CellValue[];
  /** Cells keyed by header (headers made unique; see Table.headers). */
  readonly cells: Readonly<Record<string, CellValue>>;
}

/**
 * A row as the readers produce it. The importer reads cells by column index; the record by
 * header is built only when asked for (a 20-key dictionary per row was a tenth of the
 * import's garbage).
 */
export class SheetRow implements TableRow {
  private byHeader: Record<string, CellValue> | undefined;

  constructor(
    readonly rowNumber: number,
    readonly values: readonly CellValue[],
    private readonly headers: readonly string[],
  ) {}

  get cells(): Readonly<Record<string, CellValue>> {
    if (this.byHeader === undefined) {
      const cells = Object.create(null) as Record<string, CellValue>;
      this.headers.forEach((h, i) => {
        cells[h] = this.values[i] ?? null;
      });
      this.byHeader = cells;
    }
    return this.byHeader;
  }
}

export type TableFormat = "xlsx" | "csv";
export type TextEncoding = "utf-8" | "windows-1252" | "utf-16le" | "utf-16be";

/** A table being read. Iterate it once; `close()` stops reading early. */
export interface Table extends AsyncIterable<TableRow> {
  format: TableFormat;
  /** Header texts, in column order; blank headers become "Kolom C", repeats get " (2)". */
  headers: string[];
  headerRowNumber: number;
  /** xlsx: the sheet being read. */
  sheet?: string;
  /**
   * xlsx without --sheet: visible sheets passed over before `sheet` because no header row was
   * recognised in them (a cover page, notes).
   */
  skippedSheets?: string[];
  /** CSV: the detected encoding and delimiter. */
  encoding?: TextEncoding;
  delimiter?: CsvDelimiter;
  /** Bytes consumed so far and the input size, for a progress bar. */
  progress(): { bytesRead: number; totalBytes: number };
  close(): Promise<void>;
}

export interface ReadOptions {
  /**
   * xlsx: the sheet to read. Default: the first visible sheet whose header row `isHeader`
   * recognises (the first visible sheet when none does, or without `isHeader`).
   */
  sheet?: string;
  /**
   * Recognises the header row among the first `headerSearchRows` non-blank rows (title rows
   * above the header are skipped); default: the first non-blank row is the header.
   */
  isHeader?: (cells: readonly string[]) => boolean;
  headerSearchRows?: number;
}

interface RawRow {
  rowNumber: number;
  values: CellValue[];
}

type Input = string | Buffer;

const CHUNK = 64 * 1024;

/** Reads the table of `input` (a path or the file's bytes), format detected by content. */
export async function readTable(input: Input, options: ReadOptions = {}): Promise<Table> {
  const head = await firstBytes(input, 8);
  const totalBytes = typeof input === "string" ? statSync(input).size : input.length;
  if (totalBytes === 0) throw emptyFile();
  const counter = { bytesRead: 0 };
  const progress = () => ({ bytesRead: counter.bytesRead, totalBytes });
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0)
    throw new ImportError("unreadable", {
      id: "berkas ini format Excel lama (.xls), yang tidak didukung: simpan sebagai .xlsx atau CSV",
      en: "this is an old Excel file (.xls), which is not supported: save it as .xlsx or CSV",
    });
  const isZip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  if (isZip) {
    let source = byteSource(input, counter);
    const sheetInfo: SheetChoice = { skipped: [] };
    const reopen = () => {
      destroy(source);
      counter.bytesRead = 0;
      source = byteSource(input, counter);
      return source;
    };
    const raw = xlsxRowsRetrying(source, reopen, options, sheetInfo);
    return tableOf(raw, options, { format: "xlsx", progress, close: () => destroy(source) }, () =>
      sheetInfo.name === undefined
        ? {}
        : {
            sheet: sheetInfo.name,
            ...(sheetInfo.skipped.length > 0 ? { skippedSheets: [...sheetInfo.skipped] } : {}),
          },
    );
  }
  const encoding = await detectEncoding(input, head);
  const source = byteSource(input, counter);
  const info: { delimiter?: CsvDelimiter } = {};
  const raw = csvRows(source, encoding, info);
  return tableOf(raw, options, { format: "csv", progress, close: () => destroy(source) }, () => ({
    encoding,
    ...(info.delimiter ? { delimiter: info.delimiter } : {}),
  }));
}

// ---------------------------------------------------------------------------------------------
// Table assembly: header search, unique headers, a peeked first data row

async function tableOf(
  raw: AsyncGenerator<RawRow>,
  options: ReadOptions,
  base: Pick<Table, "format" | "progress" | "close">,
  details: () => Partial<Pick<Table, "sheet" | "skippedSheets" | "encoding" | "delimiter">>,
): Promise<Table> {
  const it = raw[Symbol.asyncIterator]();
  // Rows read while searching the header and not taken as it (none when a header was found).
  const pending: RawRow[] = [];
  const next = async (): Promise<RawRow | undefined> => {
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return undefined;
        if (!r.value.values.every(isBlank)) return r.value;
      }
    } catch (e) {
      await base.close();
      throw e;
    }
  };
  const first = await next();
  if (!first) throw emptyFile();
  let header: RawRow = first;
  if (options.isHeader) {
    const limit = options.headerSearchRows ?? 20;
    const skipped: RawRow[] = [first];
    let candidate: RawRow | undefined = first;
    let found: RawRow | undefined;
    for (let i = 0; candidate && i < limit; i++) {
      if (options.isHeader(candidate.values.map((v) => cellText(v).trim()))) {
        found = candidate;
        break;
      }
      candidate = await next();
      if (candidate) skipped.push(candidate);
    }
    // No row looks like a header: use the first one and let the caller report the columns.
    if (found) header = found;
    else {
      header = first;
      pending.push(...skipped.slice(1));
    }
  }
  const headers = uniqueHeaders(header.values);
  const firstData = pending.shift() ?? (await next());
  if (!firstData) {
    await base.close();
    throw new ImportError("headers_only", {
      id: `berkas hanya berisi judul kolom (baris ${header.rowNumber}), tanpa baris data`,
      en: `the file holds only the header row (row ${header.rowNumber}), no data rows`,
    });
  }
  let used = false;
  const toRow = (r: RawRow): TableRow => new SheetRow(r.rowNumber, r.values, headers);
  async function* rows(): AsyncGenerator<TableRow> {
    if (used) throw new Error("a Table can be iterated only once");
    used = true;
    try {
      let r: RawRow | undefined = firstData;
      while (r) {
        yield toRow(r);
        r = pending.shift() ?? (await next());
      }
    } finally {
      await base.close();
    }
  }
  return {
    ...base,
    ...details(),
    headers,
    headerRowNumber: header.rowNumber,
    [Symbol.asyncIterator]: rows,
  };
}

function columnLetter(index: number): string {
  let n = index + 1;
  let s = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function uniqueHeaders(values: readonly CellValue[]): string[] {
  const seen = new Map<string, number>();
  let last = values.length;
  while (last > 0 && isBlank(values[last - 1] ?? null)) last--;
  return values.slice(0, last).map((v, i) => {
    let h = cellText(v).trim().replace(/\s+/g, " ");
    if (h === "") h = `Kolom ${columnLetter(i)}`;
    const n = (seen.get(h) ?? 0) + 1;
    seen.set(h, n);
    return n === 1 ? h : `${h} (${n})`;
  });
}

function emptyFile(): ImportError {
  return new ImportError("empty_file", {
    id: "berkas kosong: tidak ada judul kolom maupun data",
    en: "the file is empty: no header and no data",
  });
}

// ---------------------------------------------------------------------------------------------
// Bytes

async function firstBytes(input: Input, n: number): Promise<Buffer> {
  if (typeof input !== "string") return input.subarray(0, n);
  const chunks: Buffer[] = [];
  let got = 0;
  const stream = createReadStream(input, { start: 0, end: n - 1 });
  for await (const c of stream as AsyncIterable<Buffer>) {
    chunks.push(c);
    got += c.length;
  }
  return Buffer.concat(chunks, got);
}

/** A byte stream of the input that counts what was read. */
function byteSource(input: Input, counter: { bytesRead: number }): Readable {
  const base =
    typeof input === "string"
      ? createReadStream(input, { highWaterMark: CHUNK })
      : Readable.from(chunksOf(input), { objectMode: false });
  const count = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      counter.bytesRead += chunk.length;
      cb(null, chunk);
    },
  });
  base.on("error", (e: Error) => count.destroy(e));
  return base.pipe(count);
}

function* chunksOf(buf: Buffer): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += CHUNK) yield buf.subarray(i, i + CHUNK);
}

async function destroy(s: Readable): Promise<void> {
  if (!s.destroyed) s.destroy();
}

// ---------------------------------------------------------------------------------------------
// CSV

/** BOM first, then a full validity pass: invalid UTF-8 anywhere → Windows-1252. */
async function detectEncoding(input: Input, head: Buffer): Promise<TextEncoding> {
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le";
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    if (typeof input !== "string") decoder.decode(input);
    else {
      for await (const c of createReadStream(input, {
        highWaterMark: CHUNK,
      }) as AsyncIterable<Buffer>)
        decoder.decode(c, { stream: true });
      decoder.decode();
    }
    return "utf-8";
  } catch {
    return "windows-1252";
  }
}

async function* decodeText(source: Readable, encoding: TextEncoding): AsyncGenerator<string> {
  const decoder =
    encoding === "utf-8"
      ? {
          d: new TextDecoder("utf-8"),
          write(b: Buffer) {
            return this.d.decode(b, { stream: true });
          },
          end() {
            return this.d.decode();
          },
        }
      : iconv.getDecoder(encoding === "windows-1252" ? "win1252" : encoding);
  let first = true;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    let text = decoder.write(chunk);
    if (first && text.length > 0) {
      text = text.replace(/^\uFEFF/, "");
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const tail = decoder.end() ?? "";
  if (tail.length > 0) yield first ? tail.replace(/^\uFEFF/, "") : tail;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1 && n < 20; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

async function* csvRows(
  source: Readable,
  encoding: TextEncoding,
  info: { delimiter?: CsvDelimiter },
): AsyncGenerator<RawRow> {
  let parser: CsvParser | undefined;
  let pendingText = "";
  let record = 0;
  const emit = function* (records: { fields: string[] }[]): Generator<RawRow> {
    for (const r of records) {
      record++;
      yield { rowNumber: record, values: r.fields };
    }
  };
  for await (const text of decodeText(source, encoding)) {
    if (!parser) {
      pendingText += text;
      // Sniff once the first lines are in (or the text is long enough to tell).
      if (countNewlines(pendingText) < 20 && pendingText.length < 256 * 1024) continue;
      info.delimiter = sniffDelimiter(pendingText);
      parser = new CsvParser(info.delimiter);
      yield* emit(parser.push(pendingText));
      pendingText = "";
      continue;
    }
    yield* emit(parser.push(text));
  }
  if (!parser) {
    if (pendingText.trim() === "") return;
    info.delimiter = sniffDelimiter(pendingText);
    parser = new CsvParser(info.delimiter);
    yield* emit(parser.push(pendingText));
  }
  yield* emit(parser.end());
}

// ---------------------------------------------------------------------------------------------
// XLSX

interface WorksheetLike extends AsyncIterable<ExcelJS.Row> {
  name: string;
  state?: string;
}

function corrupt(e: unknown): ImportError {
  const detail = e instanceof Error ? e.message : String(e);
  return new ImportError("corrupt_xlsx", {
    id: `berkas xlsx rusak atau terpotong (${detail}): unduh atau simpan ulang berkasnya`,
    en: `the xlsx file is corrupt or truncated (${detail}): download or save it again`,
  });
}

interface SheetChoice {
  name?: string;
  /** Visible sheets passed over because no header row was recognised in them. */
  skipped: string[];
}

/**
 * exceljs 4.4's streaming reader sometimes parses a worksheet before `xl/workbook.xml` when the
 * workbook part is stored last (as exceljs itself writes it), and then fails on its missing model
 * ("Cannot read properties of undefined (reading 'sheets')", exceljs issue #3064): a race, about
 * 1 read in 100 of such a file here. It can only strike while the sheets are being looked over,
 * before any row is given out, so the read starts again from the first byte, a few times at most;
 * a file that still fails is reported as corrupt.
 */
class WorkbookOrderRace extends Error {
  readonly code = "xlsx_workbook_order_race";
  constructor(override readonly cause: unknown) {
    super("exceljs parsed a worksheet before the workbook part");
  }
}
const WORKBOOK_ORDER_ATTEMPTS = 5;

function isWorkbookOrderRace(e: unknown): boolean {
  return e instanceof TypeError && e.message.includes("reading 'sheets'");
}

async function* xlsxRowsRetrying(
  first: Readable,
  reopen: () => Readable,
  options: ReadOptions,
  info: SheetChoice,
): AsyncGenerator<RawRow> {
  let source = first;
  for (let attempt = 1; ; attempt++) {
    let given = false;
    try {
      for await (const row of xlsxRows(source, options, info)) {
        given = true;
        yield row;
      }
      return;
    } catch (e) {
      if (!(e instanceof WorkbookOrderRace)) throw e;
      if (given || attempt >= WORKBOOK_ORDER_ATTEMPTS) throw corrupt(e.cause);
      info.name = undefined;
      info.skipped = [];
      source = reopen();
    }
  }
}

/** Drains a sheet that is not read (see the comment in xlsxRows). */
async function drain(rows: AsyncIterator<ExcelJS.Row>): Promise<void> {
  for (let r = await rows.next(); !r.done; r = await rows.next()) {
    // skipped
  }
}

async function* xlsxRows(
  source: Readable,
  options: ReadOptions,
  info: SheetChoice,
): AsyncGenerator<RawRow> {
  const wanted = options.sheet;
  // Without --sheet, each visible sheet is tried in turn: the first one with a recognised header
  // row among its first non-blank rows is read. When none has one, the first visible sheet's
  // rows are given anyway (their headers then produce the "missing columns" message).
  const search = wanted === undefined ? options.isHeader : undefined;
  const limit = options.headerSearchRows ?? 20;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    worksheets: "emit",
    sharedStrings: "cache",
    styles: "cache", // needed to tell date cells from numbers
    hyperlinks: "ignore",
    entries: "ignore",
  });
  const names: string[] = [];
  let chosen: WorksheetLike | undefined;
  let fallback: { name: string; rows: RawRow[] } | undefined;
  try {
    for await (const ws of reader as AsyncIterable<unknown>) {
      const sheet = ws as WorksheetLike;
      names.push(sheet.name);
      const hidden = sheet.state === "hidden" || sheet.state === "veryHidden";
      const match =
        wanted === undefined
          ? !hidden
          : sheet.name === wanted ||
            sheet.name.trim().toLowerCase() === wanted.trim().toLowerCase();
      const rows = sheet[Symbol.asyncIterator]();
      if (!match) {
        // Read the skipped sheet to its end: when the shared strings come after the sheets,
        // exceljs parks each sheet in a temporary file and deletes it once its generator moves
        // on, and a sheet left unread would then open a deleted file (an uncaught ENOENT).
        await drain(rows);
        continue;
      }
      const head: RawRow[] = [];
      if (search) {
        let nonBlank = 0;
        let found = false;
        while (nonBlank < limit) {
          const r = await rows.next();
          if (r.done) break;
          const raw = { rowNumber: r.value.number, values: rowValues(r.value) };
          head.push(raw);
          if (raw.values.every(isBlank)) continue;
          nonBlank++;
          if (search(raw.values.map((v) => cellText(v).trim()))) {
            found = true;
            break;
          }
        }
        if (!found) {
          await drain(rows);
          fallback ??= { name: sheet.name, rows: head };
          info.skipped.push(sheet.name);
          continue;
        }
      }
      chosen = sheet;
      info.name = sheet.name;
      yield* head;
      for (let r = await rows.next(); !r.done; r = await rows.next()) {
        yield { rowNumber: r.value.number, values: rowValues(r.value) };
      }
      break;
    }
  } catch (e) {
    if (e instanceof ImportError) throw e;
    if (isWorkbookOrderRace(e)) throw new WorkbookOrderRace(e);
    throw corrupt(e);
  } finally {
    source.destroy();
  }
  if (!chosen && fallback) {
    // No sheet has a recognised header: the first visible one, as without a header search.
    info.name = fallback.name;
    info.skipped = [];
    yield* fallback.rows;
    return;
  }
  if (chosen) return;
  if (names.length === 0)
    throw new ImportError("no_sheets", {
      id: "berkas xlsx ini tidak memuat lembar kerja",
      en: "this xlsx file holds no worksheet",
    });
  const list = names.map((n) => JSON.stringify(n)).join(", ");
  if (wanted === undefined)
    throw new ImportError("no_sheets", {
      id: `semua lembar kerja tersembunyi (${list}); pilih dengan --sheet`,
      en: `every worksheet is hidden (${list}); choose one with --sheet`,
    });
  throw new ImportError("unknown_sheet", {
    id: `lembar ${JSON.stringify(wanted)} tidak ada; lembar yang ada: ${list}`,
    en: `sheet ${JSON.stringify(wanted)} not found; sheets in the file: ${list}`,
  });
}

function rowValues(row: ExcelJS.Row): CellValue[] {
  const raw = row.values as unknown[];
  const out = new Array<CellValue>(Math.max(raw.length - 1, 0));
  for (let i = 1; i < raw.length; i++) out[i - 1] = toCell(raw[i]);
  return out;
}

type Obj = Record<string, unknown>;

function toCell(v: unknown): CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === "number" && Number.isNaN(v)) return { problem: "error_value", detail: "#ERROR" };
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (v instanceof Date) return v;
  if (typeof v !== "object") return String(v);
  const o = v as Obj;
  if ("formula" in o || "sharedFormula" in o) {
    if (o.result === undefined || o.result === null)
      return {
        problem: "formula_without_result",
        detail: String(o.formula ?? o.sharedFormula ?? ""),
      };
    return toCell(o.result);
  }
  if (Array.isArray(o.richText))
    return (o.richText as Obj[]).map((r) => (typeof r.text === "string" ? r.text : "")).join("");
  if ("error" in o) return { problem: "error_value", detail: String(o.error) };
  if (typeof o.text === "string") return o.text;
  if (o.text && typeof o.text === "object") return toCell(o.text);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Config files of the importer

export const IMPORT_ALIASES_FILE = "import-aliases.yaml";

const aliasCache = new Map<string, CompiledAliases>();

/**
 * The alias table: `path`, else import-aliases.yaml of `configDir` when it has one, else the
 * shipped <package root>/config/import-aliases.yaml. Cached per path.
 */
export function loadImportAliases(path?: string, configDir?: string): CompiledAliases {
  let file = path;
  if (!file && configDir) {
    const candidate = join(configDir, IMPORT_ALIASES_FILE);
    try {
      statSync(candidate);
      file = candidate;
    } catch {
      // Not in that config directory: the shipped table.
    }
  }
  file ??= join(packageRoot(), "config", IMPORT_ALIASES_FILE);
  const cached = aliasCache.get(file);
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ImportError("bad_aliases", {
      id: `tabel alias ${file} tidak dapat dibaca: ${(e as Error).message}`,
      en: `cannot read the alias table ${file}: ${(e as Error).message}`,
    });
  }
  const compiled = compileAliases(parseImportAliases(text, file), file);
  aliasCache.set(file, compiled);
  return compiled;
}

/** Reads a --mapping file. */
export function loadMapping(path: string): ColumnMapping {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ImportError("bad_mapping", {
      id: `berkas pemetaan ${path} tidak dapat dibaca: ${(e as Error).message}`,
      en: `cannot read the mapping file ${path}: ${(e as Error).message}`,
    });
  }
  return parseMapping(text, path);
}
