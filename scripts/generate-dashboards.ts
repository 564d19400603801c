// Writes dashboards/*.json from src/dashboards (npx tsx scripts/generate-dashboards.ts).
// `--check` writes nothing and exits 1 when a committed file differs from what would be written.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderDashboards } from "../src/dashboards/index.js";

const outDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "dashboards");
const check = process.argv.includes("--check");
let stale = 0;
for (const [file, text] of Object.entries(renderDashboards())) {
  const path = join(outDir, file);
  const current = existsSync(path) ? readFileSync(path, "utf8") : null;
  if (current === text) continue;
  if (check) {
    console.error(`${path} is out of date: run npx tsx scripts/generate-dashboards.ts`);
    stale++;
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
