import { expect } from "chai";
import { DateTime } from "luxon";
import { BusinessCalendar, unitMs } from "../../../src/core/calendar/index.js";
import type { CalendarSpec, Duration, DurationUnit, Interval } from "../../../src/core/types.js";
import { EVERY_DAY, MALANG, MON_FRI, prng, spec } from "./fixtures.js";

const HOUR = 3_600_000;
const DAY = 86_400_000;

interface Case {
  name: string;
  spec: CalendarSpec;
  from: number;
  to: number;
}

// Fixed-offset Indonesian zones and three DST zones (the public vectors' zones), including
// Moscow before 2011 when it still had DST, and an office window that crosses the NY DST jump.
const CASES: Case[] = [
  { name: "Malang", spec: MALANG, from: Date.UTC(2024, 0, 1), to: Date.UTC(2026, 11, 31) },
  {
    name: "Makassar 07–15",
    spec: spec({ zone: "Asia/Makassar", officeOpenMinute: 420, officeCloseMinute: 900 }),
    from: Date.UTC(2024, 0, 1),
    to: Date.UTC(2026, 11, 31),
  },
  {
    name: "Berlin Mon–Fri 09–17",
    spec: spec({
      zone: "Europe/Berlin",
      officeOpenMinute: 540,
      officeCloseMinute: 1020,
      holidays: [{ date: "2025-10-03", name: "Tag der Deutschen Einheit", kind: "national" }],
    }),
    from: Date.UTC(2024, 0, 1),
    to: Date.UTC(2026, 11, 31),
  },
  {
    name: "New York every day 01–04",
    spec: spec({
      zone: "America/New_York",
      workingWeekdays: EVERY_DAY,
      officeOpenMinute: 60,
      officeCloseMinute: 240,
      holidays: [],
    }),
    from: Date.UTC(2024, 0, 1),
    to: Date.UTC(2026, 11, 31),
  },
  {
    name: "Moscow 2007–2012 Mon–Fri 00–24",
    spec: spec({
      zone: "Europe/Moscow",
      workingWeekdays: MON_FRI,
      officeOpenMinute: 0,
      officeCloseMinute: 1440,
      holidays: [],
    }),
    from: Date.UTC(2007, 0, 1),
    to: Date.UTC(2012, 11, 31),
  },
];

function randomDuration(rnd: () => number): Duration {
  const u = rnd();
  if (u < 0.4) return { amount: Math.ceil(rnd() * 60 * 4) / 4, unit: "wd" };
  if (u < 0.8) return { amount: Math.ceil(rnd() * 80 * 60) / 60, unit: "wh" };
  return { amount: Math.ceil(rnd() * 60), unit: "d" };
}

function randomPauses(rnd: () => number, start: number): Interval[] {
  const n = Math.floor(rnd() * 5);
  const out: Interval[] = [];
  for (let i = 0; i < n; i++) {
    const s = start + Math.floor((rnd() - 0.1) * 40 * DAY);
    const len = rnd() < 0.3 ? Math.floor(rnd() * 6 * HOUR) : Math.floor(rnd() * 5 * DAY);
    out.push({ start: s, end: rnd() < 0.08 ? Infinity : s + len });
  }
  return out;
}

/** Days of the zone that are shorter than 24 h (spring-forward), as "yyyy-mm-dd". */
function isShortDay(cal: BusinessCalendar, t: number): boolean {
  const d = cal.localDate(t);
  const next = DateTime.fromISO(d, { zone: "UTC" }).plus({ days: 1 }).toISODate() ?? "";
  return cal.startOfLocalDate(next) - cal.startOfLocalDate(d) < DAY;
}

describe("calendar/property: elapsedMs(s, dueAt(s, D, P)) equals the budget", () => {
  for (const c of CASES) {
    it(`${c.name}: 1,000 random starts, durations and pauses`, () => {
      // Seeded so that a failure reproduces; the seed differs per calendar.
      const rnd = prng(0x5eed ^ (c.name.length * 7919));
      const cal = new BusinessCalendar(c.spec);
      let finite = 0;
      let inexact = 0;
      for (let k = 0; k < 1000; k++) {
        const s = c.from + Math.floor(rnd() * (c.to - c.from));
        const dur = randomDuration(rnd);
        const pauses = randomPauses(rnd, s);
        const budget = Math.round(dur.amount * unitMs(dur.unit));
        const label = `#${k} ${new Date(s).toISOString()} +${dur.amount}${dur.unit} ${JSON.stringify(pauses)}`;
        const due = cal.dueAt(s, dur, pauses);
        if (due === Infinity) {
          // Only an open pause can hold the clock, and the budget was not used before it began.
          const open = pauses.filter((p) => p.end === Infinity).map((p) => p.start);
          expect(open.length, label).to.be.greaterThan(0);
          const first = Math.max(s, Math.min(...open));
          expect(cal.elapsedMs(s, first, dur.unit, pauses), label).to.be.lessThan(budget);
          continue;
        }
        finite++;
        expect(Number.isInteger(due), label).to.equal(true);
        const used = cal.elapsedMs(s, due, dur.unit, pauses);
        if (dur.unit !== "wh" && isShortDay(cal, due - 1)) {
          // A 23 h DST day supplies 24 h of budget with only 23 h of integer instants: the due
          // instant (the first integer ms that uses the budget up) may overshoot it by 1 ms.
          expect(used - budget, label).to.be.within(0, 1);
          if (used !== budget) inexact++;
        } else {
          expect(used, label).to.equal(budget);
        }
        // Nothing earlier uses the budget up.
        expect(cal.elapsedMs(s, due - 1, dur.unit, pauses), label).to.be.lessThan(budget);
        const t = s + Math.floor(rnd() * (due - s));
        expect(cal.elapsedMs(s, t, dur.unit, pauses), label).to.be.lessThan(budget);
        // elapsed is monotone in the end instant.
        expect(cal.elapsedMs(s, t, dur.unit, pauses), label).to.be.at.most(used);
      }
      expect(finite).to.be.greaterThan(600);
      expect(inexact).to.be.at.most(5);
    });
  }
});

