// Backups the daemon takes into `backup.dir` (on `backup.schedule`, and when `pantau backup` asks
// a daemon that owns the embedded database): timestamped names, the newest `keep` kept, and the
// instant of the newest complete one (it has its .sha256) for the metric and `doctor`.
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AppContext } from "../context/appContext.js";
import { backupDatabase, checksumPath, type BackupResult } from "./snapshot.js";

const NAME = /^pantau-(\d{8}T\d{6}Z)\.(tar\.gz|dump)$/;

/** `pantau-20261129T183000Z.tar.gz` (embedded) or `.dump` (PostgreSQL). */
export function backupFileName(at: number, kind: "embedded" | "postgres"): string {
  const stamp = new Date(at)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return `pantau-${stamp}.${kind === "embedded" ? "tar.gz" : "dump"}`;
}

/** Complete backups in `dir` (with their checksum), newest first. */
export function listBackups(dir: string): { file: string; at: number }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => NAME.test(name) && existsSync(checksumPath(join(dir, name))))
    .map((name) => ({ file: join(dir, name), at: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at || b.file.localeCompare(a.file));
}

/** Takes one backup into `ctx.config.backup.dir`, then deletes all but the newest `keep`. */
export async function takeRotatedBackup(ctx: AppContext, now: number): Promise<BackupResult> {
  const { dir, keep } = ctx.config.backup;
  const file = join(dir, backupFileName(now, ctx.db.kind));
  const result = await backupDatabase(ctx.db, ctx.config.databaseUrl, file, { force: true });
  for (const old of listBackups(dir).slice(Math.max(1, keep))) {
    rmSync(old.file, { force: true });
    rmSync(checksumPath(old.file), { force: true });
  }
  return result;
}
