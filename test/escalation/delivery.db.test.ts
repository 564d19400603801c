// Delivery: exactly once with two scanners (concurrently on PostgreSQL; sequentially on the
// embedded database, which serves one process), retries with backoff when SMTP refuses or is
// down, a sender that died mid-send, and the .eml outbox.
import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { bootstrap } from "../../src/app/bootstrap.js";
import type { AppContext } from "../../src/context/appContext.js";
import { runScan } from "../../src/scan/scanJob.js";
import { openDatabase } from "../../src/db/connect.js";
import { claimBatch, enqueue, listOutbox } from "../../src/outbox/outboxStore.js";
import { backoffMs, OutboxSender } from "../../src/outbox/sender.js";
import { emlTransport, smtpTransport } from "../../src/outbox/transports.js";
import { createLogger } from "../../src/log.js";
import { createTestApp, testConfig, wib, type TestApp } from "../helpers/app.js";
import { testBackend, testDatabaseUrl } from "../helpers/db.js";
import {
  AT_RISK,
  dpubmReport,
  importOfficers,
  importReports,
  IMPORTED,
  OFFICERS_CSV,
  OVERDUE,
  scanAndSend,
  startSmtp,
  type TestSmtp,
} from "./helpers.js";

describe("outbox delivery", function () {
  this.timeout(120_000);
  let app: TestApp;
  let smtp: TestSmtp;

  beforeEach(async () => {
    app = await createTestApp(IMPORTED);
    smtp = await startSmtp();
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
  });
  afterEach(async () => {
    await smtp.close();
    await app.close();
  });

  const sender = (ctx: AppContext, now: () => number, url = smtp.url) =>
    new OutboxSender(ctx, {
      clock: now,
      transport: smtpTransport(url, ctx.config.mail.from),
      random: () => 0.5,
    });

  it(`two scanners deliver each message once (${testBackend === "postgres" ? "concurrently, two pools" : "sequentially: the embedded database serves one process"})`, async () => {
    // Reports of two agencies, so that several messages are due at once.
    const reports = [
      ...["4001", "4002", "4003"].map((id) => dpubmReport(id)),
      ...["4011", "4012"].map((id) => dpubmReport(id, { opd: "dishub" })),
    ];
    await importReports(app.ctx, reports, IMPORTED);
    let second: AppContext;
    let closeSecond = async (): Promise<void> => undefined;
    if (testBackend === "postgres") {
      const db = await openDatabase({
        databaseUrl: testDatabaseUrl,
        dataDir: "",
        command: "test-2",
        schema: app.db.schema ?? undefined,
      });
      second = await bootstrap({
        command: "test-2",
        config: testConfig(),
        db,
        logger: createLogger({ level: "error", silent: true }),
        now: IMPORTED,
      });
      second = { ...second, instanceId: "second" };
      closeSecond = () => db.close();
    } else {
      second = { ...app.ctx, instanceId: "second" };
    }
    try {
      const run = (ctx: AppContext) => scanAndSend(ctx, smtp, OVERDUE);
      const results =
        testBackend === "postgres"
          ? await Promise.all([run(app.ctx), run(second)])
          : [await run(app.ctx), await run(second)];
      const decided = results.reduce((n, r) => n + r.scan.escalation.decided, 0);
      expect(decided).to.equal(5);
      // One message per person: the dpubm supervisor and liaison, the dishub supervisor, and the
      // coordinator (copies of both agencies, standing in for dishub's vacant liaison, and the
      // vacancy notice).
      const expected = 4;
      await smtp.waitFor(expected);
      // A few more rounds from both: nothing new.
      await run(app.ctx);
      await run(second);
      const ids = smtp.received.map((r) => r.parsed.messageId);
      expect(ids).to.have.length(expected);
      expect(new Set(ids).size).to.equal(expected);
      const outbox = await listOutbox(app.ctx.db.knex);
      expect(outbox.map((m) => m.state)).to.deep.equal(["sent", "sent", "sent", "sent"]);
    } finally {
      await closeSecond();
    }
  });

  it("retries with backoff while SMTP refuses or is down, then delivers once", async () => {
    await importReports(app.ctx, [dpubmReport("4101")], IMPORTED);
    smtp.mode = "reject-rcpt";
    const first = await scanAndSend(app.ctx, smtp, AT_RISK);
    expect(first.send).to.include({ sent: 0, retried: 1, failed: 0 });
    let [row] = await listOutbox(app.ctx.db.knex);
    expect(row).to.include({ state: "pending", attempts: 1 });
    expect(row!.lastError).to.match(/451|temporarily/);
    // 30 s base with "equal jitter" at random 0.5: 22.5 s.
    expect(row!.nextAttemptAt).to.equal(AT_RISK + 22_500);
    expect(backoffMs(1, app.ctx.config.mail.retry, () => 0.5)).to.equal(22_500);

    // Not yet due: nothing happens.
    expect((await sender(app.ctx, () => AT_RISK + 10_000).runOnce()).retried).to.equal(0);

    smtp.mode = "reject-data";
    const t2 = AT_RISK + 23_000;
    const s2 = sender(app.ctx, () => t2);
    expect((await s2.runOnce()).retried).to.equal(1);
    await s2.stop();
    [row] = await listOutbox(app.ctx.db.knex);
    expect(row).to.include({ state: "pending", attempts: 2 });
    expect(row!.nextAttemptAt).to.equal(t2 + 45_000);

    // The server is down: connection refused, retried again.
    const t3 = t2 + 46_000;
    const s3 = sender(app.ctx, () => t3, "smtp://127.0.0.1:1");
    expect((await s3.runOnce()).retried).to.equal(1);
    await s3.stop();
    [row] = await listOutbox(app.ctx.db.knex);
    expect(row).to.include({ state: "pending", attempts: 3 });
    expect(row!.nextAttemptAt).to.equal(t3 + 90_000);

    smtp.mode = "accept";
    const s4 = sender(app.ctx, () => t3 + 91_000);
    expect((await s4.runOnce()).sent).to.equal(1);
    await s4.stop();
    await smtp.waitFor(1);
    const s5 = sender(app.ctx, () => t3 + 600_000);
    expect((await s5.runOnce()).sent).to.equal(0);
    await s5.stop();
    expect(smtp.received).to.have.length(1);
    const status = (await app.ctx.db
      .knex("escalations")
      .where({ tracking_id: "4101" })
      .pluck("status")) as string[];
    expect(status).to.deep.equal(["sent"]);
  });

  it("gives up after the maximum attempts; a retry re-queues and delivers", async () => {
    await app.close();
    const config = testConfig();
    app = await createTestApp(IMPORTED, {
      ...config,
      mail: { ...config.mail, retry: { ...config.mail.retry, maxAttempts: 2 } },
    });
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, [dpubmReport("4201")], IMPORTED);
    smtp.mode = "reject-rcpt";
    await scanAndSend(app.ctx, smtp, AT_RISK);
    const s = sender(app.ctx, () => AT_RISK + 3_600_000);
    expect(await s.runOnce()).to.include({ failed: 1, retried: 0 });
    await s.stop();
    const [row] = await listOutbox(app.ctx.db.knex, { states: ["failed"] });
    expect(row).to.include({ attempts: 2 });
    smtp.mode = "accept";
    const idle = sender(app.ctx, () => AT_RISK + 7_200_000);
    expect((await idle.runOnce()).sent).to.equal(0);
    await idle.stop();
  });

  it("takes over a message whose sender died mid-send, once the lease expired", async () => {
    await importReports(app.ctx, [dpubmReport("4301")], IMPORTED);
    await scanAndSend(app.ctx, smtp, AT_RISK, { send: false });
    // A sender claims the message and dies before sending it.
    const claimed = await claimBatch(app.ctx.db.knex, "dead-sender", AT_RISK, 60_000, 10);
    expect(claimed).to.have.length(1);
    const early = sender(app.ctx, () => AT_RISK + 30_000);
    expect((await early.runOnce()).sent).to.equal(0);
    await early.stop();
    const late = sender(app.ctx, () => AT_RISK + 61_000);
    expect((await late.runOnce()).sent).to.equal(1);
    await late.stop();
    await smtp.waitFor(1);
    expect(smtp.received).to.have.length(1);
    const [row] = await listOutbox(app.ctx.db.knex);
    expect(row).to.include({ state: "sent", attempts: 2 });
  });

  it("writes each message as an .eml file a mail program opens", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pantau-outbox-"));
    try {
      await importReports(app.ctx, [dpubmReport("4401"), dpubmReport("4402")], IMPORTED);
      await runScan(app.ctx, AT_RISK, () => AT_RISK);
      const s = new OutboxSender(app.ctx, {
        clock: () => AT_RISK,
        transport: emlTransport(dir, app.ctx.config.mail.from),
      });
      expect((await s.runOnce()).sent).to.equal(1);
      await s.stop();
      const [row] = await listOutbox(app.ctx.db.knex);
      const files = readdirSync(dir);
      expect(files).to.deep.equal([`20250311T000000Z-${row!.id}.eml`]);
      const parsed = await simpleParser(readFileSync(join(dir, files[0]!)));
      expect(parsed.messageId).to.equal(row!.messageId);
      expect(parsed.subject).to.equal(row!.subject);
      expect(parsed.from?.value[0]).to.deep.include({
        name: "Pantau Kabupaten Malang",
        address: "pantau@malangkab.example",
      });
      expect(parsed.date?.getTime()).to.equal(AT_RISK);
      expect(parsed.text).to.include("Laporan 4401");
      expect(parsed.html).to.include("<!DOCTYPE html>");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("dedupes a message grouping hundreds of decisions (a long dedupe key)", async () => {
    const keys = Array.from({ length: 400 }, (_, i) => `${9100000 + i}|resolution|1|1`);
    const email = {
      messageId: "<x@pantau.kabupaten-malang>",
      dedupeKey: `escalation|kepala.dpubm@malangkab.example|${keys.join(";")}`,
      kind: "escalation" as const,
      to: ["kepala.dpubm@malangkab.example"],
      cc: [],
      recipientNames: {},
      subject: "s",
      text: "t",
      html: "h",
      items: keys,
      headers: {},
    };
    const a = await app.ctx.db.knex.transaction((trx) => enqueue(trx, email, AT_RISK));
    const b = await app.ctx.db.knex.transaction((trx) => enqueue(trx, email, AT_RISK));
    expect(a.created).to.equal(true);
    expect(b).to.deep.equal({ id: a.id, created: false });
    const other = { ...email, dedupeKey: email.dedupeKey + ";x" };
    const c = await app.ctx.db.knex.transaction((trx) => enqueue(trx, other, AT_RISK));
    expect(c.created).to.equal(true);
  });

  it("keeps next_check_at for a step after due, so the scan comes back for it", async () => {
    await importReports(app.ctx, [dpubmReport("4501")], IMPORTED);
    await scanAndSend(app.ctx, smtp, OVERDUE);
    const [clock] = (await app.ctx.db
      .knex("sla_clocks")
      .where({ tracking_id: "4501", stage: "resolution" })
      .select("next_check_at")) as { next_check_at: Date | null }[];
    // Due Wed 12 Mar 00:00: 3 working days late (Wed, Thu, Fri) at Sat 15 Mar 00:00 WIB.
    expect(clock!.next_check_at?.getTime()).to.equal(wib("2025-03-15T00:00"));
  });
});
