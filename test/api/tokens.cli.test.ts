// `pantau tokens create|list|revoke` in-process on both databases: the token is printed once on
// stdout, only its hash is stored, errors are bilingual usage errors (exit 2), and a revoked
// token is refused by the API.
import { expect } from "chai";
import { Command } from "commander";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerTokenCommands } from "../../src/cli/commands/tokens.js";
import { describeError, exitCodeFor } from "../../src/cli/errors.js";
import { createRuntime, type CliIo } from "../../src/cli/runtime.js";
import { createTestDatabase, testBackend, type TestDatabase } from "../helpers/db.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

describe("pantau tokens", function () {
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let pg: TestDatabase | null = null;
  let now = Date.parse("2025-07-25T03:00:00Z");

  /** Like runCli, with only the token commands registered (main.ts wires them for real). */
  async function pantau(...args: string[]): Promise<Run> {
    let out = "";
    let err = "";
    const io: CliIo = {
      out: (s) => (out += s + "\n"),
      err: (s) => (err += s + "\n"),
      env,
      clock: () => now,
    };
    const program = new Command()
      .name("pantau")
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
    registerTokenCommands(program, createRuntime(io));
    let code = 0;
    try {
      await program.parseAsync(args, { from: "user" });
    } catch (error) {
      const commanderCode = (error as { code?: string }).code;
      if (commanderCode?.startsWith("commander.")) code = 2;
      else {
        io.err(describeError(error));
        code = exitCodeFor(error);
      }
    }
    return { code, out, err };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "pantau-tokens-"));
    env = { PANTAU_DATA_DIR: join(dir, "db"), PANTAU_LOG_LEVEL: "error", PANTAU_LANG: "id" };
    if (testBackend === "postgres") {
      pg = await createTestDatabase();
      env.DATABASE_URL = pg.url ?? "";
    }
  });
  after(async () => {
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates an agency token and an admin token, printed once on stdout", async () => {
    const r = await pantau("tokens", "create", "--name", "dinkes-sim", "--opd", "dinkes");
    expect(r.code, r.err).to.equal(0);
    expect(r.out.trim()).to.match(/^pnt_[A-Za-z0-9_-]{43}$/);
    expect(r.err).to.include("TIDAK dapat ditampilkan lagi");
    const admin = await pantau("tokens", "create", "--name", "kominfo-admin", "--admin");
    expect(admin.code, admin.err).to.equal(0);
    expect(admin.out.trim()).to.match(/^pnt_/);
    expect(admin.out.trim()).to.not.equal(r.out.trim());
  });

  it("lists tokens without their secrets, as a table or JSON", async () => {
    now += 60_000;
    const table = await pantau("tokens", "list");
    expect(table.code, table.err).to.equal(0);
    expect(table.out).to.match(
      /NAMA\s+CAKUPAN\s+OPD\s+AWALAN\s+DIBUAT\s+TERAKHIR DIPAKAI\s+DICABUT/,
    );
    expect(table.out).to.match(
      /dinkes-sim\s+opd\s+dinkes\s+pnt_[A-Za-z0-9_-]{8}…\s+2025-07-25 10:00/,
    );
    expect(table.out).to.match(/kominfo-admin\s+admin\s+-/);
    const json = await pantau("tokens", "list", "--format", "json");
    const list = JSON.parse(json.out) as {
      name: string;
      scope: string;
      revokedAt: string | null;
    }[];
    expect(list.map((t) => t.name)).to.deep.equal(["dinkes-sim", "kominfo-admin"]);
    expect(list[0]).to.deep.include({ scope: "opd", revokedAt: null });
    expect(list[0]).to.have.property("createdAt", "2025-07-25T10:00:00+07:00");
  });

  it("refuses unclear or wrong options with exit code 2 and a bilingual message", async () => {
    const both = await pantau("tokens", "create", "--name", "x", "--opd", "dinkes", "--admin");
    expect(both.code).to.equal(2);
    expect(both.err).to.include("Pilih tepat satu").and.include("Choose exactly one");
    const neither = await pantau("tokens", "create", "--name", "x");
    expect(neither.code).to.equal(2);
    const unknown = await pantau("tokens", "create", "--name", "x", "--opd", "dinkess");
    expect(unknown.code).to.equal(2);
    expect(unknown.err).to.include('OPD "dinkess" tidak ada').and.include("(dinkes)");
    const duplicate = await pantau("tokens", "create", "--name", "dinkes-sim", "--opd", "dinkes");
    expect(duplicate.code).to.equal(2);
    expect(duplicate.err).to.include("sudah dipakai").and.include("is taken");
    const badName = await pantau("tokens", "create", "--name", "a b", "--admin");
    expect(badName.code).to.equal(2);
    const noName = await pantau("tokens", "create", "--admin");
    expect(noName.code).to.equal(2);
  });

  it("revokes a token; revoking again says so; an unknown name is a usage error", async () => {
    now += 60_000;
    const r = await pantau("tokens", "revoke", "dinkes-sim");
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.include('Token "dinkes-sim" dicabut');
    const again = await pantau("tokens", "revoke", "dinkes-sim");
    expect(again.code).to.equal(0);
    expect(again.out).to.include("sudah dicabut");
    const unknown = await pantau("tokens", "revoke", "nobody");
    expect(unknown.code).to.equal(2);
    const list = await pantau("tokens", "list", "--format", "json");
    const parsed = JSON.parse(list.out) as { name: string; revokedAt: string | null }[];
    expect(parsed.find((t) => t.name === "dinkes-sim")?.revokedAt).to.equal(
      "2025-07-25T10:02:00+07:00",
    );
  });
});
