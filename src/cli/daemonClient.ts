// When the embedded database is owned by a running daemon, read-only commands (status, explain)
// are served through the daemon's local HTTP endpoints instead of opening the folder twice.
import { DataDirBusyError, type LockOwner } from "../db/dataDirLock.js";

export async function fetchFromDaemon<T>(owner: LockOwner, path: string): Promise<T> {
  const host =
    owner.httpHost && owner.httpHost !== "0.0.0.0" && owner.httpHost !== "::"
      ? owner.httpHost
      : "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${owner.httpPort}${path}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

/**
 * Runs `local`; if the embedded folder is held by a daemon that serves others, runs `remote`
 * against it instead (telling the user on stderr). Any other owner: the busy error stands.
 */
export async function localOrDaemon<T>(
  local: () => Promise<T>,
  remote: (owner: LockOwner) => Promise<T>,
  notice: (text: string) => void,
): Promise<T> {
  try {
    return await local();
  } catch (error) {
    if (!(error instanceof DataDirBusyError) || error.owner.httpPort === null) throw error;
    notice(
      `(dilayani oleh daemon yang berjalan, pid ${error.owner.pid} / served by the running daemon, pid ${error.owner.pid})`,
    );
    return remote(error.owner);
  }
}
