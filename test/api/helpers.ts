// The API on a real port for tests: a node:http server on 127.0.0.1 with an HttpRouter carrying
// the API routes, over a test AppContext (embedded PGlite or PostgreSQL, PANTAU_TEST_DB), and a
// few tokens created directly in the store.
import { HttpRouter, listen, type RunningServer } from "../../src/http/server.js";
import { registerApiRoutes, type ApiOptions } from "../../src/api/routes.js";
import { createToken } from "../../src/api/tokens.js";
import type { AppContext } from "../../src/context/appContext.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { ErrorBody, OverdueView, ReportView, WriteResult } from "../../src/api/schemas.js";
import type { z } from "zod";

export interface ApiHarness {
  app: TestApp;
  ctx: AppContext;
  server: RunningServer;
  base: string;
  tokens: Record<string, string>;
  /** The clock the routes read; tests move it. */
  setNow(t: number): void;
  errors: unknown[];
  close(): Promise<void>;
}

export async function startApi(
  now: number,
  tokenSpecs: Record<string, { scope: "admin" | "opd"; opd: string | null }>,
  options: ApiOptions = {},
): Promise<ApiHarness> {
  const app = await createTestApp(now);
  let current = now;
  const router = new HttpRouter();
  registerApiRoutes(router, app.ctx, () => current, options);
  const errors: unknown[] = [];
  const server = await listen(router, "127.0.0.1", 0, (e) => errors.push(e));
  const tokens: Record<string, string> = {};
  for (const [name, spec] of Object.entries(tokenSpecs)) {
    tokens[name] = (await createToken(app.ctx.db.knex, { name, ...spec }, now)).token;
  }
  return {
    app,
    ctx: app.ctx,
    server,
    base: `http://127.0.0.1:${server.port}`,
    tokens,
    setNow: (t) => (current = t),
    errors,
    async close() {
      await server.close();
      await app.close();
    },
  };
}

export interface ApiReply {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export async function call(
  h: ApiHarness,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    raw?: string | Buffer;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiReply> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  // Bytes as a plain Uint8Array: the DOM typings (loaded with preact's JSX) want BufferSource.
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (options.raw !== undefined)
    body = typeof options.raw === "string" ? options.raw : new Uint8Array(options.raw);
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(h.base + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/** The body checked against the documented response schemas (so documentation and code agree). */
export const asWrite = (r: ApiReply): z.output<typeof WriteResult> =>
  WriteResult.strict().parse(r.body);
export const asReport = (r: ApiReply): z.output<typeof ReportView> =>
  ReportView.strict().parse(r.body);
export const asOverdue = (r: ApiReply): z.output<typeof OverdueView> =>
  OverdueView.strict().parse(r.body);
export const asError = (r: ApiReply): z.output<typeof ErrorBody> =>
  ErrorBody.strict().parse(r.body);
