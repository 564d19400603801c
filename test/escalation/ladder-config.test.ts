// The escalation ladder configured per SOP (sop/*.yaml `escalation`), the mail settings and
// their environment overrides, and a per-SOP ladder taking effect in a scan.
import { expect } from "chai";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, validateConfig } from "../../src/config/index.js";
import { DEFAULT_LADDER } from "../../src/core/escalation/ladder.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { cleanup, copyConfig } from "../config/helpers.js";
import {
  AT_RISK,
  dpubmReport,
  importOfficers,
  importReports,
  IMPORTED,
  OFFICERS_CSV,
  OVERDUE,
  scanAndSend,
  startSmtp,
} from "./helpers.js";

const LADDER = `
escalation:
  levels:
    - { level: 1, when: due, to: supervisor, cc: [coordinator] }
  reminder:
    enabled: false
`;

describe("escalation configuration", function () {
  this.timeout(60_000);
  after(cleanup);

  it("defaults: the built-in ladder, .eml outbox, retry policy; env overrides", () => {
    const config = loadConfig({ env: {} });
    expect(config.escalation.defaultLadder).to.deep.equal(DEFAULT_LADDER);
    expect(config.mail.smtpUrl).to.equal(null);
    expect(config.mail.outboxDir).to.equal(join(config.packageRoot, "var", "outbox"));
    expect(config.mail.retry).to.deep.equal({
      baseMs: 30_000,
      factor: 2,
      capMs: 3_600_000,
      maxAttempts: 8,
    });
    const env = loadConfig({
      env: {
        SMTP_URL: "smtps://pantau:rahasia@mail.example.go.id:465",
        PANTAU_MAIL_FROM: "Pantau <pantau@example.go.id>",
        PANTAU_OUTBOX_DIR: "/tmp/pantau-outbox",
      },
    });
    expect(env.mail).to.include({
      smtpUrl: "smtps://pantau:rahasia@mail.example.go.id:465",
      from: "Pantau <pantau@example.go.id>",
      outboxDir: "/tmp/pantau-outbox",
    });
    const bad = validateConfig(copyConfig(), { SMTP_URL: "http://mail" });
    expect(bad.map((i) => i.key)).to.include("SMTP_URL");
  });

  it("reads an agency SOP's ladder and reports a bad one with its path", () => {
    const dir = copyConfig();
    appendFileSync(join(dir, "sop/agencies/dinkes.yaml"), LADDER);
    const config = loadConfig({ configDir: dir, env: {} });
    expect(config.escalation.bySop.dinkes?.levels.map((l) => l.level)).to.deep.equal([1]);
    expect(config.escalation.bySop.default).to.deep.equal(DEFAULT_LADDER);
    const broken = copyConfig();
    appendFileSync(
      join(broken, "sop/default.yaml"),
      "\nescalation:\n  levels:\n    - { level: 0, when: soon, to: liaison }\n",
    );
    const issues = validateConfig(broken, {});
    const issue = issues.find((i) => i.key === "escalation.levels[0].when");
    expect(issue?.file).to.equal("sop/default.yaml");
    expect(issue?.message.en).to.include('unknown trigger "soon"');
  });

  describe("a ladder without the at-risk step", () => {
    let app: TestApp;
    afterEach(async () => app.close());

    it("sends nothing at risk, and escalates at due to the supervisor", async () => {
      const dir = copyConfig();
      appendFileSync(join(dir, "sop/default.yaml"), LADDER);
      app = await createTestApp(IMPORTED, loadConfig({ configDir: dir, env: {} }));
      const smtp = await startSmtp();
      try {
        await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
        await importReports(app.ctx, [dpubmReport("7001")], IMPORTED);
        const early = await scanAndSend(app.ctx, smtp, AT_RISK);
        expect(early.scan.escalation.decided).to.equal(0);
        await scanAndSend(app.ctx, smtp, OVERDUE);
        // One message per person: the supervisor to act, the coordinator copied.
        await smtp.waitFor(2);
        expect(smtp.received.flatMap((m) => m.envelopeTo).sort()).to.deep.equal([
          "kepala.dpubm@malangkab.example",
          "koordinator@malangkab.example",
        ]);
        expect(smtp.received).to.have.length(2);
      } finally {
        await smtp.close();
      }
    });
  });
});