describe("calendar/property: DST days of 23 h and 25 h", () => {
  it("Berlin: a due inside a DST day is the first ms that uses the budget up", () => {
    // Budgets at ms resolution ending inside Sun 30 Mar 2025 (23 h) and Sun 26 Oct 2025 (25 h).
    // The 25 h day maps every budget value to an instant exactly; the 23 h day has fewer ms than
    // budget values, so there the due instant may use up to 1 ms more than the budget.
    const rnd = prng(1303);
    const cal = new BusinessCalendar(
      spec({ zone: "Europe/Berlin", workingWeekdays: EVERY_DAY, holidays: [] }),
    );
    let exactShort = 0;
    for (const [s, dayLen] of [
      [Date.UTC(2025, 2, 29, 11), 23],
      [Date.UTC(2025, 9, 25, 10), 25],
    ] as const) {
      for (let k = 0; k < 1000; k++) {
        const ms = 1 + Math.floor(rnd() * (DAY - 1));
        for (const unit of ["wd", "d"] as const) {
          const dur: Duration = { amount: ms / DAY, unit };
          const budget = Math.round(dur.amount * DAY);
          const due = cal.dueAt(s, dur);
          const used = cal.elapsedMs(s, due, unit);
          const label = `${unit} ${ms}ms on the ${dayLen} h day`;
          expect(cal.elapsedMs(s, due - 1, unit), label).to.be.lessThan(budget);
          if (dayLen === 25) {
            expect(used, label).to.equal(budget);
          } else {
            expect(used - budget, label).to.be.within(0, 1);
            if (used === budget) exactShort++;
          }
          // The due instant lies inside that local day, scaled: 24 h of budget in dayLen hours.
          expect(Math.abs(due - s - HOUR * 12 - (ms * dayLen) / 24), label).to.be.below(2);
        }
      }
    }
    // Most (23 of 24) budget values are still hit exactly on the short day.
    expect(exactShort).to.be.greaterThan(1800);
  });
});

/**
 * Independent oracle: walk the time line in 15-minute steps with Luxon (no table, no prefix
 * sums), for minute-aligned inputs on calendars without DST transitions inside office hours.
 */
function bruteDue(specC: CalendarSpec, start: number, dur: Duration, pauses: Interval[]): number {
  const STEP = 15 * 60_000;
  const hol = new Set(specC.holidays.map((h) => h.date));
  const working = (dt: DateTime): boolean =>
    specC.workingWeekdays.includes(dt.weekday as 1) && !hol.has(dt.toISODate() ?? "");
  const paused = (t: number): boolean => pauses.some((p) => p.start <= t && t < p.end);
  let budget = Math.round(dur.amount * unitMs(dur.unit));
  let t = start;
  if (dur.unit !== "wh") {
    t = DateTime.fromMillis(start, { zone: specC.zone })
      .startOf("day")
      .plus({ days: 1 })
      .toMillis();
  }
  for (let guard = 0; guard < 200_000; guard++) {
    const dt = DateTime.fromMillis(t, { zone: specC.zone });
    let counts: boolean;
    if (dur.unit === "wh") {
      const minute = dt.hour * 60 + dt.minute;
      counts = working(dt) && minute >= specC.officeOpenMinute && minute < specC.officeCloseMinute;
    } else {
      counts = dur.unit === "d" || working(dt);
    }
    if (counts && !paused(t)) {
      if (budget <= STEP) return t + budget;
      budget -= STEP;
    }
    t += STEP;
  }
  throw new Error("oracle did not finish");
}

describe("calendar/property: agrees with a 15-minute brute-force walk", () => {
  it("Malang, 300 quarter-hour-aligned cases with pauses", () => {
    // All inputs on quarter hours so that a 15-minute walk is exact; Jakarta has no DST.
    const rnd = prng(20250303);
    const cal = new BusinessCalendar(MALANG);
    const Q = 15 * 60_000;
    for (let k = 0; k < 300; k++) {
      const s = Date.UTC(2024, 0, 1) + Math.floor(rnd() * 1000 * 96) * Q;
      const u: DurationUnit = (["wd", "wh", "d"] as const)[Math.floor(rnd() * 3)] ?? "wd";
      const amount = u === "wh" ? Math.ceil(rnd() * 24 * 4) / 4 : Math.ceil(rnd() * 8 * 4) / 4;
      const dur: Duration = { amount, unit: u };
      const pauses: Interval[] = [];
      for (let i = Math.floor(rnd() * 3); i > 0; i--) {
        const ps = s + Math.floor((rnd() - 0.2) * 8 * 96) * Q;
        pauses.push({ start: ps, end: ps + Math.floor(rnd() * 3 * 96) * Q });
      }
      const label = `#${k} ${new Date(s).toISOString()} +${amount}${u} ${JSON.stringify(pauses)}`;
      expect(cal.dueAt(s, dur, pauses), label).to.equal(bruteDue(MALANG, s, dur, pauses));
    }
  });
});
