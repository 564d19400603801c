// Benchmark: importing a LAPOR!-style xlsx export of N rows (default 100,000; BENCH_IMPORT_ROWS),
// generated here with exceljs's streaming writer, in one run: (a) the bare read with exceljs's
// streaming WorkbookReader over every row, (b) our reader and normaliser (readTable +
// normalizeRows through openImport), (c) the full import into PostgreSQL (openImport +
// importItems, as `pantau import` does) and (d) the same import again (every row unchanged);
// (a) and (c) alternate for BENCH_IMPORT_ROUNDS rounds (default 3) and the ratio is taken
// between the fastest of each. Each phase with rows per second, peak RSS (sampled every
// 100 ms) and RSS at each quarter of the rows (after a full GC: `npm run bench` runs the
// compiled code with --expose-gc). Target: fastest full / fastest bare < 3×, flat memory. Run
// through tsx (`npx tsx bench/import.bench.ts`) our code pays the transpiler's helpers (about
// 15% of the import's CPU) that the compiled `pantau import` does not.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import ExcelJS from "exceljs";
import { importItems } from "../src/app/importService.js";
import { loadConfig } from "../src/config/index.js";
import { openImport } from "../src/ingest/normalize.js";
import { benchDatabase, machineLine, mib, runIfMain, type BenchDb } from "./setup.js";
import { LAPOR_EXPORT_HEADERS } from "../scripts/laporExport.js";

const HEADERS = LAPOR_EXPORT_HEADERS;

const CATEGORIES = [
  "Infrastruktur",
  "Kesehatan",
  "Pendidikan",
  "Kependudukan",
  "Sosial",
  "Lingkungan",
];
const COMPLEXITY = ["Ringan", "Normatif", "Tidak Berkadar Pengawasan", "Berkadar Pengawasan"];
const CHANNELS = [
  "LAPOR! web",
  "Mobile App",
  "SMS 1708",
  "WhatsApp",
  "Instagram",
  "Call Center 112",
];

const pad = (n: number): string => String(n).padStart(2, "0");
/** "dd/mm/yyyy HH:mm" in WIB, as LAPOR! exports show it. */
function wibText(t: number): string {
  const d = new Date(t + 7 * 3600_000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Writes the synthetic export; returns its size in bytes. */
export async function writeLaporXlsx(path: string, rows: number, now: number): Promise<number> {
  const agencies = loadConfig({ env: {} }).agencies;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useSharedStrings: true,
    useStyles: false,
  });
  const sheet = workbook.addWorksheet("Laporan");
  sheet.addRow(HEADERS).commit();
  const start = now - 300 * 86_400_000;
  for (let i = 1; i <= rows; i++) {
    const received = start + ((i * 2_591_917) % (290 * 86_400_000));
    const agency = agencies[i % agencies.length];
    // Names as people write them: code, full name or a short alias.
    const agencyText =
      i % 10 === 0
        ? ""
        : i % 3 === 0
          ? (agency?.name ?? "")
          : i % 3 === 1
            ? (agency?.code ?? "")
            : (agency?.aliases[0] ?? agency?.name ?? "");
    const disposed = agencyText ? received + 86_400_000 : null;
    const responded = disposed && i % 2 === 0 ? disposed + 3 * 86_400_000 : null;
    const followed = responded && i % 6 === 0 ? responded + 8 * 86_400_000 : null;
    const done = followed && i % 12 === 0 ? followed + 2 * 86_400_000 : null;
    const channel = CHANNELS[i % CHANNELS.length] ?? "LAPOR! web";
    const manual =
      channel === "WhatsApp" || channel === "Instagram" || channel === "Call Center 112";
    sheet
      .addRow([
        i,
        String(5_000_000 + i),
        `Judul laporan sintetis ${i}`,
        `Isi laporan sintetis nomor ${i}: keluhan tentang layanan publik (data uji).`,
        i % 5 === 0 ? "(anonim)" : `Pelapor ${i}`,
        manual || i % 4 === 0
          ? `0812-${pad(i % 100)}00-${String(i % 10_000).padStart(4, "0")}`
          : "",
        i % 7 === 0 ? `pelapor${i}@contoh.id` : "",
        wibText(received),
        CATEGORIES[i % CATEGORIES.length],
        i % 9 === 0 ? "Aspirasi" : i % 11 === 0 ? "Permintaan Informasi" : "Pengaduan",
        COMPLEXITY[i % COMPLEXITY.length],
        channel,
        i % 5 === 0 ? "Ya" : "Tidak",
        i % 13 === 0 ? "Ya" : "Tidak",
        agencyText,
        disposed ? wibText(disposed) : "",
        responded ? wibText(responded) : "",
        followed ? wibText(followed) : "",
        done ? wibText(done) : "",
        done
          ? "Selesai"
          : responded
            ? "Proses"
            : disposed
              ? "Belum Ditindaklanjuti"
              : "Belum Terverifikasi",
      ])
      .commit();
  }
  sheet.commit();
  await workbook.commit();
  return statSync(path).size;
}

