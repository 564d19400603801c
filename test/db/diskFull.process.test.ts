// The embedded database on a full disk: every command says the data folder's disk is full and
// how much it needs, exits non-zero and never hangs, and leaves no lock behind. A 24 MiB tmpfs
// is used when this process may mount one (root in CI); otherwise the full disk is simulated by
// a preload that fails every write under the data folder with ENOSPC.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testBackend } from "../helpers/db.js";
import { repoRoot, spawnPantau } from "../helpers/process.js";

function tryMountTmpfs(dir: string): boolean {
  if (process.getuid?.() !== 0 || process.env.PANTAU_TEST_NO_TMPFS === "1") return false;
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", dir], {
      stdio: "ignore",
    });
    return true;
  } catch {
    return false;
  }
}

describe("the embedded database on a full disk", function () {
  this.timeout(240_000);
  let base: string;
  let mounted = false;

  before(function () {
    // A fault of the embedded database only: the PostgreSQL run has nothing to add here.
    if (testBackend === "postgres") this.skip();
    base = mkdtempSync(join(tmpdir(), "pantau-full-"));
    mkdirSync(join(base, "fs"));
    mounted = tryMountTmpfs(join(base, "fs"));
  });
  after(() => {
    if (!base) return;
    if (mounted) execFileSync("umount", [join(base, "fs")], { stdio: "ignore" });
    rmSync(base, { recursive: true, force: true });
  });

  it("says the disk is full, exits non-zero and never hangs, command after command", async () => {
    const dataDir = join(base, "fs", "db");
    const env: NodeJS.ProcessEnv = {
      PANTAU_DATA_DIR: dataDir,
      DATABASE_URL: "",
      PANTAU_LANG: "id",
      ...(mounted
        ? {}
        : { NODE_OPTIONS: `--import=${join(repoRoot, "test", "db", "fixtures", "enospc.mjs")}` }),
    };
    // A fresh database does not fit in 24 MiB; then a read-only command on what is left.
    for (const args of [["migrate"], ["status"]]) {
      const run = spawnPantau(args, env);
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        run.exited,
        new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), 100_000))),
      ]);
      clearTimeout(timer);
      if (code === "hung") run.child.kill("SIGKILL");
      const stderr = run.stderr();
      expect(code, `${args[0]} (${mounted ? "tmpfs" : "simulated"}):\n${stderr}`).to.equal(1);
      expect(stderr).to.include(`Ruang disk habis di folder data ${dataDir}`);
      expect(stderr).to.include("no space left on device");
      expect(stderr).to.match(/butuh sedikitnya [\d.]+ MiB/);
      expect(stderr).not.to.include("[object Object]");
      expect(stderr).not.to.include("keluar paksa");
      expect(existsSync(`${dataDir}.lock`), "lock left behind").to.equal(false);
    }
  });
});
