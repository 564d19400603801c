// Backups: a consistent snapshot of Pantau's database in one file, with a SHA-256 checksum beside
// it (`FILE.sha256`, the format `sha256sum -c` reads), and its restore into an empty target.
// - Embedded (PGlite): PGlite's own dump of the data folder (a gzipped tar), taken while holding
//   the database's only connection, so it falls between transactions; a restore opens PGlite
//   on an empty folder from it. Copying ./var/db while the daemon writes is NOT a backup.
// - PostgreSQL: pg_dump's custom format (an MVCC snapshot), restored with pg_restore.
// Files are written under a temporary name and renamed, owner-only (0600): a backup holds token
// hashes and tracking IDs. Nothing is overwritten or restored over data without `force`.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Knex } from "knex";
import { PGlite } from "@electric-sql/pglite";
import type { Bilingual } from "../i18n/lang.js";
import type { Database } from "../db/connect.js";

export type BackupKind = "embedded" | "postgres";

export class BackupError extends Error {
  readonly code = "BACKUP";
  constructor(readonly msg: Bilingual) {
    super(`${msg.id} / ${msg.en}`);
  }
}

export interface BackupResult {
  file: string;
  kind: BackupKind;
  bytes: number;
  sha256: string;
}

/** `FILE.sha256`: the checksum file beside a backup. */
export function checksumPath(file: string): string {
  return `${file}.sha256`;
}

const GZIP = Buffer.from([0x1f, 0x8b]);
const PGDMP = Buffer.from("PGDMP");

/** What a backup file holds, from its first bytes; null when it is neither. */
export function backupKindOf(head: Buffer): BackupKind | null {
  if (head.subarray(0, 2).equals(GZIP)) return "embedded";
  if (head.subarray(0, 5).equals(PGDMP)) return "postgres";
  return null;
}

