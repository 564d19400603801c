// The sign-in rules on both databases: access follows the officer directory at `now` (mutasi
// ends it), links are stored hashed, work once and expire, unknown addresses write nothing,
// sessions end on the server, the rate limits and the CSRF checks refuse what they must.
import { expect } from "chai";
import { createToken } from "../../src/api/tokens.js";
import type { Appointment } from "../../src/core/escalation/appointments.js";
import { officerAccess, maySeeAgency } from "../../src/web/auth/access.js";
import {
  consumeSignInLink,
  requestSignInLink,
  type LinkSettings,
} from "../../src/web/auth/links.js";
import { RateLimiter } from "../../src/web/auth/rateLimit.js";
import { hashSecret } from "../../src/web/auth/secrets.js";
import { createSession, endSession, findSession } from "../../src/web/auth/sessions.js";
import { LINKS_PER_ADDRESS } from "../../src/web/routes.js";
import { DEMO_NOW, get, startWeb, type WebHarness } from "./harness.js";

const MIN = 60_000;
const appt = (p: Partial<Appointment>): Appointment => ({
  opd: "dinkes",
  role: "liaison",
  name: "X",
  email: "x@malangkab.example",
  validFrom: 0,
  validTo: null,
  decree: "SK",
  ...p,
});

describe("web access rules (pure)", () => {
  it("gives leadership and the coordinator everything, a liaison or supervisor their agency", () => {
    const list = [
      appt({ role: "coordinator", opd: null, email: "koord@x.example" }),
      appt({ role: "leadership", opd: null, email: "tim@x.example" }),
      appt({ role: "liaison", opd: "dinkes", email: "Liaison@X.example" }),
      appt({ role: "supervisor", opd: "dishub", email: "kepala@x.example" }),
    ];
    expect(officerAccess(list, "koord@x.example", 10)?.scope).to.equal("all");
    expect(officerAccess(list, "tim@x.example", 10)?.scope).to.equal("all");
    const liaison = officerAccess(list, "liaison@x.example", 10);
    expect(liaison).to.include({ scope: "agency" });
    expect(liaison?.agencies).to.deep.equal(["dinkes"]);
    expect(maySeeAgency(liaison!, "dinkes")).to.equal(true);
    expect(maySeeAgency(liaison!, "dishub")).to.equal(false);
    expect(officerAccess(list, "kepala@x.example", 10)?.agencies).to.deep.equal(["dishub"]);
    expect(officerAccess(list, "nobody@x.example", 10)).to.equal(null);
  });

  it("ends access when the appointment ends (mutasi) and starts it only when it starts", () => {
    const list = [appt({ email: "old@x.example", validFrom: 100, validTo: 200 })];
    expect(officerAccess(list, "old@x.example", 99)).to.equal(null);
    expect(officerAccess(list, "old@x.example", 150)).to.not.equal(null);
    expect(officerAccess(list, "old@x.example", 200)).to.equal(null);
  });

  it("rate-limits per key within a window and counts afresh after it", () => {
    const limiter = new RateLimiter(2, 15 * MIN);
    expect(limiter.take("a", 0).allowed).to.equal(true);
    expect(limiter.take("a", 1).allowed).to.equal(true);
    const refused = limiter.take("a", 2);
    expect(refused).to.deep.equal({ allowed: false, retryAt: 15 * MIN });
    expect(limiter.take("b", 3).allowed).to.equal(true);
    expect(limiter.take("a", 15 * MIN).allowed).to.equal(true);
  });
});

