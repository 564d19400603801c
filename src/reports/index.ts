// Yearly and monthly follow-up reports from the rollups (see docs/reports.md).
export {
  changes,
  emptyFigures,
  fetchFigures,
  type Arrow,
  type Change,
  type Changes,
  type Figures,
  type StageFigures,
} from "./figures.js";
export { monthlyReport, parseMonth, type MonthlyReport, type MonthlyRow } from "./monthly.js";
export { DEFINITION_NOTES, uncoveredYearNotes, yearRanges } from "./notes.js";
export type { Grouping, MonthRange, Scope, Source } from "./queries.js";
export {
  displayCell,
  monthlyViews,
  renderCsv,
  renderJson,
  renderMarkdown,
  renderText,
  yearlyViews,
  type RenderContext,
  type Rendered,
} from "./render.js";
export {
  ROLLUP_TABLES,
  hoursPerDayOf,
  rebuildRollups,
  rollupDifferences,
  rollupHoursPerDay,
  type RebuildResult,
} from "./rollup.js";
export { NUMBER_FORMATS, renderXlsx } from "./xlsx.js";
export {
  UnknownReportAgencyError,
  rollupYears,
  yearlyReport,
  type YearlyReport,
  type YearlyRow,
  type YearlySort,
} from "./yearly.js";
// One rule for every spreadsheet Pantau writes (the importer's rejection files too).
export { neutralizeFormula as neutralize } from "../core/format/text.js";
