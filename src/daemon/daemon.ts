// The daemon: runs the scan on a node-cron schedule (never overlapping itself), serves health,
// readiness and local read endpoints over HTTP, and shuts down cleanly: the first SIGTERM/SIGINT
// finishes the work in hand and closes connections, a second one (or the time limit) forces.
// A start that fails part-way closes what it opened before throwing (no half-started daemon).
import cron from "node-cron";
import type { AppContext } from "../context/appContext.js";
import { UnknownAgencyError } from "../context/appContext.js";
import { explainView, ReportNotFoundError, statusView } from "../app/statusService.js";
import { CALENDAR_RANGE, inCalendarRange } from "../core/calendar/index.js";
import { parseLang } from "../i18n/lang.js";
import { listImports } from "../store/importHistory.js";
import { lastSuccessfulScan } from "../scan/scanStore.js";
import { installRejectionGuard } from "./guard.js";
import { HttpError, HttpRouter, listen, type RunningServer } from "../http/server.js";
import { asListenError } from "../http/listenError.js";

export interface DaemonJob {
  /** Periodic work at `now` (scan, escalate, send); errors are logged, never crash the daemon. */
  tick(now: number): Promise<void>;
}

export interface DaemonOptions {
  clock: () => number;
  job: DaemonJob;
  /** Run one tick right after start (default true). */
  tickOnStart?: boolean;
  /** Forced exit after this many ms of draining (default 30 s). */
  shutdownTimeoutMs?: number;
  /** Extra routes (API, metrics) registered by the composition root. */
  routes?: (router: HttpRouter) => void;
  onReady?: (info: { httpPort: number }) => void;
  /** Called when shutdown begins, after the schedule stops (e.g. stop the outbox sender). */
  onStop?: () => Promise<void>;
}

export interface RunningDaemon {
  httpPort: number;
  /** Resolves when the daemon has stopped. */
  stopped: Promise<void>;
  stop(reason: string): Promise<void>;
  /** Runs one tick now (tests, `scan --once` parity); waits for a running one first. */
  tickNow(): Promise<void>;
}

/** `?now=` of the local endpoints: epoch milliseconds inside the calendar range, else 400. */
function localNow(url: URL, clock: () => number): number {
  const raw = url.searchParams.get("now");
  if (raw === null) return clock();
  const now = /^-?[0-9]{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!inCalendarRange(now)) {
    const years = `${CALENDAR_RANGE.firstYear}–${CALENDAR_RANGE.lastYear}`;
    throw new HttpError(
      400,
      `now: harus milidetik epoch dalam tahun ${years} (pantau mengirimnya dari --now) / now: must be epoch milliseconds within the years ${years} (pantau sends it from --now)`,
    );
  }
  return now;
}

