// The scan's due pass in small batches, on a real database: on PostgreSQL two batches overlap
// (the next one locks, reads, derives and decides while the previous one writes), on the
// embedded database they run one after the other. Either way every due report is refreshed once
// and decided once, a report hidden behind a batch in flight is still found in the same scan,
// and a failing batch fails the scan without leaving a half-written batch behind.
import { expect } from "chai";
import type { Knex } from "knex";
import { runEscalationScan } from "../../src/scan/escalationScan.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { testBackend } from "../helpers/db.js";
import {
  dpubmReport,
  importOfficers,
  importReports,
  IMPORTED,
  OFFICERS_CSV,
  OVERDUE,
} from "./helpers.js";

const IDS = Array.from({ length: 12 }, (_, i) => `${7100 + i}`);

/** Per report: its clocks computed at `at`, and its decisions (non-cancelled), as keys. */
async function stateOf(knex: Knex, at: number): Promise<{ fresh: string[]; decided: string[] }> {
  const fresh = (await knex("sla_clocks")
    .distinct("tracking_id")
    .where("computed_at", new Date(at))
    .orderBy("tracking_id")) as { tracking_id: string }[];
  const decided = (await knex("escalations")
    .select("decision_key")
    .whereNot("status", "cancelled")
    .orderBy("decision_key")) as { decision_key: string }[];
  return { fresh: fresh.map((r) => r.tracking_id), decided: decided.map((r) => r.decision_key) };
}

