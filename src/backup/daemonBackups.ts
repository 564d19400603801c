// The daemon's backups: the nightly schedule (`backup.schedule`, node-cron in scan.zone) and the
// loopback-only `POST /local/backup` through which `pantau backup` asks the daemon that owns the
// embedded database for a snapshot (no second process can open it). One backup at a time.
import cron from "node-cron";
import type { AppContext } from "../context/appContext.js";
import type { HttpRouter } from "../http/server.js";
import { listBackups, takeRotatedBackup } from "./rotation.js";
import type { BackupResult } from "./snapshot.js";

export interface DaemonBackups {
  /** Starts the schedule (after the daemon started: nothing to undo if its start fails). */
  start(): void;
  /** Takes a backup now (waits for one in progress first). */
  backupNow(): Promise<BackupResult>;
  stop(): Promise<void>;
}

export function startDaemonBackups(ctx: AppContext, clock: () => number): DaemonBackups {
  const { config, logger } = ctx;
  const newest = listBackups(config.backup.dir)[0];
  if (newest) ctx.metrics.backupSucceeded(newest.at);
  let chain: Promise<unknown> = Promise.resolve();

  const backupNow = (): Promise<BackupResult> => {
    const run = chain.then(async () => {
      const started = Date.now();
      try {
        const result = await takeRotatedBackup(ctx, clock());
        ctx.metrics.backupSucceeded(clock());
        logger.info("backup written", {
          file: result.file,
          bytes: result.bytes,
          durationMs: Date.now() - started,
        });
        return result;
      } catch (error) {
        ctx.metrics.backupFailed();
        logger.error("backup failed", {
          error: error instanceof Error ? error.message : String(error),
        });
        throw error;
      }
    });
    chain = run.catch(() => undefined);
    return run;
  };

  let task: ReturnType<typeof cron.schedule> | null = null;

  return {
    start() {
      if (!config.backup.schedule || task) return;
      task = cron.schedule(config.backup.schedule, () => backupNow().catch(() => undefined), {
        timezone: config.scan.zone,
        noOverlap: true,
        name: "pantau-backup",
      });
    },
    backupNow,
    async stop() {
      if (task) {
        await task.stop();
        await task.destroy();
      }
      await chain;
    },
  };
}

/** `POST /local/backup`: the daemon writes a snapshot into backup.dir and says where. */
export function registerBackupRoute(router: HttpRouter, backups: DaemonBackups): void {
  router.add(
    "POST",
    "/local/backup",
    async () => {
      try {
        const result = await backups.backupNow();
        return { status: 200, body: result };
      } catch (error) {
        return {
          status: 503,
          body: { error: error instanceof Error ? error.message : String(error) },
        };
      }
    },
    { loopbackOnly: true },
  );
}
