// The daemon's HTTP server (node:http): health and readiness for operators and orchestrators,
// plus loopback-only endpoints through which `pantau status` and `pantau explain` are served
// while the daemon owns the embedded database. Later features add their routes here.
// Invariants: every request ends in a response (a handler that throws or rejects becomes a JSON
// error, 4xx for what the client got wrong, 500 without detail otherwise); nothing a client
// sends can end the process; idle and slow connections are cut (see SERVER_LIMITS).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type RouteHandler = (
  req: IncomingMessage,
  url: URL,
  params: Record<string, string>,
) => Promise<{ status: number; body: unknown; headers?: ResponseHeaders }>;

/** Response headers; a list for a header sent more than once (Set-Cookie). */
export type ResponseHeaders = Record<string, string | string[]>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
  loopbackOnly: boolean;
}

/** An error a handler throws for what the client got wrong: answered with `status` and the message. */
export class HttpError extends Error {
  readonly code = "HTTP_REQUEST_REJECTED";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class HttpRouter {
  private readonly routes: Route[] = [];

  add(
    method: string,
    path: string,
    handler: RouteHandler,
    options: { loopbackOnly?: boolean } = {},
  ): void {
    const keys: string[] = [];
    const pattern = new RegExp(
      "^" +
        path.replace(/\{(\w+)\}/g, (_m, key: string) => {
          keys.push(key);
          return "([^/]+)";
        }) +
        "$",
    );
    this.routes.push({
      method,
      pattern,
      keys,
      handler,
      loopbackOnly: options.loopbackOnly ?? false,
    });
  }

  /** Answers `req`; never rejects (a failure is answered with a JSON error). */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    onError: (error: unknown) => void,
  ): Promise<void> {
    try {
      await this.dispatch(req, res, onError);
    } catch (error) {
      // A bug outside the handlers' own error handling: still an answer, never a crash.
      onError(error);
      answer(res, 500, { error: "internal error" });
    }
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    onError: (error: unknown) => void,
  ): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      answer(res, 400, BAD_TARGET);
      return;
    }
    const candidates = this.routes.filter((r) => r.pattern.test(url.pathname));
    const route = candidates.find((r) => r.method === req.method);
    const send = (status: number, body: unknown, headers: ResponseHeaders = {}): void =>
      answer(res, status, body, headers);
    if (!route) {
      if (candidates.length > 0)
        send(
          405,
          { error: "method not allowed" },
          { allow: candidates.map((c) => c.method).join(", ") },
        );
      else send(404, { error: "not found" });
      return;
    }
    const remote = req.socket.remoteAddress ?? "";
    if (
      route.loopbackOnly &&
      !(remote === "::1" || remote.startsWith("127.") || remote === "::ffff:127.0.0.1")
    ) {
      send(403, { error: "loopback only" });
      return;
    }
    const match = route.pattern.exec(url.pathname);
    const params: Record<string, string> = {};
    for (const [i, key] of route.keys.entries()) {
      const value = decodePathSegment(match?.[i + 1] ?? "");
      if (value === null) {
        send(400, BAD_TARGET);
        return;
      }
      params[key] = value;
    }
    try {
      const result = await route.handler(req, url, params);
      send(result.status, result.body, result.headers);
    } catch (error) {
      // Never a stack trace to a client.
      const declared = (error as { status?: unknown } | null)?.status;
      const status =
        typeof declared === "number" && declared >= 400 && declared <= 599 ? declared : 500;
      if (status >= 500) onError(error);
      const message = status < 500 && error instanceof Error ? error.message : "internal error";
      send(status, { error: message });
    }
  }
}

const BAD_TARGET = {
  error:
    "alamat permintaan tidak valid (pengodean persen rusak) / invalid request target (malformed percent-encoding)",
  code: "bad_request_target",
};

/** A path segment percent-decoded, or null when its encoding is malformed (e.g. "%ZZ"). */
export function decodePathSegment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * Writes a response unless one was already started (then the connection is cut). A string is
 * sent as text, a Buffer as bytes (octet-stream unless `headers` say otherwise), anything else
 * as JSON.
 */
function answer(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: ResponseHeaders = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const bytes = Buffer.isBuffer(body);
  const text = bytes || typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": bytes
      ? "application/octet-stream"
      : typeof body === "string"
        ? "text/plain; charset=utf-8"
        : "application/json; charset=utf-8",
    ...headers,
  });
  res.end(text);
}

/**
 * Limits against idle and slow clients (slowloris): the whole header must arrive within
 * headersTimeoutMs, the whole request within requestTimeoutMs, an idle keep-alive connection is
 * closed after keepAliveTimeoutMs, and at most maxConnections sockets are open at once (a socket
 * beyond that is closed as soon as it is accepted).
 */
export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export const SERVER_LIMITS: Readonly<ServerLimits> = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
};

/** A node:http server under SERVER_LIMITS (or `limits`): the API's and the metrics one. */
export function createLimitedServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  limits: Partial<ServerLimits> = {},
): Server {
  const l = { ...SERVER_LIMITS, ...limits };
  const server = createServer(
    {
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      // How often the timeouts above are checked (Node's default, 30 s, would let them slip).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, l.headersTimeoutMs / 4)),
    },
    handler,
  );
  server.maxConnections = l.maxConnections;
  return server;
}

export interface RunningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function listen(
  router: HttpRouter,
  host: string,
  port: number,
  onError: (error: unknown) => void,
  limits: Partial<ServerLimits> = {},
): Promise<RunningServer> {
  const server = createLimitedServer((req, res) => {
    router.handle(req, res, onError).catch((error: unknown) => {
      onError(error);
      answer(res, 500, { error: "internal error" });
    });
  }, limits);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
