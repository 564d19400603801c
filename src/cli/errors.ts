// Errors a person can cause on the command line, and how the CLI reports every error: a message
// that says what was wrong and what to do, never a stack trace (unless PANTAU_DEBUG=1).
import { ConfigError } from "../config/index.js";
import { DurationError } from "../core/calendar/index.js";
import { DataDirBusyError } from "../db/dataDirLock.js";
import { connectCode } from "../db/openErrors.js";
import { ImportError, bilingualLine } from "../ingest/errors.js";

export class UsageError extends Error {
  readonly code = "USAGE";
}

/** Exit codes: 1 failure, 2 usage or configuration error, 3 database busy. */
export function exitCodeFor(error: unknown): number {
  if (
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof DurationError ||
    error instanceof ImportError
  ) {
    return 2;
  }
  if (error instanceof DataDirBusyError) return 3;
  return 1;
}

export function describeError(error: unknown): string {
  if (error instanceof ImportError) {
    return (
      bilingualLine(error.msg) + (error.line !== undefined ? ` (baris/line ${error.line})` : "")
    );
  }
  // Specific codes first: a driver error also has a generic string `code`, and its bare message
  // ("connect ECONNREFUSED 127.0.0.1:5432") is not what to tell a person.
  const pgCode = connectCode(error);
  if (pgCode !== null) {
    return (
      `Tidak bisa terhubung ke PostgreSQL (${pgCode}): periksa DATABASE_URL dan apakah server berjalan. / ` +
      `Cannot connect to PostgreSQL (${pgCode}): check DATABASE_URL and that the server is running.`
    );
  }
  if (
    error instanceof Error &&
    "code" in error &&
    typeof (error as { code: unknown }).code === "string"
  ) {
    return error.message;
  }
  if (error instanceof ConfigError || error instanceof DurationError || error instanceof UsageError)
    return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `Kesalahan tak terduga / unexpected error: ${message}\n(PANTAU_DEBUG=1 menampilkan detail / shows details)`;
}