interface Phase {
  name: string;
  rows: number;
  seconds: number;
  peakRss: number;
  quarters: string[];
  note?: string;
}

/** Runs `fn`, sampling RSS every 100 ms; `mark(done)` records RSS at each quarter of `total`. */
async function measure(
  name: string,
  total: number,
  fn: (mark: (done: number) => void) => Promise<{ rows: number; note?: string }>,
): Promise<Phase> {
  (globalThis as { gc?: () => void }).gc?.();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const quarters: string[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const mark = (done: number): void => {
    while (quarters.length < 4 && done >= ((quarters.length + 1) * total) / 4) {
      // With --expose-gc, what is still reachable rather than what V8 has not yet collected.
      gc?.();
      const rss = process.memoryUsage().rss;
      peak = Math.max(peak, rss);
      quarters.push(`${mib(rss)}`);
    }
  };
  const started = performance.now();
  try {
    const { rows, note } = await fn(mark);
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { name, rows, seconds, peakRss: peak, quarters, ...(note ? { note } : {}) };
  } finally {
    clearInterval(timer);
  }
}

export async function runImportBench(
  rows = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000),
  rounds = Number(process.env.BENCH_IMPORT_ROUNDS ?? 3),
): Promise<string> {
  const now = Date.parse("2026-11-02T03:00:00Z");
  const dir = mkdtempSync(join(tmpdir(), "pantau-import-bench-"));
  const file = join(dir, "lapor-export.xlsx");
  try {
    const t0 = performance.now();
    const bytes = await writeLaporXlsx(file, rows, now);
    const writeSeconds = (performance.now() - t0) / 1000;
    const config = loadConfig({ env: {} });

    const bareRead = (name: string): Promise<Phase> =>
      measure(name, rows, async (mark) => {
        const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {
          worksheets: "emit",
          sharedStrings: "cache",
          styles: "cache",
          hyperlinks: "ignore",
          entries: "ignore",
        });
        let n = 0;
        let cells = 0;
        for await (const ws of reader as AsyncIterable<AsyncIterable<ExcelJS.Row>>) {
          for await (const row of ws) {
            cells += (row.values as unknown[]).length;
            if (row.number > 1) mark(++n);
          }
        }
        return { rows: n, note: `${cells.toLocaleString("en")} cells` };
      });

    const normalise = (name: string): Promise<Phase> =>
      measure(name, rows, async (mark) => {
        const opened = await openImport(file, {
          agencies: config.agencies,
          defaultZone: config.defaultZone,
          lang: "en",
        });
        let n = 0;
        let rejected = 0;
        for await (const row of opened.rows) {
          if (row.kind === "rejected") rejected++;
          mark(++n);
        }
        return { rows: n, note: `${rejected.toLocaleString("en")} rejected` };
      });

    const importInto = (bench: BenchDb, name: string, again: boolean): Promise<Phase> =>
      measure(name, rows, async (mark) => {
        const opened = await openImport(file, {
          agencies: config.agencies,
          defaultZone: config.defaultZone,
          lang: "en",
        });
        const summary = await importItems(bench.ctx, opened.rows, {
          source: "import:lapor-export.xlsx",
          now,
          onProgress: mark,
        });
        if (again) {
          return {
            rows: summary.rows,
            note: `${summary.unchanged.toLocaleString("en")} unchanged, ${summary.imported.toLocaleString("en")} imported`,
          };
        }
        const [clocks] = (await bench.ctx.db.knex("sla_clocks").count("* as n")) as {
          n: number;
        }[];
        return {
          rows: summary.rows,
          note:
            `${summary.reportsCreated.toLocaleString("en")} reports, ${summary.eventsAdded.toLocaleString("en")} events, ` +
            `${Number(clocks?.n ?? 0).toLocaleString("en")} clocks, ${summary.rejected.toLocaleString("en")} rejected`,
        };
      });

    // The machine is shared and its speed drifts by half within minutes: the bare read and the
    // full import alternate for `rounds` rounds, each import into a fresh schema, and the ratio
    // is taken between the fastest of each (the least disturbed run of the same work), beside
    // the ratio within each round.
    const bares: Phase[] = [];
    const fulls: Phase[] = [];
    const phases: Phase[] = [];
    let again: Phase | undefined;
    for (let round = 1; round <= rounds; round++) {
      const bare = await bareRead(`(a) exceljs WorkbookReader, bare read — round ${round}`);
      bares.push(bare);
      phases.push(bare);
      if (round === 1) phases.push(await normalise("(b) readTable + normalizeRows"));
      const bench = await benchDatabase(now);
      try {
        const full = await importInto(
          bench,
          `(c) full import into PostgreSQL — round ${round}`,
          false,
        );
        fulls.push(full);
        phases.push(full);
        // The same file again, as an operator re-imports a daily export: every row is read,
        // normalised and planned against the stored history, nothing is written.
        if (round === 1) {
          again = await importInto(bench, "(d) the same file imported again (unchanged)", true);
          phases.push(again);
        }
      } finally {
        await bench.close();
      }
    }
    const fastest = (list: Phase[]): Phase =>
      list.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const bare = fastest(bares);
    const full = fastest(fulls);
    const ratio = full.seconds / bare.seconds;
    const perRound = fulls.map((f, i) => (f.seconds / (bares[i]?.seconds ?? NaN)).toFixed(2) + "×");
    const line = (p: Phase): string =>
      `| ${p.name} | ${p.rows.toLocaleString("en")} | ${p.seconds.toFixed(1)} s | ${Math.round(p.rows / p.seconds).toLocaleString("en")} | ${(p.seconds / bare.seconds).toFixed(2)}× | ${mib(p.peakRss)} MiB | ${p.quarters.join(" / ")} MiB | ${p.note ?? ""} |`;
    return [
      "## Importing a LAPOR! xlsx export",
      "",
      machineLine(),
      "",
      `A synthetic LAPOR!-style export, ${rows.toLocaleString("en")} rows × ${HEADERS.length} columns (${(bytes / 1024 / 1024).toFixed(1)} MiB, shared strings, dates as text "dd/mm/yyyy HH:mm", agencies by code, name or alias; written in ${writeSeconds.toFixed(1)} s, not measured), in one process, the bare read and the full import alternating for ${rounds} rounds (× bare: against the fastest bare read):`,
      "",
      "| phase | rows | time | rows/s | × bare | peak RSS | RSS at 25/50/75/100% | |",
      "|---|---:|---:|---:|---:|---:|---|---|",
      ...phases.map(line),
      "",
      `Fastest full import / fastest bare read: **${ratio.toFixed(2)}×** (target < 3×: ${ratio < 3 ? "met" : "missed"}); within each round: ${perRound.join(", ")}.`,
      "The full import reads, normalises, plans each row against the stored history and derives",
      "the clocks, in chunks of 2,000 rows inside one transaction; each chunk's reports, events and",
      "clocks are one statement, which the server runs while the next chunk is read and planned,",
      "and the rollups are folded in once at the end. Nothing outlives a chunk, so RSS stays flat.",
      "",
    ].join("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, runImportBench);
