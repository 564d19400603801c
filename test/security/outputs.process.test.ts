// Output files never destroy data: `pantau import --rejects` refuses the input file itself (the
// same path, or a hard link to it), even with --dry-run, and `pantau report --output` refuses an
// existing file unless --force. Through the real command line.
import { expect } from "chai";
import { copyFileSync, linkSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openCliSandbox, type CliSandbox } from "../helpers/sandbox.js";
import { repoRoot, runPantau } from "../helpers/process.js";

describe("output files never overwrite what they should not", function () {
  this.timeout(180_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let sandbox: CliSandbox;

  before(async () => {
    sandbox = await openCliSandbox("outputs", () => ({
      PANTAU_LANG: "id",
    }));
    ({ dir, env } = sandbox);
  });
  after(() => sandbox.close());

  it("import --rejects refuses the input file (same path or a hard link), even with --dry-run", async () => {
    const input = join(dir, "laporan.xlsx");
    copyFileSync(join(repoRoot, "samples", "laporan-contoh.xlsx"), input);
    const original = readFileSync(input);
    const link = join(dir, "tautan.xlsx");
    linkSync(input, link);
    for (const [target, extra] of [
      [input, ["--dry-run"]],
      [link, []],
      [join(dir, ".", "laporan.xlsx"), []],
    ] as const) {
      const r = await runPantau(["import", input, "--rejects", target, ...extra], env);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.include("adalah berkas masukan itu sendiri");
      expect(readFileSync(input).equals(original), target).to.equal(true);
    }
    const ok = await runPantau(
      ["import", input, "--rejects", join(dir, "penolakan.csv"), "--dry-run"],
      env,
    );
    expect(ok.code, ok.stderr).to.equal(1); // the sample's rejected rows
    expect(readFileSync(join(dir, "penolakan.csv"), "utf8")).to.include("baris");
  });

  it("report --output refuses an existing file unless --force", async () => {
    const out = join(dir, "rapor.csv");
    writeFileSync(out, "jangan ditimpa\n");
    const args = ["report", "monthly", "--month", "2026-10", "--format", "csv", "--output", out];
    const refused = await runPantau(args, env);
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.stderr).to.include("sudah ada");
    expect(refused.stderr).to.include("--force");
    expect(readFileSync(out, "utf8")).to.equal("jangan ditimpa\n");
    const forced = await runPantau([...args, "--force"], env);
    expect(forced.code, forced.stderr).to.equal(0);
    expect(readFileSync(out, "utf8")).to.not.equal("jangan ditimpa\n");
  });
});
