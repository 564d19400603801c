// The daemon's composition root: the one place that wires the long-running parts together and
// starts them in order — observability (metrics registry and its HTTP endpoint), the outbox
// sender, backups, the inbox watcher, the scheduler with its HTTP routes (health, API, backup,
// the web pages) —
// and stops them in the reverse order. `pantau start` only calls startPantau.
//
// Invariants: a start that fails part-way (a port in use) undoes what it started, newest first,
// and throws: never a half-started daemon. The services get a context whose `metrics` is the
// registry's (a copy of the command's context; nothing is mutated). The scan's `now` is read
// from `clock` once per tick by the scheduler and passed down.
import { registerApiRoutes } from "../api/routes.js";
import { registerBackupRoute, startDaemonBackups } from "../backup/daemonBackups.js";
import type { AppContext } from "../context/appContext.js";
import { startDaemon, type DaemonOptions, type RunningDaemon } from "./daemon.js";
import { asListenError } from "../http/listenError.js";
import { OutboxSender } from "../outbox/sender.js";
import { runScan } from "../scan/scanJob.js";
import { seedDemo } from "../app/demo.js";
import { InboxWatcher } from "../app/inbox.js";
import { createObservability } from "../app/observability.js";
import { demoSignInLink, registerWebRoutes, webBaseUrl } from "../web/index.js";

export interface StartPantauOptions {
  /** The wall clock; each tick reads it once. */
  clock: () => number;
  /** Load the demo data first (`pantau start --demo`). */
  demo?: boolean;
}

export interface RunningPantau {
  daemon: RunningDaemon;
  /** The port the metrics endpoint listens on. */
  metricsPort: number;
  /** Where escalation emails go ("smtp://…" or the .eml folder). */
  transportDescription: string;
  /** The web pages' base URL (Papan Kepatuhan). */
  webUrl: string;
  /** With `demo`: a one-time sign-in link for the demo coordinator. */
  demoLink: string | null;
}

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

/** Starts the daemon on an opened application context (see the comment at the top). */
export async function startPantau(
  appCtx: AppContext,
  options: StartPantauOptions,
): Promise<RunningPantau> {
  const { clock } = options;
  if (options.demo) {
    const summary = await seedDemo(appCtx, clock());
    appCtx.logger.info("demo data loaded", {
      reports: summary.reportsCreated,
      events: summary.eventsAdded,
      officers: summary.officers,
    });
  }
  const undo = new UndoStack();
  const observability = createObservability(appCtx, clock);
  const ctx: AppContext = { ...appCtx, metrics: observability.metrics };
  undo.push(() => observability.close());
  const metricsServer = await undo.guard(
    observability.serve().catch((error: unknown) => {
      throw asListenError(error, "metrics", ctx.config.metrics.host, ctx.config.metrics.port);
    }),
  );
  const sender = new OutboxSender(ctx, { clock });
  undo.push(() => sender.stop());
  // Timers of these two start only once the daemon is up (nothing to undo before).
  const backups = startDaemonBackups(ctx, clock);
  const inbox = new InboxWatcher(ctx, { clock });
  // The web pages build links from the port actually bound (0 in tests picks a free one).
  let httpPort = ctx.config.http.port;
  const daemonOptions: DaemonOptions = {
    clock,
    job: {
      async tick(now) {
        try {
          await runScan(ctx, now, clock);
        } finally {
          // Deliver what this scan (or an earlier one) decided, even after a failed scan.
          await sender.runOnce();
        }
      },
    },
    routes: (router) => {
      registerApiRoutes(router, ctx, clock);
      registerBackupRoute(router, backups);
      registerWebRoutes(
        router,
        { ctx, metrics: observability.source, metricsText: observability.render },
        {
          clock,
          baseUrl: () => webBaseUrl(ctx.config, httpPort),
          onSignInQueued: () => void sender.runOnce(),
        },
      );
    },
    onStop: async () => {
      await inbox.stop();
      await sender.stop();
      await backups.stop();
      await observability.close();
    },
  };
  const daemon = await undo.guard(startDaemon(ctx, daemonOptions));
  httpPort = daemon.httpPort;
  const webUrl = webBaseUrl(ctx.config, httpPort);
  const demoLink = options.demo ? await demoSignInLink(ctx, clock(), webUrl) : null;
  sender.start(ctx.config.mail.sendIntervalMs);
  backups.start();
  inbox.start(ctx.config.import.inboxIntervalMs);
  return {
    daemon,
    metricsPort: metricsServer.port,
    transportDescription: sender.transport.description,
    webUrl,
    demoLink,
  };
}
