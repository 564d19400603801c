import { expect } from "chai";
import {
  clockNextCheckAt,
  clockState,
  deriveClocks,
  isAwaitingReporter,
  isPaused,
  pauseBeganAfterDue,
  remainingMs,
  stateName,
  type ClockContext,
} from "../../../src/core/sla/clocks.js";
import type { ReportEvent, SlaClock, Stage } from "../../../src/core/types.js";
import { CTX, HOUR, WD, calendar, ev, report, wib } from "./fixtures.js";

function find(clocks: SlaClock[], stage: Stage, seq = 1): SlaClock {
  const c = clocks.find((x) => x.stage === stage && x.seq === seq);
  if (!c) throw new Error(`no ${stage} #${seq} clock`);
  return c;
}

function codes(events: ReportEvent[], now: number, r = report(), ctx: ClockContext = CTX) {
  return deriveClocks(r, events, ctx, now).warnings.map((w) => w.code);
}

// The report of the fixtures is received Mon 3 Mar 2025 10:12 WIB: verification (3wd) counts
// from Tue 4 Mar 00:00, is at risk from Thu 6 Mar 00:00 and due Fri 7 Mar 00:00.
const DUE_V = wib("2025-03-07T00:00");
const RISK_V = wib("2025-03-06T00:00");

describe("sla/clocks verification stage", () => {
  it("a report without disposition has only the verification clock, owned by the coordinator", () => {
    const now = wib("2025-03-04T12:00");
    const { clocks, warnings } = deriveClocks(report(), [], CTX, now);
    expect(clocks).to.have.length(1);
    const v = find(clocks, "verification");
    expect(v).to.include({
      trackingId: "2007157",
      opd: "diskominfo",
      sopId: "default",
      sopVersion: "2020-01-01",
      startedAt: wib("2025-03-03T10:12"),
      dueAt: DUE_V,
      atRiskAt: RISK_V,
      stoppedAt: null,
      outcome: "open",
      state: "on_track",
      nextCheckAt: RISK_V,
    });
    expect(v.target).to.deep.equal({ amount: 3, unit: "wd" });
    expect(v.usedMs).to.equal(0.5 * WD);
    expect(warnings).to.deep.equal([]);
  });

  it("turns at risk exactly at atRiskAt, then next check is the due instant", () => {
    const before = find(deriveClocks(report(), [], CTX, RISK_V - 1).clocks, "verification");
    expect(before.state).to.equal("on_track");
    const at = find(deriveClocks(report(), [], CTX, RISK_V).clocks, "verification");
    expect(at.state).to.equal("at_risk");
    expect(at.outcome).to.equal("open");
    expect(at.nextCheckAt).to.equal(DUE_V);
  });

  it("an open clock is breached from the due instant on, with no stop and no next check", () => {
    const before = find(deriveClocks(report(), [], CTX, DUE_V - 1).clocks, "verification");
    expect(before.outcome).to.equal("open");
    const late = find(deriveClocks(report(), [], CTX, DUE_V).clocks, "verification");
    expect(late).to.include({ outcome: "breached", state: "breached", stoppedAt: null });
    expect(late.nextCheckAt).to.equal(null);
    const later = find(
      deriveClocks(report(), [], CTX, wib("2025-03-07T12:00")).clocks,
      "verification",
    );
    expect(later.usedMs).to.equal(3.5 * WD);
  });

  it("the first disposition stops verification: met before due, breached exactly at due", () => {
    const now = wib("2025-03-20T00:00");
    const met = deriveClocks(
      report(),
      [{ kind: "disposed", at: DUE_V - 1, opd: "dpupr" }],
      CTX,
      now,
    );
    const vm = find(met.clocks, "verification");
    expect(vm).to.include({ outcome: "met", state: "stopped", stoppedAt: DUE_V - 1 });
    expect(vm.nextCheckAt).to.equal(null);
    expect(vm.usedMs).to.equal(3 * WD - 1);

    const atDue = deriveClocks(report(), [{ kind: "disposed", at: DUE_V, opd: "dpupr" }], CTX, now);
    expect(find(atDue.clocks, "verification").outcome).to.equal("breached");
  });
});

