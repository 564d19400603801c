// The agency page's data at more open clocks than its tables list (MAX_ROWS): the listed rows and
// their margins are the first of `pantau status --opd`, the counts cover every clock. On the test
// backend (PGlite, or PostgreSQL with PANTAU_TEST_DB=postgres).
import { expect } from "chai";
import { statusView } from "../../src/app/statusService.js";
import { agencyOf, MAX_ROWS } from "../../src/web/data.js";
import { createTestApp, type TestApp } from "../helpers/app.js";

const NOW = Date.parse("2026-11-02T03:00:00Z");
const CLOCKS = MAX_ROWS * 3 + 100;

describe("web: agency page data beyond the listed rows", function () {
  this.timeout(120_000);
  let app: TestApp;

  before(async () => {
    app = await createTestApp(NOW);
    const knex = app.ctx.db.knex;
    const at = new Date(NOW);
    // CLOCKS reports of dinkes, each with one open resolution clock due around NOW: a third
    // overdue (breached), the rest on track or at risk.
    await knex.raw(
      `INSERT INTO reports (tracking_id, opd, type, received_at, created_at, updated_at)
       SELECT (900000 + i)::text, 'dinkes', 'pengaduan', ?::timestamptz - interval '30 days', ?, ?
         FROM generate_series(1, ?) i`,
      [at, at, at, CLOCKS],
    );
    await knex.raw(
      `INSERT INTO sla_clocks (tracking_id, stage, seq, opd, sop_id, sop_version, target_amount,
         target_unit, started_at, due_at, at_risk_at, stopped_at, used_ms, outcome, state, pauses,
         next_check_at, computed_at)
       SELECT tracking_id, 'resolution', 1, opd, 'default', '2020-01-01', 14, 'wd', received_at,
         ?::timestamptz + ((tracking_id::bigint % 60) - 20) * interval '1 day',
         ?::timestamptz + ((tracking_id::bigint % 60) - 21) * interval '1 day', NULL, 0,
         CASE WHEN (tracking_id::bigint % 60) < 20 THEN 'breached' ELSE 'open' END,
         CASE WHEN (tracking_id::bigint % 60) < 20 THEN 'breached' ELSE 'on_track' END,
         '[]'::jsonb, NULL, ?
         FROM reports WHERE tracking_id::bigint > 900000`,
      [at, at, at],
    );
  });

  after(async () => {
    await app?.close();
  });

  it("lists the first MAX_ROWS of each table with pantau status's margins, counts them all", async () => {
    const status = await statusView(app.ctx, { opd: "dinkes", now: NOW });
    const overdue = status.rows.filter((r) => r.state === "breached");
    expect(status.rows.length).to.equal(CLOCKS);
    expect(overdue.length).to.be.greaterThan(MAX_ROWS);
    const detail = await agencyOf(app.ctx, "dinkes", NOW);
    expect(detail?.rows).to.deep.equal(status.rows.slice(0, MAX_ROWS));
    expect(detail?.overdueRows).to.deep.equal(overdue.slice(0, MAX_ROWS));
    expect(detail?.rows.every((r) => r.marginMs !== null)).to.equal(true);
    expect(detail?.counts).to.deep.equal(status.counts);
    expect(detail?.openCount).to.equal(CLOCKS);
  });
});
