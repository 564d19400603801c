// Upgrades: a database made by the previous release (its schema, with its data: the demo's
// reports, officers, a scan's escalations and outbox, a token — test/fixtures/release-*.json,
// written by scripts/release-fixture.ts) is migrated to the current schema on both databases,
// and everything reads and works on it afterwards: status, explain, a scan, the rollups.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bootstrap } from "../../src/app/bootstrap.js";
import { runScan } from "../../src/scan/scanJob.js";
import { explainView, statusView } from "../../src/app/statusService.js";
import { migrateLatest, migrateUpTo, pendingMigrations } from "../../src/db/migrate.js";
import { createLogger } from "../../src/log.js";
import { rollupDifferences } from "../../src/reports/rollup.js";
import { testConfig } from "../helpers/app.js";
import { createEmptyDatabase, testBackend } from "../helpers/db.js";
import { repoRoot } from "../helpers/process.js";

interface ReleaseFixture {
  version: string;
  lastMigration: string;
  tables: Record<string, Record<string, unknown>[]>;
}

const FIXTURE = "release-0.1.0.json";
const NOW = Date.parse("2026-10-20T09:00:00+07:00");

describe(`upgrade from the previous release's database (${testBackend})`, function () {
  this.timeout(180_000);

  it("migrates it forward with its data, and status, explain, scans and rollups work on it", async () => {
    const fixture = JSON.parse(
      readFileSync(join(repoRoot, "test", "fixtures", FIXTURE), "utf8"),
    ) as ReleaseFixture;
    const { db, drop } = await createEmptyDatabase();
    try {
      await migrateUpTo(db.knex, fixture.lastMigration);
      // The previous release's data, loaded as it was (no foreign-key order needed).
      await db.knex.transaction(async (trx) => {
        await trx.raw("SET LOCAL session_replication_role = replica");
        for (const [table, rows] of Object.entries(fixture.tables)) {
          for (let i = 0; i < rows.length; i += 200) {
            const chunk = rows
              .slice(i, i + 200)
              .map((row) =>
                Object.fromEntries(
                  Object.entries(row).map(([k, v]) => [
                    k,
                    v !== null && typeof v === "object" ? JSON.stringify(v) : v,
                  ]),
                ),
              );
            await trx(table).insert(chunk);
          }
        }
      });
      for (const table of Object.keys(fixture.tables)) {
        if (!(await db.knex.schema.hasColumn(table, "id"))) continue;
        const seq = (await db.knex.raw(`select pg_get_serial_sequence(?, 'id') as s`, [table])) as {
          rows: { s: string | null }[];
        };
        const name = seq.rows[0]?.s;
        if (name)
          await db.knex.raw(`select setval(?, (select coalesce(max(id), 1) from ${table}))`, [
            name,
          ]);
      }

      const pending = await pendingMigrations(db.knex);
      const { applied } = await migrateLatest(db.knex);
      expect(applied).to.deep.equal(pending);
      expect(await pendingMigrations(db.knex)).to.deep.equal([]);

      for (const [table, rows] of Object.entries(fixture.tables)) {
        const [{ n }] = (await db.knex(table).count({ n: "*" })) as [{ n: number | string }];
        expect(Number(n), `rows of ${table} after the upgrade`).to.equal(rows.length);
      }
      const ctx = await bootstrap({
        command: "test",
        config: testConfig(),
        db,
        logger: createLogger({ level: "error", silent: true }),
        now: NOW,
      });
      const status = await statusView(ctx, { now: NOW });
      expect(status.rows.length).to.be.greaterThan(0);
      const explained = await explainView(ctx, "9000002", NOW, "en");
      expect(JSON.stringify(explained)).to.contain("9000002");
      const later = NOW + 3 * 86_400_000;
      const scan = await runScan(ctx, later, () => later);
      expect(scan.skipped).to.equal(false);
      const differences = await rollupDifferences(db.knex);
      expect(
        Object.values(differences).every((n) => n === 0),
        JSON.stringify(differences),
      ).to.equal(true);
      // Exactly-once survives the upgrade: the scan decided nothing already decided before it.
      const keys = (await db.knex("outbox").select("dedupe_key")) as { dedupe_key: string }[];
      expect(new Set(keys.map((k) => k.dedupe_key)).size).to.equal(keys.length);
    } finally {
      await drop();
    }
  });
});