describe("sla/clocks agency stages", () => {
  const now = wib("2025-03-11T12:00");
  const disposed = ev("disposed", "2025-03-06T09:00", "dpupr");

  it("a disposition starts first_response and resolution for the disposed agency", () => {
    const { clocks } = deriveClocks(report(), [disposed], CTX, now);
    expect(clocks.map((c) => `${c.stage}#${c.seq}`)).to.deep.equal([
      "verification#1",
      "first_response#1",
      "resolution#1",
    ]);
    const fr = find(clocks, "first_response");
    expect(fr).to.include({ opd: "dpupr", startedAt: disposed.at, outcome: "open" });
    // Counting from Fri 7 Mar: Fri, Mon 10, Tue 11, Wed 12, Thu 13 -> due Fri 14 Mar 00:00.
    expect(fr.dueAt).to.equal(wib("2025-03-14T00:00"));
    expect(fr.atRiskAt).to.equal(wib("2025-03-13T00:00"));
    expect(fr.usedMs).to.equal(2.5 * WD); // Fri 7, Mon 10 and half of Tue 11.
    const res = find(clocks, "resolution");
    expect(res.target).to.deep.equal({ amount: 5, unit: "wd" });
    expect(res.dueAt).to.equal(wib("2025-03-14T00:00"));
  });

  it("the first first_response event stops the first-response clock only", () => {
    const { clocks } = deriveClocks(
      report(),
      [
        disposed,
        ev("first_response", "2025-03-10T09:00"),
        ev("first_response", "2025-03-11T09:00"),
      ],
      CTX,
      now,
    );
    expect(find(clocks, "first_response")).to.include({
      outcome: "met",
      state: "stopped",
      stoppedAt: wib("2025-03-10T09:00"),
    });
    expect(find(clocks, "resolution")).to.include({ outcome: "open", stoppedAt: null });
  });

  it("followed_up stops resolution (and a still-running first response)", () => {
    const { clocks } = deriveClocks(
      report(),
      [disposed, ev("followed_up", "2025-03-10T09:00")],
      CTX,
      now,
    );
    expect(find(clocks, "resolution")).to.include({
      outcome: "met",
      stoppedAt: wib("2025-03-10T09:00"),
    });
    expect(find(clocks, "first_response")).to.include({
      outcome: "met",
      stoppedAt: wib("2025-03-10T09:00"),
    });
  });

  it("completed stops every running clock, each met or breached by time", () => {
    const r = report({ complexity: "berkadar_pengawasan" });
    const { clocks } = deriveClocks(
      r,
      [ev("disposed", "2025-03-04T09:00", "dpupr"), ev("completed", "2025-03-20T09:00")],
      CTX,
      wib("2025-03-25T00:00"),
    );
    expect(find(clocks, "verification").outcome).to.equal("met");
    expect(find(clocks, "first_response")).to.include({
      outcome: "breached",
      stoppedAt: wib("2025-03-20T09:00"),
      state: "stopped",
    });
    expect(find(clocks, "resolution")).to.include({ outcome: "met", state: "stopped" });
  });

  it("archived cancels running clocks, keeps stopped ones, and later events are warnings", () => {
    const res = deriveClocks(
      report(),
      [
        disposed,
        ev("first_response", "2025-03-07T09:00"),
        ev("archived", "2025-03-10T09:00"),
        ev("followed_up", "2025-03-10T10:00"),
      ],
      CTX,
      now,
    );
    expect(find(res.clocks, "verification").outcome).to.equal("met");
    expect(find(res.clocks, "first_response").outcome).to.equal("met");
    expect(find(res.clocks, "resolution")).to.include({
      outcome: "cancelled",
      state: "stopped",
      stoppedAt: wib("2025-03-10T09:00"),
    });
    expect(res.warnings.map((w) => w.code)).to.deep.equal(["after_end"]);
  });

  it("archiving before disposition cancels the verification clock", () => {
    const { clocks } = deriveClocks(report(), [ev("archived", "2025-03-10T09:00")], CTX, now);
    expect(clocks).to.have.length(1);
    expect(clocks[0]).to.include({ outcome: "cancelled", stoppedAt: wib("2025-03-10T09:00") });
  });
});

