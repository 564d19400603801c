// An AppContext for tests: the shipped configuration, a test database and a silent logger.
import { bootstrap } from "../../src/app/bootstrap.js";
import type { AppContext } from "../../src/context/appContext.js";
import { loadConfig, type PantauConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/log.js";
import { createTestDatabase, type TestDatabase } from "./db.js";

let shippedConfig: PantauConfig | undefined;

export function testConfig(): PantauConfig {
  shippedConfig ??= loadConfig({ env: {} });
  return shippedConfig;
}

export interface TestApp {
  ctx: AppContext;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function createTestApp(
  now: number,
  config: PantauConfig = testConfig(),
): Promise<TestApp> {
  const db = await createTestDatabase();
  const ctx = await bootstrap({
    command: "test",
    config,
    db,
    logger: createLogger({ level: "error", silent: true }),
    now,
  });
  return { ctx, db, close: () => db.close() };
}

/** Instant of a local Asia/Jakarta (UTC+7) wall time, "2025-03-03T10:12". */
export function wib(local: string): number {
  return Date.parse(local.length === 10 ? `${local}T00:00:00+07:00` : `${local}:00+07:00`);
}
