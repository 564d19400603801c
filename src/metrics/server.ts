// The /metrics endpoint on its own port (default 9464, 127.0.0.1), and the one-shot rendering
// used by `pantau metrics` (a node_exporter textfile collector, tests). With credentials set
// (metrics.bearer_token, metrics.basic_auth_*), a scrape must present one of them: Prometheus'
// `authorization` or `basic_auth`; compared in constant time. Idle and slow connections are cut
// as on the API's server (http/server.ts, SERVER_LIMITS).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLimitedServer, type ServerLimits } from "../http/server.js";
import type { Registry } from "prom-client";
import type { PantauRegistry } from "./registry.js";

export interface MetricsServerLogger {
  info?(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port (tests); the bound port is returned. */
  port: number;
  registry: Registry | PantauRegistry;
  logger?: MetricsServerLogger;
  /** Credentials a scrape must present (either); absent or all null = open. */
  auth?: MetricsAuth;
  limits?: Partial<ServerLimits>;
}

export interface MetricsAuth {
  bearerToken: string | null;
  basicAuth: { username: string; password: string } | null;
}

/** Equality of two secrets without a timing difference (hashes have the same length). */
function sameSecret(a: string, b: string): boolean {
  const h = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(h(a), h(b));
}

/** Whether `req` carries one of the configured credentials (true when none is configured). */
export function authorized(req: IncomingMessage, auth: MetricsAuth | undefined): boolean {
  if (!auth || (auth.bearerToken === null && auth.basicAuth === null)) return true;
  const header = req.headers.authorization ?? "";
  const bearer = /^Bearer +(\S+) *$/i.exec(header)?.[1];
  if (bearer !== undefined && auth.bearerToken !== null)
    return sameSecret(bearer, auth.bearerToken);
  const basic = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header)?.[1];
  if (basic !== undefined && auth.basicAuth !== null) {
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    const userOk = sameSecret(decoded.slice(0, colon), auth.basicAuth.username);
    const passwordOk = sameSecret(decoded.slice(colon + 1), auth.basicAuth.password);
    return userOk && passwordOk;
  }
  return false;
}

export interface MetricsServer {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

function promRegistry(registry: Registry | PantauRegistry): Registry {
  return "registry" in registry ? registry.registry : registry;
}

/** The text exposition of the registry, exactly as /metrics serves it. */
export function renderMetrics(registry: Registry | PantauRegistry): Promise<string> {
  return "render" in registry ? registry.render() : registry.metrics();
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const registry = promRegistry(options.registry);
  const server: Server = createLimitedServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics" && path !== "/") {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("Not found: use /metrics\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("Method not allowed\n");
      return;
    }
    if (!authorized(req, options.auth)) {
      const schemes = [
        ...(options.auth?.bearerToken ? ['Bearer realm="pantau-metrics"'] : []),
        ...(options.auth?.basicAuth ? ['Basic realm="pantau-metrics", charset="UTF-8"'] : []),
      ];
      res.writeHead(401, {
        "www-authenticate": schemes.join(", "),
        "content-type": "text/plain; charset=utf-8",
      });
      res.end("Unauthorized: /metrics needs the configured credentials\n");
      return;
    }
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end('<html><body><a href="/metrics">/metrics</a></body></html>\n');
      return;
    }
    renderMetrics(options.registry).then(
      (body) => {
        res.writeHead(200, { "content-type": registry.contentType });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (error: unknown) => {
        // Collectors catch their own failures; this is a bug, not a database outage.
        options.logger?.warn("metrics rendering failed", {
          error: error instanceof Error ? error.message : String(error),
        });
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("metrics rendering failed\n");
      },
    );
  }, options.limits);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  options.logger?.info?.("metrics server listening", { host: options.host, port: address.port });
  return {
    port: address.port,
    host: options.host,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
