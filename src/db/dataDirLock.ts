// Ownership of the embedded database folder: PGlite must be opened by one process at a time, so
// the owner writes "<dataDir>.lock" (atomic exclusive create) with its pid, command and HTTP port.
// A second process reads it and can either talk to the owner over HTTP or stop with a clear message.
//
// A lock left by a dead process is taken over under "<dataDir>.lock.takeover", itself created
// exclusively: only the holder of the takeover file may delete a lock, and only when its bytes
// are still those it judged stale, so two processes finding the same stale lock at once can never
// delete each other's fresh lock (at most one owns the folder). After creating its lock a process
// reads it back and owns the folder only if the lock names it.
import {
  closeSync,
  mkdirSync,
  openSync,
  linkSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";

export interface LockOwner {
  pid: number;
  hostname: string;
  command: string;
  startedAt: string;
  /** Port of the owner's HTTP server, when it serves other processes (the daemon). */
  httpPort: number | null;
  httpHost: string | null;
}

export class DataDirBusyError extends Error {
  readonly code = "DATA_DIR_BUSY";
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `Folder data ${dataDir} sedang dipakai oleh proses ${owner.pid} (\`${owner.command}\`, sejak ${owner.startedAt}). ` +
        `Basis data bawaan hanya bisa dibuka oleh satu proses: hentikan proses itu (Ctrl+C atau \`kill ${owner.pid}\`), ` +
        `atau gunakan PostgreSQL dengan DATABASE_URL agar beberapa proses bisa berjalan bersama.\n` +
        `The data folder ${dataDir} is in use by process ${owner.pid} (\`${owner.command}\`, since ${owner.startedAt}). ` +
        `The embedded database can be opened by one process only: stop that process (Ctrl+C or \`kill ${owner.pid}\`), ` +
        `or use PostgreSQL through DATABASE_URL so that several processes can share it.`,
    );
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Records the HTTP address at which this process serves others (daemon). */
  advertise(host: string, port: number): void;
  release(): void;
}

export function lockPath(dataDir: string): string {
  return `${dataDir.replace(/[/\\]+$/, "")}.lock`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readRaw(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function parseOwner(raw: string | null): LockOwner | null {
  if (raw === null) return null;
  try {
    const parsed = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof parsed.pid !== "number") return null;
    return {
      pid: parsed.pid,
      hostname: String(parsed.hostname ?? ""),
      command: String(parsed.command ?? "?"),
      startedAt: String(parsed.startedAt ?? "?"),
      httpPort: typeof parsed.httpPort === "number" ? parsed.httpPort : null,
      httpHost: typeof parsed.httpHost === "string" ? parsed.httpHost : null,
    };
  } catch {
    return null;
  }
}

/** Reads the lock file, or null when there is none or it cannot be parsed. */
export function readLockOwner(dataDir: string): LockOwner | null {
  return parseOwner(readRaw(lockPath(dataDir)));
}

/** The live owner of a lock's contents other than this process, or null when it is stale. */
function liveOwnerOf(raw: string | null): LockOwner | null {
  const owner = parseOwner(raw);
  if (!owner || owner.pid === process.pid) return null;
  if (owner.hostname === hostname() && !processAlive(owner.pid)) return null;
  return owner;
}

/** Sleeps synchronously (the lock is taken before anything asynchronous starts). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A takeover file is abandoned when its holder died, or it stayed unreadable for 10 s. */
function takeoverAbandoned(path: string): boolean {
  const raw = readRaw(path);
  if (raw === null) return false;
  const pid = Number(raw);
  if (Number.isInteger(pid) && pid > 0) return !processAlive(pid);
  try {
    return Date.now() - statSync(path).mtimeMs > 10_000;
  } catch {
    return false;
  }
}

/**
 * Deletes the lock at `path` if its contents are still `stale`, holding the takeover file while
 * it looks. False when another process is taking over right now (the caller looks again).
 */
function removeStale(path: string, stale: string | null): boolean {
  const takeover = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(takeover, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if (takeoverAbandoned(takeover)) rmSync(takeover, { force: true });
    return false;
  }
  try {
    writeSync(fd, String(process.pid));
    closeSync(fd);
    // A lock that vanished meanwhile is not removed "again": a new owner may have created it
    // since (creating needs no takeover file; deleting does).
    if (stale !== null && readRaw(path) === stale) rmSync(path, { force: true });
    return true;
  } finally {
    rmSync(takeover, { force: true });
  }
}

/**
 * Creates `path` with `text` only if it does not exist (EEXIST otherwise), complete at once: the
 * text is written to a private file that is then hard-linked into place, so no other process
 * ever reads a half-written lock (which would look stale).
 */
function createComplete(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  try {
    linkSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The live owner of the folder other than this process, or null when it is free or stale. */
export function liveOwner(dataDir: string): LockOwner | null {
  const owner = readLockOwner(dataDir);
  if (!owner || owner.pid === process.pid) return null;
  if (owner.hostname === hostname() && !processAlive(owner.pid)) return null;
  return owner;
}

/**
 * Takes the folder for this process. A lock left by a dead process on this host is taken over;
 * a live owner raises DataDirBusyError naming it.
 */
export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  const path = lockPath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    command,
    startedAt: new Date().toISOString(),
    httpPort: null,
    httpHost: null,
  };
  const mine = JSON.stringify(owner);
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      createComplete(path, mine);
      // Re-verify: the lock we created still names us.
      const current = readRaw(path);
      if (current !== mine) {
        const other = liveOwnerOf(current);
        if (other) throw new DataDirBusyError(dataDir, other);
        continue;
      }
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.off("exit", release);
        const current = readLockOwner(dataDir);
        if (current?.pid === process.pid) rmSync(path, { force: true });
      };
      process.once("exit", release);
      return {
        path,
        advertise(host, port) {
          owner.httpHost = host;
          owner.httpPort = port;
          // Replaced whole (rename), never seen truncated: an empty lock would look stale.
          const tmp = `${path}.${process.pid}.tmp`;
          writeFileSync(tmp, JSON.stringify(owner), { mode: 0o600 });
          renameSync(tmp, path);
        },
        release,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const raw = readRaw(path);
      const existing = liveOwnerOf(raw);
      if (existing) throw new DataDirBusyError(dataDir, existing);
      // Stale (dead owner or unreadable): remove it under the takeover file, then try again.
      if (raw !== null && !removeStale(path, raw)) pause(5);
    }
  }
  throw new Error(`Tidak bisa mengunci ${path} / cannot lock ${path}`);
}
