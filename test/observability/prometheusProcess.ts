// Starts a real Prometheus (Debian's `prometheus` binary) on a free loopback port, scraping the
// given target every second with Pantau's rules loaded; runs instant queries through its HTTP API.
// Reusable by the integration tests that scrape a running Pantau.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RULES_DIR } from "./tools.js";

export interface PrometheusOptions {
  /** host:port of the /metrics endpoint to scrape. */
  target: string;
  /** Job name; the rules and dashboards expect "pantau". */
  job?: string;
  /** Load dashboards/prometheus/rules/pantau.rules.yml (default true). */
  rules?: boolean;
  binary?: string;
  readyTimeoutMs?: number;
}

export interface QueryResult {
  status: string;
  errorType?: string;
  error?: string;
  data?: {
    resultType: string;
    result: { metric: Record<string, string>; value?: [number, string] }[];
  };
}

export interface PrometheusProcess {
  readonly url: string;
  /** Instant query at `time` (seconds) or now. */
  query(expr: string, time?: number): Promise<QueryResult>;
  /** Polls until `expr` returns a non-empty result (e.g. `up{job="pantau"} == 1`). */
  waitFor(expr: string, timeoutMs?: number): Promise<QueryResult>;
  /** Output of the process so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), "pantau-prometheus-"));
  const useRules = options.rules ?? true;
  if (useRules) copyFileSync(join(RULES_DIR, "pantau.rules.yml"), join(dir, "pantau.rules.yml"));
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 1s",
    "  evaluation_interval: 1s",
    ...(useRules ? ["rule_files:", "  - pantau.rules.yml"] : []),
    "scrape_configs:",
    `  - job_name: ${JSON.stringify(options.job ?? "pantau")}`,
    "    static_configs:",
    `      - targets: [${JSON.stringify(options.target)}]`,
    "",
  ].join("\n");
  writeFileSync(join(dir, "prometheus.yml"), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(
    options.binary ?? "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=1h",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  let exited = false;
  child.on("exit", () => (exited = true));

  const stop = async (): Promise<void> => {
    if (!exited) {
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`prometheus exited before becoming ready:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `prometheus not ready after ${options.readyTimeoutMs ?? 30_000} ms:\n${output}`,
      );
    }
    await sleep(100);
  }

  const query = async (expr: string, time?: number): Promise<QueryResult> => {
    const body = new URLSearchParams({ query: expr });
    if (time !== undefined) body.set("time", String(time));
    const res = await fetch(`${url}/api/v1/query`, { method: "POST", body });
    return (await res.json()) as QueryResult;
  };

  return {
    url,
    query,
    async waitFor(expr, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const r = await query(expr);
        if (r.status === "success" && (r.data?.result.length ?? 0) > 0) return r;
        if (Date.now() > until)
          throw new Error(`timed out waiting for ${expr}: ${JSON.stringify(r)}\n${output}`);
        await sleep(250);
      }
    },
    log: () => output,
    stop,
  };
}
