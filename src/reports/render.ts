// The reports' views as columns, rendered as an aligned text table, CSV (UTF-8 with BOM), Markdown
// and JSON; xlsx.ts renders the same columns as a workbook. Text that could start a spreadsheet
// formula (=, +, -, @, tab, carriage return) is neutralised with a leading apostrophe.
import { monthName } from "../core/format/index.js";
import { pick, type Bilingual, type Lang } from "../i18n/lang.js";
import { renderTable } from "../core/format/table.js";
import type { Arrow, Change } from "./figures.js";
import type { MonthlyReport, MonthlyRow } from "./monthly.js";
import type { YearlyReport, YearlyRow } from "./yearly.js";
import { neutralizeFormula } from "../core/format/text.js";

export type ColumnKind = "text" | "year" | "int" | "share" | "days" | "pp" | "diff" | "ddays";

export interface Column<R> {
  header: Bilingual;
  /**
   * In the default terminal table (`--wide` shows every column): its short header and, for
   * text, the most characters shown (longer text ends in "…"). Absent: only with `--wide`.
   */
  narrow?: { header: Bilingual; max?: number };
  kind: ColumnKind;
  /** Width in characters in the workbook. */
  width: number;
  value(row: R): string | number | null;
}

export interface View<R> {
  /** Sheet name. */
  name: Bilingual;
  columns: Column<R>[];
  rows: R[];
}

export interface RenderContext {
  lang: Lang;
  /** "Kabupaten Malang". */
  regency: string;
}

export interface Rendered {
  title: string;
  period: string;
  /** The agency view, the regency view. */
  views: [View<YearlyRow>, View<YearlyRow>] | [View<MonthlyRow>, View<MonthlyRow>];
  notes: string[];
}

const change = (c: Change): number | null => c.value;

function levelColumns<R>(levels: number[], of: (r: R) => Record<number, number>): Column<R>[] {
  return levels.map((level) => ({
    header: { id: `Eskalasi tk ${level}`, en: `Escalations L${level}` },
    kind: "int" as const,
    width: 11,
    value: (r: R) => of(r)[level] ?? 0,
  }));
}

function yearlyColumns(report: YearlyReport, regency: string): Column<YearlyRow>[] {
  return [
    {
      narrow: { header: { id: "Kode", en: "Code" }, max: 15 },
      header: { id: "Kode OPD", en: "Agency code" },
      kind: "text",
      width: 16,
      value: (r) => r.opd ?? "*",
    },
    {
      narrow: { header: { id: "Nama OPD", en: "Agency" }, max: 28 },
      header: { id: "Nama OPD", en: "Agency" },
      kind: "text",
      width: 40,
      value: (r) => (r.opd === null ? `Total ${regency}` : r.name),
    },
    {
      narrow: { header: { id: "Tahun", en: "Year" } },
      header: { id: "Tahun", en: "Year" },
      kind: "year",
      width: 7,
      value: (r) => r.year,
    },
    {
      narrow: { header: { id: "Diterima", en: "Received" } },
      header: { id: "Diterima", en: "Received" },
      kind: "int",
      width: 10,
      value: (r) => r.figures.received,
    },
    {
      header: { id: "Δ Diterima", en: "Δ Received" },
      kind: "diff",
      width: 11,
      value: (r) => change(r.change.received),
    },
    {
      header: { id: "Ditindaklanjuti", en: "Followed up" },
      kind: "int",
      width: 15,
      value: (r) => r.figures.followedUp,
    },
    {
      narrow: { header: { id: "Respons", en: "Response" } },
      header: { id: "Respons pertama tepat waktu", en: "First response within target" },
      kind: "share",
      width: 14,
      value: (r) => r.figures.firstResponse.share,
    },
    {
      header: { id: "Δ respons pertama (pp)", en: "Δ first response (pp)" },
      kind: "pp",
      width: 13,
      value: (r) => change(r.change.firstResponseShare),
    },
    {
      narrow: { header: { id: "Tindak lanjut", en: "Resolution" } },
      header: { id: "Tindak lanjut tepat waktu", en: "Resolution within target" },
      kind: "share",
      width: 14,
      value: (r) => r.figures.resolution.share,
    },
    {
      header: { id: "Δ tindak lanjut (pp)", en: "Δ resolution (pp)" },
      kind: "pp",
      width: 13,
      value: (r) => change(r.change.resolutionShare),
    },
    {
      narrow: { header: { id: "Kepatuhan", en: "Compliance" } },
      header: { id: "Kepatuhan", en: "Compliance" },
      kind: "share",
      width: 11,
      value: (r) => r.figures.compliance.share,
    },
    {
      narrow: { header: { id: "Δ kepatuhan", en: "Δ compliance" } },
      header: { id: "Δ kepatuhan (pp)", en: "Δ compliance (pp)" },
      kind: "pp",
      width: 13,
      value: (r) => change(r.change.compliance),
    },
    {
      header: { id: "Median respons pertama (hari)", en: "Median first response (days)" },
      kind: "days",
      width: 14,
      value: (r) => r.figures.firstResponse.median,
    },
    {
      header: { id: "P90 respons pertama (hari)", en: "P90 first response (days)" },
      kind: "days",
      width: 14,
      value: (r) => r.figures.firstResponse.p90,
    },
    {
      header: { id: "Median tindak lanjut (hari)", en: "Median follow-up (days)" },
      kind: "days",
      width: 14,
      value: (r) => r.figures.resolution.median,
    },
    {
      header: { id: "Δ median tindak lanjut (hari)", en: "Δ median follow-up (days)" },
      kind: "ddays",
      width: 14,
      value: (r) => change(r.change.resolutionMedian),
    },
    {
      header: { id: "P90 tindak lanjut (hari)", en: "P90 follow-up (days)" },
      kind: "days",
      width: 14,
      value: (r) => r.figures.resolution.p90,
    },
    ...levelColumns<YearlyRow>(report.levels, (r) => r.figures.escalations),
  ];
}

