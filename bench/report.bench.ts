// The yearly report over a national-scale history: BENCH_REPORT_ROWS reports (default
// 5,000,000) across 700 agencies and 6 years (2020–2025), three clocks each, generated
// server-side with generate_series straight into reports and sla_clocks. Half is inserted with the
// rollup triggers disabled and folded in by rebuild-rollup, half with the triggers on (their
// insert cost, measured per row against the first half). Then the yearly report is timed, with
// the Node process's peak RSS, from the rollups and, for comparison, from raw clocks; and the
// monthly scorecard (`pantau report monthly`), whose open / overdue at month end come from the
// month-end rollup (month_open_deltas) or, for comparison, from every clock.
import { performance } from "node:perf_hooks";
import type { Knex } from "knex";
import { monthlyReport, rebuildRollups, yearlyReport } from "../src/reports/index.js";
import { benchDatabase, machineLine, mib, runIfMain } from "./setup.js";

const NOW = Date.parse("2026-01-15T03:00:00Z");
const AGENCIES = 700;
const SECONDS_6Y = 6 * 365 * 86400;

export async function addAgencies(knex: Knex, existing: readonly string[]): Promise<string[]> {
  const extra = Array.from(
    { length: Math.max(0, AGENCIES - existing.length) },
    (_, i) => `nasional-${String(i + 1).padStart(4, "0")}`,
  );
  for (let i = 0; i < extra.length; i += 500)
    await knex("agencies").insert(
      extra.slice(i, i + 500).map((code) => ({
        code,
        name: `Instansi Uji ${code}`,
        kind: "dinas",
        zone: "Asia/Jakarta",
        has_own_sop: false,
        active: true,
        synced_at: new Date(NOW),
      })),
    );
  return [...existing, ...extra].slice(0, AGENCIES);
}

/** Reports lo..hi (inclusive) and their verification, first-response and resolution clocks. */
export async function generate(knex: Knex, codes: string[], lo: number, hi: number): Promise<void> {
  await knex.raw(
    `INSERT INTO reports (tracking_id, opd, type, complexity, category, channel, anonymous,
       confidential, contact_complete, received_at, created_at, updated_at)
     SELECT (10000000 + g)::text, (?::text[])[1 + g % ?],
       (ARRAY['pengaduan','pengaduan','aspirasi','permintaan_informasi'])[1 + g % 4], 'unknown',
       NULL, (ARRAY['lapor_web','lapor_app','sms_1708','whatsapp','walk_in'])[1 + (g / 7) % 5],
       false, false, true,
       '2020-01-01T00:00:00+07'::timestamptz + ((g::bigint * 7919) % ?) * interval '1 second',
       ?, ?
     FROM generate_series(?::int, ?::int) AS g`,
    [codes, codes.length, SECONDS_6Y, new Date(NOW), new Date(NOW), lo, hi],
  );
  // used in 0.01-day steps (864 000 ms); stop = start + used calendar time (close enough here).
  const clock = (stage: string, opd: string, target: number, spread: number, salt: number) =>
    knex.raw(
      `INSERT INTO sla_clocks (tracking_id, stage, seq, opd, sop_id, sop_version, target_amount,
         target_unit, started_at, due_at, at_risk_at, stopped_at, used_ms, outcome, state, pauses,
         next_check_at, computed_at)
       SELECT r.tracking_id, ?, 1, ${opd}, 'default', '2020-01-01', ?, 'wd', r.received_at,
         r.received_at + ? * interval '1 day', NULL,
         CASE WHEN open THEN NULL ELSE r.received_at + u * interval '1 millisecond' END,
         u, CASE WHEN open THEN 'open' WHEN u < ? * 86400000 THEN 'met' ELSE 'breached' END,
         CASE WHEN open THEN 'on_track' ELSE 'stopped' END, '[]'::jsonb, NULL, ?
       FROM (SELECT tracking_id, opd, received_at, tracking_id::bigint AS g FROM reports
              WHERE tracking_id::bigint BETWEEN ? AND ?) r,
       LATERAL (SELECT ((r.g * ?) % ?) * 864000::float8 AS u, (r.g % 20 = 0) AS open) x`,
      [stage, target, target, target, new Date(NOW), 10000000 + lo, 10000000 + hi, salt, spread],
    );
  await clock("verification", "'diskominfo'", 3, 400, 31);
  await clock("first_response", "r.opd", 5, 1000, 7919);
  await clock("resolution", "r.opd", 14, 3000, 104729);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; rssMiB: number; value: T }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const start = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - start, rssMiB: Number(mib(peak)), value };
  } finally {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
}

const fmt = (ms: number): string =>
  ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;

