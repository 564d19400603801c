// The notify step's claims (src/outbox/deliveryStore.ts) on a real database (embedded PGlite or
// PostgreSQL): each (item, person, channel) pair is written to notification_deliveries once,
// together with its message — never inserted and then updated — and a pair delivered by someone
// else between its claim and its message rolls the step back rather than sending it twice.
import { expect } from "chai";
import type { AppContext } from "../../src/context/appContext.js";
import {
  claimDeliveries,
  deliverClaims,
  deliverRemainingClaims,
  isClaimed,
  openClaims,
} from "../../src/outbox/deliveryStore.js";
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

describe(`notify step claims (${testBackend})`, function () {
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
    // The claim table is gone with its transaction.
    const temp = (await app.ctx.db.knex.raw(
      "SELECT count(*)::int AS n FROM pg_class WHERE relname = 'pantau_claims'",
    )) as { rows: { n: number }[] };
    expect(temp.rows[0]?.n).to.equal(0);
  });

  it("claims each pair once per step and skips pairs delivered before", async () => {
    const knex = app.ctx.db.knex;
    await knex.transaction(async (trx) => {
      const session = await BulkSession.open(app.ctx.db.kind, trx);
      await openClaims(trx);
      await trx("notification_deliveries").insert({
        item_key: "old",
        person: "a@x.example",
        channel: "email",
        created_at: new Date(OVERDUE),
      });
      const first = await claimDeliveries(session, [
        { itemKey: "old", person: "a@x.example", channel: "email" },
        { itemKey: "k1", person: "a@x.example", channel: "email" },
        { itemKey: "k1", person: "a@x.example", channel: "email" },
        { itemKey: "k1", person: "b@x.example", channel: "email" },
      ]);
      expect([...first].length).to.equal(2);
      expect(
        isClaimed(first, { itemKey: "old", person: "a@x.example", channel: "email" }),
      ).to.equal(false);
      expect(isClaimed(first, { itemKey: "k1", person: "b@x.example", channel: "email" })).to.equal(
        true,
      );
      // A later page offering the same pair again: already claimed by this step.
      const second = await claimDeliveries(session, [
        { itemKey: "k1", person: "b@x.example", channel: "email" },
        { itemKey: "k1", person: "b@x.example", channel: "webhook:wa" },
      ]);
      expect([...second]).to.have.length(1);
      await deliverClaims(session, "email", new Map([["a@x.example", null]]), OVERDUE);
      await deliverRemainingClaims(session, OVERDUE);
    });
    const rows = (await knex("notification_deliveries")
      .select("item_key", "person", "channel")
      .orderBy(["item_key", "person", "channel"])) as Record<string, string>[];
    expect(rows.map((r) => `${r.item_key} ${r.person} ${r.channel}`)).to.deep.equal([
      "k1 a@x.example email",
      "k1 b@x.example email",
      "k1 b@x.example webhook:wa",
      "old a@x.example email",
    ]);
  });

  it("rolls the step back when a claimed pair was delivered meanwhile", async () => {
    const knex = app.ctx.db.knex;
    let error: unknown = null;
    try {
      await knex.transaction(async (trx) => {
        const session = await BulkSession.open(app.ctx.db.kind, trx);
        await openClaims(trx);
        const claimed = await claimDeliveries(session, [
          { itemKey: "k1", person: "a@x.example", channel: "email" },
          { itemKey: "k2", person: "a@x.example", channel: "email" },
        ]);
        expect(claimed.size).to.equal(2);
        // Someone else delivers k1 to a@ (as a second notify step outside the scan lock would).
        await trx("notification_deliveries").insert({
          item_key: "k1",
          person: "a@x.example",
          channel: "email",
          created_at: new Date(OVERDUE),
        });
        await deliverClaims(session, "email", new Map([["a@x.example", null]]), OVERDUE);
      });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/1 of 2 claimed deliveries were written by another/);
    const [row] = (await knex("notification_deliveries").count("* as n")) as { n: number }[];
    expect(Number(row?.n)).to.equal(0);
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
