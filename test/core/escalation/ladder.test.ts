import { expect } from "chai";
import {
  DEFAULT_LADDER,
  LadderError,
  decideEscalations,
  escalationKey,
  escalationSteps,
  nextEscalationAt,
  parseEscalationKey,
  parseEscalationLadder,
  reminderDueKeys,
  type DecideResult,
  type EscalationLadder,
  type StoredClockView,
} from "../../../src/core/escalation/ladder.js";
import type { Instant } from "../../../src/core/types.js";
import { AT_RISK, DUE, DUE_3WD, calendar, ev, view, wib } from "./fixtures.js";

const KEY0 = "2007157|first_response|1|0";
const KEY1 = "2007157|first_response|1|1";
const KEY2 = "2007157|first_response|1|2";

function decide(
  views: StoredClockView[],
  now: Instant,
  taken: Iterable<string> = [],
  pending?: Iterable<string>,
  ladder: EscalationLadder = DEFAULT_LADDER,
): DecideResult {
  return decideEscalations({
    clocks: views,
    alreadyTaken: new Set(taken),
    ...(pending ? { pending: new Set(pending) } : {}),
    ladder: () => ladder,
    calendar: () => calendar,
    now,
  });
}

describe("escalation/ladder steps", () => {
  it("places the default steps: at risk, due, and due+3wd counting the due day as late", () => {
    const now = wib("2025-03-04T09:00");
    const v = view(now);
    expect(v.clock.atRiskAt).to.equal(AT_RISK);
    expect(v.clock.dueAt).to.equal(DUE);
    const steps = escalationSteps(v.clock, DEFAULT_LADDER, calendar, now);
    expect(steps.map((s) => [s.level.level, s.at, s.due, s.key])).to.deep.equal([
      [0, AT_RISK, false, KEY0],
      [1, DUE, false, KEY1],
      // Fri 7 Mar, Mon 10, Tue 11 late → Wed 12 Mar 00:00.
      [2, DUE_3WD, false, KEY2],
    ]);
    expect(nextEscalationAt(v.clock, DEFAULT_LADDER, calendar, now)).to.equal(AT_RISK);
    expect(nextEscalationAt(v.clock, DEFAULT_LADDER, calendar, AT_RISK)).to.equal(DUE);
    expect(nextEscalationAt(v.clock, DEFAULT_LADDER, calendar, DUE)).to.equal(DUE_3WD);
    expect(nextEscalationAt(v.clock, DEFAULT_LADDER, calendar, DUE_3WD)).to.equal(null);
  });

  it("skips Nyepi and Idul Fitri holidays when counting working days after due", () => {
    // Disposed Mon 24 Mar: Tue 25, Wed 26, Thu 27 → due Fri 28 Mar 00:00 (cuti bersama);
    // 28 Mar – 7 Apr are holidays or weekends, so +3wd = Thu 27 (late), Tue 8, Wed 9 → ... Fri 11.
    const now = wib("2025-03-25T09:00");
    const v = view(now, { disposedAt: "2025-03-24T10:00" });
    const steps = escalationSteps(v.clock, DEFAULT_LADDER, calendar, now);
    expect(steps[1]!.at).to.equal(wib("2025-03-28T00:00"));
    expect(steps[2]!.at).to.equal(wib("2025-04-11T00:00"));
  });

  it("a step in another unit than the target counts from the day after the due's date", () => {
    const ladder = parseEscalationLadder({
      levels: [
        { level: 1, when: "due", to: "supervisor" },
        { level: 2, when: "due+16wh", to: "leadership" },
      ],
    });
    const now = wib("2025-03-04T09:00");
    const steps = escalationSteps(view(now).clock, ladder, calendar, now);
    // Due Fri 7 00:00; 16 office hours: Fri 08–16, Mon 08–16 → Mon 10 Mar 16:00.
    expect(steps[1]!.at).to.equal(wib("2025-03-10T16:00"));
  });

  it("has no steps for a stopped or paused clock", () => {
    const stopped = view(wib("2025-03-10T09:00"), {
      events: [ev("first_response", "2025-03-05T10:00", "dinkes")],
    });
    expect(
      escalationSteps(stopped.clock, DEFAULT_LADDER, calendar, wib("2025-03-10T09:00")),
    ).to.have.length(0);
    const paused = view(wib("2025-03-10T09:00"), {
      events: [ev("awaiting_reporter", "2025-03-05T10:00")],
    });
    expect(
      escalationSteps(paused.clock, DEFAULT_LADDER, calendar, wib("2025-03-10T09:00")),
    ).to.have.length(0);
    expect(
      nextEscalationAt(paused.clock, DEFAULT_LADDER, calendar, wib("2025-03-10T09:00")),
    ).to.equal(null);
  });

  it("keys round-trip", () => {
    expect(escalationKey({ trackingId: "2007157", stage: "resolution", seq: 2 }, 1)).to.equal(
      "2007157|resolution|2|1",
    );
    expect(parseEscalationKey("2007157|resolution|2|1")).to.deep.equal({
      trackingId: "2007157",
      stage: "resolution",
      seq: 2,
      level: 1,
    });
    expect(parseEscalationKey("reminder|a@b.id|2025-03-10")).to.equal(null);
  });
});

