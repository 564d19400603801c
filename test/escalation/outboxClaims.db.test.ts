// Outbox claims under faults: two senders and an SMTP server slower than the lease (each
// Message-ID must arrive exactly once), and a sender that died holding claims — a process of
// this host, or on PostgreSQL a sender elsewhere whose session (and liveness lock) ended: its
// messages are taken over at once, not after the whole lease.
import { expect } from "chai";
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { bootstrap } from "../../src/app/bootstrap.js";
import type { AppContext } from "../../src/context/appContext.js";
import { openDatabase } from "../../src/db/connect.js";
import pg from "pg";
import {
  claimBatch,
  enqueue,
  listOutbox,
  SENDER_LOCK_CLASS,
} from "../../src/outbox/outboxStore.js";
import { OutboxSender } from "../../src/outbox/sender.js";
import { smtpTransport } from "../../src/outbox/transports.js";
import { createLogger } from "../../src/log.js";
import { createTestApp, testConfig, type TestApp } from "../helpers/app.js";
import { testBackend, testDatabaseUrl } from "../helpers/db.js";
import { AT_RISK, IMPORTED, startSmtp, type TestSmtp } from "./helpers.js";

/** Queues `n` distinct messages due at AT_RISK. */
async function queueMessages(ctx: AppContext, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const email = {
      messageId: `<claim-${i}@pantau.kabupaten-malang>`,
      dedupeKey: `test|claim|${i}`,
      kind: "escalation" as const,
      to: [`penerima${i}@malangkab.example`],
      cc: [],
      recipientNames: {},
      subject: `Pesan ${i}`,
      text: "t",
      html: "<p>t</p>",
      items: [],
      headers: {},
    };
    await ctx.db.knex.transaction((trx) => enqueue(trx, email, AT_RISK));
  }
}

/** Resolves when `condition` holds, checking it every 20 ms (at most 20 s). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not reached within 20 s");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A second application on the same data: its own pool on PostgreSQL, the same one embedded. */
async function secondContext(app: TestApp): Promise<{ ctx: AppContext; close(): Promise<void> }> {
  if (testBackend !== "postgres") {
    return { ctx: { ...app.ctx, instanceId: "second" }, close: async () => undefined };
  }
  const db = await openDatabase({
    databaseUrl: testDatabaseUrl,
    dataDir: "",
    command: "test-2",
    schema: app.db.schema ?? undefined,
  });
  const ctx = await bootstrap({
    command: "test-2",
    config: testConfig(),
    db,
    logger: createLogger({ level: "error", silent: true }),
    now: IMPORTED,
  });
  return { ctx: { ...ctx, instanceId: "second" }, close: () => db.close() };
}

