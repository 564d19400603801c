// Met and breached clocks per (agency, stage) stopped by an instant, read from the monthly rollup
// plus the instant's own month (src/store/stoppedOutcomes.ts, used by /metrics and the summary
// page), equal the GROUP BY over every stopped clock they replace: at instants just before, at
// and after every stop and every local month start, and at random ones; with an agency in another
// zone (its months start at another instant); after the demo's history and a scan that stops
// more clocks; on the embedded database and on PostgreSQL.
import { expect } from "chai";
import { seedDemo } from "../../src/app/demo.js";
import { rebuildRollups, rollupDifferences } from "../../src/reports/index.js";
import { scanDue } from "../../src/scan/escalationScan.js";
import {
  STOPPED_OUTCOMES_GROUP_BY,
  stoppedOutcomeCounts,
  type StoppedOutcomeRow,
} from "../../src/store/stoppedOutcomes.js";
import { createTestApp, type TestApp } from "../helpers/app.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-04-06T03:00:00Z");

describe("store: stopped outcomes from the monthly rollup equal the GROUP BY", function () {
  this.timeout(600_000);
  let app: TestApp;

  before(async () => {
    app = await createTestApp(NOW);
    await seedDemo(app.ctx, NOW);
  });

  after(async () => {
    await app?.close();
  });

  async function byGroupBy(at: number): Promise<StoppedOutcomeRow[]> {
    const result = (await app.ctx.db.knex.raw(STOPPED_OUTCOMES_GROUP_BY, [new Date(at)])) as {
      rows: StoppedOutcomeRow[];
    };
    return result.rows.map((r) => ({
      opd: r.opd,
      stage: r.stage,
      met: Number(r.met),
      breached: Number(r.breached),
    }));
  }

  /** Every stop ±1 ms, local month starts (Jakarta and Makassar) ±1 ms, and a few random. */
  async function instants(): Promise<number[]> {
    const stops = (await app.ctx.db
      .knex("sla_clocks")
      .whereNotNull("stopped_at")
      .pluck("stopped_at")) as Date[];
    const out: number[] = [];
    // At most 40 stops, spread over them all (each instant costs two reads).
    const step = Math.max(1, Math.ceil(stops.length / 40));
    for (let i = 0; i < stops.length; i += step) {
      const s = (stops[i] as Date).getTime();
      out.push(s - 1, s, s + 1);
    }
    for (let m = 0; m < 14; m++) {
      const jakarta = Date.UTC(2025, 6 + m, 1) - 7 * 3_600_000;
      const makassar = Date.UTC(2025, 6 + m, 1) - 8 * 3_600_000;
      for (const t of [jakarta, makassar]) out.push(t - 1, t, t + 1);
    }
    for (let i = 0; i < 20; i++)
      out.push(NOW - 200 * DAY + Math.floor(((i * 7919) % 97) * 3 * DAY));
    return out;
  }

  async function expectEqualEverywhere(label: string): Promise<number> {
    expect(await rollupDifferences(app.ctx.db.knex), label).to.satisfy(
      (d: Record<string, number>) => Object.values(d).every((n) => n === 0),
    );
    let compared = 0;
    for (const at of await instants()) {
      const expected = await byGroupBy(at);
      expect(
        await stoppedOutcomeCounts(app.ctx.db.knex, at),
        `${label} at ${new Date(at).toISOString()}`,
      ).to.deep.equal(expected);
      compared++;
    }
    return compared;
  }

  it("on the demo's history, with one agency in another zone", async () => {
    const knex = app.ctx.db.knex;
    const stopped = (await knex("sla_clocks").whereNotNull("stopped_at").count({ n: "*" })) as {
      n: number | string;
    }[];
    expect(Number(stopped[0]?.n), "the demo has stopped clocks to count").to.be.greaterThan(10);
    await expectEqualEverywhere("demo, one zone");
    // An agency in WITA: its months start an hour earlier; the rollup is rebuilt after a zone
    // change, as the README says.
    const opd = (
      (await knex("sla_clocks").whereNotNull("stopped_at").first("opd")) as { opd: string }
    ).opd;
    await knex("agencies").where({ code: opd }).update({ zone: "Asia/Makassar" });
    await rebuildRollups(knex, 8);
    await expectEqualEverywhere("demo, an agency in Asia/Makassar");
  });

  it("after a scan that stops and breaches more clocks", async () => {
    await scanDue(app.ctx, NOW + 20 * DAY);
    await expectEqualEverywhere("after a scan");
  });

  it("counts a stop in the instant's own month from the clocks, not yet in a past month of the rollup", async () => {
    // A stop in the instant's own month is counted only by the raw part: just after it, the
    // rollup's months alone would miss it.
    const last = (await app.ctx.db
      .knex("sla_clocks")
      .whereNotNull("stopped_at")
      .whereIn("outcome", ["met", "breached"])
      .max({ at: "stopped_at" })) as { at: Date }[];
    const at = (last[0]?.at as Date).getTime() + 1;
    const all = await stoppedOutcomeCounts(app.ctx.db.knex, at);
    const before = await stoppedOutcomeCounts(app.ctx.db.knex, at - 2);
    const sum = (rows: StoppedOutcomeRow[]) => rows.reduce((n, r) => n + r.met + r.breached, 0);
    expect(sum(all)).to.equal(sum(before) + 1);
  });
});
