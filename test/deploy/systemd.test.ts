// The shipped systemd unit: systemd itself verifies it (`systemd-analyze verify`, Debian's systemd
// package), and the hardening and stop behaviour the README's "Deploy" section promises are there.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../helpers/process.js";

const UNIT = join(repoRoot, "deploy", "systemd", "pantau.service");
const HINT = "install Debian's systemd package (apt-get install -y systemd)";

function verify(path: string): { status: number | null; output: string } {
  const r = spawnSync("systemd-analyze", ["verify", path], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
}

/** The unit's [Service] settings; a key given twice keeps every value. */
function serviceSettings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      continue;
    }
    if (section !== "Service") continue;
    const eq = line.indexOf("=");
    const key = line.slice(0, eq);
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

describe("deploy: the systemd unit", () => {
  const settings = serviceSettings(readFileSync(UNIT, "utf8"));
  const one = (key: string): string | undefined => settings.get(key)?.at(-1);

  it("passes systemd-analyze verify with no warning", function () {
    if (spawnSync("systemd-analyze", ["--version"]).status !== 0) {
      if (process.env.CI) throw new Error(`systemd-analyze is required under CI: ${HINT}`);
      console.warn(`      skipped: systemd-analyze not found (${HINT})`);
      this.skip();
    }
    const r = verify(UNIT);
    expect(r.status, r.output).to.equal(0);
    expect(r.output, "systemd-analyze printed warnings").to.equal("");
  });

  it("a misspelt key is caught by the same check (the check can fail)", function () {
    // Without systemd-analyze (outside CI; CI installs it) the first test has said why.
    if (spawnSync("systemd-analyze", ["--version"]).status !== 0) {
      if (process.env.CI) throw new Error(`systemd-analyze is required under CI: ${HINT}`);
      this.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), "pantau-unit-"));
    try {
      const bad = join(dir, "pantau.service");
      writeFileSync(bad, readFileSync(UNIT, "utf8").replace("ProtectHome=yes", "ProtectHom=yes"));
      expect(verify(bad).output).to.match(/Unknown key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs as its own user with only the data folder writable", () => {
    expect(one("User")).to.equal("pantau");
    expect(one("ProtectSystem")).to.equal("strict");
    expect(one("ReadWritePaths")).to.equal("/var/lib/pantau");
    expect(one("StateDirectory")).to.equal("pantau");
    expect(one("StateDirectoryMode")).to.equal("0700");
    expect(one("UMask")).to.equal("0077");
    expect(one("NoNewPrivileges")).to.equal("yes");
    expect(one("ProtectHome")).to.equal("yes");
    expect(one("CapabilityBoundingSet")).to.equal("");
    expect(settings.get("Environment")).to.include("PANTAU_DATA_DIR=/var/lib/pantau/db");
    expect(settings.get("Environment")).to.include("PANTAU_LOG_FORMAT=json");
  });

  it("keeps secrets in an environment file and restarts on failure, not on a bad configuration", () => {
    expect(one("EnvironmentFile")).to.equal("-/etc/pantau/pantau.env");
    expect(one("Restart")).to.equal("on-failure");
    expect(one("RestartPreventExitStatus")).to.equal("2");
  });

  it("stops with SIGTERM and waits longer than the daemon's 30 s drain", () => {
    expect(one("KillSignal")).to.equal("SIGTERM");
    const stop = /^(\d+)s$/.exec(one("TimeoutStopSec") ?? "");
    expect(stop, "TimeoutStopSec in seconds").to.not.equal(null);
    expect(Number(stop?.[1])).to.be.greaterThan(30);
    expect(one("StandardOutput")).to.equal("journal");
  });
});
