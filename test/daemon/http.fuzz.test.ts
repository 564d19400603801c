// Nothing a client sends may end the daemon or get a 500: the daemon's real HTTP server (health,
// readiness, the loopback /local endpoints and the API) on 127.0.0.1, hit with malformed
// percent-encodings and a bounded number of seeded random requests written as raw bytes over
// node:net (random bytes in the path, the query and the headers). Every request must get an
// answer below 500, nothing may be logged at error level, and /healthz must still answer 200.
import { expect } from "chai";
import { connect } from "node:net";
import { Writable } from "node:stream";
import winston from "winston";
import { registerApiRoutes } from "../../src/api/routes.js";
import { createToken } from "../../src/api/tokens.js";
import { startDaemon, type RunningDaemon } from "../../src/daemon/daemon.js";
import { createTestApp, testConfig, wib, type TestApp } from "../helpers/app.js";

const NOW = wib("2025-07-25T10:00");
const FUZZ_REQUESTS = Number(process.env.PANTAU_FUZZ_REQUESTS ?? 300);

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Sends `request` as raw bytes and resolves with the status of the first response (0: the
 * connection closed without one). The socket is not half-closed: Node's server would take a FIN
 * as the client giving up and drop a request whose handler is still working.
 */
function rawRequest(port: number, request: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      socket.destroy();
      resolve({ status: status ? Number(status) : 0, text });
    };
    socket.setTimeout(10_000, () => {
      socket.destroy();
      done = true;
      reject(new Error(`no answer within 10 s to ${JSON.stringify(request.toString("latin1"))}`));
    });
    socket.on("data", (d: Buffer) => {
      chunks.push(d);
      if (/^HTTP\/1\.[01] \d{3}/.test(Buffer.concat(chunks).toString("latin1"))) finish();
    });
    socket.on("error", () => undefined); // a reset after the answer is fine; the answer counts
    socket.on("close", finish);
    socket.write(request);
  });
}

