// Test databases on both backends. PANTAU_TEST_DB=postgres uses the real server at
// TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) with a fresh schema per
// database; otherwise (default) an in-memory PGlite cloned from a migrated template.
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import knexPkg from "knex";
import { openDatabase, type Database } from "../../src/db/connect.js";
import { migrateLatest } from "../../src/db/migrate.js";

export type TestBackend = "embedded" | "postgres";

export const testBackend: TestBackend =
  process.env.PANTAU_TEST_DB === "postgres" ? "postgres" : "embedded";

export const testDatabaseUrl =
  process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let template: Promise<Blob> | null = null;

async function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const pglite = new PGlite();
    const db = await openDatabase({ databaseUrl: null, dataDir: "", command: "test", pglite });
    await migrateLatest(db.knex);
    const dump = (await pglite.dumpDataDir("none")) as Blob;
    await db.close();
    return dump;
  })();
  return template;
}

export interface TestDatabase extends Database {
  /** The PostgreSQL schema (postgres backend) or null. */
  schema: string | null;
  /** Connection URL for another process to reach the same data (postgres backend only). */
  url: string | null;
}

/** A migrated, empty database; call close() (drops the schema on PostgreSQL). */
export async function createTestDatabase(
  options: { poolMax?: number } = {},
): Promise<TestDatabase> {
  if (testBackend === "postgres") {
    const schema = `t_${randomBytes(6).toString("hex")}`;
    const admin = knexPkg.knex({
      client: "pg",
      connection: testDatabaseUrl,
      pool: { min: 0, max: 1 },
    });
    await admin.raw(`CREATE SCHEMA ${schema}`);
    await admin.destroy();
    const db = await openDatabase({
      databaseUrl: testDatabaseUrl,
      dataDir: "",
      command: "test",
      schema,
      poolMax: options.poolMax ?? 5,
    });
    await migrateLatest(db.knex);
    const url = new URL(testDatabaseUrl);
    url.searchParams.set("options", `-c search_path=${schema}`);
    return {
      ...db,
      schema,
      url: url.toString(),
      async close() {
        await db.close();
        const dropper = knexPkg.knex({
          client: "pg",
          connection: testDatabaseUrl,
          pool: { min: 0, max: 1 },
        });
        await dropper.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await dropper.destroy();
      },
    };
  }
  const pglite = new PGlite({ loadDataDir: await pgliteTemplate() });
  const db = await openDatabase({ databaseUrl: null, dataDir: "", command: "test", pglite });
  return { ...db, schema: null, url: null };
}

/** A database with no migrations applied (upgrade tests); drop() closes and removes it. */
export async function createEmptyDatabase(): Promise<{ db: Database; drop(): Promise<void> }> {
  if (testBackend === "embedded") {
    const pglite = new PGlite();
    const db = await openDatabase({ databaseUrl: null, dataDir: "", command: "test", pglite });
    return { db, drop: () => db.close() };
  }
  const schema = `u_${Math.random().toString(36).slice(2, 12)}`;
  const admin = knexPkg.knex({
    client: "pg",
    connection: testDatabaseUrl,
    pool: { min: 0, max: 1 },
  });
  await admin.raw(`CREATE SCHEMA ${schema}`);
  const db = await openDatabase({
    databaseUrl: testDatabaseUrl,
    dataDir: "",
    command: "test",
    schema,
  });
  return {
    db,
    async drop() {
      await db.close();
      await admin.raw(`DROP SCHEMA ${schema} CASCADE`);
      await admin.destroy();
    },
  };
}
