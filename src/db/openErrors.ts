// Why the database could not be opened or written, said for the operator: PostgreSQL that cannot
// be reached (with the redacted URL and what to check) and a data folder without free space (with
// how much is free and how much is needed). Raised by connect.ts and the CLI runtime.
import { statfsSync } from "node:fs";
import { dirname, resolve } from "node:path";

export class DatabaseConnectError extends Error {
  readonly code = "DB_CONNECT";
  constructor(
    readonly url: string,
    readonly reason: string,
    override readonly cause: unknown,
  ) {
    const hint =
      reason === "3D000"
        ? [
            "basis datanya belum ada: buat dulu (createdb)",
            "the database does not exist: create it first (createdb)",
          ]
        : reason === "28P01" || reason === "28000"
          ? [
              "periksa nama pengguna dan sandinya di DATABASE_URL",
              "check the user name and password in DATABASE_URL",
            ]
          : [
              "periksa DATABASE_URL dan apakah server berjalan",
              "check DATABASE_URL and that the server is running",
            ];
    const detail = cause instanceof Error && cause.message ? `${reason}: ${cause.message}` : reason;
    super(
      `Tidak bisa terhubung ke PostgreSQL ${url} (${detail}): ${hint[0]}. / ` +
        `Cannot connect to PostgreSQL ${url} (${detail}): ${hint[1]}.`,
    );
  }
}

/** The error codes of a PostgreSQL that cannot be reached or refuses the login. */
export const CONNECT_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNRESET",
  "28P01",
  "28000",
  "3D000",
]);

export function connectCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && CONNECT_CODES.has(code) ? code : null;
}

/** Free space needed to open the embedded database: a WAL segment (16 MiB) and margin. */
export const MIN_FREE_BYTES = 32 * 1024 * 1024;

/** Free bytes for this user on the file system holding `path` (or its nearest existing parent). */
export function freeBytes(path: string): number | null {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      const s = statfsSync(p);
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export class DiskFullError extends Error {
  readonly code = "DISK_FULL";
  constructor(
    readonly dataDir: string,
    readonly free: number | null,
    override readonly cause?: unknown,
  ) {
    const left = free === null ? "" : ` (tersisa ${mib(free)})`;
    const leftEn = free === null ? "" : ` (${mib(free)} free)`;
    super(
      `Ruang disk habis di folder data ${dataDir}${left}: tidak ada ruang tersisa (no space left on device). ` +
        `Basis data bawaan butuh sedikitnya ${mib(MIN_FREE_BYTES)} kosong untuk dibuka, dan lebih untuk impor. ` +
        `Kosongkan ruang atau pindahkan folder data (PANTAU_DATA_DIR), lalu ulangi; data yang sudah tersimpan tetap utuh. / ` +
        `The disk of the data folder ${dataDir} is full${leftEn}: no space left on device. ` +
        `The embedded database needs at least ${mib(MIN_FREE_BYTES)} free to open, and more to import. ` +
        `Free some space or move the data folder (PANTAU_DATA_DIR), then try again; the data already stored is intact.`,
    );
  }
}

/** True when `error` (or what it wraps) says the disk is full: ENOSPC, PostgreSQL 53100. */
export function isDiskFull(error: unknown, depth = 0): boolean {
  if (error === null || error === undefined || depth > 4) return false;
  const e = error as { code?: unknown; errno?: unknown; message?: unknown; cause?: unknown };
  if (e.code === "ENOSPC" || e.code === "53100") return true;
  // PGlite's file system layer (Emscripten) throws ErrnoError objects, 51 being its ENOSPC.
  if ((e as { name?: unknown }).name === "ErrnoError" && e.errno === 51) return true;
  if (typeof e.message === "string" && /no space left on device/i.test(e.message)) return true;
  return isDiskFull(e.cause, depth + 1);
}