describe("escalation/ladder decisions", () => {
  it("fires every level once, at its instant, and nothing before", () => {
    const taken = new Set<string>();
    const fired: [number, Instant][] = [];
    // Scans every 5 minutes would be realistic; check the edges and a few points in between.
    const scans = [
      wib("2025-03-04T09:00"),
      AT_RISK - 1,
      AT_RISK,
      AT_RISK + 5 * 60_000,
      DUE - 1,
      DUE,
      wib("2025-03-10T08:00"),
      DUE_3WD - 1,
      DUE_3WD,
      wib("2025-03-14T10:00"),
    ];
    for (const now of scans) {
      const r = decide([view(now)], now, taken);
      expect(r.superseded).to.have.length(0);
      expect(r.cancel).to.have.length(0);
      for (const d of r.decide) {
        taken.add(d.key);
        fired.push([d.level, now]);
      }
    }
    expect(fired).to.deep.equal([
      [0, AT_RISK],
      [1, DUE],
      [2, DUE_3WD],
    ]);
  });

  it("describes a decision: roles, agency, kind and name", () => {
    const r = decide([view(DUE)], DUE, [KEY0]);
    expect(r.decide).to.have.length(1);
    const d = r.decide[0]!;
    expect(d).to.include({ key: KEY1, level: 1, kind: "overdue", to: "supervisor", opd: "dinkes" });
    expect(d.cc).to.deep.equal(["liaison", "coordinator"]);
    expect(d.stepAt).to.equal(DUE);
    expect(d.decidedAt).to.equal(DUE);
    expect(d.name.id).to.equal("eskalasi");
    const d2 = decide([view(DUE_3WD)], DUE_3WD, [KEY0, KEY1]).decide[0]!;
    expect(d2).to.include({ level: 2, kind: "escalated", to: "leadership" });
    expect(d2.name.id).to.equal("eskalasi pimpinan");
  });

  it("decides a step outside working time at the first scan after it (not held)", () => {
    // Disposed Tue 4 Mar: Wed 5, Thu 6, Fri 7 → due Sat 8 Mar 00:00.
    const now = wib("2025-03-08T00:05");
    const v = view(now, { disposedAt: "2025-03-04T10:00" });
    expect(v.clock.dueAt).to.equal(wib("2025-03-08T00:00"));
    const r = decide([v], now, ["2007157|first_response|1|0"]);
    expect(r.decide.map((d) => d.level)).to.deep.equal([1]);
  });

  it("re-arms when a pause moved the due instant later", () => {
    // Level 0 sent Thu 6 Mar 00:00. Paused Thu 6 09:00 – Mon 10 09:00 (2 working days):
    // due moves from Fri 7 to Tue 11 Mar 00:00.
    const pause = [
      ev("awaiting_reporter", "2025-03-06T09:00"),
      ev("reporter_replied", "2025-03-10T09:00"),
    ];
    // During the pause, at the old due instant: nothing.
    const during = view(DUE, { events: [pause[0]!] });
    expect(decide([during], DUE, [KEY0], []).decide).to.have.length(0);
    // After the reply, before the new due: nothing, and the next check is the new due.
    const now = wib("2025-03-10T10:00");
    const after = view(now, { events: pause });
    expect(after.clock.dueAt).to.equal(wib("2025-03-11T00:00"));
    expect(decide([after], now, [KEY0], []).decide).to.have.length(0);
    expect(nextEscalationAt(after.clock, DEFAULT_LADDER, calendar, now)).to.equal(
      wib("2025-03-11T00:00"),
    );
    // At the new due: level 1 once.
    const due = wib("2025-03-11T00:00");
    const r = decide([view(due, { events: pause })], due, [KEY0], []);
    expect(r.decide.map((d) => d.key)).to.deep.equal([KEY1]);
  });

  it("cancels a pending level whose due moved later, then decides it again at the new due", () => {
    // Level 1 was decided at Fri 7 00:00 but not sent; the pause events arrive later.
    const pause = [
      ev("awaiting_reporter", "2025-03-06T09:00"),
      ev("reporter_replied", "2025-03-10T09:00"),
    ];
    const now = wib("2025-03-10T10:00");
    const r = decide([view(now, { events: pause })], now, [KEY0, KEY1], [KEY1]);
    expect(r.cancel).to.deep.equal([KEY1]);
    expect(r.decide).to.have.length(0);
    // The caller marked KEY1 cancelled (no longer taken): it re-arms for Tue 11 00:00.
    const due = wib("2025-03-11T00:00");
    expect(decide([view(due, { events: pause })], due, [KEY0], []).decide[0]!.key).to.equal(KEY1);
  });

  it("cancels pending levels when the clock stops, never sending them late", () => {
    const now = wib("2025-03-07T10:00");
    const stopped = view(now, { events: [ev("first_response", "2025-03-07T09:00", "dinkes")] });
    // KEY0 was sent, KEY1 is pending.
    const r = decide([stopped], now, [KEY0, KEY1], [KEY1]);
    expect(r.cancel).to.deep.equal([KEY1]);
    expect(r.decide).to.have.length(0);
    // Without a pending set every taken key is reported; the caller skips the sent ones.
    expect(decide([stopped], now, [KEY0, KEY1]).cancel).to.deep.equal([KEY0, KEY1]);
  });

  it("cancels pending levels while a pause that began before due holds the clock", () => {
    const now = wib("2025-03-07T10:00");
    const paused = view(now, { events: [ev("awaiting_reporter", "2025-03-06T09:00")] });
    const r = decide([paused], now, [KEY0, KEY1], [KEY1]);
    expect(r.cancel).to.deep.equal([KEY1]);
    expect(r.decide).to.have.length(0);
  });

  it("keeps the levels of a clock that was already due when the pause began", () => {
    const now = wib("2025-03-07T10:00");
    const late = view(now, { events: [ev("awaiting_reporter", "2025-03-07T09:00")] });
    // KEY0 was sent, KEY1 is pending: it stays and is not decided again.
    const r = decide([late], now, [KEY0, KEY1], [KEY1]);
    expect(r.cancel).to.deep.equal([]);
    expect(r.decide).to.have.length(0);
    // Nothing taken yet: the due level is decided as for any breached clock.
    expect(decide([late], now).decide.map((d) => d.key)).to.deep.equal([KEY1]);
  });

  it("cancels a pending level that the clock's SOP ladder no longer has", () => {
    const ladder = parseEscalationLadder({
      levels: [{ level: 1, when: "due", to: "supervisor", cc: ["liaison"] }],
    });
    const r = decide([view(AT_RISK)], AT_RISK, [KEY0], [KEY0], ladder);
    expect(r.cancel).to.deep.equal([KEY0]);
  });

  it("after downtime sends only the highest due level and supersedes the lower ones", () => {
    const now = wib("2025-03-13T10:00");
    const r = decide([view(now)], now);
    expect(r.decide.map((d) => d.key)).to.deep.equal([KEY2]);
    expect(r.superseded.map((d) => [d.key, d.supersededBy])).to.deep.equal([
      [KEY0, KEY2],
      [KEY1, KEY2],
    ]);
    expect(r.cancel).to.have.length(0);
    // Stored as taken: the next scan decides nothing.
    const again = decide([view(now + 300_000)], now + 300_000, [KEY0, KEY1, KEY2]);
    expect(again.decide).to.have.length(0);
    expect(again.superseded).to.have.length(0);
  });

  it("supersedes a lower level that comes due below a level already taken", () => {
    const now = wib("2025-03-07T10:00");
    const r = decide([view(now)], now, [KEY1]);
    expect(r.decide).to.have.length(0);
    expect(r.superseded.map((d) => d.key)).to.deep.equal([KEY0]);
  });

  it("decides each clock once even when listed twice, and only its own keys matter", () => {
    const other = view(AT_RISK, { report: { trackingId: "2007158" } });
    const r = decide([view(AT_RISK), view(AT_RISK), other], AT_RISK, [
      "2007158|first_response|1|0",
    ]);
    expect(r.decide.map((d) => d.key)).to.deep.equal([KEY0]);
  });
});

