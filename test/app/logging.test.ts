// The daemon's terminal output: readable lines on a terminal (time, level, message, key fields),
// JSON for the journal and pipes or when asked (log.format / PANTAU_LOG_FORMAT), personal data
// masked in both; configuration warnings (next year's holidays missing) said at the daemon's
// start, not by every command.
import { expect } from "chai";
import { Writable } from "node:stream";
import winston from "winston";
import { bootstrap } from "../../src/app/bootstrap.js";
import { loadConfig } from "../../src/config/index.js";
import { createLogger, wantsTextLogs, type Logger } from "../../src/log.js";
import { createTestDatabase } from "../helpers/db.js";
import { wib } from "../helpers/app.js";

type TransformableInfo = winston.Logform.TransformableInfo;
const MESSAGE = Symbol.for("message");

/** The line a logger would print for one entry. */
function lineOf(logger: Logger, info: Record<string, unknown>): string {
  const out = logger.format.transform({ ...info } as TransformableInfo) as TransformableInfo;
  return String((out as unknown as Record<symbol, unknown>)[MESSAGE]);
}

describe("logging", () => {
  it("prints readable lines with time, level, message and key fields, masking personal data", () => {
    const logger = createLogger({ level: "info", text: true });
    const line = lineOf(logger, {
      level: "warn",
      message: "scan finished for budi@example.com",
      opd: "dinkes",
      clocks: 3,
      note: "two words",
    });
    expect(line).to.match(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} WARN {2}scan finished for b\*\*\*@\*\*\* {2}opd=dinkes clocks=3 note="two words"$/,
    );
  });

  it("prints one JSON object a line otherwise", () => {
    const logger = createLogger({ level: "info" });
    const parsed = JSON.parse(lineOf(logger, { level: "info", message: "m", opd: "dinkes" })) as {
      level: string;
      opd: string;
      timestamp: string;
    };
    expect(parsed.level).to.equal("info");
    expect(parsed.opd).to.equal("dinkes");
    expect(Number.isNaN(Date.parse(parsed.timestamp))).to.equal(false);
  });

  it("chooses text on a terminal under auto, and obeys text and json", () => {
    expect(wantsTextLogs("auto", true)).to.equal(true);
    expect(wantsTextLogs("auto", false)).to.equal(false);
    expect(wantsTextLogs("json", true)).to.equal(false);
    expect(wantsTextLogs("text", false)).to.equal(true);
  });

  it("reads PANTAU_LOG_FORMAT and rejects an unknown value with the choices", () => {
    expect(loadConfig({ env: { PANTAU_LOG_FORMAT: "json" } }).log.format).to.equal("json");
    expect(loadConfig({ env: {} }).log.format).to.equal("auto");
    expect(() => loadConfig({ env: { PANTAU_LOG_FORMAT: "xml" } })).to.throw(/auto, text, json/);
  });

  it("says the missing-holidays warning at the daemon's start only, not on every command", async () => {
    const config = loadConfig({ env: {}, now: wib("2026-11-02T09:00") });
    expect(config.warnings.map((w) => w.file)).to.include("holidays/2027.yaml");
    const said = async (configWarnings: boolean): Promise<string[]> => {
      const lines: string[] = [];
      const logger = winston.createLogger({
        level: "warn",
        format: winston.format.json(),
        transports: [
          new winston.transports.Stream({
            stream: new Writable({
              write(chunk: Buffer, _enc, done) {
                lines.push((JSON.parse(chunk.toString()) as { message: string }).message);
                done();
              },
            }),
          }),
        ],
      });
      const db = await createTestDatabase();
      try {
        await bootstrap({
          command: "test",
          config,
          db,
          logger,
          now: wib("2026-11-02T09:00"),
          configWarnings,
        });
      } finally {
        await db.close();
      }
      return lines;
    };
    expect((await said(false)).filter((l) => l.includes("2027"))).to.deep.equal([]);
    expect((await said(true)).filter((l) => l.includes("2027"))).to.have.length(1);
  });
});
