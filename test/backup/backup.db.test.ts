// Backup and restore on both databases: a backup taken while an import and a scan run is a
// consistent snapshot (the import is in it entirely or not at all), a quiet backup restored into a
// new folder or database equals the source in every table, and the refusals that protect data
// (existing file, non-empty target, damaged file, missing checksum) hold.
import { expect } from "chai";
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import knexPkg, { type Knex } from "knex";
import { bootstrap } from "../../src/app/bootstrap.js";
import type { AppContext } from "../../src/context/appContext.js";
import { runScan } from "../../src/scan/scanJob.js";
import {
  BackupError,
  backupDatabase,
  checksumPath,
  restoreEmbedded,
  restorePostgres,
  verifyBackup,
} from "../../src/backup/snapshot.js";
import { listBackups, takeRotatedBackup } from "../../src/backup/rotation.js";
import { openDatabase, type Database } from "../../src/db/connect.js";
import { createLogger } from "../../src/log.js";
import { testConfig } from "../helpers/app.js";
import {
  createTestDatabase,
  testBackend,
  testDatabaseUrl,
  type TestDatabase,
} from "../helpers/db.js";
import {
  dpubmReport,
  importOfficers,
  importReports,
  IMPORTED,
  OFFICERS_CSV,
  OVERDUE,
} from "../escalation/helpers.js";

