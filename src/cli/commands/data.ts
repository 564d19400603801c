// Commands over the stored reports: migrate, import, status, explain, recompute.
import type { Command } from "commander";
import { recomputeOpenClocks } from "../../scan/clockService.js";
import { importFile } from "../../app/importFile.js";
import { explainView, statusView, type StatusView } from "../../app/statusService.js";
import { renderExplainText, type ExplainDocument } from "../../core/sla/explain.js";
import { migrateLatest } from "../../db/migrate.js";
import { pick } from "../../i18n/lang.js";
import { fetchFromDaemon, localOrDaemon } from "../daemonClient.js";
import type { CliRuntime } from "../runtime.js";
import { formatOption, languageOf } from "../runtime.js";
import { renderStatus, statusJson } from "../output.js";
import { UsageError } from "../errors.js";
import { refuseSameFile } from "../outputFiles.js";

export function registerDataCommands(program: Command, runtime: CliRuntime): void {
  const { io } = runtime;

  program
    .command("migrate")
    .description("memperbarui skema basis data / bring the database schema up to date")
    .action(async () => {
      const lang = languageOf(runtime);
      await runtime.withApp("pantau migrate", async (ctx) => {
        const { applied } = await migrateLatest(ctx.db.knex);
        io.out(
          pick(lang, {
            id: `Skema basis data mutakhir (${ctx.db.kind}: ${ctx.db.description}).`,
            en: `Database schema is up to date (${ctx.db.kind}: ${ctx.db.description}).`,
          }) + (applied.length ? ` ${applied.join(", ")}` : ""),
        );
      });
    });

  program
    .command("import")
    .description("mengimpor laporan dari CSV/XLSX / import reports from CSV or XLSX")
    .argument("<file>", "berkas / file (.csv, .xlsx)")
    .option("--sheet <name>", "lembar kerja / worksheet")
    .option("--mapping <file>", "pemetaan kolom (YAML) / column mapping (YAML)")
    .option(
      "--rejects <file>",
      "tulis penolakan ke berkas (.csv/.xlsx) / write rejections to a file",
    )
    .option("--dry-run", "tampilkan hasil tanpa menulis / show what would happen without writing")
    .option("--now <iso>", "waktu acuan / reference instant")
    .addOption(formatOption(["table", "json"]))
    .action(
      async (
        file: string,
        opts: {
          sheet?: string;
          mapping?: string;
          rejects?: string;
          dryRun?: boolean;
          now?: string;
          format: string;
        },
      ) => {
        const lang = languageOf(runtime);
        const now = runtime.now(opts.now);
        // Before anything is read or written, dry run or not.
        if (opts.rejects) refuseSameFile(file, opts.rejects, "--rejects");
        await runtime.withApp("pantau import", async (ctx) => {
          const result = await importFile(ctx, file, {
            now,
            lang,
            sheet: opts.sheet,
            mappingFile: opts.mapping,
            rejectsFile: opts.rejects,
            dryRun: opts.dryRun ?? false,
            progress: process.stderr.isTTY === true && opts.format !== "json",
          });
          if (opts.format === "json") {
            io.out(JSON.stringify(result.jsonSummary, null, 2));
          } else {
            io.out(result.text);
          }
          if (result.summary.rejected > 0) process.exitCode = 1;
        });
      },
    );

  program
    .command("status")
    .description("jam SLA yang terbuka / open SLA clocks")
    .option("--opd <code>", "hanya OPD ini / only this agency")
    .option("--now <iso>", "waktu acuan / reference instant")
    .addOption(formatOption(["table", "json"]))
    .action(async (opts: { opd?: string; now?: string; format: string }) => {
      const lang = languageOf(runtime);
      const now = runtime.now(opts.now);
      const view = await localOrDaemon<StatusView>(
        () => runtime.withApp("pantau status", (ctx) => statusView(ctx, { opd: opts.opd, now })),
        (owner) => {
          const query = new URLSearchParams({ now: String(now) });
          if (opts.opd) query.set("opd", opts.opd);
          return fetchFromDaemon<StatusView>(owner, `/local/status?${query}`);
        },
        io.err,
      );
      io.out(
        opts.format === "json"
          ? JSON.stringify(statusJson(view), null, 2)
          : renderStatus(view, lang),
      );
    });

  program
    .command("explain")
    .description(
      "riwayat dan perhitungan jam SLA sebuah laporan / a report's history and clock computation",
    )
    .argument("<trackingId>", "ID tracking")
    .option("--now <iso>", "waktu acuan / reference instant")
    .addOption(formatOption(["text", "json"]))
    .action(async (trackingId: string, opts: { now?: string; format: string }) => {
      if (!/^[0-9]{1,20}$/.test(trackingId)) {
        throw new UsageError(
          `ID tracking "${trackingId}" harus berupa angka. / The tracking ID must be numeric.`,
        );
      }
      const lang = languageOf(runtime);
      const now = runtime.now(opts.now);
      const doc = await localOrDaemon<ExplainDocument>(
        () => runtime.withApp("pantau explain", (ctx) => explainView(ctx, trackingId, now, lang)),
        (owner) =>
          fetchFromDaemon<ExplainDocument>(
            owner,
            `/local/explain/${trackingId}?now=${now}&lang=${lang}`,
          ),
        io.err,
      );
      io.out(opts.format === "json" ? JSON.stringify(doc, null, 2) : renderExplainText(doc));
    });

  program
    .command("recompute")
    .description(
      "menghitung ulang jam terbuka setelah kalender/SOP berubah / recompute open clocks after a calendar or SOP change",
    )
    .requiredOption("--reason <text>", "alasan (dicatat) / reason (recorded)")
    .option("--now <iso>", "waktu acuan / reference instant")
    .action(async (opts: { reason: string; now?: string }) => {
      const lang = languageOf(runtime);
      const now = runtime.now(opts.now);
      await runtime.withApp("pantau recompute", async (ctx) => {
        const result = await recomputeOpenClocks(ctx, now, opts.reason, io.clock);
        io.out(
          pick(lang, {
            id: `Dihitung ulang: ${result.reports} laporan dengan jam terbuka, ${result.clocksChanged} jam berubah. Jam yang sudah berhenti tidak diubah.`,
            en: `Recomputed: ${result.reports} reports with open clocks, ${result.clocksChanged} clocks changed. Stopped clocks were left as they were.`,
          }),
        );
      });
    });
}
