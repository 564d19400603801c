// `pantau report yearly|monthly|rebuild-rollup`: the yearly follow-up trends per agency, the
// official monthly scorecard, and the rebuild of the report rollups from raw rows.
import { Option, type Command } from "commander";
import { DateTime } from "luxon";
import type { AppContext } from "../../context/appContext.js";
import { pick, type Lang } from "../../i18n/lang.js";
import {
  hoursPerDayOf,
  monthlyReport,
  monthlyViews,
  parseMonth,
  rebuildRollups,
  renderCsv,
  renderJson,
  renderMarkdown,
  renderText,
  renderXlsx,
  rollupDifferences,
  rollupYears,
  yearlyReport,
  yearlyViews,
  type MonthlyReport,
  type Rendered,
  type YearlyReport,
  type YearlySort,
} from "../../reports/index.js";
import { UsageError } from "../errors.js";
import type { CliRuntime } from "../runtime.js";
import { languageOf } from "../runtime.js";
import { refuseOverwrite, writeOutputFile } from "../outputFiles.js";

const FORMATS = ["table", "csv", "xlsx", "json", "md"] as const;
type ReportFormat = (typeof FORMATS)[number];

const formatOption = (): Option =>
  new Option("--format <format>", FORMATS.join(" | ")).choices([...FORMATS]).default("table");

function parseYear(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}$/.test(value))
    throw new UsageError(
      `${flag} "${value}" harus tahun empat angka, mis. 2024. / ${flag} must be a four-digit year, e.g. 2024.`,
    );
  return Number(value);
}

async function emit(
  runtime: CliRuntime,
  report: YearlyReport | MonthlyReport,
  rendered: Rendered,
  format: ReportFormat,
  output: string | undefined,
  lang: Lang,
  options: { wide?: boolean; force?: boolean } = {},
): Promise<void> {
  let content: string | Buffer;
  if (format === "xlsx") content = await renderXlsx(rendered, lang);
  else if (format === "csv") content = renderCsv(rendered, lang);
  else if (format === "json") content = renderJson(report, rendered);
  else if (format === "md") content = renderMarkdown(rendered, lang);
  else content = renderText(rendered, lang, { wide: options.wide ?? false });
  if (output) {
    writeOutputFile(output, content, options.force ?? false);
    runtime.io.err(pick(lang, { id: `Ditulis ke ${output}`, en: `Written to ${output}` }));
    return;
  }
  if (typeof content !== "string")
    throw new UsageError(
      "Format xlsx perlu --output <berkas.xlsx>. / The xlsx format needs --output <file.xlsx>.",
    );
  runtime.io.out(content.replace(/\n$/, ""));
}

function settings(ctx: AppContext) {
  return {
    zone: ctx.config.defaultZone,
    coveredYears: ctx.config.coveredYears,
    hoursPerDay: hoursPerDayOf(ctx.config.calendar),
  };
}

/** `pantau report rebuild-rollup`: recompute the rollups from raw rows (disaster recovery). */
export async function runRebuildRollup(
  ctx: AppContext,
  lang: Lang,
  options: { check?: boolean } = {},
): Promise<{ text: string; ok: boolean }> {
  const knex = ctx.db.knex;
  if (options.check) {
    const diff = await rollupDifferences(knex);
    const bad = Object.entries(diff).filter(([, n]) => n > 0);
    return {
      ok: bad.length === 0,
      text:
        bad.length === 0
          ? pick(lang, {
              id: "Rollup laporan sama persis dengan perhitungan ulang dari data mentah.",
              en: "The report rollups equal a recomputation from raw rows.",
            })
          : pick(lang, {
              id: `Rollup berbeda dari data mentah (${bad.map(([t, n]) => `${t}: ${n} baris`).join(", ")}): jalankan \`pantau report rebuild-rollup\`.`,
              en: `The rollups differ from raw rows (${bad.map(([t, n]) => `${t}: ${n} rows`).join(", ")}): run \`pantau report rebuild-rollup\`.`,
            }),
    };
  }
  const result = await rebuildRollups(knex, hoursPerDayOf(ctx.config.calendar));
  ctx.logger.info("report rollups rebuilt", { rows: result.rows });
  const rows = Object.entries(result.rows)
    .map(([t, n]) => `${t} ${n}`)
    .join(", ");
  return {
    ok: true,
    text: pick(lang, {
      id: `Rollup laporan dibangun ulang dari data mentah (${result.hoursPerDay} jam kerja per hari): ${rows}.`,
      en: `Report rollups rebuilt from raw rows (${result.hoursPerDay} working hours per day): ${rows}.`,
    }),
  };
}

