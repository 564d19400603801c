// Opens Pantau's database through knex: PostgreSQL (pg) when a URL is given, otherwise the
// embedded PGlite in the data folder, which this process then owns (see dataDirLock.ts).
// A failed open releases what it opened (pool, lock) and says why in words (openErrors.ts). The
// data folder is owner-only (fileModes.ts): 0700, its files 0600, repaired on every open.
import { mkdirSync } from "node:fs";
import knexPkg, { type Knex } from "knex";
import ClientPgLite from "knex-pglite";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { acquireDataDirLock, type DataDirLock } from "./dataDirLock.js";
import {
  connectCode,
  DatabaseConnectError,
  DiskFullError,
  freeBytes,
  isDiskFull,
  MIN_FREE_BYTES,
} from "./openErrors.js";
import { OWNER_ONLY_DIR, restrictToOwner } from "./fileModes.js";

// timestamptz arrives as Date from both drivers; bigint (count(*)) as string from pg: parse it.
pg.types.setTypeParser(20, (value: string) => Number(value));

export type DatabaseKind = "postgres" | "embedded";

export interface Database {
  readonly knex: Knex;
  readonly kind: DatabaseKind;
  /** For messages: the data folder or the URL without its password. */
  readonly description: string;
  readonly lock: DataDirLock | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** What this process is, recorded in the embedded lock ("pantau start"). */
  command: string;
  /** PostgreSQL schema to use (tests use one per suite). */
  schema?: string;
  /** An already opened PGlite (tests load a migrated template). */
  pglite?: PGlite;
  poolMax?: number;
}

/**
 * knex's own log: "Acquire connection error" repeats, with a stack, an error the caller receives
 * and reports in words; everything else goes to stderr as knex would print it.
 */
const KNEX_LOG = {
  warn(message: string): void {
    if (String(message).startsWith("Acquire connection error")) return;
    console.warn(message);
  },
};

/** Waits for `p` (errors ignored) at most `ms`: closing must never hang a command. */
async function settle(p: Promise<unknown>, ms = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(DATABASE_URL)";
  }
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    const knex = knexPkg.knex({
      client: "pg",
      connection: options.databaseUrl,
      pool: { min: 0, max: options.poolMax ?? 10 },
      log: KNEX_LOG,
      ...(options.schema ? { searchPath: [options.schema] } : {}),
    });
    try {
      await knex.raw("select 1");
    } catch (error) {
      await settle(knex.destroy());
      const code = connectCode(error);
      throw code ? new DatabaseConnectError(redactUrl(options.databaseUrl), code, error) : error;
    }
    return {
      knex,
      kind: "postgres",
      description: redactUrl(options.databaseUrl),
      lock: null,
      close: () => knex.destroy(),
    };
  }
  let lock: DataDirLock | null = null;
  let connection: object;
  const diskFull = (error: unknown): unknown =>
    !options.pglite &&
    (isDiskFull(error) || (freeBytes(options.dataDir) ?? Infinity) < MIN_FREE_BYTES)
      ? new DiskFullError(options.dataDir, freeBytes(options.dataDir), error)
      : error;
  if (options.pglite) {
    const instance = options.pglite;
    connection = () => ({ pglite: instance });
  } else {
    try {
      lock = acquireDataDirLock(options.dataDir, options.command);
      mkdirSync(options.dataDir, { recursive: true, mode: OWNER_ONLY_DIR });
      // Owner-only, also for a folder an older version (or another umask) left readable.
      restrictToOwner(options.dataDir);
    } catch (error) {
      lock?.release();
      // Only a write that failed for space: a busy folder stays busy (served through the daemon).
      throw isDiskFull(error)
        ? new DiskFullError(options.dataDir, freeBytes(options.dataDir), error)
        : error;
    }
    connection = { filename: options.dataDir };
  }
  const knex = knexPkg.knex({
    client: ClientPgLite as unknown as typeof knexPkg.Client,
    dialect: "postgres",
    connection: connection as Knex.StaticConnectionConfig,
    log: KNEX_LOG,
  });
  try {
    await knex.raw("select 1");
  } catch (error) {
    // A failed open releases everything it opened, or the process would never exit.
    await settle(knex.destroy());
    lock?.release();
    throw diskFull(error);
  }
  return {
    knex,
    kind: "embedded",
    description: options.pglite ? "PGlite (memory)" : options.dataDir,
    lock,
    async close() {
      // A PGlite broken by a failed write (full disk) may never finish closing: bounded.
      await settle(knex.destroy());
      // PGlite chmods a few files itself (pg_internal.init, 0644); the folder (0700) keeps
      // others out meanwhile, and at rest every file is owner-only again.
      if (lock) restrictToOwner(options.dataDir);
      lock?.release();
    },
  };
}