function monthlyColumns(report: MonthlyReport, regency: string): Column<MonthlyRow>[] {
  return [
    {
      narrow: { header: { id: "#", en: "#" } },
      header: { id: "Peringkat", en: "Rank" },
      kind: "int",
      width: 10,
      value: (r) => r.rank,
    },
    {
      narrow: { header: { id: "Kode", en: "Code" }, max: 15 },
      header: { id: "Kode OPD", en: "Agency code" },
      kind: "text",
      width: 16,
      value: (r) => r.opd ?? "*",
    },
    {
      narrow: { header: { id: "Nama OPD", en: "Agency" }, max: 28 },
      header: { id: "Nama OPD", en: "Agency" },
      kind: "text",
      width: 40,
      value: (r) => (r.opd === null ? `Total ${regency}` : r.name),
    },
    {
      narrow: { header: { id: "Diterima", en: "Received" } },
      header: { id: "Diterima", en: "Received" },
      kind: "int",
      width: 10,
      value: (r) => r.figures.received,
    },
    {
      header: { id: "Ditindaklanjuti", en: "Followed up" },
      kind: "int",
      width: 15,
      value: (r) => r.figures.followedUp,
    },
    {
      header: { id: "Tahap tepat waktu", en: "Stages met" },
      kind: "int",
      width: 12,
      value: (r) => r.figures.compliance.met,
    },
    {
      header: { id: "Tahap terlambat", en: "Stages breached" },
      kind: "int",
      width: 12,
      value: (r) => r.figures.compliance.breached,
    },
    {
      narrow: { header: { id: "Kepatuhan", en: "Compliance" } },
      header: { id: "Kepatuhan", en: "Compliance" },
      kind: "share",
      width: 11,
      value: (r) => r.figures.compliance.share,
    },
    {
      narrow: { header: { id: "Respons", en: "Response" } },
      header: { id: "Respons pertama tepat waktu", en: "First response within target" },
      kind: "share",
      width: 14,
      value: (r) => r.figures.firstResponse.share,
    },
    {
      narrow: { header: { id: "Tindak lanjut", en: "Resolution" } },
      header: { id: "Tindak lanjut tepat waktu", en: "Resolution within target" },
      kind: "share",
      width: 14,
      value: (r) => r.figures.resolution.share,
    },
    {
      header: { id: "Median tindak lanjut (hari)", en: "Median follow-up (days)" },
      kind: "days",
      width: 14,
      value: (r) => r.figures.resolution.median,
    },
    {
      header: { id: "P90 tindak lanjut (hari)", en: "P90 follow-up (days)" },
      kind: "days",
      width: 14,
      value: (r) => r.figures.resolution.p90,
    },
    {
      header: { id: "Terbuka akhir bulan", en: "Open at month end" },
      kind: "int",
      width: 12,
      value: (r) => r.openAtEnd,
    },
    {
      narrow: { header: { id: "Terlambat", en: "Overdue" } },
      header: { id: "Terlambat akhir bulan", en: "Overdue at month end" },
      kind: "int",
      width: 12,
      value: (r) => r.overdueAtEnd,
    },
    ...levelColumns<MonthlyRow>(report.levels, (r) => r.figures.escalations),
  ];
}