function sha256Of(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** Refuses to overwrite `file` unless `force`. */
export function refuseExisting(file: string, force: boolean): void {
  if (existsSync(file) && !force) {
    throw new BackupError({
      id: `${file} sudah ada: pilih nama lain, atau tambahkan --force untuk menimpanya`,
      en: `${file} already exists: choose another name, or add --force to overwrite it`,
    });
  }
}

/** Writes `data` (or lets `produce` write the temp file) to `file` atomically, 0600, + checksum. */
async function writeAtomically(
  file: string,
  kind: BackupKind,
  produce: (tmp: string) => Promise<void>,
): Promise<BackupResult> {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.partial-${process.pid}`;
  try {
    closeSync(openSync(tmp, "w", 0o600));
    await produce(tmp);
    chmodSync(tmp, 0o600);
    const sha256 = sha256Of(tmp);
    const bytes = statSync(tmp).size;
    renameSync(tmp, file);
    writeFileSync(checksumPath(file), `${sha256}  ${basename(file)}\n`, { mode: 0o600 });
    chmodSync(checksumPath(file), 0o600);
    return { file, kind, bytes, sha256 };
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

interface PgliteClient {
  acquireConnection(): Promise<PGlite>;
  releaseConnection(connection: PGlite): Promise<void>;
}

/** The embedded database's dump (gzipped tar of the data folder), between transactions. */
export async function dumpEmbedded(knex: Knex): Promise<Buffer> {
  const client = knex.client as unknown as PgliteClient;
  const pglite = await client.acquireConnection();
  try {
    await pglite.query("CHECKPOINT");
    const blob = await pglite.dumpDataDir("gzip");
    return Buffer.from(await blob.arrayBuffer());
  } finally {
    await client.releaseConnection(pglite);
  }
}

/** The `-n schema` of a URL whose options set a search_path (tests, multi-tenant servers). */
function schemaOf(url: string): string | null {
  try {
    const options = new URL(url).searchParams.get("options") ?? "";
    const m = /search_path=([A-Za-z_][A-Za-z0-9_]*)/.exec(options);
    return m?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * The URL for libpq tools, with its `options` parameter moved to PGOPTIONS: libpq reads "+" in a
 * query string literally, where a URL encoder writes it for a space.
 */
function libpqTarget(url: string): { url: string; env: NodeJS.ProcessEnv } {
  try {
    const parsed = new URL(url);
    const options = parsed.searchParams.get("options");
    if (options === null) return { url, env: process.env };
    parsed.searchParams.delete("options");
    return { url: parsed.toString(), env: { ...process.env, PGOPTIONS: options } };
  } catch {
    return { url, env: process.env };
  }
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], env });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    child.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ code: error.code === "ENOENT" ? 127 : 1, stderr: error.message }),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
  });
}

const PG_TOOLS_MISSING: Bilingual = {
  id: "pg_dump/pg_restore tidak ditemukan: pasang klien PostgreSQL (apt-get install -y postgresql-client) dengan versi sama atau lebih baru dari servernya",
  en: "pg_dump/pg_restore not found: install the PostgreSQL client (apt-get install -y postgresql-client), the server's version or newer",
};

/** Writes a consistent backup of `db` to `file`. */
export async function backupDatabase(
  db: Database,
  databaseUrl: string | null,
  file: string,
  options: { force?: boolean } = {},
): Promise<BackupResult> {
  refuseExisting(file, options.force ?? false);
  if (db.kind === "embedded") {
    return writeAtomically(file, "embedded", async (tmp) => {
      const data = await dumpEmbedded(db.knex);
      const fd = openSync(tmp, "w", 0o600);
      try {
        writeSync(fd, data);
      } finally {
        closeSync(fd);
      }
    });
  }
  if (!databaseUrl) throw new Error("backupDatabase: a PostgreSQL database needs its URL");
  const schema = schemaOf(databaseUrl);
  const target = libpqTarget(databaseUrl);
  return writeAtomically(file, "postgres", async (tmp) => {
    const r = await run(
      "pg_dump",
      [
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        ...(schema ? ["--schema", schema] : []),
        "--file",
        tmp,
        "--dbname",
        target.url,
      ],
      target.env,
    );
    if (r.code === 127) throw new BackupError(PG_TOOLS_MISSING);
    if (r.code !== 0) {
      throw new BackupError({
        id: `pg_dump gagal: ${r.stderr.trim()}`,
        en: `pg_dump failed: ${r.stderr.trim()}`,
      });
    }
  });
}

/** Checks `file` against `FILE.sha256`; returns its kind. */
export function verifyBackup(file: string): BackupKind {
  if (!existsSync(file)) {
    throw new BackupError({ id: `berkas ${file} tidak ada`, en: `file ${file} does not exist` });
  }
  const sumFile = checksumPath(file);
  if (!existsSync(sumFile)) {
    throw new BackupError({
      id: `${sumFile} tidak ada: cadangan tanpa checksum tidak dipulihkan (salin juga berkas .sha256-nya)`,
      en: `${sumFile} is missing: a backup without its checksum is not restored (copy its .sha256 file too)`,
    });
  }
  const expected = readFileSync(sumFile, "utf8").trim().split(/\s+/)[0] ?? "";
  const actual = sha256Of(file);
  if (expected.toLowerCase() !== actual) {
    throw new BackupError({
      id: `checksum ${file} tidak cocok (${actual} ≠ ${expected}): berkas rusak atau terpotong; gunakan cadangan lain`,
      en: `checksum of ${file} does not match (${actual} ≠ ${expected}): the file is damaged or truncated; use another backup`,
    });
  }
  const fd = openSync(file, "r");
  const head = Buffer.alloc(8);
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const kind = backupKindOf(head);
  if (!kind) {
    throw new BackupError({
      id: `${file} bukan cadangan Pantau (bukan dump PGlite maupun pg_dump)`,
      en: `${file} is not a Pantau backup (neither a PGlite dump nor a pg_dump file)`,
    });
  }
  return kind;
}

/** Removes group/other permissions below `path` (PGlite writes files as 0666 minus the umask). */
function ownerOnly(path: string): void {
  const st = statSync(path);
  chmodSync(path, st.isDirectory() ? 0o700 : 0o600);
  if (st.isDirectory()) for (const entry of readdirSync(path)) ownerOnly(join(path, entry));
}

function isEmptyDir(path: string): boolean {
  return !existsSync(path) || (statSync(path).isDirectory() && readdirSync(path).length === 0);
}

/**
 * Restores an embedded backup into `dataDir`: refuses a folder holding anything unless `force`,
 * which first moves the old folder aside to `<dataDir>.before-restore-<stamp>` (never deleted).
 * The caller holds the folder's lock.
 */
export async function restoreEmbedded(
  file: string,
  dataDir: string,
  options: { force?: boolean; now: number },
): Promise<{ movedAside: string | null }> {
  let movedAside: string | null = null;
  if (!isEmptyDir(dataDir)) {
    if (!options.force) {
      throw new BackupError({
        id: `folder data ${dataDir} tidak kosong: pulihkan ke folder kosong (PANTAU_DATA_DIR), atau tambahkan --force (isi lama dipindahkan ke samping, tidak dihapus)`,
        en: `the data folder ${dataDir} is not empty: restore into an empty folder (PANTAU_DATA_DIR), or add --force (the old content is moved aside, not deleted)`,
      });
    }
    const stamp = new Date(options.now).toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
    movedAside = `${dataDir.replace(/[/\\]+$/, "")}.before-restore-${stamp}`;
    renameSync(dataDir, movedAside);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    const data = readFileSync(file);
    const pglite = new PGlite(dataDir, { loadDataDir: new Blob([data]) });
    await pglite.waitReady;
    await pglite.query("select 1");
    await pglite.close();
    ownerOnly(dataDir);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    if (movedAside) renameSync(movedAside, dataDir);
    throw error;
  }
  return { movedAside };
}

/** Whether the PostgreSQL target already holds Pantau's tables. */
export async function postgresHasData(knex: Knex): Promise<boolean> {
  return knex.schema.hasTable("reports");
}

/** Restores a pg_dump backup into the database at `databaseUrl` (`--clean` with `force`). */
export async function restorePostgres(
  file: string,
  databaseUrl: string,
  options: { force?: boolean },
): Promise<void> {
  const target = libpqTarget(databaseUrl);
  const r = await run(
    "pg_restore",
    [
      "--no-owner",
      "--no-privileges",
      "--exit-on-error",
      "--single-transaction",
      ...(options.force ? ["--clean", "--if-exists"] : []),
      "--dbname",
      target.url,
      file,
    ],
    target.env,
  );
  if (r.code === 127) throw new BackupError(PG_TOOLS_MISSING);
  if (r.code !== 0) {
    throw new BackupError({
      id: `pg_restore gagal (tidak ada yang berubah: satu transaksi): ${r.stderr.trim()}`,
      en: `pg_restore failed (nothing changed: one transaction): ${r.stderr.trim()}`,
    });
  }
}