/** Every base table of the current schema, each as sorted JSON rows. */
async function tables(knex: Knex): Promise<Map<string, string[]>> {
  const names = (
    (await knex.raw(
      `select table_name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
    )) as { rows: { table_name: string }[] }
  ).rows.map((r) => r.table_name);
  const out = new Map<string, string[]>();
  for (const name of names) {
    const rows = (await knex(name).select("*")) as Record<string, unknown>[];
    out.set(name, rows.map((r) => JSON.stringify(r)).sort());
  }
  return out;
}

const reports = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => dpubmReport(String(from + i)));

describe(`backup and restore (${testBackend})`, function () {
  this.timeout(300_000);
  let dir: string;
  let source: Database;
  let ctx: AppContext;
  let testDb: TestDatabase | null = null;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "pantau-backup-"));
    if (testBackend === "postgres") {
      testDb = await createTestDatabase();
      source = testDb;
    } else {
      source = await openDatabase({ databaseUrl: null, dataDir: join(dir, "db"), command: "test" });
    }
    ctx = await bootstrap({
      command: "test",
      config: {
        ...testConfig(),
        databaseUrl: testDb?.url ?? null,
        backup: { dir: join(dir, "backups"), schedule: null, keep: 2 },
      },
      db: source,
      logger: createLogger({ level: "error", silent: true }),
      now: IMPORTED,
    });
    await importOfficers(ctx, OFFICERS_CSV, IMPORTED);
    await importReports(ctx, reports(600000, 60), IMPORTED);
    await runScan(ctx, OVERDUE, () => OVERDUE);
  });
  afterEach(async () => {
    await source.close();
    testDb = null;
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (): string | null => testDb?.url ?? null;

  /** Restores `file` into a fresh target and returns its tables. */
  async function restoredTables(file: string, name: string): Promise<Map<string, string[]>> {
    if (testBackend === "embedded") {
      const target = join(dir, name);
      await restoreEmbedded(file, target, { now: OVERDUE });
      const db = await openDatabase({ databaseUrl: null, dataDir: target, command: "test" });
      try {
        return await tables(db.knex);
      } finally {
        await db.close();
      }
    }
    // PostgreSQL: a new database; the dump recreates the test's schema in it.
    const database = `pantau_restore_${Math.random().toString(36).slice(2, 10)}`;
    const admin = knexPkg.knex({
      client: "pg",
      connection: testDatabaseUrl,
      pool: { min: 0, max: 1 },
    });
    await admin.raw(`CREATE DATABASE ${database}`);
    try {
      const target = new URL(testDatabaseUrl);
      target.pathname = `/${database}`;
      await restorePostgres(file, target.toString(), {});
      target.searchParams.set("options", `-c search_path=${testDb?.schema ?? "public"}`);
      const db = knexPkg.knex({
        client: "pg",
        connection: target.toString(),
        pool: { min: 0, max: 1 },
      });
      try {
        return await tables(db);
      } finally {
        await db.destroy();
      }
    } finally {
      await admin.raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.destroy();
    }
  }

  it("takes a consistent snapshot while an import and a scan run, and a quiet one equals the source in every table", async () => {
    const before = await tables(source.knex);
    const underLoad = join(dir, "under-load.bak");
    // Import 600 reports (one transaction) and scan, while the backup is taken.
    const [, , taken] = await Promise.all([
      importReports(ctx, reports(700000, 600), OVERDUE),
      runScan(ctx, OVERDUE + 60_000, () => OVERDUE + 60_000),
      backupDatabase(source, url(), underLoad),
    ]);
    expect(taken.bytes).to.be.greaterThan(0);
    expect(verifyBackup(underLoad)).to.equal(testBackend);
    const after = await tables(source.knex);
    expect(after.get("reports")?.length).to.equal(660);

    const snapshot = await restoredTables(underLoad, "under-load");
    const count = snapshot.get("reports")?.length;
    expect([60, 660], "the import is in the snapshot entirely or not at all").to.include(count);
    const ids = new Set(
      snapshot.get("reports")?.map((r) => (JSON.parse(r) as { tracking_id: string }).tracking_id),
    );
    for (const row of snapshot.get("sla_clocks") ?? []) {
      expect(ids.has((JSON.parse(row) as { tracking_id: string }).tracking_id)).to.equal(true);
    }
    expect(before.get("reports")?.length).to.equal(60);

    const quiet = join(dir, "quiet.bak");
    await backupDatabase(source, url(), quiet);
    const restored = await restoredTables(quiet, "quiet");
    const now = await tables(source.knex);
    expect([...restored.keys()]).to.deep.equal([...now.keys()]);
    for (const [name, rows] of now) {
      expect(restored.get(name), `table ${name}`).to.deep.equal(rows);
    }
  });

  it("writes owner-only files and refuses to overwrite one without force", async () => {
    const file = join(dir, "a.bak");
    await backupDatabase(source, url(), file);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(statSync(checksumPath(file)).mode & 0o777).to.equal(0o600);
    expect(readFileSync(checksumPath(file), "utf8")).to.match(/^[0-9a-f]{64} {2}a\.bak\n$/);
    let error: unknown = null;
    await backupDatabase(source, url(), file).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(BackupError);
    expect((error as BackupError).msg.en).to.contain("--force");
    await backupDatabase(source, url(), file, { force: true });
  });

  it("refuses a damaged backup, one without its checksum, and (embedded) a non-empty folder", async () => {
    const file = join(dir, "b.bak");
    await backupDatabase(source, url(), file);
    appendFileSync(file, "x");
    expect(() => verifyBackup(file)).to.throw(BackupError, /does not match/);
    rmSync(checksumPath(file));
    expect(() => verifyBackup(file)).to.throw(BackupError, /checksum is not restored|is missing/);
    writeFileSync(join(dir, "not-a-backup"), "hello");
    writeFileSync(checksumPath(join(dir, "not-a-backup")), "");
    if (testBackend === "embedded") {
      const good = join(dir, "c.bak");
      await backupDatabase(source, url(), good);
      const target = join(dir, "busy");
      await restoreEmbedded(good, target, { now: OVERDUE });
      let error: unknown = null;
      await restoreEmbedded(good, target, { now: OVERDUE }).catch((e: unknown) => (error = e));
      expect((error as BackupError).msg.en).to.contain("is not empty");
      const { movedAside } = await restoreEmbedded(good, target, { now: OVERDUE, force: true });
      expect(movedAside).to.match(/busy\.before-restore-/);
      expect(statSync(target).mode & 0o077, "restored folder is owner-only").to.equal(0);
    }
  });

  it("keeps the newest `keep` scheduled backups", async () => {
    for (let i = 0; i < 4; i++) await takeRotatedBackup(ctx, OVERDUE + i * 86_400_000);
    const kept = listBackups(join(dir, "backups"));
    expect(kept).to.have.length(2);
    expect(kept[0]?.file).to.match(/pantau-20250315T000000Z\.(tar\.gz|dump)$/);
  });
});
