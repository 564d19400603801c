// `npm run bench`: runs the benchmarks in one process, prints them and writes
// docs/benchmarks-latest.md (docs/benchmarks.md keeps the summary against the targets). BENCH_ONLY=calendar,engine selects some; BENCH_* variables scale them.
import { writeFileSync } from "node:fs";
import { runCalendarBench } from "./calendar.bench.js";
import { runEngineBench } from "./engine.bench.js";
import { runMetricsBench } from "./metrics.bench.js";
import { runOutboxBench } from "./outbox.bench.js";
import { runScanBench } from "./scan.bench.js";
import { runImportBench } from "./import.bench.js";
import { runReportBench } from "./report.bench.js";
import { runWebBench } from "./web.bench.js";

type Bench = { name: string; run: () => Promise<string> };

const benches: Bench[] = [
  { name: "calendar", run: runCalendarBench },
  { name: "engine", run: () => runEngineBench() },
  { name: "scan", run: () => runScanBench() },
  { name: "outbox", run: () => runOutboxBench() },
  { name: "metrics", run: () => runMetricsBench() },
  { name: "import", run: () => runImportBench() },
  { name: "report", run: () => runReportBench() },
  { name: "web", run: () => runWebBench() },
];

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
  const sections: string[] = [
    "# Benchmarks",
    "",
    "Written by `npm run bench` (bench/run.ts). Machines are shared and noisy: compare ratios",
    "measured in one run rather than absolute numbers across runs.",
    "",
  ];
  for (const bench of benches) {
    if (only && !only.includes(bench.name)) continue;
    console.error(`running ${bench.name} ...`);
    const md = await bench.run();
    console.log(md);
    sections.push(md);
  }
  const target = process.env.BENCH_OUT ?? "docs/benchmarks-latest.md";
  writeFileSync(target, sections.join("\n") + "\n");
  console.error(`written to ${target}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
