// Shared benchmark setup: a fresh PostgreSQL schema (BENCH_DATABASE_URL, DATABASE_URL or the
// local default) and synthetic reports generated server-side with generate_series, so the setup
// itself stays fast and is not what is measured.
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import knexPkg from "knex";
import { bootstrap } from "../src/app/bootstrap.js";
import type { AppContext } from "../src/context/appContext.js";
import { loadConfig } from "../src/config/index.js";
import { openDatabase } from "../src/db/connect.js";
import { createLogger } from "../src/log.js";

export const benchUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/test";

export interface BenchDb {
  ctx: AppContext;
  schema: string;
  close(): Promise<void>;
}

/**
 * A fresh schema, dropped on close; or, with `keep` (a schema name), that schema created if
 * missing and kept on close, so a benchmark can reuse large data between runs.
 */
export async function benchDatabase(now: number, keep?: string): Promise<BenchDb> {
  if (keep !== undefined && !/^[a-z_][a-z0-9_]*$/.test(keep)) {
    throw new Error(`not a plain schema name: ${keep}`);
  }
  const schema = keep ?? `bench_${randomBytes(4).toString("hex")}`;
  const admin = knexPkg.knex({ client: "pg", connection: benchUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE SCHEMA ${keep ? "IF NOT EXISTS " : ""}${schema}`);
  const db = await openDatabase({
    databaseUrl: benchUrl,
    dataDir: "",
    command: "bench",
    schema,
    poolMax: 4,
  });
  const config = loadConfig({ env: {} });
  const ctx = await bootstrap({
    command: "bench",
    config,
    db,
    logger: createLogger({ level: "error", silent: true }),
    now,
  });
  return {
    ctx,
    schema,
    async close() {
      await db.close();
      if (!keep) await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.destroy();
    },
  };
}

/**
 * Inserts `count` reports received over the 300 days before `now`, across all agencies, with
 * their events: every report received, 90% disposed a day later, half of those answered after
 * three days, a third of those followed up after eight. Returns the number of events.
 */
export async function generateReports(
  ctx: AppContext,
  count: number,
  now: number,
  codes: string[] = ctx.config.agencies.map((a) => a.code),
): Promise<number> {
  const knex = ctx.db.knex;
  const start = new Date(now - 300 * 86_400_000);
  await knex.raw(
    `INSERT INTO reports (tracking_id, opd, type, complexity, category, channel, anonymous, confidential,
       contact_complete, received_at, created_at, updated_at)
     SELECT (10000000 + g)::text,
       CASE WHEN g % 10 = 0 THEN NULL ELSE (?::text[])[1 + g % ?] END,
       (ARRAY['pengaduan','pengaduan','aspirasi','permintaan_informasi'])[1 + g % 4],
       (ARRAY['ringan','normatif','tidak_berkadar_pengawasan','unknown'])[1 + (g / 4) % 4],
       'Bench', 'lapor_web', false, false, true,
       ?::timestamptz + ((g::bigint * 25919) % (300 * 86400)) * interval '1 second', ?, ?
     FROM generate_series(1, ?) AS g`,
    [codes, codes.length, start, new Date(now), new Date(now), count],
  );
  const at = new Date(now);
  await knex.raw(
    `INSERT INTO report_events (tracking_id, kind, at, opd, source, recorded_at)
     SELECT tracking_id, 'received', received_at, NULL, 'bench', ? FROM reports`,
    [at],
  );
  await knex.raw(
    `INSERT INTO report_events (tracking_id, kind, at, opd, source, recorded_at)
     SELECT tracking_id, 'disposed', received_at + interval '1 day', opd, 'bench', ? FROM reports
     WHERE opd IS NOT NULL AND received_at + interval '1 day' < ?`,
    [at, at],
  );
  await knex.raw(
    `INSERT INTO report_events (tracking_id, kind, at, opd, source, recorded_at)
     SELECT tracking_id, 'first_response', received_at + interval '4 days', opd, 'bench', ? FROM reports
     WHERE opd IS NOT NULL AND (tracking_id::bigint % 2) = 0 AND received_at + interval '4 days' < ?`,
    [at, at],
  );
  await knex.raw(
    `INSERT INTO report_events (tracking_id, kind, at, opd, source, recorded_at)
     SELECT tracking_id, 'followed_up', received_at + interval '12 days', opd, 'bench', ? FROM reports
     WHERE opd IS NOT NULL AND (tracking_id::bigint % 6) = 0 AND received_at + interval '12 days' < ?`,
    [at, at],
  );
  await knex.raw("ANALYZE reports; ANALYZE report_events");
  const [row] = (await knex("report_events").count("* as n")) as { n: number }[];
  return Number(row?.n ?? 0);
}

export function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

export function machineLine(): string {
  return `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, 2 cores / 24 GiB (shared machine); PostgreSQL 15 on localhost.`;
}

/** Adds synthetic agencies ("bench-0001"...) so the directory has `total` agencies (national scale). */
export async function addSyntheticAgencies(
  ctx: AppContext,
  total: number,
  now: number,
): Promise<string[]> {
  const existing = ctx.config.agencies.map((a) => a.code);
  const extra = Array.from(
    { length: Math.max(0, total - existing.length) },
    (_, i) => `bench-${String(i + 1).padStart(4, "0")}`,
  );
  for (let i = 0; i < extra.length; i += 500) {
    await ctx.db.knex("agencies").insert(
      extra.slice(i, i + 500).map((code) => ({
        code,
        name: `Instansi Uji ${code}`,
        kind: "dinas",
        zone: "Asia/Jakarta",
        has_own_sop: false,
        active: true,
        synced_at: new Date(now),
      })),
    );
  }
  return [...existing, ...extra];
}

/**
 * Fills sla_clocks straight from SQL (no derivation): one resolution clock per disposed report,
 * open with a due instant spread around `now`, so that about a third are overdue and some at
 * risk. Fast setup for benchmarks that read clocks (scrapes, scans).
 */
export async function generateOpenClocks(ctx: AppContext, now: number): Promise<number> {
  const at = new Date(now);
  await ctx.db.knex.raw(
    `INSERT INTO sla_clocks (tracking_id, stage, seq, opd, sop_id, sop_version, target_amount, target_unit,
       started_at, due_at, at_risk_at, stopped_at, used_ms, outcome, state, pauses, next_check_at, computed_at)
     SELECT tracking_id, 'resolution', 1, opd, 'default', '2020-01-01', 14, 'wd',
       received_at, ?::timestamptz + ((tracking_id::bigint % 60) - 20) * interval '1 day',
       ?::timestamptz + ((tracking_id::bigint % 60) - 21) * interval '1 day', NULL, 0,
       CASE WHEN (tracking_id::bigint % 60) < 20 THEN 'breached' ELSE 'open' END,
       CASE WHEN (tracking_id::bigint % 60) < 20 THEN 'breached' ELSE 'on_track' END,
       '[]'::jsonb,
       CASE WHEN (tracking_id::bigint % 60) < 20 THEN NULL
            ELSE ?::timestamptz + ((tracking_id::bigint % 60) - 21) * interval '1 day' END,
       ?
     FROM reports WHERE opd IS NOT NULL`,
    [at, at, at, at],
  );
  await ctx.db.knex.raw("ANALYZE sla_clocks");
  const [row] = (await ctx.db.knex("sla_clocks").count("* as n")) as { n: number }[];
  return Number(row?.n ?? 0);
}

/** Runs a benchmark when its file is the entry point (`npx tsx bench/x.bench.ts`) and prints it. */
export function runIfMain(moduleUrl: string, run: () => Promise<string>): void {
  if (moduleUrl !== pathToFileURL(process.argv[1] ?? "").href) return;
  run().then(
    (md) => console.log(md),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
