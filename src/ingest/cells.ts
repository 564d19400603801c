// Cell values as the readers give them, and the text/key helpers every parser shares.

/** A cell whose value cannot be used: a formula without a cached result, or an error value. */
export interface CellProblem {
  problem: "formula_without_result" | "error_value";
  /** The formula text (never evaluated) or the error code ("#N/A"). */
  detail: string;
}

/**
 * One cell. Dates come from xlsx cells with a date format: a JS Date whose UTC fields are the
 * wall-clock time written in the sheet (exceljs convention), not an instant.
 */
export type CellValue = string | number | boolean | Date | null | CellProblem;

export function isCellProblem(v: CellValue): v is CellProblem {
  return typeof v === "object" && v !== null && !(v instanceof Date);
}

/** True for null, "" and whitespace-only text. */
export function isBlank(v: CellValue): boolean {
  return v === null || (typeof v === "string" && v.trim() === "");
}

/** Placeholders that Indonesian spreadsheets use for "no value". */
const PLACEHOLDERS = new Set(["-", "–", "—", "--"]);

/** Blank or a placeholder ("-"): treated as an empty optional value. */
export function isEmptyValue(v: CellValue): boolean {
  return isBlank(v) || (typeof v === "string" && PLACEHOLDERS.has(v.trim()));
}

/** The cell as text, for messages and text fields. */
export function cellText(v: CellValue): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Date) {
    // An xlsx date cell: its UTC fields are the wall time written in the sheet.
    if (Number.isNaN(v.getTime())) return "";
    const iso = v.toISOString();
    return `${iso.slice(0, 10)} ${iso.endsWith(":00.000Z") ? iso.slice(11, 16) : iso.slice(11, 19)}`;
  }
  return v.problem === "formula_without_result" ? `=${v.detail}` : v.detail;
}

/**
 * Matching key of a header or a value: lowercase, accents removed, everything that is not a
 * letter or digit dropped ("No. Tracking" → "notracking"). Check marks are kept.
 */
export function matchKey(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}✓✔]+/gu, "");
}

export { editDistance } from "../core/format/text.js";

/** Cuts `text` to `max` characters, marking the cut. */
export function truncate(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