describe("sla/clocks pauses", () => {
  it("a closed pause moves due later by exactly the budget used while paused", () => {
    const events = [
      ev("awaiting_reporter", "2025-03-04T12:00"),
      ev("reporter_replied", "2025-03-05T12:00"),
    ];
    const now = wib("2025-03-06T12:00");
    const v = find(deriveClocks(report(), events, CTX, now).clocks, "verification");
    // 1 working day paused (Tue 12:00 - Wed 12:00): due moves from the end of Thursday (Fri 7
    // 00:00) to the end of Friday (Sat 8 00:00), exactly one working day of budget later.
    expect(v.dueAt).to.equal(wib("2025-03-08T00:00"));
    const unpaused = find(deriveClocks(report(), [], CTX, now).clocks, "verification");
    const start = v.startedAt;
    const shift =
      calendar.elapsedMs(start, v.dueAt!, "wd") - calendar.elapsedMs(start, unpaused.dueAt!, "wd");
    expect(shift).to.equal(1 * WD);
    expect(calendar.elapsedMs(start, v.dueAt!, "wd", v.pauses)).to.equal(3 * WD);
    expect(v.atRiskAt).to.equal(wib("2025-03-07T00:00"));
    expect(v.pauses).to.deep.equal([
      { start: wib("2025-03-04T12:00"), end: wib("2025-03-05T12:00") },
    ]);
    expect(v.usedMs).to.equal(1.5 * WD);
    expect(v.state).to.equal("on_track");
  });

  it("an open pause holds the clock: due unknown, state paused, no next check", () => {
    const events = [ev("awaiting_reporter", "2025-03-04T12:00")];
    const now = wib("2025-03-12T00:00");
    const v = find(deriveClocks(report(), events, CTX, now).clocks, "verification");
    expect(v).to.include({
      dueAt: null,
      atRiskAt: null,
      outcome: "open",
      state: "paused",
      nextCheckAt: null,
    });
    expect(v.usedMs).to.equal(0.5 * WD);
    expect(v.pauses[0]?.end).to.equal(Infinity);
    expect(clockState(v, wib("2025-04-30T00:00"))).to.equal("paused");
  });

  it("re-arms after the reply: two days paused push due two working days", () => {
    const events = [
      ev("awaiting_reporter", "2025-03-04T12:00"),
      ev("reporter_replied", "2025-03-06T12:00"),
    ];
    const v = find(
      deriveClocks(report(), events, CTX, wib("2025-03-06T13:00")).clocks,
      "verification",
    );
    expect(v.dueAt).to.equal(wib("2025-03-11T00:00"));
    expect(v.nextCheckAt).to.equal(wib("2025-03-08T00:00"));
  });

  it("a second awaiting while paused and an unmatched reply are ignored with warnings", () => {
    const events = [
      ev("reporter_replied", "2025-03-04T08:00"),
      ev("awaiting_reporter", "2025-03-04T12:00"),
      ev("awaiting_reporter", "2025-03-05T00:00"),
      ev("reporter_replied", "2025-03-05T12:00"),
    ];
    const res = deriveClocks(report(), events, CTX, wib("2025-03-06T00:00"));
    expect(find(res.clocks, "verification").dueAt).to.equal(wib("2025-03-08T00:00"));
    expect(res.warnings.map((w) => w.code)).to.deep.equal(["unmatched_reply", "already_paused"]);
    expect(res.pauses).to.have.length(1);
  });

  it("pauses are clipped to each clock's running time", () => {
    const events = [
      ev("awaiting_reporter", "2025-03-03T11:00"),
      ev("reporter_replied", "2025-03-04T12:00"),
      ev("disposed", "2025-03-05T09:00", "dpupr"),
      ev("awaiting_reporter", "2025-03-10T00:00"),
      ev("completed", "2025-03-11T00:00"),
    ];
    const { clocks } = deriveClocks(report(), events, CTX, wib("2025-03-12T00:00"));
    const v = find(clocks, "verification");
    expect(v.pauses).to.deep.equal([
      { start: wib("2025-03-03T11:00"), end: wib("2025-03-04T12:00") },
    ]);
    // Only Tue 00:00-12:00 of that pause is budget: due Fri 7 12:00.
    expect(v.dueAt).to.equal(wib("2025-03-07T12:00"));
    const fr = find(clocks, "first_response");
    expect(fr.pauses).to.deep.equal([
      { start: wib("2025-03-10T00:00"), end: wib("2025-03-11T00:00") },
    ]);
    expect(fr.outcome).to.equal("met");
    expect(fr.usedMs).to.equal(2 * WD); // Thu 6, Fri 7; Mon 10 paused.
  });

  it("a clock whose budget ran out before a pause opened stays breached, awaiting the reporter", () => {
    const events = [ev("awaiting_reporter", "2025-03-07T12:00")];
    const v = find(
      deriveClocks(report(), events, CTX, wib("2025-03-10T12:00")).clocks,
      "verification",
    );
    expect(v).to.include({
      dueAt: DUE_V,
      outcome: "breached",
      state: "breached",
      nextCheckAt: null,
    });
    expect(isAwaitingReporter(v)).to.equal(true);
    expect(isPaused(v)).to.equal(false);
  });
});

