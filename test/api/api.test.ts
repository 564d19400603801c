// The HTTP API on a real port (127.0.0.1, port 0) over both databases: authentication, agency
// scoping, snapshots and events through the importer, reports with clocks, overdue lists,
// validation errors, contradictions, body limits, content types, unknown routes and methods,
// and idempotent retries. Responses are checked against the documented response schemas.
import { expect } from "chai";
import knexPkg from "knex";
import { HttpRouter, listen } from "../../src/http/server.js";
import { API_ROUTES, registerApiRoutes } from "../../src/api/routes.js";
import { revokeToken } from "../../src/api/tokens.js";
import { requestHash } from "../../src/api/idempotency.js";
import { explainView } from "../../src/app/statusService.js";
import { createToken } from "../../src/api/tokens.js";
import { wib } from "../helpers/app.js";
import {
  asError,
  asOverdue,
  asReport,
  asWrite,
  call,
  startApi,
  type ApiHarness,
} from "./helpers.js";

const NOW = wib("2025-07-25T10:00");

function snapshot(
  trackingId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    trackingId,
    receivedAt: "2025-07-07T08:00:00+07:00",
    opd: "dishub",
    type: "pengaduan",
    complexity: "normatif",
    category: "Perhubungan",
    channel: "lapor_web",
    anonymous: false,
    confidential: false,
    contactComplete: true,
    milestones: { disposedAt: "2025-07-08T10:15:00+07:00" },
    ...extra,
  };
}

async function count(h: ApiHarness, table: string, where: Record<string, unknown> = {}) {
  const [row] = (await h.ctx.db.knex(table).where(where).count("* as n")) as { n: number }[];
  return Number(row?.n ?? 0);
}

