// Spreadsheet import: reading files into rows, normalising rows into snapshots, events and
// rejections, and writing the rejection report. Database writes live elsewhere.
export {
  CHANNELS,
  COMPLEXITIES,
  CONTACT_FIELDS,
  EVENT_FIELDS,
  IMPORT_FIELDS,
  REPORT_TYPES,
  SNAPSHOT_FIELDS,
  compileAliases,
  mapHeaders,
  parseImportAliases,
  parseMapping,
  type ColumnMapping,
  type CompiledAliases,
  type HeaderMap,
  type ImportAliases,
  type ImportField,
  type TableKind,
  type ValueTable,
} from "./aliases.js";
export {
  SUGGESTIONS,
  agencyKeyIndex,
  agencyMatchKey,
  ruleAliases,
  type AgencyKeyIndex,
  createAgencyMatcher,
  matchAgency,
  type AgencyMatcher,
} from "./agency.js";
export { cellText, isCellProblem, matchKey, type CellProblem, type CellValue } from "./cells.js";
export {
  CsvParser,
  MAX_FIELD_CHARS,
  sniffDelimiter,
  type CsvDelimiter,
  type CsvRecord,
} from "./csv.js";
export { ImportError, bilingualLine, type ImportErrorCode } from "./errors.js";
export {
  DuplicateLedger,
  MAX_VALUE_CHARS,
  normalizeRows,
  openImport,
  type NormalizeOptions,
  type NormalizedRow,
  type OpenImportOptions,
  type OpenedImport,
  type Rejection,
  type RowSource,
  type RowWritten,
} from "./normalize.js";
export {
  IMPORT_ALIASES_FILE,
  loadImportAliases,
  loadMapping,
  readTable,
  type ReadOptions,
  type Table,
  type TableFormat,
  type TableRow,
  type TextEncoding,
} from "./read.js";
export {
  REJECT_HEADERS,
  neutralizeFormula,
  writeRejects,
  type WriteRejectsOptions,
} from "./rejects.js";
export {
  MAX_TRACKING_ID_DIGITS,
  MAX_YEAR,
  MIN_YEAR,
  contactState,
  hasContact,
  looksLikeFormula,
  parseBoolean,
  parseChannel,
  parseComplexity,
  parseDate,
  parseEventKind,
  parseReportType,
  parseText,
  parseTrackingId,
  type ContactState,
  type Parsed,
} from "./values.js";
