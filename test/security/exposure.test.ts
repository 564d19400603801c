// Exposure: the API and /metrics listen on 127.0.0.1 unless opened on purpose (http.host,
// metrics.host, PANTAU_HTTP_HOST, PANTAU_METRICS_HOST); /metrics can require a bearer token or
// basic auth as Prometheus sends them; slow and idle clients are cut and the number of sockets
// is bounded.
import { expect } from "chai";
import { connect, type Socket } from "node:net";
import { Registry } from "prom-client";
import { loadConfig } from "../../src/config/index.js";
import { HttpRouter, listen, type RunningServer } from "../../src/http/server.js";
import { startMetricsServer, type MetricsServer } from "../../src/metrics/server.js";
import { cleanup, copyConfig, edit, errorsOf, SHIPPED_CONFIG } from "../config/helpers.js";
import { validateConfig } from "../../src/config/index.js";

/** Resolves when the socket closes; rejects after `ms` (the server did not cut it). */
function closed(socket: Socket, ms: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
    socket.resume(); // read (and drop) what the server sends, so its end is seen
  });
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.on("error", reject);
  });
}

describe("exposure defaults and limits", function () {
  this.timeout(60_000);
  afterEach(cleanup);

  it("binds the API and /metrics to 127.0.0.1 by default, also without the keys", () => {
    const shipped = loadConfig({ configDir: SHIPPED_CONFIG, env: {} });
    expect(shipped.http.host).to.equal("127.0.0.1");
    expect(shipped.metrics.host).to.equal("127.0.0.1");
    const dir = copyConfig();
    edit(dir, "pantau.yaml", /^ {2}host: .*$/gm, "");
    const bare = loadConfig({ configDir: dir, env: {} });
    expect(bare.http.host).to.equal("127.0.0.1");
    expect(bare.metrics.host).to.equal("127.0.0.1");
    expect(bare.metrics.bearerToken).to.equal(null);
    expect(bare.metrics.basicAuth).to.equal(null);
  });

  it("opens on purpose through the environment, and checks what it is given", () => {
    const config = loadConfig({
      configDir: SHIPPED_CONFIG,
      env: {
        PANTAU_HTTP_HOST: "0.0.0.0",
        PANTAU_METRICS_HOST: "10.1.2.3",
        PANTAU_METRICS_BEARER_TOKEN: "rahasia-prometheus",
        PANTAU_METRICS_BASIC_AUTH_USER: "prometheus",
        PANTAU_METRICS_BASIC_AUTH_PASSWORD: "sandi-panjang",
      },
    });
    expect(config.http.host).to.equal("0.0.0.0");
    expect(config.metrics).to.deep.include({
      host: "10.1.2.3",
      bearerToken: "rahasia-prometheus",
      basicAuth: { username: "prometheus", password: "sandi-panjang" },
    });
    const bad = errorsOf(
      validateConfig(SHIPPED_CONFIG, {
        PANTAU_HTTP_HOST: "0.0.0.0 ; rm",
        PANTAU_METRICS_BEARER_TOKEN: "short",
      }),
    );
    expect(bad.map((i) => i.key)).to.include.members([
      "PANTAU_HTTP_HOST",
      "PANTAU_METRICS_BEARER_TOKEN",
    ]);
    const half = errorsOf(
      validateConfig(SHIPPED_CONFIG, { PANTAU_METRICS_BASIC_AUTH_USER: "prometheus" }),
    );
    expect(half.map((i) => i.message.en).join("\n")).to.match(
      /needs both a user name and a password/,
    );
  });

  describe("/metrics credentials", () => {
    let server: MetricsServer;
    before(async () => {
      server = await startMetricsServer({
        host: "127.0.0.1",
        port: 0,
        registry: new Registry(),
        auth: {
          bearerToken: "rahasia-prometheus",
          basicAuth: { username: "prometheus", password: "sandi-panjang" },
        },
      });
    });
    after(async () => server?.close());
    const scrape = (authorization?: string) =>
      fetch(`http://127.0.0.1:${server.port}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

    it("401 with WWW-Authenticate without or with wrong credentials; 200 with either one", async () => {
      for (const wrong of [
        undefined,
        "Bearer salah",
        basic("prometheus", "salah"),
        basic("orang-lain", "sandi-panjang"),
        "Basic !!!",
      ]) {
        const r = await scrape(wrong);
        expect(r.status, String(wrong)).to.equal(401);
        expect(r.headers.get("www-authenticate")).to.match(/Bearer.*Basic/);
        expect(await r.text()).to.not.include("# HELP");
      }
      expect((await scrape("Bearer rahasia-prometheus")).status).to.equal(200);
      expect((await scrape(basic("prometheus", "sandi-panjang"))).status).to.equal(200);
    });
  });

  describe("slow and idle clients", () => {
    let server: RunningServer;
    before(async () => {
      const router = new HttpRouter();
      router.add("GET", "/healthz", async () => ({ status: 200, body: { status: "ok" } }));
      server = await listen(router, "127.0.0.1", 0, () => undefined, {
        headersTimeoutMs: 400,
        requestTimeoutMs: 800,
        maxConnections: 2,
      });
    });
    after(async () => server?.close());

    it("cuts a client that never finishes its headers (slowloris)", async () => {
      const slow = await open(server.port);
      slow.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      const ms = await closed(slow, 5_000);
      expect(ms).to.be.lessThan(5_000);
    });

    it("refuses sockets beyond the maximum, and serves again once they are gone", async () => {
      const a = await open(server.port);
      const b = await open(server.port);
      const c = await open(server.port);
      await closed(c, 5_000); // the third is closed at once
      a.destroy();
      b.destroy();
      await Promise.all([closed(a, 1_000).catch(() => 0), closed(b, 1_000).catch(() => 0)]);
      const r = await fetch(`http://127.0.0.1:${server.port}/healthz`, {
        headers: { connection: "close" },
      });
      expect(r.status).to.equal(200);
    });
  });
});