/**
 * What the month-end triggers (migrations/…_month_open_rollup.ts) add to a scan-style write: the
 * scan's upsert form (INSERT … ON CONFLICT DO UPDATE of every column) over 10,000 open clocks in
 * batches of 1,000, (a) changing only state columns, as the scan does, and (b) also moving due_at
 * (the worst case: every report's runs recomputed), each with those three triggers disabled and
 * enabled, alternating for `rounds` rounds in the same process (the other rollup triggers stay
 * on). Returns the table rows.
 */
async function monthTriggerCost(knex: Knex, rounds = 3): Promise<string[]> {
  const ids = (
    (await knex.raw(
      `SELECT DISTINCT tracking_id FROM sla_clocks WHERE stopped_at IS NULL ORDER BY 1 LIMIT 10000`,
    )) as { rows: { tracking_id: string }[] }
  ).rows.map((r) => r.tracking_id);
  const columns = `tracking_id, stage, seq, opd, sop_id, sop_version, target_amount, target_unit,
    started_at, due_at, at_risk_at, stopped_at, used_ms, outcome, state, pauses, next_check_at,
    computed_at`;
  const write = async (moveDue: boolean, round: number): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < ids.length; i += 1000)
      await knex.transaction(async (trx) => {
        await trx.raw(
          `INSERT INTO sla_clocks AS s (${columns})
           SELECT tracking_id, stage, seq, opd, sop_id, sop_version, target_amount, target_unit,
             started_at, due_at + ? * interval '1 minute', at_risk_at, stopped_at, used_ms,
             outcome, 'at_risk', pauses, next_check_at, computed_at + ? * interval '1 second'
           FROM sla_clocks WHERE tracking_id = ANY(?::text[])
           ON CONFLICT (tracking_id, stage, seq) DO UPDATE SET
             opd = excluded.opd, started_at = excluded.started_at, due_at = excluded.due_at,
             stopped_at = excluded.stopped_at, state = excluded.state,
             next_check_at = excluded.next_check_at, computed_at = excluded.computed_at
           WHERE s.stopped_at IS NULL`,
          [moveDue ? (round % 2 === 0 ? 60 : -60) : 0, 1, ids.slice(i, i + 1000)],
        );
      });
    return performance.now() - start;
  };
  const toggle = async (on: boolean): Promise<void> => {
    for (const e of ["ins", "upd", "del"])
      await knex.raw(
        `ALTER TABLE sla_clocks ${on ? "ENABLE" : "DISABLE"} TRIGGER pantau_month_open_${e}`,
      );
  };
  const times = { stateOff: [], stateOn: [], dueOff: [], dueOn: [] } as Record<string, number[]>;
  for (let round = 0; round < rounds; round++) {
    await toggle(false);
    times.stateOff!.push(await write(false, round));
    times.dueOff!.push(await write(true, 2 * round));
    await toggle(true);
    times.stateOn!.push(await write(false, round));
    times.dueOn!.push(await write(true, 2 * round + 1));
  }
  const best = (k: string): number => Math.min(...times[k]!);
  const list = (k: string): string => times[k]!.map((ms) => fmt(ms)).join(", ");
  return [
    `| 10,000 open clocks' state columns rewritten (the scan's writes), month-end triggers off / on | ${fmt(best("stateOff"))} / ${fmt(best("stateOn"))} (${(best("stateOn") / best("stateOff")).toFixed(2)}×; rounds ${list("stateOff")} / ${list("stateOn")}) | |`,
    `| the same with due_at moved (every report recomputed), triggers off / on | ${fmt(best("dueOff"))} / ${fmt(best("dueOn"))} (${(best("dueOn") / best("dueOff")).toFixed(2)}×; rounds ${list("dueOff")} / ${list("dueOn")}) | |`,
  ];
}

