// `pantau start` (the daemon) and `pantau scan --once` (one scan, for cron users and backfills).
import type { Command } from "commander";
import { runScan } from "../../app/scanJob.js";
import { seedDemo, DEMO_FIRST_ID } from "../../app/demo.js";
import { handleSignals, startDaemon } from "../../daemon/daemon.js";
import { pick } from "../../i18n/lang.js";
import type { CliRuntime } from "../main.js";
import { languageOf } from "../main.js";
import { parseInstant } from "../time.js";

export function registerDaemonCommands(program: Command, runtime: CliRuntime): void {
  const { io } = runtime;

  program
    .command("start")
    .description("menjalankan daemon Pantau / run the Pantau daemon")
    .option("--demo", "muat data contoh terlebih dahulu / load demo data first")
    .action(async (opts: { demo?: boolean }) => {
      const lang = languageOf(runtime);
      await runtime.withApp("pantau start", async (ctx) => {
        if (opts.demo) {
          const summary = await seedDemo(ctx, io.clock());
          ctx.logger.info("demo data loaded", {
            reports: summary.reportsCreated,
            events: summary.eventsAdded,
          });
        }
        const daemon = await startDaemon(ctx, {
          clock: io.clock,
          job: { tick: (now) => runScan(ctx, now, io.clock).then(() => undefined) },
        });
        const unhook = handleSignals(daemon, io.err);
        const base = `http://127.0.0.1:${daemon.httpPort}`;
        io.err(
          pick(lang, {
            id: [
              `Pantau berjalan (basis data: ${ctx.db.kind === "embedded" ? `bawaan di ${ctx.db.description}` : ctx.db.description}).`,
              `  Kesehatan:     ${base}/healthz  ${base}/readyz`,
              `  Di terminal lain:`,
              `    npx pantau status                 # jam SLA yang terbuka`,
              `    npx pantau explain ${DEMO_FIRST_ID + 1}          # perhitungan satu laporan, langkah demi langkah`,
              `    npx pantau calendar holidays --year 2026`,
              `  Hentikan dengan Ctrl+C.`,
            ].join("\n"),
            en: [
              `Pantau is running (database: ${ctx.db.kind === "embedded" ? `embedded in ${ctx.db.description}` : ctx.db.description}).`,
              `  Health:        ${base}/healthz  ${base}/readyz`,
              `  In another terminal:`,
              `    npx pantau status                 # open SLA clocks`,
              `    npx pantau explain ${DEMO_FIRST_ID + 1}          # one report's computation, step by step`,
              `    npx pantau calendar holidays --year 2026`,
              `  Stop with Ctrl+C.`,
            ].join("\n"),
          }),
        );
        await daemon.stopped;
        unhook();
      });
    });

  program
    .command("scan")
    .description("menjalankan satu pemindaian / run one scan")
    .option("--once", "satu kali lalu keluar (bawaan) / once, then exit (default)")
    .option("--now <iso>", "waktu acuan / reference instant")
    .action(async (opts: { now?: string }) => {
      const lang = languageOf(runtime);
      const now = opts.now
        ? parseInstant(opts.now, runtime.config().defaultZone, "--now")
        : io.clock();
      await runtime.withApp("pantau scan", async (ctx) => {
        const result = await runScan(ctx, now, io.clock);
        io.out(
          pick(lang, {
            id: `Pemindaian selesai: ${result.reportsRefreshed} laporan jatuh tempo diperbarui.`,
            en: `Scan finished: ${result.reportsRefreshed} due reports refreshed.`,
          }),
        );
      });
    });
}
