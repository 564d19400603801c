// The escalation commands as operators run them, on a data folder (embedded) or a PostgreSQL
// schema: `officers import` (all or nothing, row and reason), `officers list --at`, `outbox list
// --failed` and `outbox retry`, and `scan --once` that decides and sends. Then real processes:
// a decision committed by `pantau scan --no-send`, a daemon killed with SIGKILL, a restart —
// the mail arrives once.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrap } from "../../src/app/bootstrap.js";
import { runCli } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/log.js";
import { createTestDatabase, testBackend, type TestDatabase } from "../helpers/db.js";
import { runPantau, spawnPantau } from "../helpers/process.js";
import {
  dpubmReport,
  importReports,
  IMPORTED,
  OFFICERS_CSV,
  OVERDUE,
  startSmtp,
  type TestSmtp,
} from "./helpers.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

describe("escalation commands and processes", function () {
  this.timeout(180_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let pg: TestDatabase | null = null;
  let smtp: TestSmtp;
  let clockNow = IMPORTED;

  async function pantau(...args: string[]): Promise<Run> {
    let out = "";
    let err = "";
    process.exitCode = undefined;
    const code = await runCli(args, {
      out: (s) => (out += s + "\n"),
      err: (s) => (err += s + "\n"),
      env,
      clock: () => clockNow,
    });
    process.exitCode = undefined;
    return { code, out, err };
  }

  /** Seeds reports directly (the report import has its own tests), then closes the database. */
  async function seed(reports: Parameters<typeof importReports>[1], now: number): Promise<void> {
    const ctx = await bootstrap({
      command: "test seed",
      config: loadConfig({ env }),
      logger: createLogger({ level: "error", silent: true }),
      now,
    });
    try {
      await importReports(ctx, reports, now);
    } finally {
      await ctx.db.close();
    }
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "pantau-esc-"));
    smtp = await startSmtp();
    env = {
      PANTAU_DATA_DIR: join(dir, "db"),
      PANTAU_OUTBOX_DIR: join(dir, "outbox"),
      PANTAU_HTTP_PORT: "0",
      PANTAU_METRICS_PORT: "0",
      PANTAU_LOG_LEVEL: "error",
      PANTAU_LANG: "id",
      DATABASE_URL: "",
      SMTP_URL: smtp.url,
    };
    if (testBackend === "postgres") {
      pg = await createTestDatabase();
      env.DATABASE_URL = pg.url ?? "";
    }
    clockNow = IMPORTED;
  });
  afterEach(async () => {
    await smtp.close();
    await pg?.close();
    pg = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it("imports officers all or nothing, reporting each bad row with line and reason", async () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(
      bad,
      [
        "opd,role,name,email,valid_from,valid_to,decree",
        "dpubm,liaison,Eko Prasetyo,penghubung.dpubm@malangkab.example,2024-01-02,,SK 3/2024",
        "dinas-antah,liaison,Siapa,siapa@malangkab.example,2024-01-02,,SK 4/2024",
        "dpubm,supervisor,Wahyu,bukan-email,2024-01-02,,SK 5/2024",
        "dpubm,liaison,Lain,lain@malangkab.example,2023-06-01,2024-06-01,SK 6/2024",
      ].join("\n"),
    );
    const r = await pantau("officers", "import", bad);
    expect(r.code).to.equal(2);
    expect(r.err).to.include('baris 3, opd: perangkat daerah "dinas-antah" tidak dikenal');
    expect(r.err).to.include('baris 4, email: alamat email "bukan-email" tidak valid');
    expect(r.err).to.match(/baris \d, valid_from: .*bertumpang tindih/);
    expect(r.err).to.include("Tidak ada yang diimpor");
    const list = await pantau("officers", "list", "--format", "json");
    const roles = (JSON.parse(list.out) as { roles: { vacant: boolean }[] }).roles;
    expect(roles.every((x) => x.vacant)).to.equal(true);

    const good = join(dir, "officers.csv");
    writeFileSync(good, OFFICERS_CSV);
    const ok = await pantau("officers", "import", good);
    expect(ok.code, ok.err).to.equal(0);
    expect(ok.out).to.include("5 pengangkatan baru");
    // Re-running the same file changes nothing; appending a successor is a rotation.
    expect((await pantau("officers", "import", good)).out).to.include("5 sudah tercatat");
    writeFileSync(
      good,
      OFFICERS_CSV + "\ndpubm,liaison,Rina Baru,rina.baru@malangkab.example,2025-03-10,,SK 9/2025",
    );
    const rotated = await pantau("officers", "import", good);
    expect(rotated.out).to.include("1 jabatan sebelumnya diakhiri");
    const before = await pantau("officers", "list", "--opd", "dpubm", "--at", "2025-03-09T12:00");
    expect(before.out).to.include("Eko Prasetyo");
    const after = await pantau("officers", "list", "--opd", "dpubm", "--at", "2025-03-10T12:00");
    expect(after.out).to.include("Rina Baru");
    expect(after.out).not.to.include("Eko Prasetyo");
  });

  it("scan --once decides and sends; failed messages are listed and retried", async () => {
    writeFileSync(join(dir, "officers.csv"), OFFICERS_CSV);
    expect((await pantau("officers", "import", join(dir, "officers.csv"))).code).to.equal(0);
    await seed([dpubmReport("5001"), dpubmReport("5002")], IMPORTED);

    smtp.mode = "reject-rcpt";
    clockNow = OVERDUE;
    const scan = await pantau("scan", "--once", "--now", "2025-03-12T07:00");
    expect(scan.out).to.include("2 diputuskan");
    // One message per person: the supervisor, the liaison and the coordinator.
    expect(scan.out).to.include("0 terkirim, 3 dicoba lagi nanti");
    expect(smtp.received).to.have.length(0);

    // Make it fail for good: enough rounds past each backoff.
    for (let i = 1; i <= 8; i++) {
      clockNow = OVERDUE + i * 3_600_000;
      await pantau("scan", "--once", "--now", new Date(clockNow).toISOString());
    }
    const failed = await pantau("outbox", "list", "--failed", "--format", "json");
    const rows = JSON.parse(failed.out) as {
      id: number;
      state: string;
      kind: string;
      attempts: number;
    }[];
    // The escalation (one message per person), and the daily reminder queued from 08:00
    // (failing the same way).
    expect(rows.map((r) => r.kind)).to.deep.equal([
      "escalation",
      "escalation",
      "escalation",
      "reminder",
    ]);
    const esc = rows[0]!;
    expect(esc).to.include({ state: "failed", attempts: 8 });
    const table = await pantau("outbox", "list", "--failed");
    expect(table.out).to.include("gagal");
    expect(table.out).to.include("kepala.dpubm@malangkab.example");

    smtp.mode = "accept";
    const one = await pantau("outbox", "retry", String(esc.id), "999999");
    expect(one.code).to.equal(1);
    expect(one.out).to.include(`1 pesan diantre ulang (${esc.id})`);
    expect(one.err).to.include("999999");
    clockNow += 60_000;
    const again = await pantau("scan", "--once", "--now", new Date(clockNow).toISOString());
    expect(again.out).to.include("1 terkirim");
    const all = await pantau("outbox", "retry", "--all-failed");
    expect(all.out).to.include("3 pesan diantre ulang");
    clockNow += 60_000;
    await pantau("scan", "--once", "--now", new Date(clockNow).toISOString());
    await smtp.waitFor(4);
    expect(smtp.received).to.have.length(4);
    expect((await pantau("outbox", "list", "--failed")).out).to.include("Tidak ada pesan");
  });

  it("delivers once after a daemon is killed with SIGKILL between deciding and sending", async () => {
    // Real time: the daemon reads the wall clock. A report overdue now.
    const now = Date.now();
    writeFileSync(join(dir, "officers.csv"), OFFICERS_CSV);
    expect((await runPantau(["officers", "import", join(dir, "officers.csv")], env)).code).to.equal(
      0,
    );
    const day = 86_400_000;
    await seed(
      [
        dpubmReport("6001", {
          receivedAt: now - 40 * day,
          milestones: { disposedAt: now - 39 * day, firstResponseAt: now - 38 * day },
        }),
      ],
      now,
    );
    // Decide without sending, as a daemon killed right after its scan committed would leave it.
    const decided = await runPantau(["scan", "--once", "--no-send"], env);
    expect(decided.code, decided.stderr).to.equal(0);
    expect(decided.stdout).to.include("1 diputuskan");
    expect(smtp.received).to.have.length(0);

    const daemonEnv = { ...env, PANTAU_LOG_LEVEL: "info" };
    const first = spawnPantau(["start"], daemonEnv);
    try {
      await first.waitFor(/"message":"outbox delivered"/);
      await smtp.waitFor(1, 60_000);
    } finally {
      first.child.kill("SIGKILL");
    }
    await first.exited;

    // Restarted after kill -9: continues where it stopped, sends nothing twice.
    const second = spawnPantau(["start"], daemonEnv);
    try {
      await second.waitFor(/"message":"scan finished"/);
      await second.waitFor(/"message":"daemon started"/);
    } finally {
      second.child.kill("SIGTERM");
    }
    expect(await second.exited).to.equal(0);
    // (A daily reminder may go out too, depending on the weekday and hour the test runs.)
    const escalations = smtp.received.filter(
      (r) => r.parsed.headers.get("x-pantau-kind") === "escalation",
    );
    // One message per person: the supervisor, the liaison and the coordinator.
    expect(escalations).to.have.length(3);
    expect(escalations[0]!.parsed.subject).to.include("Dinas Pekerjaan Umum Bina Marga");
    const ids = smtp.received.map((r) => r.parsed.messageId);
    expect(new Set(ids).size).to.equal(ids.length);
    const list = await runPantau(["outbox", "list", "--all", "--format", "json"], env);
    const rows = JSON.parse(list.stdout) as { state: string; kind: string }[];
    expect(rows.filter((r) => r.kind === "escalation").map((r) => r.state)).to.deep.equal([
      "sent",
      "sent",
      "sent",
    ]);
    expect(rows.every((r) => r.state === "sent")).to.equal(true);
  });
});
