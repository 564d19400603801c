// The notify step's deliveries (src/outbox/deliveryStore.ts) on a real database (embedded PGlite
// or PostgreSQL): each (item, person, channel) pair is written to notification_deliveries once,
// with the id its message then gets — never inserted and then updated in the usual case — pairs
// delivered before are skipped, and a pair another notify step is writing is left to it.
import { expect } from "chai";
import type { AppContext } from "../../src/context/appContext.js";
import { DeliveryWriter, isDelivered } from "../../src/outbox/deliveryStore.js";
import { decideDue, runEscalationScan } from "../../src/scan/escalationScan.js";
import { EscalationRun } from "../../src/scan/escalationRun.js";
import { runNotifyStep } from "../../src/scan/notifyStep.js";
import { BulkSession } from "../../src/store/bulkSession.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { testBackend } from "../helpers/db.js";
import {
  dpubmReport,
  importOfficers,
  importReports,
  IMPORTED,
  OFFICERS_CSV,
  OVERDUE,
} from "./helpers.js";

/** Makes every UPDATE of notification_deliveries fail (it is allowed to insert and delete). */
async function forbidDeliveryUpdates(ctx: AppContext): Promise<void> {
  await ctx.db.knex.raw(`CREATE FUNCTION test_no_delivery_update() RETURNS trigger
    LANGUAGE plpgsql AS $fn$ BEGIN RAISE EXCEPTION 'notification_deliveries updated'; END $fn$`);
  await ctx.db.knex.raw(`CREATE TRIGGER test_no_delivery_update
    BEFORE UPDATE ON notification_deliveries
    FOR EACH ROW EXECUTE FUNCTION test_no_delivery_update()`);
}

