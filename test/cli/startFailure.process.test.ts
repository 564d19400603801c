// Commands that cannot start: `pantau start` with the HTTP port taken must not stay half-started
// (metrics answering, database closed) but undo what it started and exit non-zero with a message
// naming the port and what to change; an unreachable PostgreSQL is said in words.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, testBackend, type TestDatabase } from "../helpers/db.js";
import { runPantau, spawnPantau } from "../helpers/process.js";

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => resolve(server));
  });
}

const portOf = (server: Server): number => (server.address() as { port: number }).port;
const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

/** Resolves true when something accepts a connection on 127.0.0.1:port, false when refused. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("pantau start that cannot start", function () {
  this.timeout(120_000);
  let dir: string;
  let pg: TestDatabase | null = null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "pantau-start-fail-"));
    if (testBackend === "postgres") pg = await createTestDatabase();
  });
  after(async () => {
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("exits non-zero with a clear message when the HTTP port is taken, metrics closed", async () => {
    const taken = await listenOn(0);
    // A free port for /metrics: taken, noted, given back.
    const probe = await listenOn(0);
    const metricsPort = portOf(probe);
    await closeServer(probe);
    try {
      const daemon = spawnPantau(["start"], {
        PANTAU_DATA_DIR: join(dir, "db"),
        PANTAU_OUTBOX_DIR: join(dir, "outbox"),
        PANTAU_HTTP_PORT: String(portOf(taken)),
        PANTAU_METRICS_PORT: String(metricsPort),
        PANTAU_LANG: "id",
        DATABASE_URL: pg?.url ?? "",
      });
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([
        daemon.exited,
        new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), 60_000))),
      ]);
      clearTimeout(timer);
      if (code === "hung") daemon.child.kill("SIGKILL");
      expect(code, daemon.stderr()).to.equal(1);
      expect(daemon.stderr()).to.include(`Port ${portOf(taken)}`);
      expect(daemon.stderr()).to.include("sudah dipakai");
      expect(daemon.stderr()).to.include("PANTAU_HTTP_PORT");
      // Undone in order, not cut short by the exit backstop.
      expect(daemon.stderr()).not.to.include("keluar paksa");
      expect(daemon.stderr()).not.to.include("Pantau berjalan");
      expect(await answers(metricsPort)).to.equal(false);
    } finally {
      await closeServer(taken);
    }
  });

  it("says in words that PostgreSQL cannot be reached: no driver error, no stack", async () => {
    const run = await runPantau(["migrate"], {
      DATABASE_URL: "postgres://pantau:rahasia@127.0.0.1:1/pantau",
      PANTAU_LANG: "id",
    });
    expect(run.code, run.stderr).to.equal(1);
    expect(run.stderr).to.include(
      "Tidak bisa terhubung ke PostgreSQL postgres://pantau:***@127.0.0.1:1/pantau",
    );
    expect(run.stderr).to.include("ECONNREFUSED");
    expect(run.stderr).to.include("periksa DATABASE_URL");
    expect(run.stderr).not.to.include("rahasia");
    expect(run.stderr).not.to.include("Acquire connection error");
    expect(run.stderr).not.to.match(/^\s+at /m);
  });
});
