// Ownership of the embedded database folder: PGlite must be opened by one process at a time, so
// the owner writes "<dataDir>.lock" (atomic exclusive create) with its pid, command and HTTP port.
// A second process reads it and can either talk to the owner over HTTP or stop with a clear message.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
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

/** Reads the lock file, or null when there is none or it cannot be parsed. */
export function readLockOwner(dataDir: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as Partial<LockOwner>;
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
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, JSON.stringify(owner));
      closeSync(fd);
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
          const fd2 = openSync(path, "w");
          writeSync(fd2, JSON.stringify(owner));
          closeSync(fd2);
        },
        release,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const existing = liveOwner(dataDir);
      if (existing) throw new DataDirBusyError(dataDir, existing);
      // Stale (dead owner or unreadable): remove and try again.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Tidak bisa mengunci ${path} / cannot lock ${path}`);
}
