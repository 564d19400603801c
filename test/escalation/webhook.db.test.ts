// The webhook channel end to end on a real database, with a local HTTP server as the gateway:
// the HMAC signature verifies, the payload has its schema (rahasia without type/category),
// 5xx and timeouts are retried with backoff, a 4xx fails at once with status and body head,
// quiet hours hold chat messages (fixed clock) while email goes, the Telegram format, and two
// daemons (concurrently on PostgreSQL) deliver each chat message once.
import { expect } from "chai";
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { bootstrap } from "../../src/app/bootstrap.js";
import type { AppContext } from "../../src/context/appContext.js";
import { runScan } from "../../src/scan/scanJob.js";
import type { PantauConfig } from "../../src/config/index.js";
import type { WebhookSettings } from "../../src/config/notifySettings.js";
import { openDatabase } from "../../src/db/connect.js";
import { listOutbox } from "../../src/outbox/outboxStore.js";
import { OutboxSender, type SendResult } from "../../src/outbox/sender.js";
import { smtpTransport } from "../../src/outbox/transports.js";
import { webhookTransports } from "../../src/outbox/webhookChannel.js";
import { createLogger } from "../../src/log.js";
import { createTestApp, testConfig, wib, type TestApp } from "../helpers/app.js";
import { testBackend, testDatabaseUrl } from "../helpers/db.js";
import {
  dpubmReport,
  importOfficers,
  importReports,
  IMPORTED,
  OFFICERS_CSV,
  OVERDUE,
  startSmtp,
  type TestSmtp,
} from "./helpers.js";

const SECRET = "rahasia-uji-hmac";
const ENV = { PANTAU_WA_SECRET: SECRET, PANTAU_TG_SECRET: "tg-secret" };

/** The directory with chat contacts: supervisor and coordinator by phone, the liaison by Telegram. */
const OFFICERS_WITH_CONTACTS = OFFICERS_CSV.split("\n")
  .map((line, i) => {
    if (i === 0) return `${line},phone,telegram_chat_id`;
    if (line.includes("kepala.dpubm")) return `${line},+62 812-3456-7001,`;
    if (line.includes("koordinator@")) return `${line},+6281234567002,`;
    if (line.includes("penghubung.dpubm")) return `${line},,987654321`;
    return `${line},,`;
  })
  .join("\n");

interface Hit {
  headers: IncomingHttpHeaders;
  body: string;
}

interface Gateway {
  url: string;
  hits: Hit[];
  /** Status codes to answer with, in order; 200 once they run out. "hang" never answers. */
  script: (number | "hang")[];
  close(): Promise<void>;
}

async function startGateway(): Promise<Gateway> {
  const hits: Hit[] = [];
  const script: (number | "hang")[] = [];
  const hanging: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const next = script.shift() ?? 200;
      if (next === "hang") {
        hanging.push(() => res.destroy());
        return;
      }
      res.writeHead(next, { "content-type": "application/json" });
      res.end(next < 300 ? '{"ok":true}' : `{"error":"nomor tidak terdaftar","status":${next}}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/send`,
    hits,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        hanging.forEach((h) => h());
        server.close(() => resolve());
      }),
  };
}

function hook(url: string, over: Partial<WebhookSettings> = {}): WebhookSettings {
  return {
    name: "whatsapp",
    url,
    urlEnv: null,
    secretEnv: "PANTAU_WA_SECRET",
    address: "phone",
    format: "pantau",
    roles: null,
    levels: null,
    timeoutMs: 1000,
    template: "Yth. {name},\n{summary}\n\n{items}",
    ...over,
  };
}

function configWith(webhooks: WebhookSettings[]): PantauConfig {
  const config = testConfig();
  return { ...config, notify: { ...config.notify, webhooks } };
}

async function send(ctx: AppContext, smtp: TestSmtp, now: number): Promise<SendResult> {
  const sender = new OutboxSender(ctx, {
    clock: () => now,
    transport: smtpTransport(smtp.url, ctx.config.mail.from),
    webhooks: webhookTransports(ctx.config.notify.webhooks, ENV),
    random: () => 0.5,
  });
  try {
    return await sender.runOnce();
  } finally {
    await sender.stop();
  }
}