// Issue 18: a report disposed to dinsos on Thu 1 Oct 2026 10:00 (first response and resolution
// 5wd, counted from Fri 2 Oct: at risk Thu 8 Oct 00:00, due Fri 9 Oct 00:00) gets no answer; on
// Tue 20 Oct 09:00 the agency records awaiting_reporter (7 wd and 9 h late by then); the reporter
// replies Fri 23 Oct 09:00.
describe("sla/clocks a pause that begins after the due instant (issue 18)", () => {
  const r = report({ receivedAt: wib("2026-09-30T10:00"), opd: "dinsos" });
  const disposed = ev("disposed", "2026-10-01T10:00", "dinsos");
  const awaiting = ev("awaiting_reporter", "2026-10-20T09:00", "dinsos");
  const replied = ev("reporter_replied", "2026-10-23T09:00");
  const history = [disposed, awaiting, replied];
  const DUE = wib("2026-10-09T00:00");
  const RISK = wib("2026-10-08T00:00");
  const at = (now: number) => deriveClocks(r, history, CTX, now).clocks;
  const agencyClocks = (now: number) =>
    at(now).filter((c) => c.stage === "first_response" || c.stage === "resolution");

  it("before due: at risk, due on 9 October", () => {
    const now = wib("2026-10-08T12:00");
    for (const c of agencyClocks(now)) {
      expect(c).to.include({ dueAt: DUE, atRiskAt: RISK, state: "at_risk", nextCheckAt: DUE });
      expect(isAwaitingReporter(c)).to.equal(false);
      expect(remainingMs(c, calendar, now)).to.equal(0.5 * WD);
    }
  });

  it("after due, before the pause: breached", () => {
    const now = wib("2026-10-12T10:00");
    for (const c of agencyClocks(now)) {
      expect(c).to.include({ dueAt: DUE, outcome: "breached", state: "breached" });
      expect(remainingMs(c, calendar, now)).to.equal(-(1 * WD + 10 * HOUR));
    }
  });

  it("during the pause: still breached, due unmoved, shown with the pause, lateness stops", () => {
    const now = wib("2026-10-21T10:00");
    for (const c of agencyClocks(now)) {
      expect(c).to.include({ dueAt: DUE, outcome: "breached", state: "breached" });
      expect(clockState(c, now)).to.equal("breached");
      expect(isPaused(c)).to.equal(false);
      expect(isAwaitingReporter(c)).to.equal(true);
      expect(pauseBeganAfterDue(c, c.pauses[0]!)).to.equal(true);
      // Late Fri 9, Mon 12 ... Mon 19 and Tue 20 until 09:00; nothing while paused.
      expect(remainingMs(c, calendar, now)).to.equal(-(7 * WD + 9 * HOUR));
      expect(c.usedMs - 5 * WD).to.equal(7 * WD + 9 * HOUR);
      // A later instant during the same pause adds no lateness.
      expect(remainingMs(c, calendar, wib("2026-10-22T15:00"))).to.equal(-(7 * WD + 9 * HOUR));
      // Stored and read back (the open pause's end becomes null): the same answers.
      const stored = JSON.parse(JSON.stringify(c)) as SlaClock;
      expect(clockState(stored, now)).to.equal("breached");
      expect(isAwaitingReporter(stored)).to.equal(true);
      expect(remainingMs(stored, calendar, now)).to.equal(-(7 * WD + 9 * HOUR));
      expect(stateName(clockState(c, now), isAwaitingReporter(c))).to.deep.equal({
        id: "terlambat, sedang menunggu pelapor",
        en: "overdue, awaiting the reporter",
      });
    }
  });

  it("after the reporter replied: breached, lateness without the paused days", () => {
    const now = wib("2026-10-26T10:00");
    for (const c of agencyClocks(now)) {
      expect(c).to.include({ dueAt: DUE, state: "breached", nextCheckAt: null });
      expect(isAwaitingReporter(c)).to.equal(false);
      // 7 wd 9 h before the pause, Fri 23 from 09:00 (15 h), Mon 26 until 10:00.
      expect(remainingMs(c, calendar, now)).to.equal(-(7 * WD + 9 * HOUR + 15 * HOUR + 10 * HOUR));
    }
  });

  it("a pause that begins before the due instant still moves it later and holds the clock", () => {
    const early = [disposed, ev("awaiting_reporter", "2026-10-08T12:00"), replied];
    const during = deriveClocks(r, early, CTX, wib("2026-10-21T10:00")).clocks;
    const fr = find(during, "first_response");
    expect(fr).to.include({ dueAt: null, outcome: "open", state: "paused", nextCheckAt: null });
    expect(isPaused(fr)).to.equal(true);
    expect(pauseBeganAfterDue(fr, fr.pauses[0]!)).to.equal(false);
    expect(stateName("paused", isAwaitingReporter(fr)).id).to.equal("dijeda");
    // After the reply: 12 h of budget were left on Thu 8 Oct 12:00 → Fri 23 Oct 21:00.
    const after = find(
      deriveClocks(r, early, CTX, wib("2026-10-23T10:00")).clocks,
      "first_response",
    );
    expect(after).to.include({ dueAt: wib("2026-10-23T21:00"), state: "at_risk" });
  });

  it("a pause that begins exactly at the due instant is after due", () => {
    const exact = [disposed, ev("awaiting_reporter", "2026-10-09T00:00")];
    const fr = find(deriveClocks(r, exact, CTX, wib("2026-10-12T10:00")).clocks, "first_response");
    expect(fr).to.include({ dueAt: DUE, state: "breached" });
    expect(isAwaitingReporter(fr)).to.equal(true);
    expect(remainingMs(fr, calendar, wib("2026-10-12T10:00"))).to.equal(0);
  });
});

