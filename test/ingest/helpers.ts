// Test helpers of the importer: fixture files written by the tests, the shipped agencies.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { loadConfig, type PantauConfig } from "../../src/config/index.js";
import {
  normalizeRows,
  readTable,
  type NormalizedRow,
  type NormalizeOptions,
  type TableRow,
  type RowSource,
} from "../../src/ingest/index.js";
import type { CellValue } from "../../src/ingest/cells.js";
import { SheetRow } from "../../src/ingest/read.js";

let config: PantauConfig | undefined;
export function shippedConfig(): PantauConfig {
  config ??= loadConfig({ env: {} });
  return config;
}

export function options(extra: Partial<NormalizeOptions> = {}): NormalizeOptions {
  const c = shippedConfig();
  return { agencies: c.agencies, defaultZone: c.defaultZone, lang: "id", ...extra };
}

const dirs: string[] = [];
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "pantau-ingest-"));
  dirs.push(d);
  return d;
}
export function cleanupTemp(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export type SheetSpec = {
  name: string;
  rows: unknown[][];
  /** Number formats by cell address, e.g. { B2: "dd/mm/yyyy hh:mm" }. */
  numFmt?: Record<string, string>;
  state?: "visible" | "hidden";
};

/** An xlsx file (bytes) written by exceljs. */
export async function xlsx(sheets: SheetSpec[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name, s.state ? { state: s.state } : {});
    for (const r of s.rows) ws.addRow(r);
    for (const [addr, fmt] of Object.entries(s.numFmt ?? {})) ws.getCell(addr).numFmt = fmt;
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Rows of a CSV text from arrays (fields quoted when needed). */
export function csv(rows: string[][], d = ","): string {
  return rows
    .map((r) =>
      r.map((f) => (f.includes(d) || /["\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(d),
    )
    .join("\r\n");
}

/** An in-memory row source (no file), for normaliser tests. */
export function memoryTable(headers: string[], rows: CellValue[][]): RowSource {
  return {
    headers,
    async *[Symbol.asyncIterator](): AsyncGenerator<TableRow> {
      let n = 1;
      for (const r of rows) {
        n++;
        yield new SheetRow(n, r, headers);
      }
    },
  };
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Reads and normalises a file (path or bytes). */
export async function normalizeFile(
  input: string | Buffer,
  extra: Partial<NormalizeOptions> & { sheet?: string } = {},
): Promise<NormalizedRow[]> {
  const { sheet, ...rest } = extra;
  const table = await readTable(input, sheet ? { sheet } : {});
  return collect(normalizeRows(table, options(rest)));
}

/** Awaits `p` and returns the error it rejects with (fails if it resolves). */
export async function rejectsWith(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection");
}

/** 2024-07-09 14:03 WIB as epoch ms, and friends. */
export function wib(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  return Date.UTC(y, mo - 1, d, h - 7, mi, s);
}
