// `pantau backup FILE` and `pantau restore FILE`: a consistent snapshot with its checksum, taken
// while the daemon runs (through the daemon when it owns the embedded database), and its restore
// into an empty data folder or database — never over data without --force. Neither migrates:
// a backup taken before an upgrade holds the old schema, and `pantau migrate` upgrades it.
import { copyFileSync, chmodSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import {
  BackupError,
  backupDatabase,
  checksumPath,
  postgresHasData,
  refuseExisting,
  restoreEmbedded,
  restorePostgres,
  verifyBackup,
  type BackupResult,
} from "../../backup/snapshot.js";
import { openDatabase } from "../../db/connect.js";
import { acquireDataDirLock, DataDirBusyError, type LockOwner } from "../../db/dataDirLock.js";
import { pick } from "../../i18n/lang.js";
import type { CliRuntime } from "../runtime.js";
import { languageOf } from "../runtime.js";

async function backupThroughDaemon(owner: LockOwner): Promise<BackupResult> {
  const host =
    owner.httpHost && owner.httpHost !== "0.0.0.0" && owner.httpHost !== "::"
      ? owner.httpHost
      : "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${owner.httpPort}/local/backup`;
  const response = await fetch(url, { method: "POST", signal: AbortSignal.timeout(600_000) });
  const body = (await response.json()) as BackupResult & { error?: string };
  if (!response.ok) {
    throw new BackupError({
      id: `daemon (pid ${owner.pid}) gagal membuat cadangan: ${body.error ?? response.status}`,
      en: `the daemon (pid ${owner.pid}) failed to take the backup: ${body.error ?? response.status}`,
    });
  }
  return body;
}

export function registerBackupCommands(program: Command, runtime: CliRuntime): void {
  const { io } = runtime;

  program
    .command("backup")
    .description(
      "menulis cadangan basis data yang konsisten (+ berkas .sha256) / write a consistent database backup (+ .sha256 file)",
    )
    .argument("<file>", "berkas cadangan / backup file")
    .option("--force", "timpa berkas yang sudah ada / overwrite an existing file")
    .action(async (fileArg: string, opts: { force?: boolean }) => {
      const lang = languageOf(runtime);
      const config = runtime.config();
      const file = resolve(fileArg);
      let result: BackupResult;
      try {
        const db = await openDatabase({
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          command: "pantau backup",
          poolMax: 2,
        });
        try {
          result = await backupDatabase(db, config.databaseUrl, file, {
            force: opts.force ?? false,
          });
        } finally {
          await db.close();
        }
      } catch (error) {
        if (!(error instanceof DataDirBusyError) || error.owner.httpPort === null) throw error;
        refuseExisting(file, opts.force ?? false);
        io.err(
          pick(lang, {
            id: `(cadangan dibuat oleh daemon yang berjalan, pid ${error.owner.pid})`,
            en: `(backup taken by the running daemon, pid ${error.owner.pid})`,
          }),
        );
        const taken = await backupThroughDaemon(error.owner);
        if (resolve(taken.file) !== file) {
          copyFileSync(taken.file, file);
          chmodSync(file, 0o600);
          copyFileSync(checksumPath(taken.file), checksumPath(file));
          chmodSync(checksumPath(file), 0o600);
        }
        result = { ...taken, file };
      }
      const mb = (result.bytes / 1024 / 1024).toFixed(1).replace(".", lang === "id" ? "," : ".");
      io.out(
        pick(lang, {
          id: `Cadangan ditulis: ${result.file} (${mb} MB, ${result.kind === "embedded" ? "basis data bawaan" : "PostgreSQL"})\nChecksum: ${checksumPath(result.file)} (sha256 ${result.sha256.slice(0, 16)}…)`,
          en: `Backup written: ${result.file} (${mb} MB, ${result.kind === "embedded" ? "embedded database" : "PostgreSQL"})\nChecksum: ${checksumPath(result.file)} (sha256 ${result.sha256.slice(0, 16)}…)`,
        }),
      );
    });

  program
    .command("restore")
    .description(
      "memulihkan cadangan ke folder data atau basis data kosong / restore a backup into an empty data folder or database",
    )
    .argument(
      "<file>",
      "berkas cadangan (dengan .sha256 di sampingnya) / backup file (with its .sha256)",
    )
    .option(
      "--force",
      "pulihkan walau target berisi data (bawaan: isi lama dipindah ke samping; PostgreSQL: diganti) / restore over existing data (embedded: old content moved aside; PostgreSQL: replaced)",
    )
    .action(async (fileArg: string, opts: { force?: boolean }) => {
      const lang = languageOf(runtime);
      const config = runtime.config();
      const file = resolve(fileArg);
      const kind = verifyBackup(file);
      if (config.databaseUrl) {
        if (kind !== "postgres") {
          throw new BackupError({
            id: "cadangan ini dari basis data bawaan, tetapi DATABASE_URL menunjuk PostgreSQL: pulihkan tanpa DATABASE_URL (ke folder data)",
            en: "this backup is of the embedded database, but DATABASE_URL points at PostgreSQL: restore it without DATABASE_URL (into a data folder)",
          });
        }
        const db = await openDatabase({
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          command: "pantau restore",
          poolMax: 1,
        });
        try {
          if ((await postgresHasData(db.knex)) && !opts.force) {
            throw new BackupError({
              id: "basis data tujuan sudah berisi tabel Pantau: pulihkan ke basis data kosong, atau tambahkan --force untuk menggantinya",
              en: "the target database already holds Pantau's tables: restore into an empty database, or add --force to replace them",
            });
          }
        } finally {
          await db.close();
        }
        await restorePostgres(file, config.databaseUrl, { force: opts.force ?? false });
        io.out(
          pick(lang, {
            id: `Dipulihkan ke ${db.description}. Jalankan \`pantau migrate\` bila cadangan dari versi lama, lalu \`pantau start\`.`,
            en: `Restored into ${db.description}. Run \`pantau migrate\` if the backup is from an older release, then \`pantau start\`.`,
          }),
        );
        return;
      }
      if (kind !== "embedded") {
        throw new BackupError({
          id: "cadangan ini dari PostgreSQL (pg_dump): setel DATABASE_URL ke basis data kosong untuk memulihkannya",
          en: "this backup is of PostgreSQL (pg_dump): set DATABASE_URL to an empty database to restore it",
        });
      }
      const lock = acquireDataDirLock(config.dataDir, "pantau restore");
      let movedAside: string | null;
      try {
        ({ movedAside } = await restoreEmbedded(file, config.dataDir, {
          force: opts.force ?? false,
          now: io.clock(),
        }));
      } finally {
        lock.release();
      }
      io.out(
        pick(lang, {
          id: `Dipulihkan ke ${config.dataDir}.${movedAside ? ` Isi lama dipindahkan ke ${movedAside}.` : ""} Jalankan \`pantau migrate\` bila cadangan dari versi lama, lalu \`pantau start\`.`,
          en: `Restored into ${config.dataDir}.${movedAside ? ` The old content was moved to ${movedAside}.` : ""} Run \`pantau migrate\` if the backup is from an older release, then \`pantau start\`.`,
        }),
      );
    });
}