describe("sla/clocks re-disposition", () => {
  it("before due: the old agency's clocks end redisposed and new ones start (seq 2)", () => {
    const events = [
      ev("disposed", "2025-03-04T09:00", "dpupr"),
      ev("redisposed", "2025-03-05T10:00", "dinkes"),
    ];
    const { clocks } = deriveClocks(report(), events, CTX, wib("2025-03-06T00:00"));
    expect(clocks.map((c) => `${c.stage}#${c.seq}:${c.opd}`)).to.deep.equal([
      "verification#1:diskominfo",
      "first_response#1:dpupr",
      "resolution#1:dpupr",
      "first_response#2:dinkes",
      "resolution#2:dinkes",
    ]);
    for (const c of clocks.filter((x) => x.opd === "dpupr")) {
      expect(c).to.include({
        outcome: "redisposed",
        state: "stopped",
        stoppedAt: wib("2025-03-05T10:00"),
      });
    }
    const fr2 = find(clocks, "first_response", 2);
    expect(fr2).to.include({
      startedAt: wib("2025-03-05T10:00"),
      sopId: "dinkes",
      outcome: "open",
    });
    expect(fr2.sopVersion).to.equal("2024-07-01");
    expect(fr2.target).to.deep.equal({ amount: 4, unit: "wd" });
  });

  it("at or after due: the old agency's overdue clock ends breached", () => {
    const r = report({ complexity: "ringan" });
    const events = [
      ev("disposed", "2025-03-03T11:00", "dpupr"),
      // Resolution (ringan, 2wd) is due Thu 6 Mar 00:00; first response (5wd) is not.
      ev("redisposed", "2025-03-06T00:00", "dinkes"),
    ];
    const { clocks } = deriveClocks(r, events, CTX, wib("2025-03-06T12:00"));
    expect(find(clocks, "resolution").dueAt).to.equal(wib("2025-03-06T00:00"));
    expect(find(clocks, "resolution").outcome).to.equal("breached");
    expect(find(clocks, "first_response").outcome).to.equal("redisposed");
  });

  it("a redisposed event before any disposition acts as the disposition", () => {
    const { clocks } = deriveClocks(
      report(),
      [ev("redisposed", "2025-03-04T09:00", "dpupr")],
      CTX,
      wib("2025-03-05T00:00"),
    );
    expect(find(clocks, "verification")).to.include({
      outcome: "met",
      stoppedAt: wib("2025-03-04T09:00"),
    });
    expect(find(clocks, "first_response", 1)).to.include({ opd: "dpupr", outcome: "open" });
    expect(clocks).to.have.length(3);
  });

  it("a second disposition to another agency re-dispositions; to the same agency it is ignored", () => {
    const same = deriveClocks(
      report(),
      [ev("disposed", "2025-03-04T09:00", "dpupr"), ev("disposed", "2025-03-05T09:00", "dpupr")],
      CTX,
      wib("2025-03-06T00:00"),
    );
    expect(same.clocks).to.have.length(3);
    expect(same.warnings.map((w) => w.code)).to.deep.equal(["duplicate_disposition"]);

    const other = deriveClocks(
      report(),
      [ev("disposed", "2025-03-04T09:00", "dpupr"), ev("disposed", "2025-03-05T09:00", "dinsos")],
      CTX,
      wib("2025-03-06T00:00"),
    );
    expect(other.clocks).to.have.length(5);
    expect(find(other.clocks, "resolution", 1).outcome).to.equal("redisposed");
    expect(find(other.clocks, "resolution", 2).opd).to.equal("dinsos");
  });
});

