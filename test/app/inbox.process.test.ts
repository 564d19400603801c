// A daemon killed with SIGKILL in the middle of importing a big inbox file: the file is still in
// the inbox, the database holds no row of it, and the next daemon imports it once.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createTestDatabase, testBackend, type TestDatabase } from "../helpers/db.js";
import { repoRoot, runPantau, spawnPantau } from "../helpers/process.js";

const ROWS = 30_000;

describe("inbox: a daemon killed mid-import", function () {
  this.timeout(300_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let pg: TestDatabase | null = null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "pantau-inbox-crash-"));
    const config = join(dir, "config");
    cpSync(join(repoRoot, "config"), config, { recursive: true });
    const yaml = join(config, "pantau.yaml");
    writeFileSync(
      yaml,
      readFileSync(yaml, "utf8").replace("inbox_interval_seconds: 30", "inbox_interval_seconds: 1"),
    );
    env = {
      PANTAU_CONFIG_DIR: config,
      PANTAU_DATA_DIR: join(dir, "db"),
      PANTAU_OUTBOX_DIR: join(dir, "outbox"),
      PANTAU_INBOX_DIR: join(dir, "inbox"),
      PANTAU_HTTP_PORT: "0",
      PANTAU_METRICS_PORT: "0",
      PANTAU_LOG_LEVEL: "info",
      PANTAU_LANG: "id",
      DATABASE_URL: "",
    };
    if (testBackend === "postgres") {
      pg = await createTestDatabase();
      env.DATABASE_URL = pg.url ?? "";
    }
  });

  after(async () => {
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function history(): Promise<{ fileName: string; result: string; imported: number }[]> {
    const r = await runPantau(["import", "history", "--format", "json"], env);
    expect(r.code, r.stderr).to.equal(0);
    return JSON.parse(r.stdout) as { fileName: string; result: string; imported: number }[];
  }

  it("leaves the file and no rows behind, and the next daemon imports it once", async () => {
    const inbox = join(dir, "inbox");
    mkdirSync(inbox, { recursive: true, mode: 0o700 });
    const rows = Array.from(
      { length: ROWS },
      (_, i) =>
        `${4_000_000 + i};${(i % 20) + 1}/11/2026 09:00;${i % 2 ? "Dinkes" : "DLH"};LAPOR! web\r\n`,
    );
    const file = join(inbox, "besar.csv");
    writeFileSync(file, `No. Tracking;Tanggal Laporan;Instansi Tujuan;Sumber\r\n${rows.join("")}`);

    const first = spawnPantau(["start"], env);
    try {
      await first.waitFor(/"message":"inbox: import progress"/, 180_000);
    } finally {
      first.child.kill("SIGKILL");
    }
    await first.exited;
    expect(first.stdout()).to.not.include('"message":"inbox: file imported"');
    expect(existsSync(file)).to.equal(true);
    expect(await history()).to.deep.equal([]);
    const status = await runPantau(["status", "--format", "json"], env);
    expect(status.code, status.stderr).to.equal(0);
    expect((JSON.parse(status.stdout) as { clocks: unknown[] }).clocks).to.deep.equal([]);

    const second = spawnPantau(["start"], env);
    try {
      await second.waitFor(/"message":"inbox: file imported"/, 240_000);
    } finally {
      second.child.kill("SIGTERM");
    }
    expect(await second.exited).to.equal(0);
    expect(existsSync(file)).to.equal(false);
    const done = await history();
    expect(done.map((h) => [h.fileName, h.result, h.imported])).to.deep.equal([
      ["besar.csv", "imported", ROWS],
    ]);
  });
});