export async function runReportBench(): Promise<string> {
  const total = Number(process.env.BENCH_REPORT_ROWS ?? 5_000_000);
  const bench = await benchDatabase(NOW);
  const knex = bench.ctx.db.knex;
  try {
    const codes = await addAgencies(
      knex,
      bench.ctx.config.agencies.map((a) => a.code),
    );
    const half = Math.floor(total / 2);
    const chunk = 500_000;
    const insert = async (lo: number, hi: number): Promise<void> => {
      for (let a = lo; a <= hi; a += chunk)
        await generate(knex, codes, a, Math.min(hi, a + chunk - 1));
    };
    const toggle = async (on: boolean): Promise<void> => {
      for (const t of ["sla_clocks", "reports"])
        await knex.raw(`ALTER TABLE ${t} ${on ? "ENABLE" : "DISABLE"} TRIGGER USER`);
    };
    await toggle(false);
    const without = await timed(() => insert(1, half));
    await toggle(true);
    const rebuild = await timed(() => rebuildRollups(knex, 8));
    const withTriggers = await timed(() => insert(half + 1, total));
    await knex.raw(
      `ANALYZE reports; ANALYZE sla_clocks; ANALYZE rollup_received_month; ANALYZE rollup_clock_month;
       ANALYZE rollup_used_month; ANALYZE rollup_used_year; ANALYZE rollup_used_year_day`,
    );
    const sizes = (await knex.raw(
      `SELECT (SELECT count(*) FROM sla_clocks)::int AS clocks,
              (SELECT count(*) FROM rollup_clock_month)::int AS clock_month,
              (SELECT count(*) FROM rollup_received_month)::int AS received_month,
              (SELECT count(*) FROM rollup_used_year)::int AS used_year,
              (SELECT count(*) FROM rollup_used_year_day)::int AS used_year_day,
              (SELECT count(*) FROM rollup_used_month)::int AS used_month`,
    )) as { rows: Record<string, number>[] };
    const s = sizes.rows[0] ?? {};
    const options = {
      from: 2020,
      to: 2025,
      sort: "improvement" as const,
      zone: "Asia/Jakarta",
      coveredYears: bench.ctx.config.coveredYears,
      hoursPerDay: 8,
    };
    await yearlyReport(knex, options); // warm-up
    const runs: { ms: number; rssMiB: number }[] = [];
    for (let i = 0; i < 3; i++) runs.push(await timed(() => yearlyReport(knex, options)));
    const best = runs.reduce((a, b) => (a.ms <= b.ms ? a : b));
    const raw = await timed(() => yearlyReport(knex, { ...options, source: "raw" }));
    const rollup = await yearlyReport(knex, options);
    const same =
      JSON.stringify({ ...raw.value, source: "rollup" }) === JSON.stringify(rollup) ? "yes" : "NO";
    const monthlyOptions = { ...options, month: "2025-06" };
    await monthlyReport(knex, monthlyOptions); // warm-up
    const monthlyRuns: { ms: number; rssMiB: number }[] = [];
    for (let i = 0; i < 3; i++)
      monthlyRuns.push(await timed(() => monthlyReport(knex, monthlyOptions)));
    const monthlyBest = monthlyRuns.reduce((a, b) => (a.ms <= b.ms ? a : b));
    const monthlyRaw = await timed(() => monthlyReport(knex, { ...monthlyOptions, source: "raw" }));
    const monthlyRollup = await monthlyReport(knex, monthlyOptions);
    const monthlySame =
      JSON.stringify({ ...monthlyRaw.value, source: "rollup" }) === JSON.stringify(monthlyRollup)
        ? "yes"
        : "NO";
    const monthRows = (await knex.raw(`SELECT count(*)::int AS n FROM month_open_deltas`)) as {
      rows: { n: number }[];
    };
    const triggerRows = await monthTriggerCost(knex);
    const perRow = (ms: number, n: number): string => `${((ms / n) * 1000).toFixed(1)} µs/report`;
    return [
      "## Yearly report (rollup vs raw clocks)",
      "",
      `${total.toLocaleString("en")} reports, ${codes.length} agencies, 2020–2025, ${Number(s.clocks).toLocaleString("en")} clocks (5 % left open). ${machineLine()}`,
      "",
      "| Step | Time | Peak RSS (Node) |",
      "| --- | ---: | ---: |",
      `| Insert first half, triggers off (${half.toLocaleString("en")} reports + clocks) | ${fmt(without.ms)} (${perRow(without.ms, half)}) | |`,
      `| rebuild-rollup over the first half | ${fmt(rebuild.ms)} | |`,
      `| Insert second half, triggers on (${(total - half).toLocaleString("en")} reports + clocks) | ${fmt(withTriggers.ms)} (${perRow(withTriggers.ms, total - half)}) | |`,
      `| **Yearly report from the rollups** (best of 3: ${runs.map((r) => fmt(r.ms)).join(", ")}) | **${fmt(best.ms)}** | ${best.rssMiB} MiB |`,
      `| Yearly report from raw clocks | ${fmt(raw.ms)} | ${raw.rssMiB} MiB |`,
      `| **Monthly scorecard 2025-06, month-end counts from month_open_deltas** (best of 3: ${monthlyRuns.map((r) => fmt(r.ms)).join(", ")}) | **${fmt(monthlyBest.ms)}** | ${monthlyBest.rssMiB} MiB |`,
      `| Monthly scorecard, month-end counts from raw clocks | ${fmt(monthlyRaw.ms)} | ${monthlyRaw.rssMiB} MiB |`,
      ...triggerRows,
      "",
      `Same monthly scorecard from both: ${monthlySame}; month_open_deltas rows: ${monthRows.rows[0]?.n}.`,
      "",
      `Same report from both: ${same}. Rollup rows: clock_month ${s.clock_month}, received_month ${s.received_month}, used_month ${s.used_month}, used_year ${s.used_year}, used_year_day ${s.used_year_day}. Trigger overhead on inserts: ${(withTriggers.ms / without.ms).toFixed(2)}× the insert time without triggers.`,
      "",
    ].join("\n");
  } finally {
    await bench.close();
  }
}

runIfMain(import.meta.url, runReportBench);