describe(`the scan's due pass in overlapping batches (${testBackend})`, function () {
  this.timeout(120_000);
  let app: TestApp;

  beforeEach(async () => {
    app = await createTestApp(IMPORTED);
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(
      app.ctx,
      IDS.map((id) => dpubmReport(id)),
      IMPORTED,
    );
  });
  afterEach(async () => {
    await app.close();
  });

  /** Collects the app logger's errors until `restore()`. */
  function captureErrors(): {
    list: { message: string; meta: Record<string, unknown> }[];
    restore: () => void;
  } {
    const list: { message: string; meta: Record<string, unknown> }[] = [];
    const logger = app.ctx.logger as unknown as { error: (...args: unknown[]) => unknown };
    const original = logger.error;
    logger.error = (message: unknown, meta: unknown) => {
      list.push({ message: String(message), meta: meta as Record<string, unknown> });
      return app.ctx.logger;
    };
    return {
      list,
      restore: () => {
        logger.error = original;
      },
    };
  }

  it("refreshes and decides every due report once with batches of one report", async () => {
    const scan = await runEscalationScan(app.ctx, OVERDUE, { batchSize: 1 });
    expect(scan.reportsRefreshed).to.equal(IDS.length);
    expect(scan.batches).to.equal(IDS.length);
    const state = await stateOf(app.ctx.db.knex, OVERDUE);
    expect(state.fresh).to.deep.equal(IDS);
    // Per report the warning (superseded) and the overdue step, each once.
    expect(state.decided).to.have.length(2 * IDS.length);
    expect(new Set(state.decided).size).to.equal(state.decided.length);
    expect(new Set(state.decided.map((k) => k.split("|")[0]))).to.deep.equal(new Set(IDS));
    expect(scan.escalation.decided).to.equal(IDS.length);
    // A second scan at the same instant has nothing left to do.
    const again = await runEscalationScan(app.ctx, OVERDUE, { batchSize: 1 });
    expect(again.reportsRefreshed).to.equal(0);
    expect(again.escalation.decided).to.equal(0);
  });

  it("finds a report hidden behind the batch in flight in the same scan", async () => {
    const knex = app.ctx.db.knex;
    // The first report's clocks all come due first: with batches of one report the lock's first
    // look (three due clocks per report of the batch) sees only that report's clocks, held by
    // the batch in flight; the next report must still be found once that batch has committed.
    const hidden = IDS[IDS.length - 1]!;
    // The last report gets two more open clocks, as a history whose shape changed leaves them
    // (the scan removes them), and all three come due before every other report's: with batches
    // of one report the lock's first look (three due clocks per report of the batch) sees only
    // that report's clocks, held by the batch in flight. The other reports must still be found
    // in this scan, once that batch has committed.
    const [open] = (await knex("sla_clocks")
      .where({ tracking_id: hidden })
      .whereNull("stopped_at")) as Record<string, unknown>[];
    expect(open).not.to.equal(undefined);
    const early = new Date(IMPORTED);
    await knex("sla_clocks").insert([2, 3].map((seq) => ({ ...open, seq, next_check_at: early })));
    await knex("sla_clocks").where({ tracking_id: hidden }).whereNull("stopped_at").update({
      next_check_at: early,
    });
    const scan = await runEscalationScan(app.ctx, OVERDUE, { batchSize: 1 });
    expect(scan.reportsRefreshed).to.equal(IDS.length);
    const state = await stateOf(knex, OVERDUE);
    expect(state.fresh).to.deep.equal(IDS);
    const stale = (await knex("sla_clocks")
      .where({ tracking_id: hidden })
      .where("seq", ">", 1)) as unknown[];
    expect(stale).to.deep.equal([]);
  });

  it("fails the scan on a failing batch and leaves each report written whole or not at all", async () => {
    const knex = app.ctx.db.knex;
    const failing = IDS[5]!;
    await knex.raw(`CREATE FUNCTION refuse_decision() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.tracking_id = '${failing}' THEN RAISE EXCEPTION 'refused for the test'; END IF;
        RETURN NEW;
      END $$`);
    await knex.raw(`CREATE TRIGGER refuse_decision BEFORE INSERT ON escalations
      FOR EACH ROW EXECUTE FUNCTION refuse_decision()`);
    let failure: unknown = null;
    try {
      await runEscalationScan(app.ctx, OVERDUE, { batchSize: 1 });
    } catch (error) {
      failure = error;
    }
    expect(String(failure)).to.include("refused for the test");
    const run = (await knex("scan_runs").orderBy("id", "desc").first()) as {
      error: string | null;
    };
    expect(run.error).to.include("refused for the test");
    // Whole or nothing per report: clocks refreshed exactly where decisions were written.
    const state = await stateOf(knex, OVERDUE);
    const decidedReports = [...new Set(state.decided.map((k) => k.split("|")[0]))].sort();
    expect(decidedReports).to.deep.equal(state.fresh);
    expect(state.fresh).not.to.include(failing);
    // Once the cause is gone the next scan does the rest, each report once.
    await knex.raw("DROP TRIGGER refuse_decision ON escalations");
    const next = await runEscalationScan(app.ctx, OVERDUE, { batchSize: 1 });
    expect(next.reportsRefreshed).to.equal(IDS.length - state.fresh.length);
    const after = await stateOf(knex, OVERDUE);
    expect(after.fresh).to.deep.equal(IDS);
    expect(after.decided).to.have.length(2 * IDS.length);
  });

  it("stops the pass at a report due again right after its refresh, and says so", async function () {
    // Without the guard this scan never ends: the test fails on its timeout.
    this.timeout(60_000);
    const knex = app.ctx.db.knex;
    const stuck = IDS[0]!;
    // Another writer that puts the report's next check back before the scan's instant whenever
    // its clocks are written: the report is due again at every look.
    const past = new Date(OVERDUE - 86_400_000).toISOString();
    await knex.raw(`CREATE FUNCTION pantau_test_stuck() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN NEW.next_check_at := '${past}'; RETURN NEW; END $$`);
    await knex.raw(`CREATE TRIGGER pantau_test_stuck BEFORE UPDATE ON sla_clocks FOR EACH ROW
      WHEN (NEW.tracking_id = '${stuck}' AND NEW.stopped_at IS NULL)
      EXECUTE FUNCTION pantau_test_stuck()`);
    const errors = captureErrors();
    try {
      for (const batchSize of [1, 1000]) {
        errors.list.length = 0;
        const scan = await runEscalationScan(app.ctx, OVERDUE, { batchSize });
        expect(scan.reportsRefreshed).to.be.lessThan(IDS.length + 5);
        expect(errors.list.map((e) => e.meta)).to.deep.equal([{ count: 1, first: stuck }]);
        expect(errors.list[0]!.message).to.match(/due again right after this scan refreshed them/);
      }
    } finally {
      errors.restore();
    }
    const state = await stateOf(knex, OVERDUE);
    expect(state.fresh).to.deep.equal(IDS);
    expect(new Set(state.decided).size).to.equal(state.decided.length);
  });

  it("clears the next check a stopped clock was left with, refreshing its report once", async () => {
    const knex = app.ctx.db.knex;
    const id = IDS[0]!;
    // A stopped clock left with a next check before the scan (as another writer might leave
    // one): the scan never rewrites a stopped clock's outcome, but the next check goes.
    const [clock] = (await knex("sla_clocks")
      .where({ tracking_id: id })
      .orderBy(["stage", "seq"])
      .select("stage", "seq")) as { stage: string; seq: number }[];
    const key = { tracking_id: id, stage: clock!.stage, seq: clock!.seq };
    await knex("sla_clocks")
      .where(key)
      .update({ stopped_at: new Date(IMPORTED), next_check_at: new Date(OVERDUE - 86_400_000) });
    const before = (await knex("sla_clocks").where(key).first()) as Record<string, unknown>;
    const errors = captureErrors();
    try {
      const scan = await runEscalationScan(app.ctx, OVERDUE, { batchSize: 1 });
      expect(scan.reportsRefreshed).to.equal(IDS.length);
      expect(errors.list).to.deep.equal([]);
      const again = await runEscalationScan(app.ctx, OVERDUE, { batchSize: 1 });
      expect(again.reportsRefreshed).to.equal(0);
    } finally {
      errors.restore();
    }
    const after = (await knex("sla_clocks").where(key).first()) as Record<string, unknown>;
    expect(after).to.deep.equal({
      ...before,
      next_check_at: null,
      escalation_checked_at: before.computed_at,
    });
  });

  it("writes a batch's clocks against what is stored: new, open, stopped and stale ones", async () => {
    const knex = app.ctx.db.knex;
    const id = IDS[0]!;
    const template = (await knex("sla_clocks").where({
      tracking_id: id,
      stage: "resolution",
    })) as Record<string, unknown>[];
    expect(template).to.have.length(1);
    const row = { ...template[0]!, pauses: JSON.stringify(template[0]!.pauses) };
    // Stored clocks no derivation produces: one open (stale), one stopped and never examined.
    await knex("sla_clocks").insert([
      { ...row, seq: 7, escalation_checked_at: null },
      {
        ...row,
        seq: 8,
        stopped_at: new Date(IMPORTED - 3_600_000),
        outcome: "met",
        state: "stopped",
        next_check_at: null,
        escalation_checked_at: null,
      },
    ]);
    // A clock the derivation produces but that is not stored (deleted behind the engine's back).
    await knex("sla_clocks").where({ tracking_id: id, stage: "first_response" }).del();
    const before = (await knex("sla_clocks").where({ tracking_id: id })) as Record<
      string,
      unknown
    >[];
    const stopped = before.filter((c) => c.stopped_at !== null && c.seq !== 8);

    const scan = await runEscalationScan(app.ctx, OVERDUE, { batchSize: 5 });
    expect(scan.reportsRefreshed).to.equal(IDS.length);
    const after = (await knex("sla_clocks")
      .where({ tracking_id: id })
      .orderBy(["stage", "seq"])) as Record<string, unknown>[];
    const keys = after.map((c) => `${String(c.stage)}:${String(c.seq)}`);
    expect(keys).to.include("first_response:1");
    expect(keys).to.include("resolution:8");
    expect(keys).not.to.include("resolution:7");
    for (const c of after) {
      // Every clock examined; the derived open ones (and the re-inserted one) computed now.
      expect(c.escalation_checked_at, `${String(c.stage)}:${String(c.seq)}`).to.deep.equal(
        c.computed_at,
      );
      if (c.stopped_at === null) expect(c.computed_at).to.deep.equal(new Date(OVERDUE));
    }
    // Stopped clocks are never rewritten, only marked examined.
    for (const s of stopped) {
      const now = after.find((c) => c.stage === s.stage && c.seq === s.seq);
      expect(now).to.deep.equal({ ...s, escalation_checked_at: s.computed_at });
    }
    const stray = after.find((c) => c.seq === 8);
    expect(stray?.computed_at).to.deep.equal(template[0]!.computed_at);
    expect(stray?.outcome).to.equal("met");
    const state = await stateOf(knex, OVERDUE);
    expect(state.fresh).to.deep.equal(IDS);
  });
});
