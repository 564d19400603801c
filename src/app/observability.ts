// Wires Pantau's metrics for the composition root: the database source (read on scrape, leader
// only), the own prom-client registry with build info, and the /metrics server.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  createPantauRegistry,
  createPgMetricsSource,
  renderMetrics,
  startMetricsServer,
  type MetricsServer,
  type PantauMetrics,
  type PantauRegistry,
  type PgMetricsSource,
} from "../metrics/index.js";
import type { AppContext } from "../context/appContext.js";

export interface BuildInfo {
  version: string;
  revision: string;
}

/** Version from package.json; revision from PANTAU_REVISION or the checkout's .git. */
export function buildInfo(packageRoot: string, env: NodeJS.ProcessEnv = process.env): BuildInfo {
  let version = "unknown";
  try {
    version = (
      JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }
    ).version;
  } catch {
    // keep "unknown"
  }
  let revision = env.PANTAU_REVISION ?? "unknown";
  if (revision === "unknown") {
    try {
      const head = readFileSync(join(packageRoot, ".git", "HEAD"), "utf8").trim();
      if (head.startsWith("ref: ")) {
        const ref = head.slice(5);
        const refFile = join(packageRoot, ".git", ref);
        if (existsSync(refFile)) {
          revision = readFileSync(refFile, "utf8").trim().slice(0, 12);
        } else {
          const packed = readFileSync(join(packageRoot, ".git", "packed-refs"), "utf8");
          const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
          if (line) revision = line.slice(0, 12);
        }
      } else {
        revision = head.slice(0, 12);
      }
    } catch {
      // not a git checkout
    }
  }
  return { version, revision };
}

export interface Observability {
  registry: PantauRegistry;
  metrics: PantauMetrics;
  source: PgMetricsSource;
  render(): Promise<string>;
  /** Starts GET /metrics on config.metrics (port 0 = any free port). */
  serve(): Promise<MetricsServer>;
  close(): Promise<void>;
}

export function createObservability(ctx: AppContext, clock: () => number): Observability {
  const source = createPgMetricsSource({
    knex: ctx.db.knex,
    kind: ctx.db.kind,
    calendar: { coveredYears: ctx.config.coveredYears, zone: ctx.config.defaultZone },
    feedDueAt: (last) =>
      ctx.calendars
        .forZone(ctx.config.defaultZone)
        .dueAt(last, { amount: ctx.config.import.alertAfterWorkingDays, unit: "wd" }),
  });
  const registry = createPantauRegistry({
    agencies: ctx.config.agencies,
    source,
    clock,
    build: buildInfo(ctx.config.packageRoot),
    logger: ctx.logger,
  });
  let server: MetricsServer | null = null;
  return {
    registry,
    metrics: registry.metrics,
    source,
    render: () => renderMetrics(registry),
    async serve() {
      server = await startMetricsServer({
        host: ctx.config.metrics.host,
        port: ctx.config.metrics.port,
        registry,
        logger: ctx.logger,
        auth: {
          bearerToken: ctx.config.metrics.bearerToken,
          basicAuth: ctx.config.metrics.basicAuth,
        },
      });
      return server;
    },
    async close() {
      await server?.close();
      await source.close();
    },
  };
}
