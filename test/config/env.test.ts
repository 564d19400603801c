// Environment variables override pantau.yaml and are validated like it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "chai";
import { checkConfig, ConfigError, ENV_FILE, loadConfig } from "../../src/config/index.js";
import { cleanup, copyConfig, describeIssues, edit, errorsOf, SHIPPED_CONFIG } from "./helpers.js";

describe("config: environment overrides", () => {
  afterEach(cleanup);

  it("applies every override", () => {
    const config = loadConfig({
      configDir: SHIPPED_CONFIG,
      env: {
        DATABASE_URL: "postgres://pantau:rahasia@db:5432/pantau",
        PANTAU_DATA_DIR: "/srv/pantau",
        PANTAU_HTTP_PORT: "18080",
        PANTAU_METRICS_PORT: " 19464 ",
        PANTAU_LANG: "en",
        PANTAU_LOG_LEVEL: "DEBUG",
        PANTAU_SCAN_SCHEDULE: "0 * * * *",
      },
    });
    expect(config.databaseUrl).to.equal("postgres://pantau:rahasia@db:5432/pantau");
    expect(config.dataDir).to.equal("/srv/pantau");
    expect(config.http.port).to.equal(18080);
    expect(config.metrics.port).to.equal(19464);
    expect(config.lang).to.equal("en");
    expect(config.log.level).to.equal("debug");
    expect(config.scan.schedule).to.equal("0 * * * *");
  });

  it("resolves a relative PANTAU_DATA_DIR against the current directory", () => {
    const config = loadConfig({ configDir: SHIPPED_CONFIG, env: { PANTAU_DATA_DIR: "data" } });
    expect(config.dataDir).to.equal(resolve("data"));
  });

  it("treats empty variables as unset", () => {
    const config = loadConfig({
      configDir: SHIPPED_CONFIG,
      env: { DATABASE_URL: "", PANTAU_HTTP_PORT: " ", PANTAU_CONFIG_DIR: "" },
    });
    expect(config.databaseUrl).to.equal(null);
    expect(config.http.port).to.equal(8080);
  });

  it("reads the config directory from PANTAU_CONFIG_DIR", () => {
    const dir = copyConfig();
    edit(dir, "pantau.yaml", "regency: Kabupaten Malang", "regency: Kota Batu");
    expect(loadConfig({ env: { PANTAU_CONFIG_DIR: dir } }).regency).to.equal("Kota Batu");
    expect(
      loadConfig({ configDir: SHIPPED_CONFIG, env: { PANTAU_CONFIG_DIR: dir } }).regency,
    ).to.equal("Kabupaten Malang");
  });

  it("finds the shipped config whatever the current directory", () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "pantau-cwd-"));
    const cwd = process.cwd();
    try {
      process.chdir(elsewhere);
      expect(loadConfig({ env: {} }).configDir).to.equal(SHIPPED_CONFIG);
    } finally {
      process.chdir(cwd);
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  const bad: Array<[string, string, RegExp]> = [
    ["PANTAU_HTTP_PORT", "http", /port/],
    ["PANTAU_METRICS_PORT", "70000", /65535/],
    ["PANTAU_LANG", "fr", /id .*en/],
    ["PANTAU_LOG_LEVEL", "loud", /error, warn, info/],
    ["PANTAU_SCAN_SCHEDULE", "tiap 5 menit", /cron/],
    // node-cron accepts it and fires hourly: a step larger than its field is refused.
    ["PANTAU_SCAN_SCHEDULE", "*/70 * * * *", /step "\/70" in the minute field must be 1–59/],
    ["PANTAU_SCAN_SCHEDULE", "0 */30 * * *", /hour field must be 1–23/],
    ["DATABASE_URL", "mysql://db/pantau", /postgres:\/\//],
    ["PANTAU_CONFIG_DIR", "/nonexistent/pantau-config", /PANTAU_CONFIG_DIR/],
  ];
  for (const [name, value, pattern] of bad) {
    it(`rejects ${name}=${value}, naming the variable`, () => {
      const env = { [name]: value };
      const check = checkConfig({
        configDir: name === "PANTAU_CONFIG_DIR" ? undefined : SHIPPED_CONFIG,
        env,
      });
      expect(check.ok).to.equal(false);
      const issue = errorsOf(check.issues).find((i) => i.file === ENV_FILE && i.key === name);
      expect(issue, describeIssues(check.issues)).to.not.equal(undefined);
      expect(issue?.message.en).to.match(pattern);
      expect(() =>
        loadConfig({ configDir: name === "PANTAU_CONFIG_DIR" ? undefined : SHIPPED_CONFIG, env }),
      ).to.throw(ConfigError, name);
    });
  }

  it("rejects an HTTP port equal to the metrics port", () => {
    const check = checkConfig({ configDir: SHIPPED_CONFIG, env: { PANTAU_HTTP_PORT: "9464" } });
    expect(errorsOf(check.issues).map((i) => `${i.file} ${i.key}`)).to.deep.equal([
      `${ENV_FILE} PANTAU_HTTP_PORT`,
    ]);
  });
});
