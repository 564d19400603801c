// Files the CLI writes on request (--rejects, --output): never over the file being read, never
// over an existing file unless --force, and owner-only (0600) like everything Pantau writes.
import { statSync, writeFileSync } from "node:fs";
import { UsageError } from "./errors.js";

/** The (device, inode) of `path`, following links; null when nothing is there. */
function identity(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

/** Refuses `output` when it is the file `input` (same inode: the same path, a link, a symlink). */
export function refuseSameFile(input: string, output: string, option: string): void {
  const a = identity(input);
  if (a === null || a !== identity(output)) return;
  throw new UsageError(
    `${option} ${output} adalah berkas masukan itu sendiri (${input}); menulisnya akan menimpa data Anda. Pilih nama berkas lain. / ` +
      `${option} ${output} is the input file itself (${input}); writing it would overwrite your data. Choose another file name.`,
  );
}

/** Refuses an existing `output` unless `force`. */
export function refuseOverwrite(output: string, force: boolean, option = "--output"): void {
  if (force || identity(output) === null) return;
  throw new UsageError(
    `${option} ${output} sudah ada; pilih nama lain, atau tambahkan --force untuk menimpanya. / ` +
      `${option} ${output} already exists; choose another name, or add --force to overwrite it.`,
  );
}

/** Writes `content` owner-only; without `force`, fails rather than replace a file created meanwhile. */
export function writeOutputFile(path: string, content: string | Buffer, force: boolean): void {
  try {
    writeFileSync(path, content, { mode: 0o600, flag: force ? "w" : "wx" });
  } catch (error) {
    if ((error as { code?: string }).code === "EEXIST") refuseOverwrite(path, false);
    throw error;
  }
}
