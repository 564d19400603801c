// The command line in-process (runCli) on both databases: calendar answers, config check,
// canonical CSV imports (snapshot and event log), status and explain reproducible with --now.
import { expect } from "chai";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../src/cli/main.js";
import { openCliSandbox, type CliSandbox } from "../helpers/sandbox.js";
import { repoRoot } from "../helpers/process.js";

interface Run {
  code: number;
  out: string;
  err: string;
}

describe("pantau commands", function () {
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let sandbox: CliSandbox;
  const clock = (): number => Date.parse("2025-03-05T05:00:00Z");

  async function pantau(...args: string[]): Promise<Run> {
    let out = "";
    let err = "";
    process.exitCode = undefined;
    const code = await runCli(args, {
      out: (s) => (out += s + "\n"),
      err: (s) => (err += s + "\n"),
      env,
      clock,
    });
    process.exitCode = undefined;
    return { code, out, err };
  }

  before(async () => {
    sandbox = await openCliSandbox("cli", () => ({
      PANTAU_LOG_LEVEL: "error",
      PANTAU_LANG: "id",
    }));
    ({ dir, env } = sandbox);
  });
  after(() => sandbox.close());

  describe("calendar", () => {
    it("prints the issue's worked example as ISO 8601 with the local offset", async () => {
      const r = await pantau(
        "calendar",
        "due",
        "--from",
        "2025-03-03T10:00:00+07:00",
        "--duration",
        "3wd",
      );
      expect(r.code, r.err).to.equal(0);
      expect(r.out.split("\n")[0]).to.equal("2025-03-07T00:00:00+07:00");
      expect(r.out).to.include("Jumat, 7 Maret 2025 00:00 WIB");
    });

    it("reads a local time without offset in the agency's zone and skips Idul Fitri 2025", async () => {
      const r = await pantau(
        "calendar",
        "due",
        "--from",
        "2025-03-27T09:00",
        "--duration",
        "3wd",
        "--opd",
        "dinkes",
        "--format",
        "json",
      );
      expect(r.code, r.err).to.equal(0);
      // 28 Mar cuti Nyepi, 31 Mar–1 Apr Idul Fitri, 2–4 and 7 Apr cuti bersama: Tue 8, Wed 9, Thu 10 Apr.
      expect(JSON.parse(r.out)).to.include({ due: "2025-04-11T00:00:00+07:00" });
    });

    it("uses another zone with --tz", async () => {
      const r = await pantau(
        "calendar",
        "due",
        "--from",
        "2025-03-03T10:00",
        "--duration",
        "3wd",
        "--tz",
        "Asia/Jayapura",
      );
      expect(r.out.split("\n")[0]).to.equal("2025-03-07T00:00:00+09:00");
    });

    it("computes elapsed business time", async () => {
      const r = await pantau(
        "calendar",
        "elapsed",
        "--from",
        "2025-03-03T10:00+07:00",
        "--to",
        "2025-03-05T12:00+07:00",
        "--unit",
        "wh",
      );
      expect(r.code, r.err).to.equal(0);
      // Mon 10–16 (6 h) + Tue 8–16 (8 h) + Wed 8–12 (4 h) = 18 working hours.
      expect(r.out.trim()).to.equal("18 jam kerja");
    });

    it("lists the 2026 holidays and says when a year has no decree", async () => {
      const r = await pantau("calendar", "holidays", "--year", "2026", "--format", "json");
      const body = JSON.parse(r.out) as {
        covered: boolean;
        holidays: { date: string; kind: string }[];
      };
      expect(body.covered).to.equal(true);
      expect(body.holidays.filter((h) => h.kind === "collective")).to.have.length(8);
      const none = await pantau("calendar", "holidays", "--year", "2027");
      expect(none.out).to.include("Belum ada berkas libur untuk 2027");
    });

    it("rejects bad input with a message saying how to fix it", async () => {
      const badDuration = await pantau(
        "calendar",
        "due",
        "--from",
        "2025-03-03T10:00",
        "--duration",
        "3x",
      );
      expect(badDuration.code).to.equal(2);
      expect(badDuration.err).to.match(/wd, wh atau d/);
      const badOpd = await pantau(
        "calendar",
        "due",
        "--from",
        "2025-03-03T10:00",
        "--duration",
        "3wd",
        "--opd",
        "dinkess",
      );
      expect(badOpd.code).to.equal(1);
      expect(badOpd.err).to.include('OPD "dinkess" tidak ada');
      const badTime = await pantau("calendar", "due", "--from", "kemarin", "--duration", "3wd");
      expect(badTime.code).to.equal(2);
      expect(badTime.err).to.include("bukan waktu ISO 8601");
    });
  });

  describe("config check", () => {
    it("accepts the shipped configuration", async () => {
      const r = await pantau("config", "check");
      expect(r.code, r.out + r.err).to.equal(0);
      expect(r.out).to.include("OPD: 84");
    });

    it("names the file and key of a mistake and exits 2", async () => {
      const broken = join(dir, "config-broken");
      cpSync(join(repoRoot, "config"), broken, { recursive: true });
      const file = join(broken, "sop", "default.yaml");
      writeFileSync(
        file,
        readFileSync(file, "utf8").replace("first_response: 5wd", "first_response: 5 hari"),
      );
      const saved = env;
      env = { ...env, PANTAU_CONFIG_DIR: broken };
      const r = await pantau("config", "check");
      env = saved;
      expect(r.code).to.equal(2);
      expect(r.out).to.include("sop/default.yaml");
      expect(r.out).to.include("targets.first_response");
    });
  });

  describe("import, status, explain", () => {
    it("imports the canonical snapshot and event-log CSVs idempotently", async () => {
      const snapshot = join(dir, "snapshot.csv");
      writeFileSync(
        snapshot,
        [
          "tracking_id,received_at,opd,type,complexity,category,channel,anonymous,confidential,contact_complete,disposed_at,first_response_at,followed_up_at,completed_at,archived_at",
          "3001,2025-03-03T10:12:00+07:00,dishub,pengaduan,normatif,Kesehatan,lapor_web,false,false,true,2025-03-04T09:00:00+07:00,,,,",
          "3002,2025-03-03T11:00:00+07:00,,aspirasi,,Lingkungan,lapor_app,true,true,true,,,,,",
          "3003,2025-03-03T11:00:00+07:00,dinas-tidak-ada,pengaduan,,,lapor_web,false,false,true,2025-03-04T09:00:00+07:00,,,,",
        ].join("\n"),
      );
      const rejects = join(dir, "rejects.csv");
      const first = await pantau(
        "import",
        snapshot,
        "--rejects",
        rejects,
        "--now",
        "2025-03-05T12:00+07:00",
      );
      expect(first.out).to.include("3 baris — 2 diimpor, 0 tidak berubah, 1 ditolak");
      expect(first.code).to.equal(1);
      expect(readFileSync(rejects, "utf8")).to.include("dinas-tidak-ada");
      const again = await pantau(
        "import",
        snapshot,
        "--now",
        "2025-03-05T12:00+07:00",
        "--format",
        "json",
      );
      expect(JSON.parse(again.out)).to.include({ imported: 0, unchanged: 2, rejected: 1 });

      const events = join(dir, "events.csv");
      writeFileSync(
        events,
        [
          "tracking_id,at,event,opd",
          "3001,2025-03-05T08:30:00+07:00,awaiting_reporter,dishub",
          "3001,2025-03-06T08:30:00+07:00,reporter_replied,dishub",
        ].join("\n"),
      );
      const ev = await pantau(
        "import",
        events,
        "--now",
        "2025-03-07T12:00+07:00",
        "--format",
        "json",
      );
      expect(JSON.parse(ev.out)).to.include({ imported: 2, eventsAdded: 2, rejected: 0 });
    });

    it("shows open clocks at a given instant, reproducibly", async () => {
      const r = await pantau("status", "--now", "2025-03-12T09:00+07:00", "--format", "json");
      expect(r.code, r.err).to.equal(0);
      const view = JSON.parse(r.out) as {
        clocks: { trackingId: string; stage: string; state: string; dueAt: string }[];
      };
      const fr = view.clocks.find((c) => c.trackingId === "3001" && c.stage === "first_response");
      // Disposed Tue 4 Mar, 5wd from Wed 5 Mar = due Wed 12 Mar 00:00, plus one working day paused
      // (Wed 08:30 → Thu 08:30) = Thu 13 Mar 00:00.
      expect(fr?.dueAt).to.equal("2025-03-13T00:00:00+07:00");
      expect(fr?.state).to.equal("at_risk");
      const table = await pantau("status", "--opd", "dishub", "--now", "2025-03-12T09:00+07:00");
      expect(table.out).to.include("ID TRACKING");
      expect(table.out).to.include("berisiko");
      expect(table.out).not.to.include("3002");
    });

    it("explains a report step by step, in Indonesian or English", async () => {
      const r = await pantau("explain", "3001", "--now", "2025-03-12T09:00+07:00");
      expect(r.code, r.err).to.equal(0);
      expect(r.out).to.include("Diterima Senin, 3 Maret 2025 10:12 WIB");
      expect(r.out).to.match(/menunggu pelapor/i);
      env.PANTAU_LANG = "en";
      const en = await pantau("explain", "3001", "--now", "2025-03-12T09:00+07:00");
      env.PANTAU_LANG = "id";
      expect(en.out).to.include("Monday, 3 March 2025 10:12 WIB");
      const missing = await pantau("explain", "999999");
      expect(missing.code).to.equal(1);
      expect(missing.err).to.include("tidak ditemukan");
    });

    it("rejects a file it cannot read with the reason", async () => {
      const empty = join(dir, "empty.csv");
      writeFileSync(empty, "");
      const r = await pantau("import", empty);
      expect(r.code).to.equal(2);
      expect(r.err.length).to.be.greaterThan(10);
    });
  });
});
