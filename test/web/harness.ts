// The web pages on a real port for tests: a test AppContext (PGlite or PostgreSQL, per
// PANTAU_TEST_DB) with the demo data seeded and scanned at a fixed instant, the web routes on an
// HttpRouter, the metrics source as /metrics reads it, and an outbox sender writing .eml files
// to a temporary folder. A clock the tests move; `delivered()` waits for the sender's run started
// by the last sign-in request (an event, never a sleep).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { seedDemo } from "../../src/app/demo.js";
import { createObservability } from "../../src/app/observability.js";
import { runScan } from "../../src/scan/scanJob.js";
import type { AppContext } from "../../src/context/appContext.js";
import { HttpRouter, listen, type RunningServer } from "../../src/http/server.js";
import { OutboxSender } from "../../src/outbox/sender.js";
import { createSession } from "../../src/web/auth/sessions.js";
import { registerWebRoutes } from "../../src/web/index.js";
import { SESSION_COOKIE } from "../../src/web/http.js";
import type { PantauConfig } from "../../src/config/index.js";
import { createTestApp, testConfig, wib, type TestApp } from "../helpers/app.js";

/** The demo's "now": a Monday morning in WIB. */
export const DEMO_NOW = wib("2026-11-30T09:00");

export interface WebHarness {
  app: TestApp;
  ctx: AppContext;
  server: RunningServer;
  base: string;
  outboxDir: string;
  now(): number;
  setNow(t: number): void;
  /** Resolves when the delivery started by the last sign-in request has finished. */
  delivered(): Promise<void>;
  /** The sign-in link of the newest .eml sent to `to`. */
  linkFor(to: string): Promise<string>;
  /** A session cookie for an officer (or admin token id), made directly in the store. */
  sessionCookie(
    owner: { kind: "officer"; email: string } | { kind: "token"; tokenId: number },
  ): Promise<string>;
  /** The /metrics exposition at the current clock. */
  metricsText(): Promise<string>;
  errors: unknown[];
  close(): Promise<void>;
}

export async function startWeb(
  options: { public?: boolean; config?: (c: PantauConfig) => PantauConfig } = {},
): Promise<WebHarness> {
  const outboxDir = mkdtempSync(join(tmpdir(), "pantau-web-outbox-"));
  const base = testConfig();
  let config: PantauConfig = {
    ...base,
    mail: { ...base.mail, smtpUrl: null, outboxDir },
    web: { ...base.web, public: options.public ?? false },
  };
  if (options.config) config = options.config(config);
  let current = DEMO_NOW;
  const clock = () => current;
  const app = await createTestApp(DEMO_NOW, config);
  const ctx = app.ctx;
  await seedDemo(ctx, DEMO_NOW);
  await runScan(ctx, DEMO_NOW, clock);
  const observability = createObservability(ctx, clock);
  const sender = new OutboxSender(ctx, { clock });
  let delivery: Promise<unknown> = Promise.resolve();
  const router = new HttpRouter();
  let port = 0;
  registerWebRoutes(
    router,
    { ctx, metrics: observability.source, metricsText: observability.render },
    {
      clock,
      baseUrl: () => `http://127.0.0.1:${port}`,
      onSignInQueued: () => {
        delivery = sender.runOnce();
      },
    },
  );
  const errors: unknown[] = [];
  const server = await listen(router, "127.0.0.1", 0, (e) => errors.push(e));
  port = server.port;
  return {
    app,
    ctx,
    server,
    base: `http://127.0.0.1:${port}`,
    outboxDir,
    now: clock,
    setNow: (t) => (current = t),
    async delivered() {
      await delivery;
    },
    async linkFor(to) {
      const files = readdirSync(outboxDir)
        .filter((f) => f.endsWith(".eml"))
        .sort();
      for (const file of files.reverse()) {
        const mail = await simpleParser(readFileSync(join(outboxDir, file)));
        const address = Array.isArray(mail.to) ? mail.to[0] : mail.to;
        if (address?.value[0]?.address?.toLowerCase() !== to.toLowerCase()) continue;
        const match = /http:\/\/127\.0\.0\.1:\d+\/masuk\/tautan\?t=[A-Za-z0-9_-]{43}/.exec(
          mail.text ?? "",
        );
        if (match) return match[0];
      }
      throw new Error(`no sign-in email to ${to} in ${outboxDir}`);
    },
    async sessionCookie(owner) {
      const { secret } = await createSession(ctx.db.knex, owner, current, ctx.config.web.sessionMs);
      return `${SESSION_COOKIE}=${secret}`;
    },
    metricsText: () => observability.render(),
    errors,
    async close() {
      await server.close();
      await sender.stop();
      await observability.close();
      await app.close();
      rmSync(outboxDir, { recursive: true, force: true });
    },
  };
}

/** GET with an optional cookie; the body as text. */
export async function get(
  h: WebHarness,
  path: string,
  cookie?: string,
): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(h.base + path, {
    headers: cookie ? { cookie } : {},
    redirect: "manual",
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** The data-value of the element marked data-figure="name" in a page. */
export function figure(html: string, name: string): string {
  // An empty value is rendered as a bare attribute (data-value).
  const match = new RegExp(`data-figure="${name}" data-value(?:="([^"]*)")?[ >]`).exec(html);
  if (!match) throw new Error(`no figure ${name} in the page`);
  return match[1] ?? "";
}
