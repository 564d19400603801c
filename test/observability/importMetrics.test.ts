// The import feed's metrics on both databases: files per result counted from the import history,
// the last file imported, and when the feed counts as stopped (in working days).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { importFile } from "../../src/app/importFile.js";
import { createObservability } from "../../src/app/observability.js";
import { createTestApp, testConfig, wib, type TestApp } from "../helpers/app.js";

describe("observability: import feed metrics", function () {
  let app: TestApp;
  let dir: string;
  const now = wib("2026-11-27T12:00"); // a Friday

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "pantau-import-metrics-"));
  });
  afterEach(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function scrape(): Promise<string> {
    const o = createObservability(app.ctx, () => now);
    try {
      return await o.render();
    } finally {
      await o.close();
    }
  }

  it("exports files per result, the last import and the feed's due instant", async () => {
    app = await createTestApp(now);
    const before = await scrape();
    expect(before).to.include('pantau_import_files_total{result="imported"} 0');
    expect(before).to.include("pantau_import_last_success_timestamp_seconds 0");
    expect(before).to.not.match(/^pantau_import_feed_due_timestamp_seconds /m);

    const file = join(dir, "harian.csv");
    writeFileSync(
      file,
      "No. Tracking;Tanggal Laporan;Instansi Tujuan\r\n9101;20/11/2026 09:00;Dinkes\r\n",
    );
    const options = { now, lang: "id" as const, dryRun: false, progress: false };
    await importFile(app.ctx, file, options);
    await importFile(app.ctx, file, options); // the same bytes: unchanged

    const text = await scrape();
    expect(text).to.include('pantau_import_files_total{result="imported"} 1');
    expect(text).to.include('pantau_import_files_total{result="unchanged"} 1');
    expect(text).to.include('pantau_import_files_total{result="failed"} 0');
    expect(text).to.include(`pantau_import_last_success_timestamp_seconds ${now / 1000}`);
    // Friday 12:00 + 1 working day: the end of Monday 30 November.
    expect(text).to.include(
      `pantau_import_feed_due_timestamp_seconds ${wib("2026-12-01T00:00") / 1000}`,
    );
  });

  it("counts the configured number of working days, skipping the weekend", async () => {
    const config = testConfig();
    app = await createTestApp(now, {
      ...config,
      import: { ...config.import, alertAfterWorkingDays: 3 },
    });
    const file = join(dir, "harian.csv");
    writeFileSync(
      file,
      "No. Tracking;Tanggal Laporan;Instansi Tujuan\r\n9102;20/11/2026 09:00;Dinkes\r\n",
    );
    await importFile(app.ctx, file, { now, lang: "id", dryRun: false, progress: false });
    // Mon 30 Nov, Tue 1 Dec, Wed 2 Dec: due at the end of Wednesday.
    expect(await scrape()).to.include(
      `pantau_import_feed_due_timestamp_seconds ${wib("2026-12-03T00:00") / 1000}`,
    );
  });
});