describe("daemon HTTP server under hostile input", function () {
  this.timeout(180_000);
  let app: TestApp;
  let daemon: RunningDaemon;
  let adminToken: string;
  const logged: { level: string; message: string }[] = [];

  before(async () => {
    app = await createTestApp(NOW);
    const sink = new Writable({
      objectMode: true,
      write(info: { level: string; message: string; error?: string }, _enc, done) {
        logged.push({ level: info.level, message: `${info.message}: ${info.error ?? ""}` });
        done();
      },
    });
    const logger = winston.createLogger({
      level: "debug",
      transports: [new winston.transports.Stream({ stream: sink })],
    });
    const config = { ...testConfig(), http: { host: "127.0.0.1", port: 0 } };
    const ctx = { ...app.ctx, config, logger };
    adminToken = (await createToken(ctx.db.knex, { name: "fuzz", scope: "admin", opd: null }, NOW))
      .token;
    daemon = await startDaemon(ctx, {
      clock: () => NOW,
      job: { tick: async () => undefined },
      tickOnStart: false,
      routes: (router) => registerApiRoutes(router, ctx, () => NOW),
    });
  });
  after(async () => {
    await daemon?.stop("test");
    await app?.close();
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`http://127.0.0.1:${daemon.httpPort}${path}`, {
      headers,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as { error?: string } };
  };

  it("answers malformed percent-encodings in path parameters with 400 and keeps serving", async () => {
    for (const path of [
      "/api/v1/reports/%ZZ",
      "/api/v1/opd/%E0%A4%A/overdue",
      "/local/explain/%ZZ",
      "/api/v1/reports/%ZZ/events",
    ]) {
      const headers = { authorization: `Bearer ${adminToken}` };
      const r = await get(path, headers);
      expect(r.status, path).to.be.oneOf([400, 405]);
      expect(r.body.error, path).to.be.a("string");
    }
    expect((await get("/healthz")).status).to.equal(200);
    expect(logged.filter((l) => l.level === "error")).to.deep.equal([]);
  });

  it("the local endpoints answer a bad now, agency or tracking ID with 400/404, logging no error", async () => {
    const cases: [string, number, RegExp][] = [
      ["/local/status?now=abc", 400, /now:/],
      [`/local/status?now=${Date.UTC(1899, 11, 31)}`, 400, /1901/],
      [`/local/status?now=${Date.UTC(9999, 11, 31)}`, 400, /2298/],
      ["/local/status?opd=dinas-antah", 404, /dinas-antah/],
      ["/local/explain/123456", 404, /123456/],
      ["/local/explain/abc", 400, /trackingId/],
      [`/local/explain/123456?now=${Date.parse("0001-01-01T00:00:00Z")}`, 400, /now:/],
    ];
    for (const [path, status, message] of cases) {
      const r = await get(path);
      expect(r.status, path).to.equal(status);
      expect(r.body.error, path).to.match(message);
    }
    expect((await get(`/local/status?now=${NOW}`)).status).to.equal(200);
    expect(logged.filter((l) => l.level === "error")).to.deep.equal([]);
  });

  it(`answers ${FUZZ_REQUESTS} random requests below 500, logs no error, and stays up`, async () => {
    const rnd = random(0x11_2026);
    const int = (n: number): number => Math.floor(rnd() * n);
    const bytes = (max: number, printable = false): Buffer => {
      const out = Buffer.alloc(int(max + 1));
      for (let i = 0; i < out.length; i++) out[i] = printable ? 0x20 + int(0x5f) : int(256);
      return out;
    };
    const percent = (): string =>
      Array.from({ length: 1 + int(4) }, () =>
        rnd() < 0.7 ? `%${int(256).toString(16).padStart(2, "0")}` : `%${"ZGzg%"[int(5)]}`,
      ).join("");
    const segment = (): Buffer => {
      const pick = int(5);
      if (pick === 0) return bytes(24);
      if (pick === 1) return Buffer.from(percent(), "latin1");
      if (pick === 2) return Buffer.from(String(int(1e9)), "latin1");
      if (pick === 3) return bytes(24, true);
      return Buffer.from(["dinkes", "9999-12-31", "0001-01-01", "-1", "abc"][int(5)]!, "latin1");
    };
    const templates: ((s: Buffer) => Buffer[])[] = [
      (s) => [Buffer.from("/api/v1/reports/"), s],
      (s) => [Buffer.from("/api/v1/reports/"), s, Buffer.from("/events")],
      (s) => [Buffer.from("/api/v1/opd/"), s, Buffer.from("/overdue")],
      (s) => [Buffer.from("/local/explain/"), s],
      (s) => [Buffer.from("/local/status?opd="), s],
      (s) => [Buffer.from("/local/status?now="), s],
      (s) => [Buffer.from("/local/explain/9000001?now="), s, Buffer.from("&lang="), segment()],
      (s) => [Buffer.from("/api/v1/reports/5200108?now="), s],
      (s) => [Buffer.from("/healthz?"), s],
      (s) => [Buffer.from("/readyz/"), s],
      (s) => [s],
    ];
    const methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "G\x00T", "get"];
    const headerNames = ["authorization", "accept-language", "idempotency-key", "x-fuzz", "cookie"];
    const statuses = new Map<number, number>();
    for (let i = 0; i < FUZZ_REQUESTS; i++) {
      const path = Buffer.concat(templates[int(templates.length)]!(segment()));
      const method = methods[int(methods.length)]!;
      const lines: Buffer[] = [
        Buffer.from(`${method} `),
        path,
        Buffer.from(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"),
      ];
      for (let h = int(4); h > 0; h--) {
        const name = headerNames[int(headerNames.length)]!;
        const value =
          name === "authorization" && rnd() < 0.5
            ? Buffer.from(`Bearer ${rnd() < 0.5 ? adminToken : "pnt_"}`)
            : bytes(40, rnd() < 0.5);
        lines.push(Buffer.from(`${name}: `), value, Buffer.from("\r\n"));
      }
      if (method === "POST" && rnd() < 0.5) {
        const body = bytes(64);
        lines.push(
          Buffer.from(`content-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`),
          body,
        );
      } else {
        lines.push(Buffer.from("\r\n"));
      }
      const request = Buffer.concat(lines);
      const reply = await rawRequest(daemon.httpPort, request);
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      expect(
        reply.status,
        `request ${i}: ${JSON.stringify(request.toString("latin1"))}`,
      ).to.be.within(100, 499);
    }
    // The fuzz reached the handlers, not only Node's parser.
    expect([...statuses.keys()].some((s) => s !== 400)).to.equal(true);
    expect(logged.filter((l) => l.level === "error")).to.deep.equal([]);
    expect((await get("/healthz")).status).to.equal(200);
  });
});
