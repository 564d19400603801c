// File-level import errors (the whole file cannot be read) and the bilingual helpers of the importer.
import { pick, type Bilingual, type Lang } from "../i18n/lang.js";

export type ImportErrorCode =
  | "empty_file"
  | "headers_only"
  | "corrupt_xlsx"
  | "no_sheets"
  | "unknown_sheet"
  | "broken_quote"
  | "field_too_large"
  | "missing_columns"
  | "bad_mapping"
  | "bad_aliases"
  | "unreadable"
  | "concurrent_write";

/** The whole file cannot be imported; `msg` says why and what to do, in both languages. */
export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    readonly msg: Bilingual,
    /** Physical line of a text file (1-based), when the problem has one. */
    readonly line?: number,
  ) {
    super(msg.en);
    this.name = "ImportError";
  }

  /** The message in `lang`. */
  text(lang: Lang): string {
    return pick(lang, this.msg);
  }
}

/** Both languages of a message at once, for a file-level error: "Indonesian (English)". */
export function bilingualLine(msg: Bilingual): string {
  return `${msg.id} / ${msg.en}`;
}
