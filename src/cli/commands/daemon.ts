// `pantau start` (the daemon) and `pantau scan --once` (one scan, for cron users and backfills).
import type { Command } from "commander";
import { runScan } from "../../app/scanJob.js";
import { seedDemo, DEMO_FIRST_ID } from "../../app/demo.js";
import { countByState } from "../../escalation/outboxStore.js";
import { OutboxSender } from "../../escalation/sender.js";
import { handleSignals, startDaemon, type DaemonOptions } from "../../daemon/daemon.js";
import { asListenError } from "../../daemon/listenError.js";
import { createObservability } from "../../app/observability.js";
import { registerApiRoutes } from "../../api/routes.js";
import { InboxWatcher } from "../../app/inbox.js";
import { registerBackupRoute, startDaemonBackups } from "../../backup/daemonBackups.js";
import { pick } from "../../i18n/lang.js";
import type { CliRuntime } from "../main.js";
import { languageOf } from "../main.js";

/** What a start has opened so far, to close newest first when a later step fails. */
class UndoStack {
  private readonly steps: (() => Promise<void>)[] = [];
  push(step: () => Promise<void>): void {
    this.steps.push(step);
  }
  /** The value of `step`; if it fails, everything pushed so far is undone and the error rethrown. */
  async guard<T>(step: Promise<T>): Promise<T> {
    try {
      return await step;
    } catch (error) {
      for (const undo of this.steps.reverse()) await undo().catch(() => undefined);
      throw error;
    }
  }
}

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
            officers: summary.officers,
          });
        }
        // Started in an order that can be undone: a failure part-way (a port in use) stops what
        // was started, newest first, and the command fails; never a half-started daemon.
        const undo = new UndoStack();
        const observability = createObservability(ctx, io.clock);
        ctx.metrics = observability.metrics;
        undo.push(() => observability.close());
        const metricsServer = await undo.guard(
          observability.serve().catch((error: unknown) => {
            throw asListenError(error, "metrics", ctx.config.metrics.host, ctx.config.metrics.port);
          }),
        );
        const sender = new OutboxSender(ctx, { clock: io.clock });
        undo.push(() => sender.stop());
        // Timers of these two start only once the daemon is up (nothing to undo before).
        const backups = startDaemonBackups(ctx, io.clock);
        const inbox = new InboxWatcher(ctx, { clock: io.clock });
        const daemonOptions: DaemonOptions = {
          clock: io.clock,
          job: {
            async tick(now) {
              try {
                await runScan(ctx, now, io.clock);
              } finally {
                // Deliver what this scan (or an earlier one) decided, even after a failed scan.
                await sender.runOnce();
              }
            },
          },
          routes: (router) => {
            registerApiRoutes(router, ctx, io.clock);
            registerBackupRoute(router, backups);
          },
          onStop: async () => {
            await inbox.stop();
            await sender.stop();
            await backups.stop();
            await observability.close();
          },
        };
        const daemon = await undo.guard(startDaemon(ctx, daemonOptions));
        sender.start(ctx.config.mail.sendIntervalMs);
        backups.start();
        inbox.start(ctx.config.import.inboxIntervalMs);
        const unhook = handleSignals(daemon, io.err);
        const base = `http://127.0.0.1:${daemon.httpPort}`;
        io.err(
          pick(lang, {
            id: [
              `Pantau berjalan (basis data: ${ctx.db.kind === "embedded" ? `bawaan di ${ctx.db.description}` : ctx.db.description}).`,
              `  Kesehatan:     ${base}/healthz  ${base}/readyz`,
              `  API:           ${base}/api/v1/openapi.json (lihat docs/api.md)`,
              `  Metrik:        http://127.0.0.1:${metricsServer.port}/metrics`,
              `  Di terminal lain:`,
              `    npx pantau status                 # jam SLA yang terbuka`,
              `    npx pantau explain ${DEMO_FIRST_ID + 1}          # perhitungan satu laporan, langkah demi langkah`,
              `    npx pantau calendar holidays --year 2026`,
              ctx.config.mail.smtpUrl
                ? `    npx pantau outbox list --all          # email eskalasi (${sender.transport.description})`
                : `    ls ${ctx.config.mail.outboxDir}   # email eskalasi sebagai berkas .eml`,
              `  Hentikan dengan Ctrl+C.`,
            ].join("\n"),
            en: [
              `Pantau is running (database: ${ctx.db.kind === "embedded" ? `embedded in ${ctx.db.description}` : ctx.db.description}).`,
              `  Health:        ${base}/healthz  ${base}/readyz`,
              `  API:           ${base}/api/v1/openapi.json (see docs/api.md)`,
              `  Metrics:       http://127.0.0.1:${metricsServer.port}/metrics`,
              `  In another terminal:`,
              `    npx pantau status                 # open SLA clocks`,
              `    npx pantau explain ${DEMO_FIRST_ID + 1}          # one report's computation, step by step`,
              `    npx pantau calendar holidays --year 2026`,
              ctx.config.mail.smtpUrl
                ? `    npx pantau outbox list --all          # escalation emails (${sender.transport.description})`
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
