// `pantau start` (the daemon: opens the application and calls the composition root,
// daemon/startPantau.ts, then says where things are) and `pantau scan --once` (one scan, for cron
// users and backfills).
import type { Command } from "commander";
import { runScan } from "../../scan/scanJob.js";
import { DEMO_FIRST_ID } from "../../app/demo.js";
import { startPantau } from "../../daemon/startPantau.js";
import { countByState } from "../../outbox/outboxStore.js";
import { OutboxSender } from "../../outbox/sender.js";
import { handleSignals } from "../../daemon/daemon.js";
import { pick } from "../../i18n/lang.js";
import type { CliRuntime } from "../runtime.js";
import { languageOf } from "../runtime.js";

export function registerDaemonCommands(program: Command, runtime: CliRuntime): void {
  const { io } = runtime;

  program
    .command("start")
    .description("menjalankan daemon Pantau / run the Pantau daemon")
    .option("--demo", "muat data contoh terlebih dahulu / load demo data first")
    .action(async (opts: { demo?: boolean }) => {
      const lang = languageOf(runtime);
      await runtime.withApp("pantau start", async (ctx) => {
        const { daemon, metricsPort, transportDescription, webUrl, demoLink } = await startPantau(
          ctx,
          {
            clock: io.clock,
            demo: opts.demo === true,
          },
        );
        const unhook = handleSignals(daemon, io.err);
        const base = `http://127.0.0.1:${daemon.httpPort}`;
        io.err(
          pick(lang, {
            id: [
              `Pantau berjalan (basis data: ${ctx.db.kind === "embedded" ? `bawaan di ${ctx.db.description}` : ctx.db.description}).`,
              `  Kesehatan:     ${base}/healthz  ${base}/readyz`,
              `  API:           ${base}/api/v1/openapi.json (lihat docs/api.md)`,
              `  Metrik:        http://127.0.0.1:${metricsPort}/metrics`,
              `  Papan Kepatuhan: ${webUrl}/`,
              ...(demoLink
                ? [
                    `  Masuk sebagai koordinator demo (sekali pakai, ${Math.round(ctx.config.web.linkMs / 60_000)} menit): ${demoLink}`,
                  ]
                : []),
              `  Di terminal lain:`,
              `    npx pantau status                 # jam SLA yang terbuka`,
              `    npx pantau explain ${DEMO_FIRST_ID + 1}          # perhitungan satu laporan, langkah demi langkah`,
              `    npx pantau calendar holidays --year 2026`,
              ctx.config.mail.smtpUrl
                ? `    npx pantau outbox list --all          # email eskalasi (${transportDescription})`
                : `    ls ${ctx.config.mail.outboxDir}   # email eskalasi sebagai berkas .eml`,
              `  Hentikan dengan Ctrl+C.`,
            ].join("\n"),
            en: [
              `Pantau is running (database: ${ctx.db.kind === "embedded" ? `embedded in ${ctx.db.description}` : ctx.db.description}).`,
              `  Health:        ${base}/healthz  ${base}/readyz`,
              `  API:           ${base}/api/v1/openapi.json (see docs/api.md)`,
              `  Metrics:       http://127.0.0.1:${metricsPort}/metrics`,
              `  Compliance board: ${webUrl}/`,
              ...(demoLink
                ? [
                    `  Sign in as the demo coordinator (once, ${Math.round(ctx.config.web.linkMs / 60_000)} minutes): ${demoLink}`,
                  ]
                : []),
              `  In another terminal:`,
              `    npx pantau status                 # open SLA clocks`,
              `    npx pantau explain ${DEMO_FIRST_ID + 1}          # one report's computation, step by step`,
              `    npx pantau calendar holidays --year 2026`,
              ctx.config.mail.smtpUrl
                ? `    npx pantau outbox list --all          # escalation emails (${transportDescription})`
                : `    ls ${ctx.config.mail.outboxDir}   # escalation emails as .eml files`,
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
    .option(
      "--no-send",
      "hanya memutuskan; email dikirim daemon / decide only; the daemon delivers the email",
    )
    .action(async (opts: { now?: string; send: boolean }) => {
      const lang = languageOf(runtime);
      const now = runtime.now(opts.now);
      await runtime.withApp("pantau scan", async (ctx) => {
        const result = await runScan(ctx, now, io.clock);
        if (result.skipped) {
          io.out(
            pick(lang, {
              id: "Pemindaian dilewati: instans lain sedang memindai basis data ini.",
              en: "Scan skipped: another instance is scanning this database.",
            }),
          );
        }
        const e = result.escalation;
        io.out(
          pick(lang, {
            id: `Pemindaian selesai: ${result.reportsRefreshed} laporan jatuh tempo diperbarui, ${result.reportsReviewed} ditinjau; eskalasi: ${e.decided} diputuskan, ${e.superseded} dilampaui, ${e.cancelled} dibatalkan, ${e.undeliverable} tanpa penerima; ${e.emailsQueued} email masuk outbox (${e.vacancyNotices} jabatan kosong, ${e.reminders} pengingat harian), ${e.chatMessagesQueued} pesan chat.`,
            en: `Scan finished: ${result.reportsRefreshed} due reports refreshed, ${result.reportsReviewed} reviewed; escalations: ${e.decided} decided, ${e.superseded} superseded, ${e.cancelled} cancelled, ${e.undeliverable} without recipient; ${e.emailsQueued} emails queued (${e.vacancyNotices} vacancy notices, ${e.reminders} daily reminders), ${e.chatMessagesQueued} chat messages.`,
          }),
        );
        if (!opts.send) return;
        // The sender's clock: never before the scan's `now` (a backfill with --now in the future).
        const sender = new OutboxSender(ctx, { clock: () => Math.max(now, io.clock()) });
        try {
          const sent = await sender.runOnce();
          const left = await countByState(ctx.db.knex);
          io.out(
            pick(lang, {
              id: `Pengiriman (${sender.transport.description}): ${sent.sent} terkirim, ${sent.retried} dicoba lagi nanti, ${sent.failed} gagal; di outbox: ${left.pending} menunggu, ${left.failed} gagal.`,
              en: `Delivery (${sender.transport.description}): ${sent.sent} sent, ${sent.retried} to retry later, ${sent.failed} failed; outbox: ${left.pending} pending, ${left.failed} failed.`,
            }),
          );
          if (sent.error !== null || sent.failed > 0) process.exitCode = 1;
        } finally {
          await sender.stop();
        }
      });
    });
}