describe("sla/clocks SOP versions and extensions", () => {
  it("each clock keeps the SOP version in force on its start date", () => {
    const events = [
      ev("disposed", "2025-03-07T09:00", "dinkes"),
      ev("redisposed", "2025-03-11T09:00", "dpupr"),
      ev("redisposed", "2025-03-12T09:00", "dinkes"),
    ];
    const r = report({ complexity: "ringan" });
    const { clocks } = deriveClocks(r, events, CTX, wib("2025-03-20T00:00"));
    const old = find(clocks, "first_response", 1);
    expect(old.sopVersion).to.equal("2024-07-01"); // started Fri 7 Mar, before the 2025 version
    expect(old.target).to.deep.equal({ amount: 4, unit: "wd" });
    expect(find(clocks, "resolution", 1).target).to.deep.equal({ amount: 2, unit: "wd" });
    const fresh = find(clocks, "first_response", 3);
    expect(fresh.sopVersion).to.equal("2025-03-10");
    expect(fresh.target).to.deep.equal({ amount: 2, unit: "wd" });
    expect(find(clocks, "resolution", 3).target).to.deep.equal({ amount: 1, unit: "wd" });
    expect(find(clocks, "first_response", 2).sopId).to.equal("default");
  });

  it("an information request's extension is added once to the running resolution clock", () => {
    const r = report({ type: "permintaan_informasi" });
    const base = [ev("disposed", "2025-03-03T11:00", "dpupr")];
    const now = wib("2025-03-20T00:00");
    const plain = find(deriveClocks(r, base, CTX, now).clocks, "resolution");
    expect(plain.target).to.deep.equal({ amount: 10, unit: "wd" });
    expect(plain.dueAt).to.equal(wib("2025-03-18T00:00"));
    expect(plain.outcome).to.equal("breached");

    const once = deriveClocks(
      r,
      [...base, ev("extended", "2025-03-11T09:00"), ev("extended", "2025-03-12T09:00")],
      CTX,
      now,
    );
    const res = find(once.clocks, "resolution");
    expect(res.target).to.deep.equal({ amount: 17, unit: "wd" });
    expect(res.dueAt).to.equal(wib("2025-03-27T00:00"));
    expect(res.outcome).to.equal("open");
    expect(once.warnings.map((w) => w.code)).to.deep.equal(["already_extended"]);
    expect(once.details[2]?.extendedAt).to.equal(wib("2025-03-11T09:00"));
  });

  it("an extension of a complaint or without a running resolution clock is a warning", () => {
    const now = wib("2025-03-20T00:00");
    expect(
      codes([ev("disposed", "2025-03-03T11:00", "dpupr"), ev("extended", "2025-03-04T09:00")], now),
    ).to.deep.equal(["extension_not_applicable"]);
    const info = report({ type: "permintaan_informasi" });
    expect(codes([ev("extended", "2025-03-04T09:00")], now, info)).to.deep.equal([
      "extension_without_clock",
    ]);
  });

  it("risk margins can be overridden per unit; a target within the margin is at risk from start", () => {
    const ctx: ClockContext = { ...CTX, riskMargins: { wd: { amount: 2, unit: "wd" } } };
    const r = report({ complexity: "ringan" });
    const events = [ev("disposed", "2025-03-03T11:00", "dpupr")];
    const { clocks } = deriveClocks(r, events, ctx, wib("2025-03-03T12:00"));
    expect(find(clocks, "verification").atRiskAt).to.equal(wib("2025-03-05T00:00"));
    const res = find(clocks, "resolution");
    expect(res.atRiskAt).to.equal(res.startedAt);
    expect(res.state).to.equal("at_risk");
    expect(res.nextCheckAt).to.equal(res.dueAt);
  });
});