const WIDE_HELP =
  "tabel dengan semua kolom (bawaan: kolom utama, muat di 120 karakter) / table with every column (default: the key columns, within 120 characters)";

export function registerReportCommands(program: Command, runtime: CliRuntime): void {
  const report = program
    .command("report")
    .description(
      "laporan tahunan dan bulanan tindak lanjut / yearly and monthly follow-up reports",
    );

  report
    .command("yearly")
    .description("tren tahunan per OPD / yearly trends per agency")
    .option("--from <year>", "tahun pertama / first year")
    .option("--to <year>", "tahun terakhir / last year")
    .option("--opd <code>", "hanya OPD ini / only this agency")
    .addOption(
      new Option("--sort <order>", "improvement | compliance | volume")
        .choices(["improvement", "compliance", "volume"])
        .default("improvement"),
    )
    .addOption(formatOption())
    .option("--output <file>", "tulis ke berkas / write to a file")
    .option("--wide", WIDE_HELP)
    .option("--force", "timpa berkas --output yang sudah ada / overwrite an existing --output file")
    .action(
      async (opts: {
        wide?: boolean;
        from?: string;
        to?: string;
        opd?: string;
        sort: YearlySort;
        format: ReportFormat;
        output?: string;
        force?: boolean;
      }) => {
        const lang = languageOf(runtime);
        if (opts.output) refuseOverwrite(opts.output, opts.force ?? false);
        let from = parseYear(opts.from, "--from");
        let to = parseYear(opts.to, "--to");
        await runtime.withApp("pantau report yearly", async (ctx) => {
          const thisYear = DateTime.fromMillis(runtime.io.clock(), {
            zone: ctx.config.defaultZone,
          }).year;
          const span = await rollupYears(ctx.db.knex);
          to ??= Math.max(thisYear, span?.last ?? thisYear);
          from ??= Math.min(span?.first ?? to, to);
          if (from > to)
            throw new UsageError(
              `--from (${from}) sesudah --to (${to}). / --from (${from}) is after --to (${to}).`,
            );
          const data = await yearlyReport(ctx.db.knex, {
            from,
            to,
            opd: opts.opd,
            sort: opts.sort,
            ...settings(ctx),
          });
          const rendered = yearlyViews(data, { lang, regency: ctx.config.regency });
          await emit(runtime, data, rendered, opts.format, opts.output, lang, {
            wide: opts.wide,
            force: opts.force,
          });
        });
      },
    );

  report
    .command("monthly")
    .description("rapor bulanan semua OPD / monthly scorecard of every agency")
    .requiredOption("--month <yyyy-mm>", "bulan, mis. 2026-10 / month, e.g. 2026-10")
    .addOption(formatOption())
    .option("--output <file>", "tulis ke berkas / write to a file")
    .option("--wide", WIDE_HELP)
    .option("--force", "timpa berkas --output yang sudah ada / overwrite an existing --output file")
    .action(
      async (opts: {
        month: string;
        format: ReportFormat;
        output?: string;
        wide?: boolean;
        force?: boolean;
      }) => {
        const lang = languageOf(runtime);
        if (opts.output) refuseOverwrite(opts.output, opts.force ?? false);
        if (!parseMonth(opts.month))
          throw new UsageError(
            `--month "${opts.month}" harus berbentuk yyyy-mm, mis. 2026-10. / --month must be yyyy-mm, e.g. 2026-10.`,
          );
        await runtime.withApp("pantau report monthly", async (ctx) => {
          const data = await monthlyReport(ctx.db.knex, { month: opts.month, ...settings(ctx) });
          const rendered = monthlyViews(data, { lang, regency: ctx.config.regency });
          await emit(runtime, data, rendered, opts.format, opts.output, lang, {
            wide: opts.wide,
            force: opts.force,
          });
        });
      },
    );

  report
    .command("rebuild-rollup")
    .description(
      "membangun ulang rollup laporan dari data mentah / rebuild the report rollups from raw rows",
    )
    .option("--check", "hanya membandingkan dengan data mentah / only compare with a recomputation")
    .action(async (opts: { check?: boolean }) => {
      const lang = languageOf(runtime);
      await runtime.withApp("pantau report rebuild-rollup", async (ctx) => {
        const result = await runRebuildRollup(ctx, lang, opts);
        runtime.io.out(result.text);
        if (!result.ok) process.exitCode = 1;
      });
    });
}
