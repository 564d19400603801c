// Writes test/fixtures/release-<version>.json: every table of a database made by this release
// (the demo's reports, officers, one scan with its escalations and outbox, an API token), as
// rows. test/db/upgrade.test.ts loads it into the schema of that release and migrates it to the
// current one. Run it at each release, before the next migration lands:
//   npx tsx scripts/release-fixture.ts 0.1.0 20261128000007_bulk_rollup_fold
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createToken } from "../src/api/tokens.js";
import { bootstrap } from "../src/app/bootstrap.js";
import { demoItems, DEMO_OFFICERS_FILE } from "../src/app/demo.js";
import { importItems } from "../src/app/importService.js";
import { runScan } from "../src/scan/scanJob.js";
import { loadConfig } from "../src/config/index.js";
import { openDatabase } from "../src/db/connect.js";
import { importOfficerText } from "../src/officers/officerImport.js";
import { createLogger } from "../src/log.js";
import { readFileSync } from "node:fs";

const [version, lastMigration] = process.argv.slice(2);
if (!version || !lastMigration) {
  console.error("usage: npx tsx scripts/release-fixture.ts VERSION LAST_MIGRATION");
  process.exit(2);
}
const NOW = Date.parse("2026-10-20T09:00:00+07:00");
const config = loadConfig({ env: {} });
const pglite = new PGlite();
const db = await openDatabase({ databaseUrl: null, dataDir: "", command: "fixture", pglite });
const ctx = await bootstrap({
  command: "fixture",
  config,
  db,
  logger: createLogger({ level: "error", silent: true }),
  now: NOW,
});
await importItems(ctx, demoItems(NOW), { source: "fixture", now: NOW });
const csv = readFileSync(join(config.packageRoot, DEMO_OFFICERS_FILE), "utf8");
await importOfficerText(ctx, csv, { source: "fixture", now: NOW, lang: "en" });
await runScan(ctx, NOW, () => NOW);
await createToken(db.knex, { name: "kominfo", scope: "admin", opd: null }, NOW);

const names = (
  (await db.knex.raw(
    `select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'
        and table_name not like 'knex_migrations%' order by 1`,
  )) as { rows: { table_name: string }[] }
).rows.map((r) => r.table_name);
const tables: Record<string, unknown[]> = {};
for (const name of names) tables[name] = (await db.knex(name).select("*")) as unknown[];
const out = join(config.packageRoot, "test", "fixtures", `release-${version}.json`);
writeFileSync(out, JSON.stringify({ version, lastMigration, tables }) + "\n");
await db.close();
console.log(`wrote ${out}: ${names.map((n) => `${n} ${tables[n]?.length}`).join(", ")}`);
