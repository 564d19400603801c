// The inbox folder on both databases, in process: a half-written file is left until it stops
// changing, a complete one is imported and moved to done/<date>/ with its rejection file, a
// repeated file is recorded as unchanged, an unreadable one goes to failed/ with the reason, and
// two daemons on one PostgreSQL import a file once. (The crash mid-file: inbox.process.test.ts.)
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { bootstrap } from "../../src/app/bootstrap.js";
import type { AppContext } from "../../src/context/appContext.js";
import { InboxWatcher } from "../../src/app/inbox.js";
import { openDatabase } from "../../src/db/connect.js";
import { createLogger } from "../../src/log.js";
import { listImports } from "../../src/store/importHistory.js";
import { createTestApp, testConfig, wib, type TestApp } from "../helpers/app.js";
import { testBackend, testDatabaseUrl } from "../helpers/db.js";

const HEADER = "No. Tracking;Tanggal Laporan;Instansi Tujuan;Sumber\r\n";
const line = (id: number, opd = "Dinkes") => `${id};20/11/2026 09:00;${opd};LAPOR! web\r\n`;
const lines = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => line(from + i)).join("");

describe("inbox folder (database)", function () {
  this.timeout(120_000);
  let app: TestApp;
  let dir: string;
  const now = wib("2026-11-27T12:00");

  const watcher = (ctx: AppContext = app.ctx) => new InboxWatcher(ctx, { clock: () => now });
  const reports = async (ctx: AppContext = app.ctx) =>
    Number(((await ctx.db.knex("reports").count({ n: "*" })) as { n: string }[])[0]?.n);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "pantau-inbox-"));
    const config = testConfig();
    app = await createTestApp(now, {
      ...config,
      import: { ...config.import, inboxDir: join(dir, "inbox") },
    });
  });
  afterEach(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("leaves a half-written file until it stops changing, then imports it and moves it to done/", async () => {
    const inbox = watcher();
    await inbox.runOnce(); // creates the folder
    const file = join(inbox.dir, "ekspor-harian.csv");
    writeFileSync(file, `\uFEFF${HEADER}${lines(1000, 10)}`);
    expect(await inbox.runOnce()).to.include({ waiting: 1, imported: 0 });
    appendFileSync(file, lines(2000, 5)); // still being copied
    expect(await inbox.runOnce()).to.include({ waiting: 1, imported: 0 });
    expect(await reports()).to.equal(0);
    expect(await inbox.runOnce()).to.include({ waiting: 0, imported: 1 });
    expect(await reports()).to.equal(15);
    expect(existsSync(file)).to.equal(false);
    const done = join(inbox.dir, "done", "2026-11-27");
    const moved = join(done, "ekspor-harian.csv");
    expect(statSync(moved).mode & 0o777).to.equal(0o600);
    expect(statSync(done).mode & 0o777).to.equal(0o700);
    expect(statSync(inbox.dir).mode & 0o777).to.equal(0o700);
    const [h] = await listImports(app.ctx.db.knex, 10);
    expect(h).to.deep.include({
      fileName: "ekspor-harian.csv",
      origin: "inbox",
      result: "imported",
      rows: 15,
      imported: 15,
      rejected: 0,
      movedTo: "done/2026-11-27/ekspor-harian.csv",
      finishedAt: now,
    });
    // Nothing left: the next look is quiet.
    expect(await inbox.runOnce()).to.deep.equal({
      imported: 0,
      unchanged: 0,
      failed: 0,
      waiting: 0,
      deferred: 0,
    });
  });

  it("writes the rejection file beside the moved file; a repeated file is recorded as unchanged", async () => {
    const inbox = watcher();
    await inbox.runOnce();
    const content = `${HEADER}${line(3001)}${line(3002, "Dinas Kesehatn")}${line(3003, "DPU Bina Marga")}`;
    writeFileSync(join(inbox.dir, "senin.csv"), content);
    await inbox.runOnce();
    expect(await inbox.runOnce()).to.include({ imported: 1 });
    const done = join(inbox.dir, "done", "2026-11-27");
    const rejects = join(done, "senin.csv.penolakan.csv");
    expect(statSync(rejects).mode & 0o777).to.equal(0o600);
    const text = readFileSync(rejects, "utf8");
    expect(text).to.include("3002,Dinas Kesehatn,Instansi Tujuan");
    expect(await reports()).to.equal(2);

    // The same bytes again, under two names (one of them the same name as before).
    writeFileSync(join(inbox.dir, "senin.csv"), content);
    writeFileSync(join(inbox.dir, "salinan.csv"), content);
    await inbox.runOnce();
    expect(await inbox.runOnce()).to.include({ unchanged: 2, imported: 0 });
    expect(await reports()).to.equal(2);
    const history = await listImports(app.ctx.db.knex, 10);
    expect(history.map((h) => [h.fileName, h.result, h.movedTo]).sort()).to.deep.equal([
      ["salinan.csv", "unchanged", "done/2026-11-27/salinan.csv"],
      ["senin.csv", "imported", "done/2026-11-27/senin.csv"],
      [
        "senin.csv",
        "unchanged",
        `done/2026-11-27/senin-${history[0]?.contentHash.slice(0, 8)}.csv`,
      ],
    ]);
    expect(existsSync(join(done, `senin-${history[0]?.contentHash.slice(0, 8)}.csv`))).to.equal(
      true,
    );
  });

  it("moves an unreadable file to failed/ with a text file saying why", async () => {
    const inbox = watcher();
    await inbox.runOnce();
    writeFileSync(join(inbox.dir, "rusak.xlsx"), Buffer.from("PK\u0003\u0004 not really a zip"));
    writeFileSync(join(inbox.dir, "catatan.txt"), "not an import"); // not ours: left alone
    await inbox.runOnce();
    expect(await inbox.runOnce()).to.include({ failed: 1 });
    const failed = join(inbox.dir, "failed");
    expect(statSync(join(failed, "rusak.xlsx")).mode & 0o777).to.equal(0o600);
    const why = join(failed, "rusak.xlsx.alasan.txt");
    expect(statSync(why).mode & 0o777).to.equal(0o600);
    expect(readFileSync(why, "utf8"))
      .to.include("Berkas rusak.xlsx tidak dapat diimpor: berkas xlsx rusak")
      .and.include("The file rusak.xlsx could not be imported");
    expect(existsSync(join(inbox.dir, "catatan.txt"))).to.equal(true);
    const [h] = await listImports(app.ctx.db.knex, 10);
    expect(h).to.deep.include({ result: "failed", movedTo: "failed/rusak.xlsx" });
    expect(h?.reason).to.match(/corrupt or truncated/);
  });

  it("two daemons on one PostgreSQL import a file once", async function () {
    if (testBackend !== "postgres") return this.skip(); // the embedded database has one process
    const db2 = await openDatabase({
      databaseUrl: testDatabaseUrl,
      dataDir: "",
      command: "test",
      schema: app.db.schema ?? undefined,
      poolMax: 5,
    });
    try {
      const ctx2 = await bootstrap({
        command: "test 2",
        config: app.ctx.config,
        db: db2,
        logger: createLogger({ level: "error", silent: true }),
        now,
      });
      const a = watcher();
      const b = watcher(ctx2);
      await a.runOnce();
      writeFileSync(join(a.dir, "besar.csv"), `${HEADER}${lines(10_000, 3000)}`);
      await Promise.all([a.runOnce(), b.runOnce()]);
      const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
      expect((ra?.imported ?? 0) + (rb?.imported ?? 0)).to.equal(1);
      // Whichever came second found the file taken, or gone.
      expect(
        (ra?.deferred ?? 0) + (rb?.deferred ?? 0) + (ra?.waiting ?? 0) + (rb?.waiting ?? 0),
      ).to.be.at.most(1);
      expect(await reports()).to.equal(3000);
      const history = await listImports(app.ctx.db.knex, 10);
      expect(history.map((h) => h.result)).to.deep.equal(["imported"]);
      expect(existsSync(join(a.dir, "done", "2026-11-27", "besar.csv"))).to.equal(true);
      // Later looks of both: nothing more.
      await Promise.all([a.runOnce(), b.runOnce()]);
      expect(await listImports(app.ctx.db.knex, 10)).to.have.length(1);
    } finally {
      await db2.close();
    }
  });
});