export function yearlyViews(report: YearlyReport, ctx: RenderContext): Rendered {
  const columns = yearlyColumns(report, ctx.regency);
  const span = report.from === report.to ? `${report.from}` : `${report.from}–${report.to}`;
  return {
    title: pick(ctx.lang, {
      id: `Tren Tahunan Tindak Lanjut Pengaduan SP4N-LAPOR! — ${ctx.regency}`,
      en: `Yearly follow-up trends of SP4N-LAPOR! complaints — ${ctx.regency}`,
    }),
    period: pick(ctx.lang, { id: `Periode: ${span}`, en: `Period: ${span}` }),
    views: [
      { name: { id: "Per OPD", en: "Per agency" }, columns, rows: report.rows },
      { name: { id: "Total Kabupaten", en: "Regency total" }, columns, rows: report.totals },
    ],
    notes: report.notes.map((n) => pick(ctx.lang, n)),
  };
}

export function monthlyViews(report: MonthlyReport, ctx: RenderContext): Rendered {
  const columns = monthlyColumns(report, ctx.regency);
  const [year, month] = report.month.split("-").map(Number) as [number, number];
  const label = `${monthName(month, ctx.lang)} ${year}`;
  return {
    title: pick(ctx.lang, {
      id: `Rapor Bulanan Tindak Lanjut Pengaduan SP4N-LAPOR! — ${ctx.regency}`,
      en: `Monthly follow-up scorecard of SP4N-LAPOR! complaints — ${ctx.regency}`,
    }),
    period: pick(ctx.lang, { id: `Periode: ${label}`, en: `Period: ${label}` }),
    views: [
      { name: { id: "Peringkat OPD", en: "Agency ranking" }, columns, rows: report.rows },
      { name: { id: "Total Kabupaten", en: "Regency total" }, columns, rows: [report.total] },
    ],
    notes: report.notes.map((n) => pick(ctx.lang, n)),
  };
}

function decimal(value: number, decimals: number, lang: Lang): string {
  const text = value.toFixed(decimals);
  return lang === "id" ? text.replace(".", ",") : text;
}

function arrowOf(value: number): Arrow {
  return value > 0 ? "▲" : value < 0 ? "▼" : "=";
}

/** A cell for people (table, Markdown). */
export function displayCell(kind: ColumnKind, value: string | number | null, lang: Lang): string {
  if (value === null) return "–";
  if (typeof value === "string") return neutralizeFormula(value);
  switch (kind) {
    case "share":
      return `${decimal(value * 100, 1, lang)}%`;
    case "days":
      return decimal(value, 2, lang);
    case "pp":
      return `${arrowOf(value)} ${decimal(Math.abs(value), 1, lang)} pp`;
    case "ddays":
      return `${arrowOf(value)} ${decimal(Math.abs(value), 2, lang)}`;
    case "diff":
      return `${arrowOf(value)} ${Math.abs(value)}`;
    default:
      return String(value);
  }
}

/**
 * A CSV cell: numbers with a decimal point, shares in percent, changes with their arrow (an
 * unchanged value, "= 0", is text starting with "=": neutralised like any other).
 */
function csvCell(kind: ColumnKind, value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "string") return neutralizeFormula(value);
  switch (kind) {
    case "share":
      return (value * 100).toFixed(1);
    case "days":
      return value.toFixed(2);
    case "pp":
      return neutralizeFormula(`${arrowOf(value)} ${Math.abs(value).toFixed(1)}`);
    case "ddays":
      return neutralizeFormula(`${arrowOf(value)} ${Math.abs(value).toFixed(2)}`);
    case "diff":
      return neutralizeFormula(`${arrowOf(value)} ${Math.abs(value)}`);
    default:
      return String(value);
  }
}

