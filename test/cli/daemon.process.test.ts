// The daemon as a newcomer runs it: `pantau start --demo` in one process, `pantau status` in a
// second. On the embedded database the second process is served through the daemon, a writer
// is refused with a message naming the owner, the import history is read through it too, and SIGTERM stops the daemon cleanly (exit 0).
import { expect } from "chai";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { testBackend } from "../helpers/db.js";
import { openCliSandbox, type CliSandbox } from "../helpers/sandbox.js";
import { runPantau, spawnPantau } from "../helpers/process.js";

describe("pantau start and a second process", function () {
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let sandbox: CliSandbox;

  before(async () => {
    sandbox = await openCliSandbox("daemon", () => ({
      PANTAU_HTTP_PORT: "0",
      PANTAU_METRICS_PORT: "0",
      PANTAU_LOG_LEVEL: "info",
      PANTAU_LANG: "id",
    }));
    ({ dir, env } = sandbox);
  });

  after(() => sandbox.close());

  it("serves status through the daemon, refuses a second writer, and stops on SIGTERM", async () => {
    const daemon = spawnPantau(["start", "--demo"], env);
    try {
      await daemon.waitFor(/Pantau berjalan/);
      await daemon.waitFor(/"message":"scan finished"/);

      const status = await runPantau(["status", "--format", "json"], env);
      expect(status.code, status.stderr).to.equal(0);
      const view = JSON.parse(status.stdout) as { clocks: { trackingId: string; state: string }[] };
      expect(view.clocks.length).to.be.greaterThan(10);
      expect(view.clocks.some((c) => c.state === "breached")).to.equal(true);

      const history = await runPantau(["import", "history", "--format", "json"], env);
      expect(history.code, history.stderr).to.equal(0);
      expect(JSON.parse(history.stdout)).to.be.an("array");

      if (testBackend === "embedded") {
        expect(status.stderr).to.include("dilayani oleh daemon");
        expect(history.stderr).to.include("dilayani oleh daemon");
        const writer = await runPantau(["migrate"], env);
        expect(writer.code).to.equal(3);
        expect(writer.stderr).to.include(`sedang dipakai oleh proses ${daemon.child.pid}`);
        expect(writer.stderr).to.include("pantau start");
        expect(existsSync(join(dir, "db.lock"))).to.equal(true);
      }
    } finally {
      daemon.child.kill("SIGTERM");
    }
    const code = await daemon.exited;
    expect(code).to.equal(0);
    expect(daemon.stderr()).to.include('"message":"stopped"');
    expect(existsSync(join(dir, "db.lock"))).to.equal(false);

    // With the daemon gone, the folder opens directly again.
    const direct = await runPantau(["status"], env);
    expect(direct.code, direct.stderr).to.equal(0);
    expect(direct.stderr).not.to.include("dilayani oleh daemon");
    expect(direct.stdout).to.match(/ID TRACKING/);
  });
});
