// enqueueAll (issue 12): a scan's batch writes its messages in two statements with enqueue's
// rules — a new key is written, an existing one left alone (its id returned), a cancelled
// escalation message revived with the new content, a key given twice written once — and every
// text survives the round trip.
import { expect } from "chai";
import type { OutboundEmail } from "../../src/core/escalation/compose.js";
import { enqueue, enqueueAll, listOutbox } from "../../src/outbox/outboxStore.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { AT_RISK } from "./helpers.js";

function email(key: string, kind: OutboundEmail["kind"], subject: string): OutboundEmail {
  return {
    messageId: `<${key.replace(/[^a-z0-9]/gi, "-")}@pantau.kabupaten-malang>`,
    dedupeKey: key,
    kind,
    to: ["kadinkes@malangkab.example"],
    cc: ["kominfo@malangkab.example"],
    recipientNames: { "kadinkes@malangkab.example": 'dr. "Bambang", M.Kes' },
    subject,
    text: `Yth. Bapak,\n\n1. 2007157 — {braces}, "quotes", back\\slash, comma, ${subject}\n`,
    html: `<p>${subject} &amp; "kutip"</p>`,
    items: [`${key}|0`],
    headers: { "X-Pantau-Kind": kind },
  };
}

describe("outbox: enqueueAll", () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp(AT_RISK);
  });
  afterEach(async () => {
    await app.close();
  });

  it("writes new keys, leaves existing ones, revives a cancelled escalation, writes a repeat once", async () => {
    const knex = app.ctx.db.knex;
    const kept = await knex.transaction((trx) =>
      enqueue(trx, email("vacancy|dinkes|liaison", "vacancy", "lama"), AT_RISK),
    );
    const cancelled = await knex.transaction((trx) =>
      enqueue(trx, email("escalation|a@x|k1", "escalation", "dibatalkan"), AT_RISK),
    );
    await knex("outbox").where({ id: cancelled.id }).update({ state: "cancelled" });

    const later = AT_RISK + 60_000;
    const written = await knex.transaction((trx) =>
      enqueueAll(
        trx,
        [
          email("vacancy|dinkes|liaison", "vacancy", "baru"),
          email("escalation|a@x|k1", "escalation", "dihidupkan"),
          email("escalation|b@x|k2", "escalation", "pertama"),
          email("escalation|b@x|k2", "escalation", "kedua"),
        ],
        later,
      ),
    );
    expect(written.get("vacancy|dinkes|liaison")).to.deep.equal({ id: kept.id, created: false });
    expect(written.get("escalation|a@x|k1")).to.deep.equal({ id: cancelled.id, created: true });
    expect(written.get("escalation|b@x|k2")?.created).to.equal(true);

    const rows = await listOutbox(knex);
    const byKey = new Map(rows.map((r) => [r.dedupeKey, r]));
    expect(rows).to.have.length(3);
    expect(byKey.get("vacancy|dinkes|liaison")?.subject).to.equal("lama");
    const revived = byKey.get("escalation|a@x|k1");
    expect(revived?.subject).to.equal("dihidupkan");
    expect(revived?.state).to.equal("pending");
    const fresh = byKey.get("escalation|b@x|k2");
    expect(fresh?.subject).to.equal("pertama");
    expect(fresh?.text).to.equal(email("escalation|b@x|k2", "escalation", "pertama").text);
    expect(fresh?.recipientNames).to.deep.equal({
      "kadinkes@malangkab.example": 'dr. "Bambang", M.Kes',
    });
  });

  it("writes nothing for no messages", async () => {
    const written = await app.ctx.db.knex.transaction((trx) => enqueueAll(trx, [], AT_RISK));
    expect(written.size).to.equal(0);
    expect(await listOutbox(app.ctx.db.knex)).to.have.length(0);
  });
});
