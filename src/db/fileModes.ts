// Owner-only files: everything Pantau writes to disk (the embedded database with its WAL and
// pg_authid, the .eml outbox, rejection files, reports) may be read and written by the account
// that runs Pantau and nobody else. The CLI sets the process umask to OWNER_ONLY_UMASK before
// anything is written (PGlite creates its files with the process umask); restrictToOwner repairs
// a folder written before that (an existing install), stripping group and other permissions.
import { chmodSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The umask of every Pantau process: new files 0600, new folders 0700. */
export const OWNER_ONLY_UMASK = 0o077;
export const OWNER_ONLY_FILE = 0o600;
export const OWNER_ONLY_DIR = 0o700;

/**
 * Removes group and other permissions from `root` and everything below it (symbolic links are
 * left alone, never followed). Returns how many entries were changed; a missing root is 0.
 */
export function restrictToOwner(root: string): number {
  let changed = 0;
  const visit = (path: string): void => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      return; // vanished meanwhile, or never there
    }
    if (stat.isSymbolicLink()) return;
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      chmodSync(path, mode & 0o700);
      changed++;
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return changed;
}
