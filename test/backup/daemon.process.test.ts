// Backups as an operator takes them, in real processes: the daemon's scheduled backups land in
// backup.dir (the newest `keep` kept), `pantau backup FILE` works while the daemon runs (on the
// embedded database through the daemon), and `pantau restore` puts it into a new data folder
// that the commands then read — or refuses a target that holds data.
import { expect } from "chai";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { verifyBackup } from "../../src/backup/snapshot.js";
import { testBackend } from "../helpers/db.js";
import { openCliSandbox, type CliSandbox } from "../helpers/sandbox.js";
import { runPantau, spawnPantau } from "../helpers/process.js";

describe(`pantau backup and restore around a running daemon (${testBackend})`, function () {
  this.timeout(180_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let sandbox: CliSandbox;

  before(async () => {
    sandbox = await openCliSandbox("backup-process", (dir) => ({
      PANTAU_BACKUP_DIR: join(dir, "backups"),
      PANTAU_BACKUP_SCHEDULE: "*/5 * * * * *",
      PANTAU_HTTP_PORT: "0",
      PANTAU_METRICS_PORT: "0",
      PANTAU_LOG_LEVEL: "info",
      PANTAU_LANG: "en",
    }));
    ({ dir, env } = sandbox);
  });
  after(() => sandbox.close());

  it("takes scheduled and on-demand backups while the daemon runs, and restores one", async () => {
    const file = join(dir, "manual.bak");
    const daemon = spawnPantau(["start", "--demo"], env);
    try {
      await daemon.waitFor(/"message":"scan finished"/);
      await daemon.waitFor(/"message":"backup written"/, 60_000);
      const taken = await runPantau(["backup", file], env);
      expect(taken.code, taken.stderr).to.equal(0);
      expect(taken.stdout).to.match(/Backup written: .*manual\.bak/);
      if (testBackend === "embedded") {
        expect(taken.stderr).to.include(
          `backup taken by the running daemon, pid ${daemon.child.pid}`,
        );
      }
      const again = await runPantau(["backup", file], env);
      expect(again.code).to.not.equal(0);
      expect(again.stderr).to.include("--force");
    } finally {
      daemon.child.kill("SIGTERM");
    }
    expect(await daemon.exited).to.equal(0);
    expect(verifyBackup(file)).to.equal(testBackend);
    const names = readdirSync(join(dir, "backups"));
    const scheduled = names.filter((f) => /^pantau-\d{8}T\d{6}Z\.(tar\.gz|dump)$/.test(f));
    expect(scheduled.length, names.join(", ")).to.be.within(1, 7); // backup.keep: 7
    for (const f of scheduled) expect(names).to.include(`${f}.sha256`);

    if (testBackend === "embedded") {
      const restoredEnv = { ...env, PANTAU_DATA_DIR: join(dir, "restored") };
      const restored = await runPantau(["restore", file], restoredEnv);
      expect(restored.code, restored.stderr).to.equal(0);
      expect(restored.stdout).to.include("Restored into");
      const status = await runPantau(["status", "--format", "json"], restoredEnv);
      expect(status.code, status.stderr).to.equal(0);
      const view = JSON.parse(status.stdout) as { clocks: unknown[] };
      expect(view.clocks.length).to.be.greaterThan(10);
      const over = await runPantau(["restore", file], env);
      expect(over.code).to.not.equal(0);
      expect(over.stderr).to.include("is not empty");
      expect(existsSync(join(dir, "db"))).to.equal(true);
    } else {
      const over = await runPantau(["restore", file], env);
      expect(over.code).to.not.equal(0);
      expect(over.stderr).to.include("already holds Pantau's tables");
    }
  });
});