async function scanAndSendAll(ctx: AppContext, smtp: TestSmtp, now: number): Promise<SendResult> {
  await runScan(ctx, now, () => now);
  return send(ctx, smtp, now);
}

const verify = (hit: Hit, secret: string): boolean => {
  const ts = String(hit.headers["x-pantau-timestamp"]);
  const expected = `sha256=${createHmac("sha256", secret).update(`${ts}.${hit.body}`).digest("hex")}`;
  return hit.headers["x-pantau-signature"] === expected;
};

describe(`webhook channel (${testBackend})`, function () {
  this.timeout(120_000);
  let app: TestApp;
  let smtp: TestSmtp;
  let gateway: Gateway;

  beforeEach(async () => {
    gateway = await startGateway();
    smtp = await startSmtp();
    app = await createTestApp(IMPORTED, configWith([hook(gateway.url)]));
    await importOfficers(app.ctx, OFFICERS_WITH_CONTACTS, IMPORTED);
  });
  afterEach(async () => {
    await app.close();
    await smtp.close();
    await gateway.close();
  });

  it("posts one signed message per person with a phone, with the payload schema", async () => {
    await importReports(
      app.ctx,
      [
        dpubmReport("9001"),
        dpubmReport("9002", { confidential: true, category: "KategoriSangatRahasia" }),
      ],
      IMPORTED,
    );
    const result = await scanAndSendAll(app.ctx, smtp, OVERDUE);
    // Email: supervisor, liaison, coordinator. Chat: supervisor and coordinator (phones).
    expect(result.sent).to.equal(5);
    expect(gateway.hits).to.have.length(2);
    for (const hit of gateway.hits) {
      expect(verify(hit, SECRET), "signature").to.equal(true);
      expect(verify(hit, "another secret"), "wrong secret").to.equal(false);
      expect(hit.headers["content-type"]).to.equal("application/json");
      expect(hit.headers["idempotency-key"]).to.match(/^<[0-9a-f]{32}@pantau\.kabupaten-malang>$/);
    }
    const payloads = gateway.hits.map((h) => JSON.parse(h.body) as Record<string, unknown>);
    const head = payloads.find((p) => p.phone === "+6281234567001")!;
    expect(head).to.include({ schema: "pantau.chat/1", kind: "escalation", chat_id: null });
    expect(head.counts).to.deep.equal({ action: 2, copy: 0 });
    expect(head.recipient).to.deep.equal({
      name: "Wahyu Nugroho",
      role: "supervisor",
      opd: "dpubm",
      phone: "+6281234567001",
      telegram_chat_id: null,
    });
    const items = head.items as Record<string, unknown>[];
    expect(items.map((i) => i.tracking_id)).to.deep.equal(["9001", "9002"]);
    expect(items[0]).to.include({
      as: "action",
      agency_code: "dpubm",
      agency: "Dinas Pekerjaan Umum Bina Marga",
      stage: "penyelesaian",
      level: 1,
      due: "2025-03-11T17:00:00.000Z",
      lapor_url: "https://www.lapor.go.id/pengaduan/9001",
      confidential: false,
      type: "pengaduan",
      category: "Jalan rusak",
    });
    expect(items[0]!.late).to.be.a("string");
    expect(items[1]).to.include({ confidential: true });
    expect(items[1]).not.to.have.any.keys("type", "category");
    expect(JSON.stringify(payloads)).not.to.include("KategoriSangatRahasia");
    expect(head.text).to.be.a("string").and.include("Yth. Wahyu Nugroho,");
    expect(head.text).to.include("9002 (rahasia)");
    const coordinator = payloads.find((p) => p.phone === "+6281234567002")!;
    expect(coordinator.counts).to.deep.equal({ action: 0, copy: 2 });

    // Nothing is posted twice: later scans and sender rounds add nothing.
    await scanAndSendAll(app.ctx, smtp, OVERDUE + 600_000);
    expect(gateway.hits).to.have.length(2);
    const outbox = await listOutbox(app.ctx.db.knex);
    expect(outbox.filter((m) => m.channel === "webhook").map((m) => m.endpoint)).to.deep.equal([
      "whatsapp",
      "whatsapp",
    ]);
  });

  it("retries a 5xx and a timeout with backoff, then delivers once", async () => {
    await importReports(app.ctx, [dpubmReport("9101")], IMPORTED);
    gateway.script.push(503, "hang", 503, "hang");
    const first = await scanAndSendAll(app.ctx, smtp, OVERDUE);
    expect(first.retried).to.equal(2);
    const pending = (await listOutbox(app.ctx.db.knex, { states: ["pending"] })).filter(
      (m) => m.channel === "webhook",
    );
    expect(pending).to.have.length(2);
    const errors = pending.map((m) => m.lastError ?? "").sort();
    expect(errors[0]).to.include("HTTP 503");
    expect(errors[1]).to.include("no answer within 1 s");
    // Backoff: nothing is tried before the next attempt is due (30 s base, jitter 0.5 → 22.5 s).
    expect((await send(app.ctx, smtp, OVERDUE + 10_000)).retried).to.equal(0);
    const second = await send(app.ctx, smtp, OVERDUE + 60_000);
    expect(second.retried).to.equal(2);
    const third = await send(app.ctx, smtp, OVERDUE + 600_000);
    expect(third.sent).to.equal(2);
    const delivered = gateway.hits.filter((h) => h.body.includes('"phone"'));
    const ids = new Set(delivered.map((h) => h.headers["x-pantau-message-id"]));
    expect(ids.size).to.equal(2);
    const states = (await listOutbox(app.ctx.db.knex)).map((m) => m.state);
    expect(states.every((s) => s === "sent")).to.equal(true);
  });

  it("fails a 4xx at once with the status and the head of the body", async () => {
    await importReports(app.ctx, [dpubmReport("9201")], IMPORTED);
    gateway.script.push(400, 400);
    const result = await scanAndSendAll(app.ctx, smtp, OVERDUE);
    expect(result.failed).to.equal(2);
    const failed = await listOutbox(app.ctx.db.knex, { states: ["failed"] });
    expect(failed).to.have.length(2);
    for (const m of failed) {
      expect(m).to.include({ channel: "webhook", endpoint: "whatsapp", attempts: 1 });
      expect(m.lastError).to.include("HTTP 400");
      expect(m.lastError).to.include("nomor tidak terdaftar");
      expect(m.lastError).not.to.include(SECRET);
    }
    expect(await send(app.ctx, smtp, OVERDUE + 7_200_000)).to.include({ sent: 0, retried: 0 });
    expect(gateway.hits).to.have.length(2);
  });

  it("holds chat messages during quiet hours (20:00–07:00 local); email goes at once", async () => {
    await importReports(app.ctx, [dpubmReport("9301")], IMPORTED);
    const evening = wib("2025-03-12T21:00");
    const night = await scanAndSendAll(app.ctx, smtp, evening);
    // Every email goes: the escalation to three people. (The day's digest, due after 08:00, is
    // held for the next scan: its supervisor already has a message from this one.)
    expect(night.sent).to.equal(3);
    expect(gateway.hits).to.have.length(0);
    const held = (await listOutbox(app.ctx.db.knex, { states: ["pending"] })).map(
      (m) => m.nextAttemptAt,
    );
    expect(held).to.deep.equal([wib("2025-03-13T07:00"), wib("2025-03-13T07:00")]);
    expect((await send(app.ctx, smtp, wib("2025-03-13T06:59"))).sent).to.equal(0);
    // A gateway error in the morning; then one just before 20:00: its retry waits for 07:00.
    gateway.script.push(503, 200, 503);
    const morning = await send(app.ctx, smtp, wib("2025-03-13T07:00"));
    expect(morning).to.include({ sent: 1, retried: 1 });
    const evening2 = wib("2025-03-13T19:59") + 30_000; // backoff 45 s → 20:00:15
    expect(await send(app.ctx, smtp, evening2)).to.include({ sent: 0, retried: 1 });
    const [retry] = await listOutbox(app.ctx.db.knex, { states: ["pending"] });
    expect(retry!.nextAttemptAt).to.equal(wib("2025-03-14T07:00"));
    expect((await send(app.ctx, smtp, wib("2025-03-14T07:00"))).sent).to.equal(1);
    expect(gateway.hits).to.have.length(4);
  });
});