export async function startDaemon(ctx: AppContext, options: DaemonOptions): Promise<RunningDaemon> {
  const { logger, config } = ctx;
  const startedAt = options.clock();
  let running: Promise<void> | null = null;
  let stopping = false;
  let lastTickError: string | null = null;

  const tick = async (): Promise<void> => {
    if (running) return running; // never overlap
    const now = options.clock();
    running = (async () => {
      const started = Date.now();
      try {
        await options.job.tick(now);
        lastTickError = null;
        logger.debug("tick finished", { ms: Date.now() - started });
      } catch (error) {
        lastTickError = error instanceof Error ? error.message : String(error);
        logger.error("tick failed; will retry at the next schedule", { error: lastTickError });
      }
    })();
    try {
      await running;
    } finally {
      running = null;
    }
  };

  const router = new HttpRouter();
  router.add("GET", "/healthz", async () => ({ status: 200, body: { status: "ok" } }));
  router.add("GET", "/readyz", async () => {
    const problems: string[] = [];
    try {
      await ctx.db.knex.raw("select 1");
    } catch {
      problems.push("database unreachable");
    }
    const staleAfterMs = 3 * 5 * 60_000;
    const now = options.clock();
    if (problems.length === 0) {
      const last = await lastSuccessfulScan(ctx.db.knex).catch(() => null);
      const since = last?.finishedAt ?? null;
      if (since === null ? now - startedAt > staleAfterMs : now - since > staleAfterMs)
        problems.push("last scan too old");
    }
    if (stopping) problems.push("shutting down");
    return problems.length === 0
      ? { status: 200, body: { status: "ready" } }
      : { status: 503, body: { status: "not ready", problems, lastTickError } };
  });
  router.add(
    "GET",
    "/local/status",
    async (_req, url) => {
      const now = localNow(url, options.clock);
      const opd = url.searchParams.get("opd") ?? undefined;
      if (opd !== undefined && !ctx.calendars.agency(opd))
        throw new HttpError(404, new UnknownAgencyError(opd).message);
      return { status: 200, body: await statusView(ctx, { opd, now }) };
    },
    { loopbackOnly: true },
  );
  router.add(
    "GET",
    "/local/explain/{trackingId}",
    async (_req, url, params) => {
      const now = localNow(url, options.clock);
      const trackingId = params.trackingId ?? "";
      if (!/^[0-9]{1,20}$/.test(trackingId)) {
        throw new HttpError(
          400,
          `trackingId: ID tracking harus 1–20 angka / trackingId: a tracking ID is 1 to 20 digits`,
        );
      }
      try {
        const doc = await explainView(
          ctx,
          trackingId,
          now,
          parseLang(url.searchParams.get("lang") ?? config.lang),
        );
        return { status: 200, body: doc };
      } catch (error) {
        if (error instanceof ReportNotFoundError) throw new HttpError(404, error.message);
        throw error;
      }
    },
    { loopbackOnly: true },
  );
  router.add(
    "GET",
    "/local/imports",
    async (_req, url) => {
      const limit = Number(url.searchParams.get("limit") ?? "20");
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new HttpError(400, "limit: bilangan bulat 1–10000 / limit: a whole number 1–10000");
      return { status: 200, body: await listImports(ctx.db.knex, limit) };
    },
    { loopbackOnly: true },
  );
  options.routes?.(router);
  const http: RunningServer = await listen(router, config.http.host, config.http.port, (error) =>
    logger.error("http handler failed", {
      error: error instanceof Error ? error.message : String(error),
    }),
  ).catch((error: unknown) => {
    throw asListenError(error, "HTTP", config.http.host, config.http.port);
  });
  let task: ReturnType<typeof cron.schedule>;
  try {
    ctx.db.lock?.advertise(config.http.host, http.port);
    task = cron.schedule(config.scan.schedule, () => tick(), {
      timezone: config.scan.zone,
      noOverlap: true,
      name: "pantau-scan",
    });
  } catch (error) {
    // Started is undone: nothing may keep answering for a daemon that did not start.
    await http.close();
    throw error;
  }
  // Nothing a client sends may end the process: a stray rejection is logged, serving goes on.
  const removeGuard = installRejectionGuard(logger);

  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));

  const stop = async (reason: string): Promise<void> => {
    if (stopping) return stopped;
    stopping = true;
    logger.info("shutting down", { reason });
    await task.stop();
    await task.destroy();
    const timeoutMs = options.shutdownTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([running ?? Promise.resolve(), options.onStop?.()]),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          logger.warn("work in hand did not finish in time; stopping anyway", { timeoutMs });
          resolve();
        }, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    await http.close();
    removeGuard();
    logger.info("stopped");
    resolveStopped();
  };

  logger.info("daemon started", {
    httpPort: http.port,
    schedule: config.scan.schedule,
    zone: config.scan.zone,
    database: ctx.db.kind,
  });
  options.onReady?.({ httpPort: http.port });
  if (options.tickOnStart ?? true) void tick();

  return {
    httpPort: http.port,
    stopped,
    stop,
    async tickNow() {
      if (running) await running;
      await tick();
    },
  };
}

/** Wires SIGTERM/SIGINT: the first drains, the second forces exit with status 130/143. */
export function handleSignals(daemon: RunningDaemon, log: (text: string) => void): () => void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      log(
        `${signal}: berhenti setelah pekerjaan yang sedang berjalan selesai (kirim lagi untuk memaksa) / stopping after the work in hand (send again to force)`,
      );
      void daemon.stop(signal);
    } else {
      log(`${signal}: dipaksa berhenti / forced stop`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return () => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  };
}