describe(`notify step deliveries (${testBackend})`, function () {
  this.timeout(120_000);
  let app: TestApp;

  beforeEach(async () => {
    app = await createTestApp(IMPORTED);
  });
  afterEach(async () => {
    await app.close();
  });

  it("writes every delivery once, with its message (no insert-then-update)", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(
      app.ctx,
      [dpubmReport("8201"), dpubmReport("8202"), dpubmReport("8203")],
      IMPORTED,
    );
    await forbidDeliveryUpdates(app.ctx);
    const scan = await runEscalationScan(app.ctx, OVERDUE);
    expect(scan.escalation.emailsQueued).to.be.greaterThan(0);
    const rows = (await app.ctx.db
      .knex("notification_deliveries")
      .select("item_key", "person", "channel", "outbox_id")) as {
      item_key: string;
      person: string;
      channel: string;
      outbox_id: string | number | null;
    }[];
    expect(rows.length).to.be.greaterThan(0);
    expect(rows.filter((r) => r.outbox_id === null)).to.deep.equal([]);
    // Each pair points at the one message of its person, which carries the item.
    const outbox = (await app.ctx.db.knex("outbox").select("id", "to", "items")) as {
      id: string | number;
      to: string[];
      items: string[];
    }[];
    const byId = new Map(outbox.map((m) => [Number(m.id), m]));
    for (const r of rows) {
      const m = byId.get(Number(r.outbox_id));
      expect(m?.to.map((a) => a.toLowerCase())).to.deep.equal([r.person]);
    }
  });

  /** Delivery rows as "item person channel outbox_id". */
  async function deliveryRows(): Promise<string[]> {
    const rows = (await app.ctx.db
      .knex("notification_deliveries")
      .select("item_key", "person", "channel", "outbox_id")
      .orderBy(["item_key", "person", "channel"])) as Record<string, string | number | null>[];
    return rows.map((r) => `${r.item_key} ${r.person} ${r.channel} ${r.outbox_id ?? "-"}`);
  }

  it("writes each pair once with its person's planned message and skips pairs delivered before", async () => {
    const knex = app.ctx.db.knex;
    let planned: (number | undefined)[] = [];
    await knex.transaction(async (trx) => {
      const session = await BulkSession.open(app.ctx.db.kind, trx);
      const writer = new DeliveryWriter(session, OVERDUE);
      await trx("notification_deliveries").insert({
        item_key: "old",
        person: "a@x.example",
        channel: "email",
        created_at: new Date(OVERDUE),
      });
      const first = await writer.deliver([
        { itemKey: "old", person: "a@x.example", channel: "email" },
        { itemKey: "k1", person: "a@x.example", channel: "email" },
        { itemKey: "k1", person: "a@x.example", channel: "email" },
        { itemKey: "k1", person: "b@x.example", channel: "email" },
      ]);
      expect(first.size).to.equal(2);
      expect(
        isDelivered(first, { itemKey: "old", person: "a@x.example", channel: "email" }),
      ).to.equal(false);
      expect(
        isDelivered(first, { itemKey: "k1", person: "b@x.example", channel: "email" }),
      ).to.equal(true);
      // A later page offering the same pair again: already written by this step.
      const second = await writer.deliver([
        { itemKey: "k1", person: "b@x.example", channel: "email" },
        { itemKey: "k1", person: "b@x.example", channel: "webhook:wa" },
      ]);
      expect([...second]).to.have.length(1);
      planned = [
        writer.messageId("email", "a@x.example"),
        writer.messageId("email", "b@x.example"),
        writer.messageId("webhook:wa", "b@x.example"),
      ];
      expect(new Set(planned).size).to.equal(3);
      // a@ got the message planned for them; b@'s email was one that existed (id 999999);
      // b@ has no chat address (no message), and is never settled: no message either.
      await writer.settle(
        "email",
        new Map([
          ["a@x.example", planned[0]!],
          ["b@x.example", 999_999],
        ]),
      );
      await writer.finish();
    });
    expect(await deliveryRows()).to.deep.equal([
      `k1 a@x.example email ${planned[0]}`,
      "k1 b@x.example email 999999",
      "k1 b@x.example webhook:wa -",
      "old a@x.example email -",
    ]);
  });

  it("a pair another notify step is writing waits for its commit and is then left to it", async function () {
    // Two transactions at once need two connections: the embedded database has one.
    if (testBackend !== "postgres") this.skip();
    const knex = app.ctx.db.knex;
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstWrote = (): void => undefined;
    const wrote = new Promise<void>((resolve) => (firstWrote = resolve));
    const first = knex.transaction(async (trx) => {
      const writer = new DeliveryWriter(await BulkSession.open(app.ctx.db.kind, trx), OVERDUE);
      await writer.deliver([{ itemKey: "k1", person: "a@x.example", channel: "email" }]);
      await writer.finish();
      firstWrote();
      await held;
    });
    await wrote;
    const second = knex.transaction(async (trx) => {
      const writer = new DeliveryWriter(await BulkSession.open(app.ctx.db.kind, trx), OVERDUE);
      const written = await writer.deliver([
        { itemKey: "k1", person: "a@x.example", channel: "email" },
        { itemKey: "k2", person: "a@x.example", channel: "email" },
      ]);
      await writer.finish();
      return written;
    });
    // The second waits on k1 until the first commits (a row lock wait shows in pg_locks).
    for (;;) {
      const waiting = (await knex.raw(
        "SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted",
      )) as { rows: { n: number }[] };
      if ((waiting.rows[0]?.n ?? 0) > 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    release();
    await first;
    const written = await second;
    expect([...written].map((k) => k.split("\u0000")[0])).to.deep.equal(["k2"]);
    expect((await deliveryRows()).map((r) => r.split(" ").slice(0, 2).join(" "))).to.deep.equal([
      "k1 a@x.example",
      "k2 a@x.example",
    ]);
  });

  it("a second notify step finds nothing left to deliver", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, [dpubmReport("8301"), dpubmReport("8302")], IMPORTED);
    const run = new EscalationRun(app.ctx, OVERDUE, "first");
    await decideDue(app.ctx, run, OVERDUE, { batchSize: 500 });
    await runNotifyStep(app.ctx, run, OVERDUE);
    const again = new EscalationRun(app.ctx, OVERDUE + 60_000, "second");
    await runNotifyStep(app.ctx, again, OVERDUE + 60_000);
    expect(again.counts.emailsQueued).to.equal(0);
    const pairs = (await app.ctx.db
      .knex("notification_deliveries")
      .select("item_key", "person")) as { item_key: string; person: string }[];
    const keys = pairs.map((p) => `${p.item_key} ${p.person}`);
    expect(new Set(keys).size).to.equal(keys.length);
  });
});

describe(`the scan's decision insert (${testBackend})`, function () {
  this.timeout(120_000);
  let app: TestApp;

  beforeEach(async () => {
    app = await createTestApp(IMPORTED);
  });
  afterEach(async () => {
    await app.close();
  });

  it("checks no foreign key and keeps no index on the unused email_id", async () => {
    const knex = app.ctx.db.knex;
    const fks = (await knex.raw(
      `SELECT conname FROM pg_constraint
       WHERE conrelid = 'escalations'::regclass AND contype = 'f' ORDER BY conname`,
    )) as { rows: { conname: string }[] };
    expect(fks.rows.map((r) => r.conname)).to.deep.equal([]);
    const indexes = (await knex.raw(
      `SELECT indexname FROM pg_indexes
       WHERE tablename = 'escalations' AND schemaname = current_schema() ORDER BY indexname`,
    )) as { rows: { indexname: string }[] };
    expect(indexes.rows.map((r) => r.indexname)).to.deep.equal([
      "escalations_once",
      "escalations_pkey",
      "escalations_tracking_id_index",
      "escalations_uncomposed",
    ]);
  });
});