describe("HTTP API", function () {
  this.timeout(120_000);
  let h: ApiHarness;

  before(async () => {
    h = await startApi(NOW, {
      admin: { scope: "admin", opd: null },
      dishub: { scope: "opd", opd: "dishub" },
      dinsos: { scope: "opd", opd: "dinsos" },
      kominfo: { scope: "opd", opd: "diskominfo" },
      gone: { scope: "opd", opd: "dishub" },
    });
    await revokeToken(h.ctx.db.knex, "gone", NOW);
  });
  after(async () => {
    await h?.close();
  });
  afterEach(() => {
    h.setNow(NOW);
    expect(h.errors, "errors passed to the router").to.deep.equal([]);
  });

  describe("OpenAPI document", () => {
    it("is served without a token, parses, and lists every route with its schemas", async () => {
      const r = await call(h, "GET", "/api/v1/openapi.json");
      expect(r.status).to.equal(200);
      expect(r.headers.get("content-type")).to.match(/^application\/json/);
      const doc = JSON.parse(r.text) as {
        openapi: string;
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
        components: { schemas: Record<string, { required?: string[]; properties?: object }> };
      };
      expect(doc.openapi).to.equal("3.1.0");
      for (const route of API_ROUTES) {
        expect(
          doc.paths[route.path]?.[route.method.toLowerCase()],
          `${route.method} ${route.path}`,
        ).to.be.an("object");
      }
      expect(Object.keys(doc.paths)).to.have.length(API_ROUTES.length);
      const snap = doc.components.schemas.ReportSnapshot;
      expect(snap?.required).to.include.members([
        "trackingId",
        "receivedAt",
        "type",
        "contactComplete",
      ]);
      expect(snap).to.have.property("additionalProperties", false);
      expect(doc.components.schemas).to.include.keys("ReportEvent", "Report", "Error", "Overdue");
      // Every $ref resolves.
      const refs = [...r.text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
        (m) => m[1],
      );
      expect(refs.length).to.be.greaterThan(5);
      for (const ref of refs) expect(doc.components.schemas, ref).to.have.property(ref ?? "");
      expect(doc.paths["/api/v1/reports"]?.post?.responses).to.include.keys(
        "201",
        "400",
        "409",
        "413",
        "415",
        "422",
      );
    });
  });

  describe("authentication", () => {
    it("401 with WWW-Authenticate: Bearer without a token", async () => {
      const r = await call(h, "GET", "/api/v1/reports/1");
      expect(r.status).to.equal(401);
      expect(r.headers.get("www-authenticate")).to.match(/^Bearer/);
      expect(asError(r).code).to.equal("unauthorized");
    });

    it("401 for a malformed header, an unknown token and a revoked token", async () => {
      const malformed = await call(h, "GET", "/api/v1/reports/1", {
        headers: { authorization: "Basic dXNlcjpwYXNz" },
      });
      expect(malformed.status).to.equal(401);
      expect(malformed.headers.get("www-authenticate")).to.match(/^Bearer/);
      const short = await call(h, "GET", "/api/v1/reports/1", { token: "pnt_short" });
      expect(short.status).to.equal(401);
      const unknown = await call(h, "GET", "/api/v1/reports/1", {
        token: "pnt_" + "A".repeat(43),
      });
      expect(unknown.status).to.equal(401);
      expect(unknown.headers.get("www-authenticate")).to.include('error="invalid_token"');
      const revoked = await call(h, "GET", "/api/v1/reports/1", { token: h.tokens.gone });
      expect(revoked.status).to.equal(401);
      expect(asError(revoked).error).to.equal("token tidak dikenal atau sudah dicabut");
    });

    it("authenticates before reading the body, and records last use at most once a minute", async () => {
      const r = await call(h, "POST", "/api/v1/reports", { body: snapshot("9000001") });
      expect(r.status).to.equal(401);
      const lastUsed = async () =>
        (
          (await h.ctx.db.knex("api_tokens").where({ name: "dinsos" }).first()) as {
            last_used_at: Date | null;
          }
        ).last_used_at?.getTime() ?? null;
      h.setNow(NOW + 1000);
      await call(h, "GET", "/api/v1/opd/dinsos/overdue", { token: h.tokens.dinsos });
      const first = await lastUsed();
      expect(first).to.equal(NOW + 1000);
      h.setNow(NOW + 30_000);
      await call(h, "GET", "/api/v1/opd/dinsos/overdue", { token: h.tokens.dinsos });
      expect(await lastUsed()).to.equal(first);
      h.setNow(NOW + 62_000);
      await call(h, "GET", "/api/v1/opd/dinsos/overdue", { token: h.tokens.dinsos });
      expect(await lastUsed()).to.equal(NOW + 62_000);
    });
  });

  describe("snapshots", () => {
    it("creates (201), leaves an identical snapshot unchanged (200) and adds new milestones (200)", async () => {
      // An agency records its milestones as they happen (see "recording rules").
      h.setNow(wib("2025-07-08T11:00"));
      const created = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.dishub,
        body: snapshot("5300001"),
      });
      expect(created.status, created.text).to.equal(201);
      expect(created.headers.get("location")).to.equal("/api/v1/reports/5300001");
      const w = asWrite(created);
      expect(w.result).to.equal("created");
      expect(w.eventsAdded).to.equal(2);
      expect(w.report.events.map((e) => e.kind)).to.deep.equal(["received", "disposed"]);
      expect(w.report.receivedAt).to.equal("2025-07-07T08:00:00+07:00");
      expect(
        await count(h, "report_events", { tracking_id: "5300001", source: "api:dishub" }),
      ).to.equal(2);

      const again = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.dishub,
        body: snapshot("5300001"),
      });
      expect(again.status).to.equal(200);
      expect(asWrite(again)).to.include({ result: "unchanged", eventsAdded: 0 });
      expect(await count(h, "report_events", { tracking_id: "5300001" })).to.equal(2);

      h.setNow(wib("2025-07-10T10:00"));
      const updated = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.dishub,
        body: snapshot("5300001", {
          milestones: {
            disposedAt: "2025-07-08T10:15:00+07:00",
            firstResponseAt: "2025-07-10T09:00:00+07:00",
          },
        }),
      });
      expect(updated.status).to.equal(200);
      const u = asWrite(updated);
      expect(u).to.include({ result: "updated", eventsAdded: 1 });
      const fr = u.report.clocks.find((c) => c.stage === "first_response");
      expect(fr?.outcome).to.equal("met");
      expect(fr?.stoppedAt).to.equal("2025-07-10T09:00:00+07:00");
    });

    it("409 when the snapshot contradicts the stored history, with the reason", async () => {
      await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body: snapshot("5300002"),
      });
      const r = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        headers: { "accept-language": "en" },
        body: snapshot("5300002", { receivedAt: "2025-07-06T08:00:00+07:00" }),
      });
      expect(r.status).to.equal(409);
      const e = asError(r);
      expect(e.code).to.equal("contradicts_history");
      expect(e.field).to.equal("receivedAt");
      expect(e.reason).to.match(
        /contradicts the history: recorded as received at 2025-07-07T01:00:00/,
      );
      const back = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body: snapshot("5300002", {
          milestones: {
            disposedAt: "2025-07-08T10:15:00+07:00",
            completedAt: "2025-07-20T10:00:00+07:00",
          },
        }),
      });
      expect(back.status).to.equal(200);
      const moved = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body: snapshot("5300002", {
          milestones: {
            disposedAt: "2025-07-08T10:15:00+07:00",
            completedAt: "2025-07-21T10:00:00+07:00",
          },
        }),
      });
      expect(moved.status).to.equal(409);
      expect(asError(moved).field).to.equal("milestones.completedAt");
      expect(asError(moved).reason).to.include("bertentangan dengan riwayat");
    });

    it("422 'data pelapor belum lengkap' for a manual channel without reporter contact", async () => {
      const r = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body: snapshot("5300003", { channel: "whatsapp", contactComplete: false }),
      });
      expect(r.status).to.equal(422);
      const e = asError(r);
      expect(e.code).to.equal("reporter_data_incomplete");
      expect(e.error).to.match(/^data pelapor belum lengkap/);
      expect(e.field).to.equal("contactComplete");
      expect(await count(h, "reports", { tracking_id: "5300003" })).to.equal(0);
      const ok = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body: snapshot("5300003", { channel: "whatsapp", contactComplete: true }),
      });
      expect(ok.status).to.equal(201);
    });
  });

  describe("validation", () => {
    const post = (body: unknown, lang = "id") =>
      call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body,
        headers: { "accept-language": lang },
      });

    it("400 names the field and the reason, in the request's language", async () => {
      const { type: _t, ...noType } = snapshot("5300010");
      const cases: [unknown, string, RegExp][] = [
        [noType, "type", /^wajib diisi$/],
        [snapshot("53a"), "trackingId", /format tidak sesuai/],
        [snapshot("5300010", { receivedAt: "2025-07-07T08:00:00" }), "receivedAt", /zona waktu/],
        [
          snapshot("5300010", { receivedAt: "2025-02-30T08:00:00+07:00" }),
          "receivedAt",
          /ISO 8601/,
        ],
        [snapshot("5300010", { reporterName: "Budi" }), "reporterName", /identitas pelapor/],
        [snapshot("5300010", { channel: "telegram" }), "channel", /"lapor_web"/],
        [
          snapshot("5300010", { opd: "dishubb" }),
          "opd",
          /paling mirip: Dinas Perhubungan \(dishub\)[^.]*$/,
        ],
        [snapshot("5300010", { opd: "Dishub" }), "opd", /format tidak sesuai/],
        [snapshot("5300010", { anonymous: "ya" }), "anonymous", /true atau false/],
        [
          snapshot("5300010", { milestones: { doneAt: "2025-07-09T08:00:00+07:00" } }),
          "milestones.doneAt",
          /tidak dikenal/,
        ],
        [
          snapshot("5300010", { milestones: { disposedAt: "2025-07-06T08:00:00+07:00" } }),
          "milestones.disposedAt",
          /lebih awal dari received_at/,
        ],
        [snapshot("5300010", { opd: null }), "opd", /OPD tujuan kosong/],
        [[snapshot("5300010")], "body", /objek JSON/],
      ];
      for (const [body, field, reason] of cases) {
        const r = await post(body);
        expect(r.status, `${field}: ${r.text}`).to.equal(400);
        const e = asError(r);
        expect(e.code).to.equal("validation_failed");
        expect(e.field, r.text).to.equal(field);
        expect(e.reason, r.text).to.match(reason);
        expect(e.errors?.[0]).to.deep.equal({ field: e.field, reason: e.reason });
      }
      const en = await post(snapshot("5300010", { receivedAt: "yesterday" }), "en");
      expect(asError(en)).to.deep.include({
        error: "invalid request",
        field: "receivedAt",
      });
      expect(asError(en).reason).to.match(/with seconds and an offset/);
      expect(await count(h, "reports", { tracking_id: "5300010" })).to.equal(0);
    });

    it("400, not 500, for NUL in a text field and for years outside the calendar range", async () => {
      const cases: [unknown, string, RegExp][] = [
        [snapshot("5300012", { category: "Jalan\u0000rusak" }), "category", /karakter kendali/],
        [snapshot("5300012", { receivedAt: "9999-12-31T00:00:00Z" }), "receivedAt", /rentang/],
        [snapshot("5300012", { receivedAt: "0001-01-01T00:00:00Z" }), "receivedAt", /rentang/],
        [
          snapshot("5300012", { milestones: { disposedAt: "9999-12-31T00:00:00+07:00" } }),
          "milestones.disposedAt",
          /rentang/,
        ],
      ];
      for (const [body, field, reason] of cases) {
        const r = await post(body);
        expect(r.status, `${field}: ${r.text}`).to.equal(400);
        expect(asError(r).field, r.text).to.equal(field);
        expect(asError(r).reason, r.text).to.match(reason);
      }
      const event = await call(h, "POST", "/api/v1/reports/5300001/events", {
        token: h.tokens.admin,
        body: [{ kind: "completed", at: "0001-01-01T00:00:00Z" }],
      });
      expect(asError(event)).to.deep.include({ field: "[0].at", code: "validation_failed" });
      for (const path of [
        "/api/v1/reports/5300001?now=1899-12-31T00:00:00Z",
        "/api/v1/opd/dishub/overdue?now=9999-12-31T00:00:00Z",
      ]) {
        const r = await call(h, "GET", path, { token: h.tokens.admin });
        expect(r.status, r.text).to.equal(400);
        expect(asError(r).field).to.equal("query.now");
      }
      expect(await count(h, "reports", { tracking_id: "5300012" })).to.equal(0);
    });

    it("lists every problem, and refuses bodies that are not JSON", async () => {
      const r = await post({ trackingId: 1, extra: true });
      expect(r.status).to.equal(400);
      const fields = asError(r).errors?.map((e) => e.field);
      expect(fields).to.include.members([
        "trackingId",
        "receivedAt",
        "type",
        "contactComplete",
        "extra",
      ]);
      const bad = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        raw: '{"trackingId": "1",',
        headers: { "content-type": "application/json" },
      });
      expect(bad.status).to.equal(400);
      expect(asError(bad).field).to.equal("body");
      const empty = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        raw: "",
        headers: { "content-type": "application/json" },
      });
      expect(asError(empty)).to.deep.include({ field: "body", reason: "isi permintaan kosong" });
    });

    it("validates path and query parameters", async () => {
      const id = await call(h, "GET", "/api/v1/reports/12a", { token: h.tokens.admin });
      expect(id.status).to.equal(400);
      expect(asError(id).field).to.equal("path.trackingId");
      const now = await call(h, "GET", "/api/v1/reports/5300001?now=tomorrow", {
        token: h.tokens.admin,
      });
      expect(now.status).to.equal(400);
      expect(asError(now).field).to.equal("query.now");
      const code = await call(h, "GET", "/api/v1/opd/Dis%20Hub/overdue", { token: h.tokens.admin });
      expect(code.status).to.equal(400);
      expect(asError(code).field).to.equal("path.code");
      const key = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body: snapshot("5300011"),
        headers: { "idempotency-key": "x".repeat(300) },
      });
      expect(key.status).to.equal(400);
      expect(asError(key).field).to.equal("header.Idempotency-Key");
    });
  });

  describe("events", () => {
    before(async () => {
      const r = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.kominfo,
        body: snapshot("5300020", { opd: null, milestones: {} }),
      });
      expect(r.status, r.text).to.equal(201);
    });

    it("adds one event or an array; known events are not added twice", async () => {
      h.setNow(wib("2025-07-08T10:00"));
      const one = await call(h, "POST", "/api/v1/reports/5300020/events", {
        token: h.tokens.kominfo,
        body: { kind: "disposed", at: "2025-07-08T09:00:00+07:00", opd: "dinsos" },
      });
      expect(one.status, one.text).to.equal(200);
      expect(asWrite(one)).to.deep.include({ result: "updated", eventsAdded: 1 });
      expect(asWrite(one).report.opd).to.equal("dinsos");
      h.setNow(wib("2025-07-10T10:00"));
      const many = await call(h, "POST", "/api/v1/reports/5300020/events", {
        token: h.tokens.dinsos,
        body: [
          { kind: "first_response", at: "2025-07-09T09:00:00+07:00", opd: "dinsos" },
          { kind: "followed_up", at: "2025-07-10T09:00:00+07:00" },
        ],
      });
      expect(many.status, many.text).to.equal(200);
      expect(asWrite(many).eventsAdded).to.equal(2);
      const again = await call(h, "POST", "/api/v1/reports/5300020/events", {
        token: h.tokens.dinsos,
        body: { kind: "followed_up", at: "2025-07-10T09:00:00+07:00" },
      });
      expect(asWrite(again)).to.deep.include({ result: "unchanged", eventsAdded: 0 });
    });

    it("404 for an unknown report, 400 for bad events, 409 all-or-nothing on a contradiction", async () => {
      const unknown = await call(h, "POST", "/api/v1/reports/5399999/events", {
        token: h.tokens.admin,
        body: { kind: "completed", at: "2025-07-08T09:00:00+07:00" },
      });
      expect(unknown.status).to.equal(404);
      const received = await call(h, "POST", "/api/v1/reports/5300020/events", {
        token: h.tokens.admin,
        body: [{ kind: "received", at: "2025-07-08T09:00:00+07:00" }],
      });
      expect(received.status).to.equal(400);
      expect(asError(received).field).to.equal("[0].kind");
      const noOpd = await call(h, "POST", "/api/v1/reports/5300020/events", {
        token: h.tokens.admin,
        body: { kind: "redisposed", at: "2025-07-12T09:00:00+07:00" },
      });
      expect(asError(noOpd)).to.deep.include({ field: "opd", code: "validation_failed" });
      const emptyList = await call(h, "POST", "/api/v1/reports/5300020/events", {
        token: h.tokens.admin,
        body: [],
      });
      expect(asError(emptyList)).to.deep.include({ field: "body" });
      const before = await count(h, "report_events", { tracking_id: "5300020" });
      h.setNow(wib("2025-07-15T10:00"));
      const mixed = await call(h, "POST", "/api/v1/reports/5300020/events", {
        token: h.tokens.dinsos,
        body: [
          { kind: "completed", at: "2025-07-15T09:00:00+07:00" },
          { kind: "archived", at: "2025-07-01T09:00:00+07:00" },
        ],
      });
      expect(mixed.status).to.equal(409);
      expect(asError(mixed).field).to.equal("[1].at");
      expect(asError(mixed).reason).to.match(/lebih awal dari tanggal laporan diterima/);
      expect(await count(h, "report_events", { tracking_id: "5300020" })).to.equal(before);
    });
  });

  describe("agency scoping", () => {
    before(async () => {
      h.setNow(wib("2025-07-08T11:00"));
      const r = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.dishub,
        body: snapshot("5300030"),
      });
      expect(r.status).to.equal(201);
      h.setNow(NOW);
    });

    it("an agency token cannot read or write another agency's report (403); admin can", async () => {
      const read = await call(h, "GET", "/api/v1/reports/5300030", { token: h.tokens.dinsos });
      expect(read.status).to.equal(403);
      expect(asError(read).code).to.equal("forbidden");
      const write = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.dinsos,
        body: snapshot("5300030", { category: "Lain" }),
      });
      expect(write.status).to.equal(403);
      const events = await call(h, "POST", "/api/v1/reports/5300030/events", {
        token: h.tokens.dinsos,
        body: { kind: "completed", at: "2025-07-15T09:00:00+07:00" },
      });
      expect(events.status).to.equal(403);
      const create = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.dinsos,
        body: snapshot("5300031"),
      });
      expect(create.status).to.equal(403);
      expect(await count(h, "reports", { tracking_id: "5300031" })).to.equal(0);
      const overdue = await call(h, "GET", "/api/v1/opd/dishub/overdue", {
        token: h.tokens.dinsos,
      });
      expect(overdue.status).to.equal(403);
      expect(
        (await call(h, "GET", "/api/v1/reports/5300030", { token: h.tokens.dishub })).status,
      ).to.equal(200);
      expect(
        (await call(h, "GET", "/api/v1/reports/5300030", { token: h.tokens.admin })).status,
      ).to.equal(200);
      const adminWrite = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body: snapshot("5300030", { category: "Jalan" }),
      });
      expect(asWrite(adminWrite).result).to.equal("updated");
    });

    it("an agency cannot hand its report to another agency; the coordinator disposes", async () => {
      const away = await call(h, "POST", "/api/v1/reports/5300030/events", {
        token: h.tokens.dishub,
        body: { kind: "redisposed", at: "2025-07-09T09:00:00+07:00", opd: "dinsos" },
      });
      expect(away.status).to.equal(403);
      const undisposed = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.dishub,
        body: snapshot("5300032", { opd: null, milestones: {} }),
      });
      expect(undisposed.status, "an undisposed report belongs to the coordinator").to.equal(403);
      const intake = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.kominfo,
        body: snapshot("5300032", { opd: null, milestones: {} }),
      });
      expect(intake.status).to.equal(201);
      expect(asWrite(intake).report.owner).to.equal("diskominfo");
      h.setNow(wib("2025-07-08T11:00"));
      const disposed = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.kominfo,
        body: snapshot("5300032"),
      });
      expect(disposed.status).to.equal(200);
      expect(asWrite(disposed).report.owner).to.equal("dishub");
      const after = await call(h, "GET", "/api/v1/reports/5300032", { token: h.tokens.kominfo });
      expect(after.status).to.equal(403);
    });

    it("events out of time order cannot hand a report to another agency (403, nothing written)", async () => {
      const before = await count(h, "report_events", { tracking_id: "5300030" });
      // Applied by instant, the disposition to dinsos comes first, the one to dishub last: the
      // batch still hands the report to dinsos on the way, which only the coordinator may do.
      const swapped = await call(h, "POST", "/api/v1/reports/5300030/events", {
        token: h.tokens.dishub,
        body: [
          { kind: "redisposed", at: "2025-07-21T09:00:00+07:00", opd: "dishub" },
          { kind: "redisposed", at: "2025-07-20T09:00:00+07:00", opd: "dinsos" },
        ],
      });
      expect(swapped.status, swapped.text).to.equal(403);
      expect(await count(h, "report_events", { tracking_id: "5300030" })).to.equal(before);
      const stored = await call(h, "GET", "/api/v1/reports/5300030", { token: h.tokens.admin });
      expect(asReport(stored).opd).to.equal("dishub");
      const open = asReport(stored).clocks.filter((c) => c.stoppedAt === null);
      expect(open.map((c) => c.opd)).to.include("dishub");
      expect(open.every((c) => c.opd === "dishub")).to.equal(true);
    });
  });

  describe("recording rules", () => {
    // Received 7 July, disposed to dishub 8 July: at NOW (25 July) the first response is late.
    before(async () => {
      for (const id of ["5300080", "5300081"]) {
        const r = await call(h, "POST", "/api/v1/reports", {
          token: h.tokens.admin,
          body: snapshot(id),
        });
        expect(r.status, r.text).to.equal(201);
      }
    });
    const firstResponse = async (id: string) => {
      const r = await call(h, "GET", `/api/v1/reports/${id}`, { token: h.tokens.admin });
      return asReport(r).clocks.find((c) => c.stage === "first_response" && c.seq === 1);
    };

    it("an agency cannot backdate a milestone past the tolerance to turn a breach into met (422)", async () => {
      expect((await firstResponse("5300080"))?.state).to.equal("breached");
      const before = await count(h, "report_events", { tracking_id: "5300080" });
      const backdated = await call(h, "POST", "/api/v1/reports/5300080/events", {
        token: h.tokens.dishub,
        body: { kind: "first_response", at: "2025-07-10T09:00:00+07:00", opd: "dishub" },
      });
      expect(backdated.status, backdated.text).to.equal(422);
      expect(asError(backdated)).to.deep.include({ code: "backdated", field: "at" });
      expect(asError(backdated).reason).to.match(/terlalu lampau.*1 hari kerja.*admin/);
      const viaSnapshot = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.dishub,
        body: snapshot("5300080", {
          milestones: {
            disposedAt: "2025-07-08T10:15:00+07:00",
            firstResponseAt: "2025-07-10T09:00:00+07:00",
          },
        }),
      });
      expect(viaSnapshot.status, viaSnapshot.text).to.equal(422);
      expect(asError(viaSnapshot).field).to.equal("milestones.firstResponseAt");
      expect(await count(h, "report_events", { tracking_id: "5300080" })).to.equal(before);
      expect((await firstResponse("5300080"))?.state).to.equal("breached");
      // Within the tolerance (yesterday, a working day) it is recorded.
      const recent = await call(h, "POST", "/api/v1/reports/5300080/events", {
        token: h.tokens.dishub,
        body: { kind: "first_response", at: "2025-07-24T15:00:00+07:00", opd: "dishub" },
      });
      expect(recent.status, recent.text).to.equal(200);
      expect((await firstResponse("5300080"))?.outcome).to.equal("breached");
    });

    it("an admin may backdate; the event keeps who recorded it and when, and explain shows it", async () => {
      const r = await call(h, "POST", "/api/v1/reports/5300081/events", {
        token: h.tokens.admin,
        body: { kind: "first_response", at: "2025-07-10T09:00:00+07:00", opd: "dishub" },
      });
      expect(r.status, r.text).to.equal(200);
      expect((await firstResponse("5300081"))?.outcome).to.equal("met");
      const row = (await h.ctx.db
        .knex("report_events")
        .where({ tracking_id: "5300081", kind: "first_response" })
        .first()) as { source: string; recorded_at: Date };
      expect(row.source).to.equal("api:admin");
      expect(row.recorded_at.getTime()).to.equal(NOW);
      const doc = await explainView(h.ctx, "5300081", NOW, "id");
      const history = doc.sections.find((s) => s.key === "history")?.lines ?? [];
      const line = history.find((l) => l.key === "event:first_response")?.text ?? "";
      expect(line).to.match(
        /^Kamis, 10 Juli 2025 09:00 WIB — .* — dicatat .*25 Juli 2025 10:00 WIB \(api:admin\)$/,
      );
    });

    it("nothing dated beyond the clock skew, for any token (422 in_future)", async () => {
      for (const token of [h.tokens.admin, h.tokens.dishub]) {
        const far = await call(h, "POST", "/api/v1/reports/5300080/events", {
          token,
          body: { kind: "completed", at: "2099-01-01T00:00:00+07:00" },
        });
        expect(far.status, far.text).to.equal(422);
        expect(asError(far)).to.deep.include({ code: "in_future", field: "at" });
      }
      const snap = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body: snapshot("5300082", { receivedAt: "2099-01-01T00:00:00+07:00", milestones: {} }),
      });
      expect(asError(snap)).to.deep.include({ code: "in_future", field: "receivedAt" });
      expect(await count(h, "reports", { tracking_id: "5300082" })).to.equal(0);
      const skew = await call(h, "POST", "/api/v1/reports/5300080/events", {
        token: h.tokens.dishub,
        body: { kind: "followed_up", at: new Date(NOW + 4 * 60_000).toISOString() },
      });
      expect(skew.status, skew.text).to.equal(200);
    });
  });

  describe("reading", () => {
    it("GET a report: events and clocks with due instants (local offset) and states at `now`", async () => {
      h.setNow(wib("2025-07-08T11:00"));
      await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.dishub,
        body: snapshot("5300040"),
      });
      h.setNow(NOW);
      const late = await call(h, "GET", "/api/v1/reports/5300040", { token: h.tokens.dishub });
      expect(late.status).to.equal(200);
      const report = asReport(late);
      expect(report).to.deep.include({ trackingId: "5300040", opd: "dishub", owner: "dishub" });
      expect(report.now).to.equal("2025-07-25T10:00:00+07:00");
      const fr = report.clocks.find((c) => c.stage === "first_response");
      expect(fr?.dueAt).to.match(/^2025-07-\d\dT\d\d:\d\d:\d\d\+07:00$/);
      expect(fr?.state).to.equal("breached");
      const early = await call(
        h,
        "GET",
        `/api/v1/reports/5300040?now=${encodeURIComponent("2025-07-08T12:00:00+07:00")}`,
        { token: h.tokens.dishub },
      );
      expect(asReport(early).clocks.find((c) => c.stage === "first_response")?.state).to.equal(
        "on_track",
      );
      const none = await call(h, "GET", "/api/v1/reports/5399998", { token: h.tokens.admin });
      expect(none.status).to.equal(404);
    });

    it("GET an agency's overdue clocks", async () => {
      const r = await call(h, "GET", "/api/v1/opd/dishub/overdue", { token: h.tokens.dishub });
      expect(r.status, r.text).to.equal(200);
      const view = asOverdue(r);
      expect(view.opd).to.equal("dishub");
      expect(view.count).to.equal(view.clocks.length);
      expect(view.clocks.map((c) => c.trackingId)).to.include("5300040");
      expect(view.clocks.every((c) => c.overdueMs > 0)).to.equal(true);
      const early = await call(
        h,
        "GET",
        `/api/v1/opd/dishub/overdue?now=${encodeURIComponent("2025-07-08T12:00:00Z")}`,
        { token: h.tokens.admin },
      );
      expect(asOverdue(early).clocks.map((c) => c.trackingId)).to.not.include("5300040");
      const unknown = await call(h, "GET", "/api/v1/opd/dinas-antah/overdue", {
        token: h.tokens.admin,
      });
      expect(unknown.status).to.equal(404);
    });
  });

  describe("HTTP semantics", () => {
    it("415 unless the body is application/json", async () => {
      const text = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        raw: JSON.stringify(snapshot("5300050")),
        headers: { "content-type": "text/plain" },
      });
      expect(text.status).to.equal(415);
      expect(asError(text).code).to.equal("unsupported_media_type");
      const latin = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        raw: JSON.stringify(snapshot("5300050")),
        headers: { "content-type": "application/json; charset=iso-8859-1" },
      });
      expect(latin.status).to.equal(415);
      const utf8 = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        raw: JSON.stringify(snapshot("5300050")),
        headers: { "content-type": "Application/JSON; charset=UTF-8" },
      });
      expect(utf8.status).to.equal(201);
    });

    it("413 for a body over the limit, declared or streamed, and the server carries on", async () => {
      const big = JSON.stringify(snapshot("5300051", { category: "x".repeat(1_100_000) }));
      const declared = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        raw: big,
        headers: { "content-type": "application/json" },
      });
      expect(declared.status).to.equal(413);
      expect(asError(declared).code).to.equal("payload_too_large");
      // Chunked, without Content-Length: counted while read, abandoned past the limit.
      const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(new TextEncoder().encode('{"category":"'));
          sent++;
          // 64 MiB at most: a server that kept reading would take it all, one that stops
          // reading leaves the client blocked once the socket buffers (a few MiB) are full,
          // however slowly it answers on a loaded machine.
          if (sent > 1024) controller.close();
          else controller.enqueue(chunk);
        },
      });
      const streamed = await fetch(`${h.base}/api/v1/reports`, {
        method: "POST",
        headers: { authorization: `Bearer ${h.tokens.admin}`, "content-type": "application/json" },
        body: stream,
        duplex: "half",
      } as RequestInit).then(
        async (r) => ({ status: r.status, text: await r.text() }),
        (e: unknown) => ({ status: 0, text: String(e) }),
      );
      expect(streamed.status, streamed.text).to.equal(413);
      expect(sent, "stopped reading early").to.be.lessThan(1024);
      expect(await count(h, "reports", { tracking_id: "5300051" })).to.equal(0);
      const fine = await call(h, "GET", "/api/v1/openapi.json");
      expect(fine.status).to.equal(200);
    });

    it("404 for an unknown route, 405 with Allow for a wrong method", async () => {
      const missing = await call(h, "GET", "/api/v1/nothing", { token: h.tokens.admin });
      expect(missing.status).to.equal(404);
      const wrong = await call(h, "DELETE", "/api/v1/reports/5300001", { token: h.tokens.admin });
      expect(wrong.status).to.equal(405);
      expect(wrong.headers.get("allow")).to.equal("GET");
      const list = await call(h, "GET", "/api/v1/reports", { token: h.tokens.admin });
      expect(list.status).to.equal(405);
      expect(list.headers.get("allow")).to.equal("POST");
    });

    it("a server error is 500 with a generic message, never a stack trace", async () => {
      const broken = knexPkg.knex({
        client: "pg",
        connection: "postgres://pantau@127.0.0.1:1/nothing",
        pool: { min: 0, max: 1 },
        acquireConnectionTimeout: 2000,
        log: { error: () => undefined, warn: () => undefined, debug: () => undefined },
      });
      const router = new HttpRouter();
      registerApiRoutes(router, { ...h.ctx, db: { ...h.ctx.db, knex: broken } }, () => NOW);
      const server = await listen(router, "127.0.0.1", 0, () => undefined);
      try {
        const r = await fetch(`http://127.0.0.1:${server.port}/api/v1/reports/1`, {
          headers: { authorization: `Bearer ${h.tokens.admin}` },
        });
        const text = await r.text();
        expect(r.status).to.equal(500);
        expect(JSON.parse(text)).to.deep.equal({
          error: "kesalahan internal server",
          code: "internal_error",
        });
        expect(text).to.not.match(/ECONNREFUSED|at .*\.ts|Error:/);
      } finally {
        await server.close();
        await broken.destroy();
      }
    });
  });

  describe("Idempotency-Key", () => {
    it("a retry with the same key and body returns the stored response and writes once", async () => {
      const send = (body: unknown, key: string, token = h.tokens.admin) =>
        call(h, "POST", "/api/v1/reports", { token, body, headers: { "idempotency-key": key } });
      const first = await send(snapshot("5300060"), "key-1");
      expect(first.status).to.equal(201);
      const eventsAfterFirst = await count(h, "report_events", { tracking_id: "5300060" });
      const updatedAt = (
        (await h.ctx.db.knex("reports").where({ tracking_id: "5300060" }).first()) as {
          updated_at: Date;
        }
      ).updated_at.getTime();
      h.setNow(NOW + 3600_000);
      // Key order and spacing do not matter: the canonical JSON is compared.
      const body = snapshot("5300060");
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      const retry = await send(reordered, "key-1");
      expect(retry.status).to.equal(201);
      expect(retry.headers.get("idempotent-replayed")).to.equal("true");
      expect(retry.headers.get("location")).to.equal("/api/v1/reports/5300060");
      expect(retry.body).to.deep.equal(first.body);
      expect(await count(h, "report_events", { tracking_id: "5300060" })).to.equal(
        eventsAfterFirst,
      );
      const row = (await h.ctx.db.knex("reports").where({ tracking_id: "5300060" }).first()) as {
        updated_at: Date;
      };
      expect(row.updated_at.getTime()).to.equal(updatedAt);

      const other = await send(snapshot("5300060", { category: "Lain" }), "key-1");
      expect(other.status).to.equal(422);
      expect(asError(other).code).to.equal("idempotency_key_reused");

      // Keys are per token.
      const otherToken = await send(snapshot("5300060"), "key-1", h.tokens.dishub);
      expect(otherToken.status).to.equal(200);
      expect(otherToken.headers.get("idempotent-replayed")).to.equal(null);

      // After 24 hours the key is forgotten.
      h.setNow(NOW + 25 * 3600_000);
      const later = await send(snapshot("5300060", { category: "Lain" }), "key-1");
      expect(later.status).to.equal(200);
      expect(asWrite(later).result).to.equal("updated");
    });

    it("a refusal is replayed too; a duplicate while the first is running gets 409", async () => {
      await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body: snapshot("5300061"),
      });
      const bad = snapshot("5300061", { receivedAt: "2025-07-01T08:00:00+07:00" });
      const headers = { "idempotency-key": "k-409" };
      const first = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body: bad,
        headers,
      });
      expect(first.status).to.equal(409);
      const again = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body: bad,
        headers,
      });
      expect(again.status).to.equal(409);
      expect(again.headers.get("idempotent-replayed")).to.equal("true");
      expect(again.body).to.deep.equal(first.body);

      // A request with this key is in flight (claimed, no response yet).
      const token = (await h.ctx.db.knex("api_tokens").where({ name: "admin" }).first()) as {
        id: number;
      };
      const body = snapshot("5300062");
      await h.ctx.db.knex("idempotency_keys").insert({
        token_id: token.id,
        key: "in-flight",
        request_hash: requestHash("POST", "/api/v1/reports", body),
        created_at: new Date(NOW),
      });
      const dup = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body,
        headers: { "idempotency-key": "in-flight" },
      });
      expect(dup.status).to.equal(409);
      expect(asError(dup).code).to.equal("idempotency_in_progress");
      expect(await count(h, "reports", { tracking_id: "5300062" })).to.equal(0);
      // A claim abandoned for 5 minutes is taken over.
      h.setNow(NOW + 6 * 60_000);
      const taken = await call(h, "POST", "/api/v1/reports", {
        token: h.tokens.admin,
        body,
        headers: { "idempotency-key": "in-flight" },
      });
      expect(taken.status).to.equal(201);
    });

    it("concurrent duplicates: one write, the others replay or get 409", async () => {
      const body = snapshot("5300063");
      const replies = await Promise.all(
        [1, 2, 3, 4].map(() =>
          call(h, "POST", "/api/v1/reports", {
            token: h.tokens.admin,
            body,
            headers: { "idempotency-key": "race" },
          }),
        ),
      );
      const statuses = replies.map((r) => r.status).sort();
      expect(
        statuses.filter((s) => s === 201),
        statuses.join(","),
      ).to.have.length.at.least(1);
      expect(statuses.every((s) => s === 201 || s === 409)).to.equal(true);
      const fresh = replies.filter(
        (r) => r.status === 201 && !r.headers.get("idempotent-replayed"),
      );
      expect(fresh).to.have.length(1);
      expect(await count(h, "report_events", { tracking_id: "5300063" })).to.equal(2);
    });
  });
});

describe("HTTP API token store", () => {
  it("stores only the hash and the first characters of the secret", async function () {
    this.timeout(60_000);
    const h = await startApi(NOW, {});
    try {
      const { token, record } = await createToken(
        h.ctx.db.knex,
        { name: "x", scope: "opd", opd: "dinkes" },
        NOW,
      );
      expect(token).to.match(/^pnt_[A-Za-z0-9_-]{43}$/);
      const row = (await h.ctx.db.knex("api_tokens").where({ name: "x" }).first()) as Record<
        string,
        unknown
      >;
      expect(JSON.stringify(row)).to.not.include(token.slice(4));
      expect(row.token_hash).to.match(/^[0-9a-f]{64}$/);
      expect(record.prefix).to.equal(token.slice(4, 12));
    } finally {
      await h.close();
    }
  });
});