describe(`officer contacts on the database (${testBackend})`, function () {
  this.timeout(60_000);

  it("adds contacts to stored appointments when the file is imported again with them", async () => {
    const app = await createTestApp(IMPORTED);
    try {
      await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
      await importOfficers(app.ctx, OFFICERS_WITH_CONTACTS, IMPORTED + 1000);
      const rows = (await app.ctx.db
        .knex("officer_appointments")
        .orderBy("id")
        .select("email", "phone", "telegram_chat_id")) as Record<string, string | null>[];
      expect(rows).to.have.length(5);
      expect(rows.find((r) => r.email === "kepala.dpubm@malangkab.example")).to.include({
        phone: "+6281234567001",
        telegram_chat_id: null,
      });
      expect(rows.find((r) => r.email === "penghubung.dpubm@malangkab.example")).to.include({
        phone: null,
        telegram_chat_id: "987654321",
      });
      // A file without the contact columns (a rotation, say) keeps the stored contacts.
      await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED + 2000);
      const kept = (await app.ctx.db
        .knex("officer_appointments")
        .where({ email: "kepala.dpubm@malangkab.example" })
        .first("phone")) as { phone: string | null };
      expect(kept.phone).to.equal("+6281234567001");
    } finally {
      await app.close();
    }
  });
});