describe("outbox claims under faults", function () {
  this.timeout(60_000);
  let app: TestApp;
  let smtp: TestSmtp;

  beforeEach(async () => {
    app = await createTestApp(IMPORTED);
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await smtp.close();
    await app.close();
  });

  it("two senders and an SMTP server slower than the lease send each message once", async () => {
    const count = 12;
    await queueMessages(app.ctx, count);
    // 12 × 400 ms = 4.8 s of sending against a 1.5 s lease: without a claim per message being
    // sent, the second sender takes over messages the first one is still going to send.
    smtp.delayMs = 400;
    const t0 = performance.now();
    const clock = (): number => AT_RISK + Math.round(performance.now() - t0);
    const second = await secondContext(app);
    const make = (ctx: AppContext, id: string): OutboxSender =>
      new OutboxSender(ctx, {
        clock,
        id,
        transport: smtpTransport(smtp.url, ctx.config.mail.from),
        leaseMs: 1_500,
        sendTimeoutMs: 1_000,
        random: () => 0.5,
      });
    // As the daemon names them: on PostgreSQL with ":pg", so that liveness locks are in play.
    const pgSuffix = testBackend === "postgres" ? ":pg" : "";
    const a = make(app.ctx, `${hostname()}:${process.pid}:aaaaaa${pgSuffix}`);
    const b = make(second.ctx, `${hostname()}:${process.pid}:bbbbbb${pgSuffix}`);
    try {
      a.start(50);
      b.start(50);
      void a.runOnce();
      // Every message arrived and is recorded as sent, then both senders stop (each finishes the
      // message in hand, so a late duplicate would still arrive before the count below).
      await smtp.waitFor(count, 30_000);
      await until(async () => (await listOutbox(app.ctx.db.knex)).every((r) => r.state === "sent"));
      await a.stop();
      await b.stop();
    } finally {
      await a.stop();
      await b.stop();
      await second.close();
    }
    const ids = smtp.received.map((r) => r.parsed.messageId ?? "");
    const seen = new Map<string, number>();
    for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
    expect(twice, "Message-IDs delivered more than once").to.deep.equal([]);
    expect(seen.size).to.equal(count);
  });

  it("takes over the claims of a sender process that died at once, not after its lease", async () => {
    await queueMessages(app.ctx, 2);
    // A real process that has exited: its pid, on this host, is dead.
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    const deadPid = child.pid;
    await new Promise((resolve) => child.on("exit", resolve));
    const claimed = await claimBatch(
      app.ctx.db.knex,
      `${hostname()}:${deadPid}:dead00`,
      AT_RISK,
      5 * 60_000,
      10,
    );
    expect(claimed).to.have.length(2);
    // A live claimant (this process) keeps its claims for the lease.
    await app.ctx.db
      .knex("outbox")
      .where({ id: claimed[1]!.id })
      .update({ locked_by: `${hostname()}:${process.pid}:alive0` });
    const sender = new OutboxSender(app.ctx, {
      clock: () => AT_RISK + 1_000,
      transport: smtpTransport(smtp.url, app.ctx.config.mail.from),
    });
    try {
      expect((await sender.runOnce()).sent).to.equal(1);
    } finally {
      await sender.stop();
    }
    await smtp.waitFor(1);
    expect(smtp.received.map((r) => r.parsed.messageId)).to.deep.equal([claimed[0]!.messageId]);
    const rows = await listOutbox(app.ctx.db.knex);
    expect(rows.map((r) => r.state)).to.deep.equal(["sent", "sending"]);
  });

  it("on PostgreSQL, takes over at once the claims of a sender elsewhere whose session ended", async function () {
    // Liveness across hosts is a PostgreSQL advisory lock; the embedded database has one host
    // and one process, whose sender liveness the pid test above covers.
    if (testBackend !== "postgres") this.skip();
    await queueMessages(app.ctx, 2);
    // Senders on another host: their pids say nothing here; their liveness locks do.
    const gone = "pantau-b.example:4242:abcdef:pg";
    const alive = "pantau-b.example:4243:abcdef:pg";
    const claimed = await claimBatch(app.ctx.db.knex, gone, AT_RISK, 5 * 60_000, 10);
    expect(claimed).to.have.length(2);
    await app.ctx.db.knex("outbox").where({ id: claimed[1]!.id }).update({ locked_by: alive });
    // The live one's session holds its lock.
    const session = new pg.Client({ connectionString: testDatabaseUrl });
    await session.connect();
    try {
      await session.query("SELECT pg_advisory_lock($1, hashtext($2))", [SENDER_LOCK_CLASS, alive]);
      const sender = new OutboxSender(app.ctx, {
        clock: () => AT_RISK + 1_000,
        transport: smtpTransport(smtp.url, app.ctx.config.mail.from),
      });
      try {
        expect((await sender.runOnce()).sent).to.equal(1);
      } finally {
        await sender.stop();
      }
    } finally {
      await session.end();
    }
    await smtp.waitFor(1);
    expect(smtp.received.map((r) => r.parsed.messageId)).to.deep.equal([claimed[0]!.messageId]);
    const rows = await listOutbox(app.ctx.db.knex);
    expect(rows.map((r) => [r.state, r.lockedBy?.endsWith(":pg")])).to.deep.equal([
      ["sent", true],
      ["sending", true],
    ]);
    expect(rows[1]!.lockedBy).to.equal(alive);
  });
});
