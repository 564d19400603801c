// Reads the officer CSV of `pantau officers import` (columns opd, role, name, email, valid_from,
// valid_to, decree, and the optional chat contacts phone, telegram_chat_id; comma or semicolon separated, as spreadsheets save it) into OfficerRows with
// their file line numbers. Validation is validateOfficerRows's job (src/core/escalation).
import type { OfficerColumn, OfficerRow } from "../core/escalation/officerRows.js";
import type { Bilingual } from "../i18n/lang.js";

export const OFFICER_COLUMNS: readonly OfficerColumn[] = [
  "opd",
  "role",
  "name",
  "email",
  "valid_from",
  "valid_to",
  "decree",
  "phone",
  "telegram_chat_id",
];

/** Columns a file may leave out. */
const OPTIONAL_COLUMNS: readonly OfficerColumn[] = ["valid_to", "phone", "telegram_chat_id"];

/** A problem with the file as a whole (not one row): missing column, broken quoting. */
export class OfficerCsvError extends Error {
  readonly code = "OFFICER_CSV";
  constructor(readonly msg: Bilingual) {
    super(`${msg.id} / ${msg.en}`);
  }
}

interface Record {
  line: number;
  cells: string[];
}

/** RFC 4180 records; quoted fields may hold the separator, quotes ("") and line breaks. */
function parseRecords(text: string, sep: string): Record[] {
  const out: Record[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = (): void => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0]!.trim() === "")) out.push({ line: recordLine, cells });
    cells = [];
    cell = "";
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === "\n") line++;
        cell += c;
      }
      i++;
      continue;
    }
    if (c === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (c === sep) {
      cells.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += c;
    }
    i++;
  }
  if (quoted) {
    throw new OfficerCsvError({
      id: `tanda kutip tidak ditutup (mulai baris ${recordLine})`,
      en: `unterminated quote (starting at line ${recordLine})`,
    });
  }
  if (cell !== "" || cells.length > 0) endRecord();
  return out;
}

/** Parses the CSV text; throws OfficerCsvError for a missing or unknown header. */
export function parseOfficerCsv(input: string): OfficerRow[] {
  const text = input.replace(/^\uFEFF/, "");
  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  const sep =
    (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ";" : ",";
  const records = parseRecords(text, sep);
  const header = records.shift();
  if (!header) {
    throw new OfficerCsvError({
      id: `berkas kosong: baris pertama harus berisi kolom ${OFFICER_COLUMNS.join(", ")}`,
      en: `empty file: the first line must name the columns ${OFFICER_COLUMNS.join(", ")}`,
    });
  }
  const names = header.cells.map((h) => h.trim().toLowerCase());
  const missing = OFFICER_COLUMNS.filter(
    (c) => !OPTIONAL_COLUMNS.includes(c) && !names.includes(c),
  );
  if (missing.length > 0) {
    throw new OfficerCsvError({
      id: `kolom tidak ada: ${missing.join(", ")} (kolom yang diperlukan: ${OFFICER_COLUMNS.join(", ")})`,
      en: `missing columns: ${missing.join(", ")} (required columns: ${OFFICER_COLUMNS.join(", ")})`,
    });
  }
  const unknown = names.filter((n) => n !== "" && !(OFFICER_COLUMNS as string[]).includes(n));
  if (unknown.length > 0) {
    throw new OfficerCsvError({
      id: `kolom tidak dikenal: ${unknown.join(", ")} (gunakan ${OFFICER_COLUMNS.join(", ")})`,
      en: `unknown columns: ${unknown.join(", ")} (use ${OFFICER_COLUMNS.join(", ")})`,
    });
  }
  return records.map((r) => {
    const row: OfficerRow = { line: r.line };
    names.forEach((n, i) => {
      if ((OFFICER_COLUMNS as string[]).includes(n)) row[n as OfficerColumn] = r.cells[i] ?? "";
    });
    return row;
  });
}
