// Everything Pantau writes is owner-only: the embedded database folder after a real open and
// write (including a folder an older version left world-writable), the rejection file of an
// import, a report written with --output, and the .eml outbox. Modes are listed from disk.
import { expect } from "chai";
import { chmodSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { emlTransport } from "../../src/outbox/transports.js";
import type { OutboxMessage } from "../../src/outbox/outboxStore.js";
import { testBackend } from "../helpers/db.js";
import { openCliSandbox, type CliSandbox } from "../helpers/sandbox.js";
import { repoRoot, runPantau } from "../helpers/process.js";

/** Every path below `root` (itself included) whose mode lets group or others in. */
function openToOthers(root: string): string[] {
  const found: string[] = [];
  const visit = (path: string): void => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) found.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return found;
}

const count = (root: string): number =>
  lstatSync(root).isDirectory()
    ? 1 + readdirSync(root).reduce((n, name) => n + count(join(root, name)), 0)
    : 1;

describe("files Pantau writes are owner-only", function () {
  this.timeout(180_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let sandbox: CliSandbox;

  before(async () => {
    sandbox = await openCliSandbox("modes", () => ({
      PANTAU_LANG: "id",
    }));
    ({ dir, env } = sandbox);
  });
  after(() => sandbox.close());

  it("the embedded database (repaired when an old install left it open), rejections and reports", async () => {
    // An install from before: the folder and a file in it world-writable.
    const db = join(dir, "db");
    mkdirSync(join(db, "old"), { recursive: true });
    writeFileSync(join(db, "old", "leftover"), "x");
    chmodSync(join(db, "old", "leftover"), 0o666);
    chmodSync(join(db, "old"), 0o777);
    chmodSync(db, 0o777);

    const rejects = join(dir, "penolakan.csv");
    const imported = await runPantau(
      ["import", join(repoRoot, "samples", "laporan-contoh.xlsx"), "--rejects", rejects],
      env,
    );
    expect(imported.code, imported.stderr).to.equal(1); // rows rejected, by design of the sample
    const report = join(dir, "rapor.csv");
    const written = await runPantau(
      ["report", "monthly", "--month", "2026-10", "--format", "csv", "--output", report],
      env,
    );
    expect(written.code, written.stderr).to.equal(0);

    expect(openToOthers(rejects)).to.deep.equal([]);
    expect(openToOthers(report)).to.deep.equal([]);
    if (testBackend === "embedded") {
      expect(count(db)).to.be.greaterThan(100); // PGlite's files are really there
      expect(openToOthers(db)).to.deep.equal([]);
      expect(lstatSync(db).mode & 0o777).to.equal(0o700);
    }
  });

  it("the .eml outbox: folder 0700, messages 0600", async () => {
    const outbox = join(dir, "outbox-direct");
    const transport = emlTransport(outbox, "Pantau <pantau@localhost.localdomain>");
    const message: OutboxMessage = {
      id: 1,
      dedupeKey: "k",
      messageId: "<1@pantau.test>",
      kind: "reminder",
      to: ["liaison@malangkab.example"],
      cc: [],
      recipientNames: {},
      subject: "[Pantau] uji",
      text: "uji",
      html: "<p>uji</p>",
      headers: {},
      items: [],
      state: "pending",
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
      createdAt: Date.UTC(2025, 6, 25),
      sentAt: null,
      lockedBy: null,
      channel: "email",
      endpoint: null,
      payload: null,
    };
    await transport.send(message);
    await transport.close();
    expect(readdirSync(outbox)).to.have.length(1);
    expect(openToOthers(outbox)).to.deep.equal([]);
  });
});