describe("escalation/ladder configuration", () => {
  it("parses a custom ladder and fills the default reminder", () => {
    const l = parseEscalationLadder({
      levels: [
        { level: 0, when: "at_risk", to: "liaison", cc: [] },
        { level: 1, when: "due", to: "supervisor", cc: ["liaison", "coordinator"] },
        { level: 2, when: "due + 5wd", to: "leadership", cc: ["coordinator"] },
      ],
    });
    expect(l.levels.map((x) => x.when.text)).to.deep.equal(["at_risk", "due", "due+5wd"]);
    expect(l.reminder).to.deep.equal(DEFAULT_LADDER.reminder);
    const r = parseEscalationLadder({
      levels: [{ level: 1, when: "due", to: "supervisor" }],
      reminder: { enabled: true, to: "liaison", atLocalTime: "07:30" },
    });
    expect(r.reminder).to.include({ to: "liaison", atLocalTime: "07:30", atMinute: 450 });
  });

  it("reports every problem with its path", () => {
    let err: unknown;
    try {
      parseEscalationLadder({
        levels: [
          { level: 0, when: "due", to: "bupati" },
          { level: 1, when: "at_risk", to: "supervisor", cc: ["supervisor"] },
          { level: 1, when: "due+3", to: "leadership" },
          { level: 12, when: "at_risk+1wd", to: "leadership" },
        ],
        reminder: { atLocalTime: "8 pagi", enabled: "ya" },
        extra: 1,
      });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(LadderError);
    const issues = (err as LadderError).issues.map((i) => `${i.path}: ${i.message.en}`);
    expect(issues.join("\n"))
      .to.contain("extra: unknown key")
      .and.contain('levels[0].to: unknown role "bupati"')
      .and.contain("levels[1].cc[0]: role supervisor listed twice")
      .and.contain('levels[2].when: invalid duration "3"')
      .and.contain("levels[2].level: level 1 is repeated")
      .and.contain("levels[3].level: must be an integer 0..9")
      .and.contain("levels[3].when: at_risk takes no offset")
      .and.contain("reminder.enabled: must be true or false")
      .and.contain('reminder.atLocalTime: invalid time "8 pagi"');
    expect(() =>
      parseEscalationLadder({
        levels: [
          { level: 0, when: "due", to: "supervisor" },
          { level: 1, when: "at_risk", to: "liaison" },
        ],
      }),
    ).to.throw(LadderError, "level 1 (at_risk) must come after level 0 (due)");
    expect(() => parseEscalationLadder({ levels: [] })).to.throw(LadderError, "non-empty");
    expect(() => parseEscalationLadder(null)).to.throw(LadderError);
  });
});

describe("escalation/ladder daily reminder", () => {
  const recipients = () => [{ email: "Kadinkes@malangkab.go.id", name: "dr. Bambang" }];
  const overdue = (now: Instant) => [
    view(now),
    view(now, { report: { trackingId: "2007160" } }),
    // Not overdue: answered in time.
    view(now, {
      report: { trackingId: "2007161" },
      events: [ev("first_response", "2025-03-05T09:00", "dinkes")],
    }),
  ];

  it("is due once per working day per recipient from the configured local time", () => {
    const early = wib("2025-03-10T07:59");
    expect(reminderDueKeys(overdue(early), recipients, calendar, early)).to.have.length(0);
    const at8 = wib("2025-03-10T08:00");
    const digests = reminderDueKeys(overdue(at8), recipients, calendar, at8);
    expect(digests).to.have.length(1);
    expect(digests[0]!.key).to.equal("reminder|kadinkes@malangkab.go.id|2025-03-10");
    expect(digests[0]!.items.map((v) => v.clock.trackingId)).to.deep.equal(["2007157", "2007160"]);
    // Later the same day, once recorded: nothing more.
    const later = wib("2025-03-10T15:00");
    const sent = new Set([digests[0]!.key]);
    expect(
      reminderDueKeys(overdue(later), recipients, calendar, later, undefined, sent),
    ).to.have.length(0);
    // Next working day: a new digest.
    const tue = wib("2025-03-11T08:30");
    expect(
      reminderDueKeys(overdue(tue), recipients, calendar, tue, undefined, sent).map((d) => d.key),
    ).to.deep.equal(["reminder|kadinkes@malangkab.go.id|2025-03-11"]);
  });

  it("sends nothing on weekends, holidays or when disabled", () => {
    const sat = wib("2025-03-08T09:00");
    expect(reminderDueKeys(overdue(sat), recipients, calendar, sat)).to.have.length(0);
    const lebaran = wib("2025-03-31T09:00");
    expect(reminderDueKeys(overdue(lebaran), recipients, calendar, lebaran)).to.have.length(0);
    const mon = wib("2025-03-10T09:00");
    const off = { ...DEFAULT_LADDER.reminder, enabled: false };
    expect(reminderDueKeys(overdue(mon), recipients, calendar, mon, off)).to.have.length(0);
  });
});

// Issue 18: disposed to dinsos Thu 1 Oct 2026 10:00 (first response 3wd in these fixtures,
// counted from Fri 2 Oct: at risk Tue 6 Oct 00:00, due Wed 7 Oct 00:00, due+3wd Sat 10 Oct
// 00:00 — late Wed, Thu, Fri), no answer.
describe("escalation/ladder a pause asked for after the due instant (issue 18)", () => {
  const opts = (events: ReturnType<typeof ev>[]) => ({
    events,
    opd: "dinsos",
    disposedAt: "2026-10-01T10:00",
    report: { receivedAt: wib("2026-09-30T10:00") },
  });
  const key = (level: number) => `2007157|first_response|1|${level}`;
  const keys = (r: DecideResult) => ({
    decide: r.decide.map((d) => d.key),
    superseded: r.superseded.map((d) => d.key),
    cancel: r.cancel,
  });
  const DUE26 = wib("2026-10-07T00:00");
  const DUE26_3WD = wib("2026-10-10T00:00");

  it("the same history with and without the pause decides the same levels once due", () => {
    // The agency records awaiting_reporter on Tue 20 Oct 09:00, the reporter replies Fri 23 Oct.
    const pause = [
      ev("awaiting_reporter", "2026-10-20T09:00", "dinsos"),
      ev("reporter_replied", "2026-10-23T09:00"),
    ];
    const at = [
      wib("2026-10-06T10:00"), // at risk
      wib("2026-10-07T10:00"), // after due, before the pause
      wib("2026-10-21T10:00"), // during the pause
      wib("2026-10-26T10:00"), // after the reply
    ];
    const expected = [
      { decide: [key(0)], superseded: [], cancel: [] },
      { decide: [key(1)], superseded: [key(0)], cancel: [] },
      { decide: [key(2)], superseded: [key(0), key(1)], cancel: [] },
      { decide: [key(2)], superseded: [key(0), key(1)], cancel: [] },
    ];
    at.forEach((now, i) => {
      const paused = view(now, opts(pause));
      expect(keys(decide([paused], now)), `at ${i}`).to.deep.equal(expected[i]);
      expect(keys(decide([view(now, opts([]))], now)), `at ${i} unpaused`).to.deep.equal(
        expected[i],
      );
    });
    // During the pause the pending level 1 stays pending, never cancelled.
    const during = at[2]!;
    const r = decide([view(during, opts(pause))], during, [key(0), key(1)], [key(1)]);
    expect(keys(r)).to.deep.equal({ decide: [key(2)], superseded: [], cancel: [] });
    // The daily digest lists it as still overdue.
    const digests = reminderDueKeys(
      [view(during, opts(pause))],
      () => [{ email: "kadinsos@malangkab.go.id", name: "Kepala Dinas Sosial" }],
      calendar,
      during,
    );
    expect(digests.map((d) => d.items.length)).to.deep.equal([1]);
  });

  it("a later level counts lateness without the paused time", () => {
    // Paused Thu 8 Oct 12:00 (1.5 wd late) to Thu 15 Oct 12:00: 1.5 wd more lateness reach
    // 3 wd at Sat 17 Oct 00:00 (the end of Friday) instead of Sat 10 Oct 00:00.
    const pause = [ev("awaiting_reporter", "2026-10-08T12:00", "dinsos")];
    const replied = [...pause, ev("reporter_replied", "2026-10-15T12:00")];
    const during = wib("2026-10-12T10:00");
    const open = view(during, opts(pause)).clock;
    expect(open.dueAt).to.equal(DUE26);
    const steps = escalationSteps(open, DEFAULT_LADDER, calendar, during);
    expect(steps.map((s) => [s.level.level, s.at, s.due])).to.deep.equal([
      [0, wib("2026-10-06T00:00"), true],
      [1, DUE26, true],
      [2, null, false], // not reached before the pause: unknown while it lasts
    ]);
    expect(nextEscalationAt(open, DEFAULT_LADDER, calendar, during)).to.equal(null);
    expect(keys(decide([view(during, opts(pause))], during))).to.deep.equal({
      decide: [key(1)],
      superseded: [key(0)],
      cancel: [],
    });

    const after = wib("2026-10-15T13:00");
    const clock = view(after, opts(replied)).clock;
    const level2 = wib("2026-10-17T00:00");
    expect(escalationSteps(clock, DEFAULT_LADDER, calendar, after)[2]!.at).to.equal(level2);
    expect(nextEscalationAt(clock, DEFAULT_LADDER, calendar, after)).to.equal(level2);
    // Without the pause it would have been due a week earlier.
    const unpaused = view(after, opts([])).clock;
    expect(escalationSteps(unpaused, DEFAULT_LADDER, calendar, after)[2]!.at).to.equal(DUE26_3WD);
    // A step in another unit than the target's (due+3d on a wd target, counted from Thu 8 Oct
    // 00:00) skips the pause too: Sun 11 Oct 00:00 without it, 7 days (the pause) later with it.
    const days = parseEscalationLadder({
      levels: [
        { level: 1, when: "due", to: "supervisor" },
        { level: 2, when: "due+3d", to: "leadership" },
      ],
    });
    expect(escalationSteps(unpaused, days, calendar, after)[1]!.at).to.equal(
      wib("2026-10-11T00:00"),
    );
    expect(escalationSteps(clock, days, calendar, after)[1]!.at).to.equal(wib("2026-10-18T00:00"));
  });
});
