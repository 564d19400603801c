// Runs the migrations in migrations/ (the same files serve PostgreSQL and the embedded PGlite).
// Files are found next to this module's build: .ts under tsx, .js in dist/.
import { readdirSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Knex } from "knex";

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const extension = extname(fileURLToPath(import.meta.url));
const migrationsDir = join(here, "..", "..", "migrations");

class DirectoryMigrationSource implements Knex.MigrationSource<string> {
  async getMigrations(): Promise<string[]> {
    return readdirSync(migrationsDir)
      .filter((f) => extname(f) === extension && !f.endsWith(".d.ts"))
      .map((f) => f.slice(0, -extension.length))
      .sort();
  }
  getMigrationName(migration: string): string {
    return migration;
  }
  async getMigration(migration: string): Promise<MigrationModule> {
    return (await import(
      pathToFileURL(join(migrationsDir, migration + extension)).href
    )) as MigrationModule;
  }
}

export interface MigrationResult {
  applied: string[];
}

/** Brings the schema up to date; knex's own lock table keeps concurrent runs apart. */
export async function migrateLatest(knex: Knex): Promise<MigrationResult> {
  const [, applied] = (await knex.migrate.latest({
    migrationSource: new DirectoryMigrationSource(),
  })) as [number, string[]];
  return { applied };
}

/**
 * Applies migrations up to and including `last` (tests that build a database of an earlier
 * release). Migrations are forward-only in production: `pantau migrate` only ever goes up.
 */
export async function migrateUpTo(knex: Knex, last: string): Promise<string[]> {
  const source = new DirectoryMigrationSource();
  const all = await source.getMigrations();
  if (!all.includes(last)) throw new Error(`no migration named ${last}`);
  const applied: string[] = [];
  for (const name of await pendingMigrations(knex)) {
    if (name > last) break;
    await knex.migrate.up({ migrationSource: source, name });
    applied.push(name);
  }
  return applied;
}

export async function pendingMigrations(knex: Knex): Promise<string[]> {
  const [, pending] = (await knex.migrate.list({
    migrationSource: new DirectoryMigrationSource(),
  })) as [unknown[], { file?: string; name?: string }[] | string[]];
  return pending.map((p) => (typeof p === "string" ? p : (p.name ?? p.file ?? "?")));
}
