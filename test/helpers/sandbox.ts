// A sandbox for tests that run the real `pantau` command in child processes: a temporary folder
// for the data, outbox and other folders, and the environment that points the children at it
// and at the test backend (a fresh PostgreSQL schema, or the embedded database in the folder).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, testBackend, type TestDatabase } from "./db.js";

export interface CliSandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Drops the PostgreSQL schema and removes the folder. */
  close(): Promise<void>;
}

/** `extra` adds or overrides variables (it gets the folder, e.g. for PANTAU_INBOX_DIR). */
export async function openCliSandbox(
  prefix: string,
  extra: (dir: string) => NodeJS.ProcessEnv = () => ({}),
): Promise<CliSandbox> {
  const dir = mkdtempSync(join(tmpdir(), `pantau-${prefix}-`));
  let pg: TestDatabase | null = null;
  const env: NodeJS.ProcessEnv = {
    PANTAU_DATA_DIR: join(dir, "db"),
    PANTAU_OUTBOX_DIR: join(dir, "outbox"),
    DATABASE_URL: "",
    ...extra(dir),
  };
  if (testBackend === "postgres") {
    pg = await createTestDatabase();
    env.DATABASE_URL = pg.url ?? "";
  }
  return {
    dir,
    env,
    async close() {
      await pg?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
