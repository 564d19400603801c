// Benchmark: scrape latency of /metrics at national scale — 700 agencies, 1,000,000 open
// reports (BENCH_METRICS_REPORTS to scale) on PostgreSQL — cold (cache invalidated, all
// collectors query the database), cached (within the cache interval), and while a heavy
// database write runs (a scan-like refresh of many clocks).
import { performance } from "node:perf_hooks";
import { createObservability } from "../src/app/observability.js";
import {
  addSyntheticAgencies,
  benchDatabase,
  generateOpenClocks,
  generateReports,
  machineLine,
  runIfMain,
} from "./setup.js";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export async function runMetricsBench(
  count = Number(process.env.BENCH_METRICS_REPORTS ?? 1_000_000),
): Promise<string> {
  const now = Date.parse("2026-11-02T03:00:00Z");
  const bench = await benchDatabase(now);
  try {
    const { ctx } = bench;
    const codes = await addSyntheticAgencies(ctx, 700, now);
    ctx.config = {
      ...ctx.config,
      agencies: codes.map((code) => ({
        code,
        name: code,
        kind: "dinas" as const,
        zone: "Asia/Jakarta",
        aliases: [],
      })),
    };
    await generateReports(ctx, count, now, codes);
    const clocks = await generateOpenClocks(ctx, now);
    const obs = createObservability(ctx, () => now);
    const time = async (): Promise<{ ms: number; bytes: number }> => {
      const t = performance.now();
      const text = await obs.render();
      return { ms: performance.now() - t, bytes: text.length };
    };
    // Warm-up (JIT, first connections), then cold = cache invalidated before each scrape.
    obs.registry.invalidate();
    await time();
    const cold: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      obs.registry.invalidate();
      const r = await time();
      cold.push(r.ms);
      bytes = r.bytes;
    }
    const cached: number[] = [];
    for (let i = 0; i < 30; i++) cached.push((await time()).ms);
    // During a heavy write: update a large slice of the clocks (as a scan refreshing due clocks
    // would), while scraping cold.
    const write = ctx.db.knex.raw(
      `UPDATE sla_clocks SET computed_at = computed_at + interval '1 second' WHERE (tracking_id::bigint % 5) = 0`,
    );
    const during: number[] = [];
    for (let i = 0; i < 5; i++) {
      obs.registry.invalidate();
      during.push((await time()).ms);
    }
    await write;
    const series = (await obs.render()).split("\n").filter((l) => l && !l.startsWith("#")).length;
    await obs.close();
    return [
      "## Scrape latency of /metrics (700 agencies)",
      "",
      machineLine(),
      "",
      `| open clocks | series | exposition | cold (median of 5) | cached (median of 30) | cold during a bulk update |`,
      `|---:|---:|---:|---:|---:|---:|`,
      `| ${clocks.toLocaleString("en")} | ${series.toLocaleString("en")} | ${(bytes / 1024).toFixed(0)} KiB | ${median(cold).toFixed(0)} ms | ${median(cached).toFixed(1)} ms | ${median(during).toFixed(0)} ms |`,
      "",
      "Cold: every database collector queries (one GROUP BY over the open clocks, outcomes, agencies,",
      "escalations, liaisons, outbox). Cached: a scrape within the cache interval (5 s) only renders.",
      "",
    ].join("\n");
  } finally {
    await bench.close();
  }
}

runIfMain(import.meta.url, runMetricsBench);
