// `pantau import history`: the files imported (by the inbox or `pantau import FILE`), newest
// first: file, when, counts and result. Registered on the existing `import` command.
import type { Command } from "commander";
import { DateTime } from "luxon";
import { zoneAbbreviation } from "../../core/format/local.js";
import { pick } from "../../i18n/lang.js";
import { listImports, type ImportRecord } from "../../store/importHistory.js";
import { fetchFromDaemon, localOrDaemon } from "../daemonClient.js";
import { UsageError } from "../errors.js";
import type { CliRuntime } from "../runtime.js";
import { languageOf } from "../runtime.js";
import { renderTable } from "../../core/format/table.js";

const RESULT = {
  imported: { id: "diimpor", en: "imported" },
  unchanged: { id: "tidak berubah", en: "unchanged" },
  failed: { id: "gagal", en: "failed" },
} as const;

export function registerImportHistoryCommand(program: Command, runtime: CliRuntime): void {
  const importCommand = program.commands.find((c) => c.name() === "import");
  if (!importCommand) throw new Error("the import command must be registered first");
  importCommand
    .command("history")
    .description("riwayat berkas yang diimpor / history of imported files")
    .option("--limit <n>", "paling banyak / at most", "20")
    // --format is the import command's own option (commander gives it to the parent).
    .action(async (own: { limit: string }, command: Command) => {
      const opts = { ...own, format: String(command.optsWithGlobals().format ?? "table") };
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new UsageError(
          `--limit "${opts.limit}" harus bilangan bulat 1–10000. / --limit must be a whole number from 1 to 10000.`,
        );
      const lang = languageOf(runtime);
      const records = await localOrDaemon<ImportRecord[]>(
        () => runtime.withApp("pantau import history", (ctx) => listImports(ctx.db.knex, limit)),
        (owner) => fetchFromDaemon<ImportRecord[]>(owner, `/local/imports?limit=${limit}`),
        runtime.io.err,
      );
      if (opts.format === "json") {
        runtime.io.out(
          JSON.stringify(
            records.map((r) => ({
              fileName: r.fileName,
              origin: r.origin,
              finishedAt: new Date(r.finishedAt).toISOString(),
              result: r.result,
              rows: r.rows,
              imported: r.imported,
              unchanged: r.unchanged,
              rejected: r.rejected,
              warnings: r.warnings,
              reason: r.reason,
              movedTo: r.movedTo,
            })),
            null,
            2,
          ),
        );
        return;
      }
      if (records.length === 0) {
        runtime.io.out(
          pick(lang, {
            id: "Belum ada berkas yang diimpor.",
            en: "No file has been imported yet.",
          }),
        );
        return;
      }
      const zone = runtime.config().defaultZone;
      const headers =
        lang === "en"
          ? [
              "FILE",
              "WHEN",
              "VIA",
              "RESULT",
              "ROWS",
              "IMPORTED",
              "UNCHANGED",
              "REJECTED",
              "WARNINGS",
              "NOTE",
            ]
          : [
              "BERKAS",
              "WAKTU",
              "LEWAT",
              "HASIL",
              "BARIS",
              "DIIMPOR",
              "TETAP",
              "DITOLAK",
              "PERINGATAN",
              "CATATAN",
            ];
      runtime.io.out(
        renderTable(
          headers,
          records.map((r) => [
            r.fileName,
            `${DateTime.fromMillis(r.finishedAt, { zone }).toFormat("yyyy-MM-dd HH:mm")} ${zoneAbbreviation(zone, r.finishedAt)}`,
            r.origin,
            pick(lang, RESULT[r.result]),
            String(r.rows),
            String(r.imported),
            String(r.unchanged),
            String(r.rejected),
            String(r.warnings),
            r.result === "failed" ? (r.reason ?? "") : (r.movedTo ?? ""),
          ]),
        ),
      );
    });
}