describe("sla/clocks event order and bad data", () => {
  const now = wib("2025-03-11T12:00");

  it("sorts events by time", () => {
    const ordered = [
      ev("disposed", "2025-03-04T09:00", "dpupr"),
      ev("first_response", "2025-03-05T09:00"),
      ev("followed_up", "2025-03-06T09:00"),
    ];
    const shuffled = [ordered[2]!, ordered[0]!, ordered[1]!];
    const a = deriveClocks(report(), ordered, CTX, now);
    const b = deriveClocks(report(), shuffled, CTX, now);
    expect(b).to.deep.equal(a);
    expect(b.warnings).to.deep.equal([]);
  });

  it("keeps input order for events at the same instant", () => {
    const at = "2025-03-04T09:00";
    const good = deriveClocks(
      report(),
      [ev("disposed", at, "dpupr"), ev("first_response", at)],
      CTX,
      now,
    );
    expect(find(good.clocks, "first_response")).to.include({ outcome: "met", usedMs: 0 });
    const reversed = deriveClocks(
      report(),
      [ev("first_response", at), ev("disposed", at, "dpupr")],
      CTX,
      now,
    );
    expect(find(reversed.clocks, "first_response").outcome).to.equal("open");
    expect(reversed.warnings.map((w) => w.code)).to.deep.equal(["no_disposition"]);
  });

  it("ignores contradictory events with warnings instead of crashing", () => {
    const events: ReportEvent[] = [
      ev("disposed", "2025-03-01T09:00", "dpupr"), // before receipt
      ev("received", "2025-03-03T09:00"), // disagrees with receivedAt
      { kind: "received", at: wib("2025-03-03T10:12"), opd: null }, // agrees: silent
      ev("first_response", "2025-03-03T11:00"), // before any disposition
      ev("followed_up", "2025-03-03T11:30"),
      ev("disposed", "2025-03-04T09:00"), // no agency
      ev("disposed", "2025-03-04T10:00", "dpupr"),
      ev("completed", "2025-03-30T00:00"), // after now
    ];
    const res = deriveClocks(report({ opd: "dinsos" }), events, CTX, now);
    expect(res.warnings.map((w) => w.code)).to.deep.equal([
      "before_received",
      "received_mismatch",
      "no_disposition",
      "no_disposition",
      "missing_opd",
      "future_event",
      "opd_mismatch",
    ]);
    expect(find(res.clocks, "verification").stoppedAt).to.equal(wib("2025-03-04T10:00"));
    expect(find(res.clocks, "resolution").outcome).to.equal("open");
    for (const w of res.warnings) {
      expect(w.message.id).to.be.a("string").and.not.equal("");
      expect(w.message.en).to.be.a("string").and.not.equal(w.message.id);
    }
  });

  it("does not crash on an event without a valid instant", () => {
    const res = deriveClocks(report(), [{ kind: "disposed", at: NaN, opd: "dpupr" }], CTX, now);
    expect(res.warnings.map((w) => w.code)).to.deep.equal(["invalid_instant"]);
    expect(res.clocks).to.have.length(1);
  });
});