function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const headerOf = (c: Column<never>, lang: Lang): string =>
  pick(lang, c.header) + (c.kind === "share" ? " (%)" : "");

function viewRows<R>(view: View<R>, cell: (c: Column<R>, r: R) => string): string[][] {
  return view.rows.map((r) => view.columns.map((c) => cell(c, r)));
}

/** Cuts text to `max` characters, ending in "…". */
function clip(text: string, max: number | undefined): string {
  return max !== undefined && text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The aligned text table. By default only the key columns, with short headers and long names
 * cut, so that it fits a 120-column terminal; `wide` shows every column as the files do.
 */
export function renderText(r: Rendered, lang: Lang, options: { wide?: boolean } = {}): string {
  const out: string[] = [r.title, r.period, ""];
  for (const view of r.views as View<unknown>[]) {
    const columns = options.wide ? view.columns : view.columns.filter((c) => c.narrow);
    const header = (c: Column<unknown>): string =>
      pick(lang, options.wide || !c.narrow ? c.header : c.narrow.header);
    out.push(pick(lang, view.name));
    out.push(
      renderTable(
        columns.map(header),
        viewRows({ ...view, columns }, (c, row) => {
          const cell = displayCell(c.kind, c.value(row), lang);
          return options.wide ? cell : clip(cell, c.narrow?.max);
        }),
      ),
    );
    out.push("");
  }
  if (!options.wide) {
    out.push(
      pick(lang, {
        id: "Respons / Tindak lanjut: bagian tahap yang selesai tepat waktu. Semua kolom: --wide atau --format xlsx|csv|md.",
        en: "Response / Resolution: share of stages done within target. Every column: --wide, or --format xlsx|csv|md.",
      }),
      "",
    );
  }
  out.push(pick(lang, { id: "Catatan:", en: "Notes:" }));
  for (const n of r.notes) out.push(...wrap(`- ${n}`, TERMINAL_WIDTH, "  "));
  return out.join("\n");
}

/** The terminal width the default table and its notes keep within. */
export const TERMINAL_WIDTH = 120;

/** Word-wraps `text` to `width` characters, continuing lines with `indent`. */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

export function renderMarkdown(r: Rendered, lang: Lang): string {
  const esc = (s: string): string => s.replaceAll("|", "\\|");
  const out: string[] = [`# ${r.title}`, "", r.period, ""];
  for (const view of r.views as View<unknown>[]) {
    out.push(`## ${pick(lang, view.name)}`, "");
    out.push(`| ${view.columns.map((c) => esc(pick(lang, c.header))).join(" | ")} |`);
    out.push(`| ${view.columns.map((c) => (c.kind === "text" ? "---" : "---:")).join(" | ")} |`);
    for (const row of viewRows(view, (c, x) => esc(displayCell(c.kind, c.value(x), lang))))
      out.push(`| ${row.join(" | ")} |`);
    out.push("");
  }
  out.push(`## ${pick(lang, { id: "Catatan", en: "Notes" })}`, "");
  for (const n of r.notes) out.push(`- ${n}`);
  return out.join("\n") + "\n";
}

/** CSV with a UTF-8 BOM (Excel), CRLF line ends: the agency view, then the regency view. */
export function renderCsv(r: Rendered, lang: Lang): string {
  const [agencies, regency] = r.views as [View<unknown>, View<unknown>];
  const lines = [
    agencies.columns.map((c) => csvQuote(neutralizeFormula(headerOf(c as never, lang)))),
  ];
  for (const view of [agencies, regency])
    lines.push(...viewRows(view, (c, row) => csvQuote(csvCell(c.kind, c.value(row)))));
  return "\uFEFF" + lines.map((l) => l.join(",")).join("\r\n") + "\r\n";
}

export function renderJson(report: YearlyReport | MonthlyReport, r: Rendered): string {
  return JSON.stringify({ title: r.title, period: r.period, ...report, notes: r.notes }, null, 2);
}
