// `pantau doctor`: a healthy installation is all OK; each problem an operator meets (failed
// outbox, agency without liaison, stale scan, old data, SMTP down, loose file modes, missing
// holidays) turns its line WARN or FAIL with what to do — on both databases, at fixed instants.
import { expect } from "chai";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDoctor, type DoctorCheck } from "../../src/app/doctor.js";
import type { PantauConfig } from "../../src/config/index.js";
import type { Database } from "../../src/db/connect.js";
import { createTestApp, testConfig, wib, type TestApp } from "../helpers/app.js";
import {
  dpubmReport,
  importOfficers,
  importReports,
  IMPORTED,
  OFFICERS_CSV,
  OVERDUE,
  scanAndSend,
  startSmtp,
  type TestSmtp,
} from "../escalation/helpers.js";

describe("pantau doctor", function () {
  this.timeout(120_000);
  let app: TestApp;
  let smtp: TestSmtp;
  let dir: string;
  let config: PantauConfig;

  beforeEach(async () => {
    app = await createTestApp(IMPORTED);
    smtp = await startSmtp();
    dir = mkdtempSync(join(tmpdir(), "pantau-doctor-"));
    chmodSync(dir, 0o700);
    config = {
      ...testConfig(),
      dataDir: join(dir, "db"),
      mail: { ...testConfig().mail, smtpUrl: smtp.url, outboxDir: join(dir, "outbox") },
    };
  });
  afterEach(async () => {
    await smtp.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The doctor on the test database (kept open: the doctor closes only what it opened). */
  const doctor = (now: number, cfg: PantauConfig = config): Promise<DoctorCheck[]> => {
    const db: Database = { ...app.db, close: () => Promise.resolve() };
    return runDoctor({
      env: {},
      config: cfg,
      now,
      open: () => Promise.resolve(db),
      smtpTimeoutMs: 3000,
    });
  };
  const levels = (checks: DoctorCheck[]): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    for (const c of checks) (out[c.name] ??= []).push(c.level);
    return out;
  };

  it("says OK on every line of a healthy installation", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, [dpubmReport("5001")], OVERDUE);
    await scanAndSend(app.ctx, smtp, OVERDUE);
    const checks = await doctor(OVERDUE + 10 * 60_000);
    const notOk = checks.filter((c) => c.level !== "ok");
    expect(notOk, JSON.stringify(notOk)).to.deep.equal([]);
    expect(Object.keys(levels(checks))).to.include.members([
      "config",
      "holidays",
      "database",
      "migrations",
      "officers",
      "scan",
      "data",
      "outbox",
      "smtp",
    ]);
  });

  it("checks that each webhook's secret and URL variables are set, without showing them", async () => {
    const hook = {
      name: "telegram",
      url: null,
      urlEnv: "PANTAU_TG_URL",
      secretEnv: "PANTAU_TG_SECRET",
      address: "telegram_chat_id" as const,
      format: "telegram" as const,
      roles: null,
      levels: null,
      timeoutMs: 10_000,
      template: "{summary}",
    };
    const cfg: PantauConfig = { ...config, notify: { ...config.notify, webhooks: [hook] } };
    const db: Database = { ...app.db, close: () => Promise.resolve() };
    const run = (env: NodeJS.ProcessEnv) =>
      runDoctor({ env, config: cfg, now: IMPORTED, open: () => Promise.resolve(db) });
    const missing = (await run({ PANTAU_TG_SECRET: "s3cr3t" })).find(
      (c) => c.name === "webhook:telegram",
    )!;
    expect(missing.level).to.equal("fail");
    expect(missing.message.en).to.include("PANTAU_TG_URL is not set");
    expect(missing.action?.id).to.include("pantau outbox retry --all-failed");
    expect(JSON.stringify(missing)).not.to.include("s3cr3t");
    const ok = (
      await run({ PANTAU_TG_SECRET: "s3cr3t", PANTAU_TG_URL: "https://t.example/x" })
    ).find((c) => c.name === "webhook:telegram")!;
    expect(ok.level).to.equal("ok");
  });

  it("turns each problem into WARN or FAIL with what to do", async () => {
    // No coordinator, a dishub report without a liaison, one failed message, SMTP down, and the
    // doctor run three days after the last scan and the last data.
    await importOfficers(
      app.ctx,
      OFFICERS_CSV.split("\n")
        .filter((l) => !l.includes("coordinator"))
        .join("\n"),
      IMPORTED,
    );
    await importReports(app.ctx, [dpubmReport("5002", { opd: "dishub" })], IMPORTED);
    await scanAndSend(app.ctx, smtp, OVERDUE, { send: false });
    await app.db.knex("outbox").update({ state: "failed" });
    await smtp.close();
    const later = OVERDUE + 4 * 24 * 3_600_000;
    const checks = await doctor(later);
    const byName = levels(checks);
    expect(byName.officers).to.include("fail"); // no coordinator
    expect(byName.officers).to.include("warn"); // dishub without liaison
    expect(byName.outbox).to.include("fail");
    expect(byName.smtp).to.deep.equal(["fail"]);
    expect(byName.scan).to.deep.equal(["warn"]);
    expect(byName.data).to.deep.equal(["warn"]);
    for (const c of checks.filter((x) => x.level !== "ok")) {
      expect(c.action, `${c.name} says what to do`).to.not.equal(undefined);
    }
    const officers = checks.find((c) => c.name === "officers" && c.level === "warn");
    expect(officers?.message.en).to.contain("dishub");
    smtp = await startSmtp(); // afterEach closes it
  });

  it("warns about files other users can read in the data folder", async () => {
    const db = join(dir, "db");
    mkdirSync(db, { mode: 0o700 });
    writeFileSync(join(db, "PG_VERSION"), "17", { mode: 0o600 });
    let checks = await doctor(IMPORTED);
    // (With SMTP configured there is no .eml folder to check: only data_dir.)
    expect(checks.filter((c) => c.name === "data_dir").map((c) => c.level)).to.deep.equal(["ok"]);
    chmodSync(join(db, "PG_VERSION"), 0o644);
    checks = await doctor(IMPORTED);
    const warned = checks.find((c) => c.name === "data_dir" && c.level === "warn");
    expect(warned?.message.en).to.contain("PG_VERSION (644)");
    expect(warned?.action?.en).to.contain(`chmod -R go-rwx ${db}`);
  });

  it("fails on a missing holiday year in force and warns about next year's from October", async () => {
    const current = await doctor(wib("2027-02-01T09:00"));
    expect(current.filter((c) => c.name === "holidays").map((c) => c.level)).to.include("fail");
    const october = await doctor(wib("2026-10-05T09:00"));
    const holidays = october.filter((c) => c.name === "holidays");
    expect(holidays.map((c) => c.level)).to.deep.equal(["warn"]);
    expect(holidays[0]?.action?.en).to.contain("config/holidays/2027.yaml");
    const june = await doctor(wib("2026-06-05T09:00"));
    expect(june.filter((c) => c.name === "holidays").map((c) => c.level)).to.deep.equal(["ok"]);
  });
});
