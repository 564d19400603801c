// Where Pantau is installed and where its configuration lives, independent of the current directory.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

let cachedRoot: string | undefined;

/**
 * The package root: the nearest directory above this module holding Pantau's package.json.
 * Works from src/ (tsx) and from dist/src/ (the installed `pantau` command) alike.
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  const start = dirname(fileURLToPath(import.meta.url));
  let firstFound: string | undefined;
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      firstFound ??= dir;
      try {
        const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown };
        if (pkg.name === "pantau") return (cachedRoot = dir);
      } catch {
        // An unreadable manifest is not ours; keep walking up.
      }
    }
    if (dirname(dir) === dir) break;
  }
  return (cachedRoot = firstFound ?? resolve(start, "..", ".."));
}

/**
 * The configuration directory: `explicit` if given, else PANTAU_CONFIG_DIR (relative to the
 * current directory), else <package root>/config.
 */
export function resolveConfigDir(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  if (explicit) return resolve(explicit);
  const fromEnv = env.PANTAU_CONFIG_DIR;
  if (fromEnv && fromEnv.trim() !== "") return resolve(fromEnv.trim());
  return join(packageRoot(), "config");
}
