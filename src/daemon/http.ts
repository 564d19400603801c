// The daemon's HTTP server (node:http): health and readiness for operators and orchestrators,
// plus loopback-only endpoints through which `pantau status` and `pantau explain` are served
// while the daemon owns the embedded database. Later features add their routes here.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type RouteHandler = (
  req: IncomingMessage,
  url: URL,
  params: Record<string, string>,
) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
  loopbackOnly: boolean;
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

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    onError: (error: unknown) => void,
  ): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const candidates = this.routes.filter((r) => r.pattern.test(url.pathname));
    const route = candidates.find((r) => r.method === req.method);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      const text = typeof body === "string" ? body : JSON.stringify(body);
      res.writeHead(status, {
        "content-type":
          typeof body === "string"
            ? "text/plain; charset=utf-8"
            : "application/json; charset=utf-8",
        ...headers,
      });
      res.end(text);
    };
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
    route.keys.forEach((key, i) => (params[key] = decodeURIComponent(match?.[i + 1] ?? "")));
    try {
      const result = await route.handler(req, url, params);
      send(result.status, result.body, result.headers);
    } catch (error) {
      onError(error);
      // Never a stack trace to a client.
      const status = (error as { status?: number }).status ?? 500;
      const message = status < 500 && error instanceof Error ? error.message : "internal error";
      send(status, { error: message });
    }
  }
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
): Promise<RunningServer> {
  const server = createServer((req, res) => {
    void router.handle(req, res, onError);
  });
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