describe("sla/clocks clockState and clockNextCheckAt", () => {
  it("re-evaluates a stored clock at a later now", () => {
    const v = find(deriveClocks(report(), [], CTX, wib("2025-03-04T00:00")).clocks, "verification");
    expect(clockState(v, wib("2025-03-05T23:59"))).to.equal("on_track");
    expect(clockState(v, RISK_V)).to.equal("at_risk");
    expect(clockNextCheckAt(v, RISK_V)).to.equal(DUE_V);
    expect(clockState(v, DUE_V)).to.equal("breached");
    expect(clockNextCheckAt(v, DUE_V)).to.equal(null);

    const stopped = find(
      deriveClocks(
        report(),
        [ev("disposed", "2025-03-04T09:00", "dpupr")],
        CTX,
        wib("2025-03-05T00:00"),
      ).clocks,
      "verification",
    );
    expect(clockState(stopped, wib("2025-04-01T00:00"))).to.equal("stopped");
    expect(clockNextCheckAt(stopped, wib("2025-03-01T00:00"))).to.equal(null);
  });

  it("treats a JSON round-tripped open pause (end null) as paused", () => {
    const v = find(
      deriveClocks(
        report(),
        [ev("awaiting_reporter", "2025-03-04T12:00")],
        CTX,
        wib("2025-03-05T00:00"),
      ).clocks,
      "verification",
    );
    const stored = JSON.parse(JSON.stringify(v)) as SlaClock;
    expect(stored.pauses[0]?.end).to.equal(null);
    expect(clockState(stored, wib("2025-03-20T00:00"))).to.equal("paused");
  });

  it("uses the agency's own calendar for its clocks", () => {
    const calls: string[] = [];
    const ctx: ClockContext = {
      ...CTX,
      calendarFor: (opd) => {
        calls.push(opd);
        return calendar;
      },
    };
    deriveClocks(
      report(),
      [ev("disposed", "2025-03-04T09:00", "dpupr")],
      ctx,
      wib("2025-03-05T00:00"),
    );
    expect(calls).to.include("diskominfo").and.to.include("dpupr");
    expect(HOUR).to.equal(3_600_000);
  });
});
