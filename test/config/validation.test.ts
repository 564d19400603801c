// Each validation rule: a broken copy of config/ yields an issue naming the file and the key.
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import {
  ConfigError,
  formatConfigIssues,
  loadConfig,
  validateConfig,
  type ConfigIssue,
} from "../../src/config/index.js";
import {
  cleanup,
  copyConfig,
  describeIssues,
  edit,
  errorsOf,
  findIssue,
  write,
} from "./helpers.js";

/** Validates `dir` and asserts an error at file + key; returns it. */
function expectError(dir: string, file: string, key: string): ConfigIssue {
  const issues = validateConfig(dir);
  const found = findIssue(errorsOf(issues), file, key);
  expect(found, `no error at ${file}: ${key}; got:\n${describeIssues(issues)}`).to.not.equal(
    undefined,
  );
  expect(found?.message.id).to.be.a("string").and.not.equal("");
  expect(found?.message.en).to.be.a("string").and.not.equal("");
  return found as ConfigIssue;
}

describe("config: validation", () => {
  afterEach(cleanup);

  it("accepts an unmodified copy", () => {
    expect(errorsOf(validateConfig(copyConfig()))).to.deep.equal([]);
  });

  describe("YAML and keys", () => {
    it("reports YAML syntax errors with their line", () => {
      const dir = copyConfig();
      edit(
        dir,
        "agencies.yaml",
        "    name: Dinas Kesehatan\n",
        "    name: Dinas Kesehatan\n   kind: [dinas\n",
      );
      const issue = expectError(dir, "agencies.yaml", "");
      expect(issue.line).to.be.a("number").greaterThan(1);
      expect(issue.message.en).to.match(/YAML/);
    });

    it("reports a duplicated YAML key", () => {
      const dir = copyConfig();
      edit(
        dir,
        "pantau.yaml",
        "coordinator: diskominfo\n",
        "coordinator: diskominfo\ncoordinator: dinkes\n",
      );
      expectError(dir, "pantau.yaml", "");
    });

    it("reports an unknown key with a did-you-mean hint and its line", () => {
      const dir = copyConfig();
      edit(dir, "sop/default.yaml", "      first_response: 5wd", "      first_respons: 5wd");
      const typo = expectError(dir, "sop/default.yaml", "versions[0].targets.first_respons");
      expect(typo.message.en).to.include('did you mean "first_response"');
      expect(typo.message.id).to.include('maksud Anda "first_response"');
      expect(typo.line).to.be.a("number");
      // and the now-missing required target
      expectError(dir, "sop/default.yaml", "versions[0].targets.first_response");
    });

    it("reports unknown keys in pantau.yaml, agencies, calendar and holidays", () => {
      const dir = copyConfig();
      edit(dir, "pantau.yaml", "  port: 8080", "  prot: 8080");
      edit(dir, "agencies.yaml", "    kind: badan\n", "    kind: badan\n    alias: [X]\n");
      edit(dir, "calendar.yaml", "  open:", "  opens:");
      edit(dir, "holidays/2025.yaml", "collective:", "colective:");
      expectError(dir, "pantau.yaml", "http.prot");
      expectError(dir, "agencies.yaml", "agencies[3].alias");
      expectError(dir, "calendar.yaml", "office_hours.opens");
      expectError(dir, "holidays/2025.yaml", "colective");
    });

    it("reports a missing file", () => {
      const dir = copyConfig();
      rmSync(join(dir, "calendar.yaml"));
      expectError(dir, "calendar.yaml", "");
    });
  });

  describe("pantau.yaml", () => {
    it("rejects a coordinator that is not in the directory", () => {
      const dir = copyConfig();
      edit(dir, "pantau.yaml", "coordinator: diskominfo", "coordinator: kominfo");
      expectError(dir, "pantau.yaml", "coordinator");
    });

    it("rejects a webhook without its secret's environment variable, and a bad quiet hour", () => {
      const dir = copyConfig();
      edit(
        dir,
        "pantau.yaml",
        "  webhooks: []",
        "  webhooks:\n    - { name: whatsapp, url: https://wa.example/send, address: phone }",
      );
      const issue = expectError(dir, "pantau.yaml", "notify.webhooks");
      expect(issue.message.en).to.include("secret_env is required");
      expect(issue.message.id).to.include("webhooks.whatsapp");
      const quiet = copyConfig();
      edit(quiet, "pantau.yaml", '    start: "20:00"', '    start: "25:00"');
      expectError(quiet, "pantau.yaml", "notify.quiet_hours.start");
    });

    it("accepts a webhook with a Telegram URL from the environment", () => {
      const dir = copyConfig();
      edit(
        dir,
        "pantau.yaml",
        "  webhooks: []",
        "  webhooks:\n    - { name: telegram, url_env: PANTAU_TG_URL, secret_env: PANTAU_TG_SECRET, address: telegram_chat_id, levels: [2] }",
      );
      expect(errorsOf(validateConfig(dir))).to.deep.equal([]);
      const config = loadConfig({ configDir: dir, env: {} });
      expect(config.notify.webhooks[0]).to.include({
        name: "telegram",
        url: null,
        urlEnv: "PANTAU_TG_URL",
        format: "telegram",
        timeoutMs: 10_000,
      });
      expect(config.notify.quietHours).to.deep.equal({ startMinute: 1200, endMinute: 420 });
    });

    it("rejects an unknown IANA zone", () => {
      const dir = copyConfig();
      edit(dir, "pantau.yaml", "default_zone: Asia/Jakarta", "default_zone: WIB");
      const issue = expectError(dir, "pantau.yaml", "default_zone");
      expect(issue.message.en).to.include("Asia/Jakarta");
    });

    it("rejects bad ports, cron, log level, URL template, language and database URL", () => {
      const dir = copyConfig();
      edit(dir, "pantau.yaml", "  port: 8080", "  port: http");
      edit(dir, "pantau.yaml", '  schedule: "*/5 * * * *"', '  schedule: "every 5 minutes"');
      edit(dir, "pantau.yaml", "  level: info", "  level: loud");
      edit(dir, "pantau.yaml", "pengaduan/{tracking_id}", "pengaduan/{id}");
      edit(dir, "pantau.yaml", "language: id", "language: jv");
      edit(dir, "pantau.yaml", 'database_url: ""', "database_url: mysql://x");
      for (const key of [
        "http.port",
        "scan.schedule",
        "log.level",
        "lapor.report_url_template",
        "language",
        "database_url",
      ]) {
        expectError(dir, "pantau.yaml", key);
      }
    });

    it("rejects equal HTTP and metrics ports", () => {
      const dir = copyConfig();
      edit(dir, "pantau.yaml", "  port: 9464", "  port: 8080");
      expectError(dir, "pantau.yaml", "metrics.port");
    });

    it("rejects an at-risk margin in another unit", () => {
      const dir = copyConfig();
      edit(dir, "pantau.yaml", "  wd: 1wd", "  wd: 4wh");
      expectError(dir, "pantau.yaml", "at_risk_margin.wd");
    });
  });

  describe("agencies.yaml", () => {
    it("rejects a duplicate code", () => {
      const dir = copyConfig();
      edit(dir, "agencies.yaml", "  - code: bkad\n", "  - code: dinkes\n");
      const issue = expectError(dir, "agencies.yaml", "agencies[11].code");
      expect(issue.message.en).to.include("agencies[5]");
    });

    it("rejects an alias shared by two agencies (ignoring case)", () => {
      const dir = copyConfig();
      edit(dir, "agencies.yaml", 'aliases: ["Dishub"]', 'aliases: ["Dishub", "DINKES"]');
      const issue = expectError(dir, "agencies.yaml", "agencies[25].aliases[1]");
      expect(issue.message.en).to.include("agencies[11]");
    });

    it("rejects an alias equal to another agency's name", () => {
      const dir = copyConfig();
      edit(
        dir,
        "agencies.yaml",
        'aliases: ["Dishub"]',
        'aliases: ["Dishub", "Kecamatan Kepanjen"]',
      );
      expectError(dir, "agencies.yaml", "agencies[51].name");
    });

    it("rejects a code that is not lowercase [a-z0-9.-]", () => {
      const dir = copyConfig();
      edit(dir, "agencies.yaml", "  - code: dlh\n", "  - code: DLH\n");
      edit(dir, "agencies.yaml", "  - code: dishub\n", "  - code: dis hub\n");
      edit(dir, "agencies.yaml", '  - code: "35.07.01"\n', "  - code: 35.07\n");
      expect(expectError(dir, "agencies.yaml", "agencies[15].code").message.en).to.include('"dlh"');
      expectError(dir, "agencies.yaml", "agencies[25].code");
      expect(expectError(dir, "agencies.yaml", "agencies[39].code").message.en).to.include("quote");
    });

    it("rejects an unknown kind, a bad zone and a missing name", () => {
      const dir = copyConfig();
      edit(dir, "agencies.yaml", "    kind: satpol\n", "    kind: polisi\n");
      edit(
        dir,
        "agencies.yaml",
        "    kind: inspektorat\n",
        "    kind: inspektorat\n    zone: Asia/Malang\n",
      );
      edit(dir, "agencies.yaml", "    name: Sekretariat DPRD\n", "");
      expectError(dir, "agencies.yaml", "agencies[35].kind");
      expectError(dir, "agencies.yaml", "agencies[2].zone");
      expectError(dir, "agencies.yaml", "agencies[1].name");
    });
  });

  describe("calendar.yaml", () => {
    it("rejects a malformed office hour", () => {
      const dir = copyConfig();
      edit(dir, "calendar.yaml", 'open: "08:00"', "open: 8am");
      expectError(dir, "calendar.yaml", "office_hours.open");
    });

    it("rejects closing before opening", () => {
      const dir = copyConfig();
      edit(dir, "calendar.yaml", 'open: "08:00"', 'open: "17:00"');
      expectError(dir, "calendar.yaml", "office_hours.close");
    });

    it("rejects unknown or repeated weekdays", () => {
      const dir = copyConfig();
      edit(dir, "calendar.yaml", "[mon, tue, wed, thu, fri]", "[mon, tue, wed, thu, fri, fri]");
      expectError(dir, "calendar.yaml", "working_weekdays");
    });

    it("accepts Indonesian day names and ISO numbers", () => {
      const dir = copyConfig();
      edit(
        dir,
        "calendar.yaml",
        "[mon, tue, wed, thu, fri]",
        "[senin, 2, rabu, kamis, jumat, sabtu]",
      );
      const config = loadConfig({ configDir: dir, env: {} });
      expect(config.calendar.workingWeekdays).to.deep.equal([1, 2, 3, 4, 5, 6]);
    });
  });

  describe("holidays", () => {
    it("rejects a malformed date", () => {
      const dir = copyConfig();
      edit(dir, "holidays/2025.yaml", "date: 2025-01-27,", "date: 2025-02-30,");
      edit(dir, "holidays/2025.yaml", "date: 2025-01-29,", "date: 29/01/2025,");
      expectError(dir, "holidays/2025.yaml", "national[1].date");
      expectError(dir, "holidays/2025.yaml", "national[2].date");
    });

    it("rejects a date outside the file's year", () => {
      const dir = copyConfig();
      edit(dir, "holidays/2025.yaml", "date: 2025-12-25,", "date: 2026-12-25,");
      const issue = expectError(dir, "holidays/2025.yaml", "national[16].date");
      expect(issue.message.en).to.include("holidays/2026.yaml");
    });

    it("rejects a date listed twice", () => {
      const dir = copyConfig();
      edit(dir, "holidays/2025.yaml", "date: 2025-01-28,", "date: 2025-01-27,");
      const issue = expectError(dir, "holidays/2025.yaml", "collective[0].date");
      expect(issue.message.en).to.include("national[1]");
    });

    it("rejects a year that does not match the file name, and a badly named file", () => {
      const dir = copyConfig();
      edit(dir, "holidays/2026.yaml", "year: 2026", "year: 2025");
      write(dir, "holidays/libur-2027.yaml", "year: 2027\n");
      expectError(dir, "holidays/2026.yaml", "year");
      expectError(dir, "holidays/libur-2027.yaml", "");
    });

    it("counts the files present as covered years, and warns about a missing current year", () => {
      const dir = copyConfig();
      write(
        dir,
        "holidays/2027.yaml",
        "year: 2027\nnational:\n  - {date: 2027-01-01, name: Tahun Baru}\n",
      );
      rmSync(join(dir, "holidays/2024.yaml"));
      const config = loadConfig({ configDir: dir, env: {} });
      expect(config.coveredYears).to.deep.equal([2025, 2026, 2027]);
      const issues = validateConfig(dir, {}, Date.UTC(2028, 2, 1));
      expect(errorsOf(issues)).to.deep.equal([]);
      expect(findIssue(issues, "holidays/2028.yaml", "")?.severity).to.equal("warning");
    });
  });

  describe("SOPs", () => {
    it("rejects a bad duration, with the parser's message", () => {
      const dir = copyConfig();
      edit(dir, "sop/default.yaml", "aspirasi: 14wd", "aspirasi: 14 hari");
      edit(dir, "sop/agencies/dinkes.yaml", "first_response: 3wd", "first_response: 0wd");
      edit(dir, "sop/default.yaml", "verification: 3wd", "verification: 3");
      expectError(dir, "sop/default.yaml", "versions[0].targets.resolution.aspirasi");
      expectError(dir, "sop/default.yaml", "versions[0].targets.verification");
      const zero = expectError(
        dir,
        "sop/agencies/dinkes.yaml",
        "versions[0].targets.first_response",
      );
      expect(zero.message.en).to.include("greater than 0");
    });

    it("rejects an SOP naming an unknown agency", () => {
      const dir = copyConfig();
      renameSync(join(dir, "sop/agencies/dinkes.yaml"), join(dir, "sop/agencies/dinkess.yaml"));
      edit(dir, "sop/agencies/dinkess.yaml", "agency: dinkes", "agency: dinkess");
      expectError(dir, "sop/agencies/dinkess.yaml", "agency");
    });

    it("rejects an SOP whose agency does not match its file name", () => {
      const dir = copyConfig();
      edit(dir, "sop/agencies/dinkes.yaml", "agency: dinkes", "agency: dishub");
      expectError(dir, "sop/agencies/dinkes.yaml", "agency");
    });

    it("rejects duplicate effective dates", () => {
      const dir = copyConfig();
      edit(
        dir,
        "sop/agencies/dinkes.yaml",
        "effective_from: 2025-07-01",
        "effective_from: 2023-01-02",
      );
      expectError(dir, "sop/agencies/dinkes.yaml", "versions[1].effective_from");
    });

    it("rejects versions out of order (overlapping periods)", () => {
      const dir = copyConfig();
      edit(
        dir,
        "sop/agencies/dpmptsp.yaml",
        "effective_from: 2025-01-02",
        "effective_from: 2020-06-01",
      );
      expectError(dir, "sop/agencies/dpmptsp.yaml", "versions[1].effective_from");
    });

    it("rejects an agency version before the first default version", () => {
      const dir = copyConfig();
      edit(
        dir,
        "sop/agencies/rsud-kanjuruhan.yaml",
        "effective_from: 2023-06-01",
        "effective_from: 2019-06-01",
      );
      expectError(dir, "sop/agencies/rsud-kanjuruhan.yaml", "versions[0].effective_from");
    });

    it("rejects a default SOP without versions", () => {
      const dir = copyConfig();
      write(dir, "sop/default.yaml", "title: Kosong\nversions: []\n");
      expectError(dir, "sop/default.yaml", "versions");
    });

    it("warns about a verification target in a non-coordinator SOP", () => {
      const dir = copyConfig();
      edit(
        dir,
        "sop/agencies/dinkes.yaml",
        "      first_response: 3wd",
        "      verification: 1wd\n      first_response: 3wd",
      );
      const issues = validateConfig(dir);
      expect(errorsOf(issues)).to.deep.equal([]);
      const w = findIssue(issues, "sop/agencies/dinkes.yaml", "versions[0].targets.verification");
      expect(w?.severity).to.equal("warning");
    });
  });

  describe("all errors at once", () => {
    it("collects every error and throws them in one ConfigError", () => {
      const dir = copyConfig();
      edit(dir, "pantau.yaml", "coordinator: diskominfo", "coordinator: kominfo");
      edit(dir, "agencies.yaml", "  - code: dlh\n", "  - code: DLH\n");
      edit(dir, "calendar.yaml", 'open: "08:00"', 'open: "17:00"');
      edit(dir, "holidays/2025.yaml", "date: 2025-12-25,", "date: 2026-12-25,");
      edit(dir, "sop/default.yaml", "aspirasi: 14wd", "aspirasi: lama");
      let caught: unknown;
      try {
        loadConfig({ configDir: dir, env: {} });
      } catch (e) {
        caught = e;
      }
      expect(caught).to.be.instanceOf(ConfigError);
      const error = caught as ConfigError;
      expect(error.issues).to.have.length.of.at.least(5);
      expect(error.file).to.equal("pantau.yaml");
      expect(error.key).to.equal("coordinator");
      for (const line of [
        "pantau.yaml:",
        ": coordinator: ",
        "agencies.yaml:",
        ": agencies[15].code: ",
        "calendar.yaml:",
        ": office_hours.close: ",
        "holidays/2025.yaml:",
        ": national[16].date: ",
        "sop/default.yaml:",
        ": versions[0].targets.resolution.aspirasi: ",
      ]) {
        expect(error.message).to.include(line);
      }
      expect(error.message).to.match(/^Konfigurasi Pantau tidak valid \(\d+ kesalahan\)/);
    });

    it("writes the ConfigError in English when PANTAU_LANG=en", () => {
      const dir = copyConfig();
      edit(dir, "pantau.yaml", "coordinator: diskominfo", "coordinator: kominfo");
      expect(() => loadConfig({ configDir: dir, env: { PANTAU_LANG: "en_US.UTF-8" } })).to.throw(
        ConfigError,
        /^Invalid Pantau configuration[\s\S]*is not in agencies\.yaml/,
      );
    });

    it("formats issues for `pantau config check`", () => {
      const issues: ConfigIssue[] = [
        {
          file: "a.yaml",
          key: "x",
          line: 3,
          severity: "warning",
          message: { id: "awas", en: "careful" },
        },
        { file: "b.yaml", key: "", severity: "error", message: { id: "rusak", en: "broken" } },
      ];
      expect(formatConfigIssues(issues, "en")).to.equal(
        "b.yaml: broken\na.yaml:3: warning: x: careful\n1 error(s), 1 warning(s).",
      );
      expect(formatConfigIssues(issues, "id")).to.equal(
        "b.yaml: rusak\na.yaml:3: peringatan: x: awas\n1 kesalahan, 1 peringatan.",
      );
      expect(formatConfigIssues([], "id")).to.equal("Konfigurasi valid.");
    });
  });
});