describe("web sign-in on the database", function () {
  this.timeout(120_000);
  let h: WebHarness;
  let settings: LinkSettings;

  before(async () => {
    h = await startWeb();
    settings = {
      regency: "Kabupaten Malang",
      zone: "Asia/Jakarta",
      baseUrl: h.base,
      linkMs: 15 * MIN,
      lang: "id",
    };
  });
  after(() => h?.close());

  it("queues a link for an officer in office, stored hashed, with its email in the outbox", async () => {
    const knex = h.ctx.db.knex;
    const before = Number(((await knex("outbox").count("* as n").first()) as { n: string }).n);
    const result = await requestSignInLink(
      knex,
      "Kepala.Dinkes@malangkab.example",
      DEMO_NOW,
      settings,
    );
    expect(result.kind).to.equal("queued");
    const row = (await knex("outbox").where({ kind: "signin" }).orderBy("id", "desc").first()) as {
      to: unknown;
      text: string;
    };
    const secret = /t=([A-Za-z0-9_-]{43})/.exec(row.text)?.[1] ?? "";
    expect(secret).to.have.length(43);
    const links = (await knex("web_signin_links").select("token_hash", "email")) as {
      token_hash: string;
      email: string;
    }[];
    expect(links.map((l) => l.token_hash)).to.include(hashSecret(secret));
    expect(JSON.stringify(links)).to.not.include(secret);
    expect(links.map((l) => l.email)).to.include("kepala.dinkes@malangkab.example");
    const after = Number(((await knex("outbox").count("* as n").first()) as { n: string }).n);
    expect(after).to.equal(before + 1);
  });

  it("writes nothing for an address outside the directory or whose appointment ended (mutasi)", async () => {
    const knex = h.ctx.db.knex;
    const count = async () =>
      Number(((await knex("web_signin_links").count("* as n").first()) as { n: string }).n);
    const n = await count();
    expect(
      (await requestSignInLink(knex, "stranger@example.org", DEMO_NOW, settings)).kind,
    ).to.equal("unknown");
    // The first dinkes liaison was replaced on 1 July 2025 (samples/officers-contoh.csv).
    expect(
      (await requestSignInLink(knex, "penghubung.dinkes@malangkab.example", DEMO_NOW, settings))
        .kind,
    ).to.equal("unknown");
    expect((await requestSignInLink(knex, "not an address", DEMO_NOW, settings)).kind).to.equal(
      "invalid",
    );
    expect(await count()).to.equal(n);
  });

  it("uses a link once, refuses it after expiry, and blanks it in the outbox once sent", async () => {
    const knex = h.ctx.db.knex;
    await requestSignInLink(knex, "penghubung2.dinkes@malangkab.example", DEMO_NOW, settings);
    await requestSignInLink(knex, "kepala.dishub@malangkab.example", DEMO_NOW, settings);
    const rows = (await knex("outbox")
      .where({ kind: "signin" })
      .orderBy("id", "desc")
      .limit(2)) as {
      id: number;
      text: string;
    }[];
    const [dishub, dinkes] = rows.map((r) => /t=([A-Za-z0-9_-]{43})/.exec(r.text)?.[1] ?? "");
    await knex("outbox")
      .where({ id: rows[1]!.id })
      .update({ state: "sent", sent_at: new Date(DEMO_NOW) });
    expect(await consumeSignInLink(knex, dinkes!, DEMO_NOW + MIN)).to.deep.equal({
      kind: "ok",
      email: "penghubung2.dinkes@malangkab.example",
    });
    expect(await consumeSignInLink(knex, dinkes!, DEMO_NOW + 2 * MIN)).to.deep.equal({
      kind: "used",
    });
    const sent = (await knex("outbox").where({ id: rows[1]!.id }).first()) as { text: string };
    expect(sent.text).to.not.include(dinkes!);
    expect(await consumeSignInLink(knex, dishub!, DEMO_NOW + 15 * MIN)).to.deep.equal({
      kind: "expired",
    });
    expect(await consumeSignInLink(knex, "A".repeat(43), DEMO_NOW)).to.deep.equal({
      kind: "unknown",
    });
  });

  it("ends sessions on the server: at expiry and at sign-out", async () => {
    const knex = h.ctx.db.knex;
    const owner = { kind: "officer" as const, email: "admin.koordinator@malangkab.example" };
    const a = await createSession(knex, owner, DEMO_NOW, 60 * MIN);
    expect(await findSession(knex, a.secret, DEMO_NOW + 59 * MIN)).to.not.equal(null);
    expect(await findSession(knex, a.secret, DEMO_NOW + 60 * MIN)).to.equal(null);
    const b = await createSession(knex, owner, DEMO_NOW, 60 * MIN);
    await endSession(knex, b.session.id, DEMO_NOW + MIN);
    expect(await findSession(knex, b.secret, DEMO_NOW + 2 * MIN)).to.equal(null);
    const stored = JSON.stringify(await knex("web_sessions").select("*"));
    expect(stored).to.not.include(a.secret);
  });

  it("lets an admin token's session in, and ends a session whose officer lost the appointment", async () => {
    const { record } = await createToken(
      h.ctx.db.knex,
      { name: "ops", scope: "admin", opd: null },
      DEMO_NOW,
    );
    const token = await h.sessionCookie({ kind: "token", tokenId: record.id });
    expect((await get(h, "/operasional", token)).status).to.equal(200);
    const gone = await h.sessionCookie({
      kind: "officer",
      email: "penghubung.dinkes@malangkab.example",
    });
    const r = await get(h, "/", gone);
    expect(r.status).to.equal(303);
    expect(r.headers.get("location")).to.equal("/masuk");
    expect(r.headers.get("set-cookie")).to.include("Max-Age=0");
  });

  it("answers 404 for the public page unless web.public is on", async () => {
    const r = await get(h, "/publik");
    expect(r.status).to.equal(404);
    expect(r.text).to.include("web.public");
  });

  it("refuses a POST without the CSRF token, and limits links per address", async () => {
    const noCsrf = await fetch(`${h.base}/masuk`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "email=admin.koordinator%40malangkab.example",
      redirect: "manual",
    });
    expect(noCsrf.status).to.equal(403);
    expect(await noCsrf.text()).to.include("CSRF");
    const cookie = await h.sessionCookie({
      kind: "officer",
      email: "admin.koordinator@malangkab.example",
    });
    const signOut = await fetch(`${h.base}/keluar`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: "csrf=wrong",
      redirect: "manual",
    });
    expect(signOut.status).to.equal(403);
    expect((await get(h, "/", cookie)).status, "the session survives a forged sign-out").to.equal(
      200,
    );

    const form = await get(h, "/masuk");
    const pre =
      /pantau_pra=([A-Za-z0-9_-]{43})/.exec(form.headers.get("set-cookie") ?? "")?.[1] ?? "";
    const ask = () =>
      fetch(`${h.base}/masuk`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: `pantau_pra=${pre}`,
        },
        body: `csrf=${pre}&email=tim.pengelola%40malangkab.example`,
        redirect: "manual",
      });
    for (let i = 0; i < LINKS_PER_ADDRESS; i++) expect((await ask()).status).to.equal(200);
    await h.delivered();
    const refused = await ask();
    expect(refused.status).to.equal(429);
    expect(await refused.text()).to.include("coba lagi dalam 15 menit");
  });
});
