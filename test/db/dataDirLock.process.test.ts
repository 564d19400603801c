// The embedded database's folder lock under a race: two processes that find the same stale lock
// (left by a process that died) at the same moment — exactly one of them may own the folder.
import { expect } from "chai";
import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { lockPath } from "../../src/db/dataDirLock.js";
import { repoRoot } from "../helpers/process.js";

function startRacer(base: string, rounds: number, slotMs: number): ChildProcess {
  return fork(
    join(repoRoot, "test", "db", "fixtures", "lockRounds.ts"),
    [base, `${rounds}`, `${slotMs}`],
    {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
}

const once = <T>(child: ChildProcess, accept: (m: unknown) => T | undefined): Promise<T> =>
  new Promise((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      const v = accept(m);
      if (v !== undefined) {
        child.off("message", onMessage);
        resolve(v);
      }
    };
    child.on("message", onMessage);
    child.once("exit", (code) => reject(new Error(`racer exited (${code}) before answering`)));
  });

describe("data folder lock", function () {
  this.timeout(60_000);

  it("two processes taking over the same stale lock at once: exactly one owns the folder", async () => {
    const base = mkdtempSync(join(tmpdir(), "pantau-lock-race-"));
    const rounds = Number(process.env.LOCK_ROUNDS ?? 30);
    const racers: ChildProcess[] = [];
    try {
      // A pid that is certainly dead: a process this test started and that has exited.
      const dead = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
      await new Promise((resolve) => dead.on("exit", resolve));
      for (let r = 0; r < rounds; r++) {
        writeFileSync(
          lockPath(join(base, `r${r}`)),
          JSON.stringify({
            pid: dead.pid,
            hostname: hostname(),
            command: "pantau start",
            startedAt: "2026-01-01T00:00:00.000Z",
          }),
        );
      }
      racers.push(startRacer(base, rounds, 100), startRacer(base, rounds, 100));
      await Promise.all(racers.map((c) => once(c, (m) => (m === "ready" ? true : undefined))));
      const results = racers.map((c) =>
        once(c, (m) => (m && typeof m === "object" ? (m as { outcomes: string[] }) : undefined)),
      );
      const startAt = Date.now() + 300;
      racers.forEach((c) => c.send({ startAt }));
      const [a, b] = (await Promise.all(results)).map((r) => r.outcomes);
      const both = a!.map((x, r) => [x, b![r]!].sort().join("+"));
      expect(
        both.filter((x) => x !== "busy+owned"),
        JSON.stringify(both),
      ).to.deep.equal([]);
      // Each lock names one of the two racers.
      const pids = racers.map((c) => c.pid);
      for (let r = 0; r < rounds; r++) {
        const owner = JSON.parse(readFileSync(lockPath(join(base, `r${r}`)), "utf8")) as {
          pid: number;
        };
        expect(pids).to.include(owner.pid);
      }
      racers.forEach((c) => c.send("exit"));
      await Promise.all(racers.map((c) => new Promise((resolve) => c.once("exit", resolve))));
    } finally {
      racers.forEach((c) => c.exitCode === null && c.kill());
      rmSync(base, { recursive: true, force: true });
    }
  });
});
