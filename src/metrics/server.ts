// The /metrics endpoint on its own port (default 9464), and the one-shot rendering used by
// `pantau metrics` (a node_exporter textfile collector, tests).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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
  const server: Server = createServer((req, res) => {
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
  });
  server.keepAliveTimeout = 65_000;
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