describe(`webhook channel: Telegram and two daemons (${testBackend})`, function () {
  this.timeout(120_000);

  it("sends { chat_id, text } to a Telegram URL from the environment, once with two daemons", async () => {
    const gateway = await startGateway();
    const smtp = await startSmtp();
    const telegram = hook("", {
      name: "telegram",
      url: null,
      urlEnv: "PANTAU_TG_URL",
      secretEnv: "PANTAU_TG_SECRET",
      address: "telegram_chat_id",
      format: "telegram",
    });
    const config = configWith([hook(gateway.url, { levels: [1] }), telegram]);
    const app = await createTestApp(IMPORTED, config);
    const env = { ...ENV, PANTAU_TG_URL: `${gateway.url}?bot=token` };
    let closeSecond = async (): Promise<void> => undefined;
    try {
      await importOfficers(app.ctx, OFFICERS_WITH_CONTACTS, IMPORTED);
      await importReports(app.ctx, [dpubmReport("9401"), dpubmReport("9402")], IMPORTED);
      let second: AppContext = { ...app.ctx, instanceId: "second" };
      if (testBackend === "postgres") {
        const db = await openDatabase({
          databaseUrl: testDatabaseUrl,
          dataDir: "",
          command: "test-2",
          schema: app.db.schema ?? undefined,
        });
        second = {
          ...(await bootstrap({
            command: "test-2",
            config,
            db,
            logger: createLogger({ level: "error", silent: true }),
            now: OVERDUE,
          })),
          instanceId: "second",
        };
        closeSecond = () => db.close();
      }
      const round = async (ctx: AppContext): Promise<void> => {
        await runScan(ctx, OVERDUE, () => OVERDUE);
        const sender = new OutboxSender(ctx, {
          clock: () => OVERDUE,
          transport: smtpTransport(smtp.url, ctx.config.mail.from),
          webhooks: webhookTransports(ctx.config.notify.webhooks, env),
          random: () => 0.5,
        });
        await sender.runOnce();
        await sender.stop();
      };
      if (testBackend === "postgres") await Promise.all([round(app.ctx), round(second)]);
      else await round(app.ctx).then(() => round(second));
      await round(app.ctx);
      await round(second);

      const tg = gateway.hits.filter((h) => h.body.includes('"chat_id":"987654321"'));
      expect(tg).to.have.length(1);
      const body = JSON.parse(tg[0]!.body) as Record<string, unknown>;
      expect(Object.keys(body).sort()).to.deep.equal([
        "chat_id",
        "disable_web_page_preview",
        "text",
      ]);
      expect(body.text).to.include("Yth. Eko Prasetyo,");
      expect(body.text).to.include("*Tembusan*");
      expect(verify(tg[0]!, "tg-secret")).to.equal(true);
      // WhatsApp: the supervisor and the coordinator, once each.
      const wa = gateway.hits.filter((h) => h.body.includes('"schema":"pantau.chat/1"'));
      expect(wa).to.have.length(2);
      expect(new Set(gateway.hits.map((h) => h.headers["x-pantau-message-id"])).size).to.equal(3);
      expect(smtp.received).to.have.length(3);
    } finally {
      await closeSecond();
      await app.close();
      await smtp.close();
      await gateway.close();
    }
  });
});
