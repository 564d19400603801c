import { expect } from "chai";
import { BusinessCalendar, parseDuration } from "../../../src/core/calendar/index.js";
import type { Duration, Interval } from "../../../src/core/types.js";
import { EVERY_DAY, HOLIDAYS_ID, MALANG, MON_FRI, at, spec, utc, wib } from "./fixtures.js";

const malang = new BusinessCalendar(MALANG);
const D = (text: string): Duration => parseDuration(text);
const iso = (t: number): string => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));

/** Asserts the due instant and that elapsedMs at that instant equals the whole budget. */
function expectDue(
  cal: BusinessCalendar,
  start: number,
  d: string,
  expected: number,
  pauses?: Interval[],
): void {
  const dur = D(d);
  const due = cal.dueAt(start, dur, pauses);
  expect(iso(due), `${iso(start)} + ${d}`).to.equal(iso(expected));
  if (Number.isFinite(due)) {
    const budget = dur.amount * (dur.unit === "wh" ? 3_600_000 : 86_400_000);
    expect(cal.elapsedMs(start, due, dur.unit, pauses)).to.equal(budget);
    expect(cal.elapsedMs(start, due - 1, dur.unit, pauses)).to.be.lessThan(budget);
  }
}

describe("calendar/BusinessCalendar: dates", () => {
  it("maps instants to local dates and back in the calendar zone", () => {
    // 2025-03-03T17:00Z is Tue 4 Mar 00:00 WIB: the first instant of that local date.
    expect(malang.localDate(utc("2025-03-03T16:59:59.999Z"))).to.equal("2025-03-03");
    expect(malang.localDate(utc("2025-03-03T17:00:00Z"))).to.equal("2025-03-04");
    expect(iso(malang.startOfLocalDate("2025-03-04"))).to.equal("2025-03-03T17:00:00.000Z");
    // Far from any table built so far (Luxon fallback) gives the same answer.
    expect(malang.localDate(utc("1999-12-31T17:00:00Z"))).to.equal("2000-01-01");
    expect(iso(malang.startOfLocalDate("2099-07-01"))).to.equal("2099-06-30T17:00:00.000Z");
  });

  it("knows working dates, holidays and coverage", () => {
    // Sat/Sun never work; Idul Fitri 2025 is national, 2 Apr is cuti bersama, 8 Apr works again.
    expect(malang.isWorkingDate("2025-03-03")).to.equal(true);
    expect(malang.isWorkingDate("2025-03-08")).to.equal(false);
    expect(malang.isWorkingDate("2025-03-31")).to.equal(false);
    expect(malang.holidayOn("2025-03-31")?.kind).to.equal("national");
    expect(malang.holidayOn("2025-04-02")?.kind).to.equal("collective");
    expect(malang.holidayOn("2024-02-14")?.kind).to.equal("special");
    expect(malang.holidayOn("2025-04-08")).to.equal(undefined);
    expect(malang.isCovered(2025)).to.equal(true);
    expect(malang.isCovered(2027)).to.equal(false);
    expect(malang.coveredUntil()).to.equal("2026-12-31");
    // A gap stops the run of covered years from the earliest.
    expect(new BusinessCalendar(spec({ coveredYears: [2026, 2024] })).coveredUntil()).to.equal(
      "2024-12-31",
    );
    expect(new BusinessCalendar(spec({ coveredYears: [] })).coveredUntil()).to.equal(null);
  });

  it("finds the next working date strictly after a date", () => {
    // Thu 27 Mar 2025: Nyepi cuti, Nyepi, Idul Fitri and cuti bersama close everything until Tue 8 Apr.
    expect(malang.nextWorkingDate("2025-03-27")).to.equal("2025-04-08");
    // Fri → Mon; a working day is not its own successor.
    expect(malang.nextWorkingDate("2025-03-07")).to.equal("2025-03-10");
    expect(malang.nextWorkingDate("2025-03-03")).to.equal("2025-03-04");
    // 2027 has no decree loaded: 1 Jan 2027 (Fri) counts as a working day.
    expect(malang.nextWorkingDate("2026-12-31")).to.equal("2027-01-01");
  });
});

describe("calendar/BusinessCalendar: working days (wd)", () => {
  it("the issue's example: Mon 3 Mar 2025 10:00 WIB + 3wd = Fri 7 Mar 00:00 WIB", () => {
    // Monday does not count; Tue, Wed, Thu are the 3 days; due at the end of Thursday.
    expectDue(malang, wib("2025-03-03T10:00"), "3wd", utc("2025-03-06T17:00:00Z"));
  });

  it("a Saturday start begins counting on Monday", () => {
    // Sat 1 Mar → Sun does not work → Monday 3 Mar is day 1 → due Tue 4 Mar 00:00 WIB.
    expectDue(malang, wib("2025-03-01T10:00"), "1wd", wib("2025-03-04T00:00"));
  });

  it("a start at exactly 00:00 still does not count its own date", () => {
    // Tue 4 Mar 00:00: the 4th is the date of receipt; Wed 5 is day 1 → due Thu 6 00:00.
    expectDue(malang, wib("2025-03-04T00:00"), "1wd", wib("2025-03-06T00:00"));
    // One ms earlier is still Monday: Tue 4 counts → due Wed 5 00:00.
    expectDue(malang, wib("2025-03-04T00:00") - 1, "1wd", wib("2025-03-05T00:00"));
  });

  it("a start on a holiday", () => {
    // Wed 25 Dec 2024 (Natal); Thu 26 is cuti bersama; Fri 27 is day 1 → due Sat 28 00:00.
    expectDue(malang, wib("2024-12-25T09:00"), "1wd", wib("2024-12-28T00:00"));
  });

  it("fractional working days", () => {
    // 1.5wd = 36 h of budget: Tue (24 h) + half of Wed → Wed 5 Mar 12:00 WIB.
    expectDue(malang, wib("2025-03-03T10:00"), "1.5wd", wib("2025-03-05T12:00"));
    // Half a day that would end on a weekend ends on Monday: Fri start, Sat/Sun empty, Mon 12:00.
    expectDue(malang, wib("2025-03-06T10:00"), "1.5wd", wib("2025-03-10T12:00"));
  });

  it("Idul Fitri 2025: a report received Thu 27 Mar 2025 + 3wd is due Fri 11 Apr 00:00", () => {
    // Fri 28 Mar cuti Nyepi, Sat 29 Nyepi, Sun 30, Mon 31 + Tue 1 Apr Idul Fitri, 2–4 Apr cuti,
    // weekend, Mon 7 Apr cuti → Tue 8, Wed 9, Thu 10 Apr are days 1–3.
    expectDue(malang, wib("2025-03-27T14:00"), "3wd", wib("2025-04-11T00:00"));
    // Nothing of the holidays is counted: at Tue 8 Apr 00:00 no budget has been used yet.
    expect(malang.elapsed(wib("2025-03-27T14:00"), wib("2025-04-08T00:00"), "wd")).to.equal(0);
    expect(malang.elapsed(wib("2025-03-27T14:00"), wib("2025-04-09T06:00"), "wd")).to.equal(1.25);
  });

  it("Idul Fitri 2026: Tue 17 Mar 2026 + 2wd is due Fri 27 Mar 00:00", () => {
    // 18 cuti Nyepi, 19 Nyepi, 20 cuti, 21–22 Idul Fitri (weekend), 23–24 cuti → Wed 25, Thu 26.
    expectDue(malang, wib("2026-03-17T11:00"), "2wd", wib("2026-03-27T00:00"));
  });

  it("year ends: Christmas, cuti bersama 24/26 Dec and New Year", () => {
    // 2024: Wed 25 Natal, Thu 26 cuti → Fri 27, Mon 30 → due Tue 31 Dec 00:00.
    expectDue(malang, wib("2024-12-24T09:00"), "2wd", wib("2024-12-31T00:00"));
    // 2025: Wed 24 works, Thu 25 Natal, Fri 26 cuti, Mon 29, Tue 30 → 3wd due Wed 31 Dec 00:00.
    expectDue(malang, wib("2025-12-23T09:00"), "3wd", wib("2025-12-31T00:00"));
    // ... and 5wd: Wed 31 Dec (4), 1 Jan New Year, Fri 2 Jan 2026 (5) → due Sat 3 Jan 00:00.
    expectDue(malang, wib("2025-12-23T09:00"), "5wd", wib("2026-01-03T00:00"));
    // 2026: Thu 24 cuti, Fri 25 Natal → Mon 28, Tue 29 → due Wed 30 Dec 00:00.
    expectDue(malang, wib("2026-12-23T09:00"), "2wd", wib("2026-12-30T00:00"));
    // 2027 is not covered: weekends only, so Fri 1 Jan 2027 counts → due Sat 2 Jan 00:00.
    expectDue(malang, wib("2026-12-31T09:00"), "1wd", wib("2027-01-02T00:00"));
  });

  it("18 Aug 2025, the cuti bersama added in August 2025", () => {
    // Fri 15 Aug; Sat 16, Sun 17 (Kemerdekaan), Mon 18 cuti → Tue 19 is day 1 → due Wed 20 00:00.
    expectDue(malang, wib("2025-08-15T10:00"), "1wd", wib("2025-08-20T00:00"));
    // With the decree as first published (no 18 Aug) Monday counts: due Tue 19 00:00.
    const before = new BusinessCalendar(
      spec({ holidays: HOLIDAYS_ID.filter((h) => h.date !== "2025-08-18") }),
    );
    expectDue(before, wib("2025-08-15T10:00"), "1wd", wib("2025-08-19T00:00"));
  });

  it("election days 2024", () => {
    // Tue 13 Feb 2024; Wed 14 Pemilu → Thu 15 is day 1 → due Fri 16 Feb 00:00.
    expectDue(malang, wib("2024-02-13T10:00"), "1wd", wib("2024-02-16T00:00"));
    // Tue 26 Nov 2024; Wed 27 Pilkada → Thu 28 is day 1 → due Fri 29 Nov 00:00.
    expectDue(malang, wib("2024-11-26T10:00"), "1wd", wib("2024-11-29T00:00"));
  });

  it("a due date that falls on a holiday is still the end of the last working day", () => {
    // Mon 24 Mar 2025 + 3wd: Tue, Wed, Thu → due Fri 28 Mar 00:00 even though Fri is cuti.
    expectDue(malang, wib("2025-03-24T10:00"), "3wd", wib("2025-03-28T00:00"));
  });

  it("Amsterdam Signals vectors follow Pantau's own day rule instead", () => {
    // Signals keeps the time of day (Fri 12:00 + 1wd = Mon 12:00); Pantau does not count the
    // day of receipt: Fri 19 Feb 2021 → Mon 22 is day 1 → due Tue 23 Feb 00:00 CET.
    const ams = new BusinessCalendar(spec({ zone: "Europe/Amsterdam", holidays: [] }));
    expectDue(ams, at("2021-02-19T12:00", 1), "1wd", at("2021-02-23T00:00", 1));
    // The Saturday case agrees with Signals: Tue 23 Feb 00:00.
    expectDue(ams, at("2021-02-20T12:00", 1), "1wd", at("2021-02-23T00:00", 1));
  });

  it("DST days still supply 24 h of working-day budget", () => {
    // Berlin, every day working. Sun 30 Mar 2025 is 23 h long (CET → CEST at 02:00).
    const berlin = new BusinessCalendar(
      spec({ zone: "Europe/Berlin", workingWeekdays: EVERY_DAY, holidays: [] }),
    );
    // Sat start → Sun 30 Mar is day 1 → due Mon 31 Mar 00:00 CEST (= 22:00Z, 23 h after 23:00Z).
    expectDue(berlin, at("2025-03-29T12:00", 1), "1wd", utc("2025-03-30T22:00:00Z"));
    // Half of that 23 h day is 11.5 real hours.
    expectDue(berlin, at("2025-03-29T12:00", 1), "0.5wd", utc("2025-03-30T10:30:00Z"));
    // Sun 26 Oct 2025 is 25 h long: from 25 Oct 22:00Z to 26 Oct 23:00Z.
    expectDue(berlin, at("2025-10-25T12:00", 2), "1wd", utc("2025-10-26T23:00:00Z"));
    expect(iso(berlin.startOfLocalDate("2025-10-27"))).to.equal("2025-10-26T23:00:00.000Z");
  });
});

describe("calendar/BusinessCalendar: working hours (wh)", () => {
  it("a start before opening begins at 08:00", () => {
    // Mon 3 Mar 2025 06:00 WIB + 2wh → 08:00–10:00.
    expectDue(malang, wib("2025-03-03T06:00"), "2wh", wib("2025-03-03T10:00"));
  });

  it("a start after closing begins at the next opening", () => {
    // Mon 17:00 → Tue 08:00 + 2 h = Tue 10:00.
    expectDue(malang, wib("2025-03-03T17:00"), "2wh", wib("2025-03-04T10:00"));
  });

  it("a weekend start begins on Monday", () => {
    // Sat 1 Mar 12:00 → Mon 3 Mar 08:00 + 3 h = 11:00.
    expectDue(malang, wib("2025-03-01T12:00"), "3wh", wib("2025-03-03T11:00"));
  });

  it("a budget used up exactly at closing is due at closing, not next opening", () => {
    // Mon 14:00 + 2 h = 16:00 sharp (intervals are half-open, closing is the end).
    expectDue(malang, wib("2025-03-03T14:00"), "2wh", wib("2025-03-03T16:00"));
    // A full 8 h day from opening also ends at 16:00 of the same day.
    expectDue(malang, wib("2025-03-03T08:00"), "8wh", wib("2025-03-03T16:00"));
  });

  it("multi-day across Idul Fitri 2025", () => {
    // Thu 27 Mar 13:00 → 3 h that day; 28 Mar–7 Apr closed; Tue 8 Apr 08:00 + 7 h = 15:00.
    expectDue(malang, wib("2025-03-27T13:00"), "10wh", wib("2025-04-08T15:00"));
    expectDue(malang, wib("2025-03-27T13:00"), "1.5wh", wib("2025-03-27T14:30"));
  });

  describe("public vectors (sla-engines.md)", () => {
    const berlinMF = new BusinessCalendar(
      spec({
        zone: "Europe/Berlin",
        workingWeekdays: MON_FRI,
        officeOpenMinute: 9 * 60,
        officeCloseMinute: 17 * 60,
        holidays: [],
      }),
    );
    it("Zammad: Berlin Mon–Fri 09–17", () => {
      // Thu 21 Mar 2013 09:30Z = 10:30 CET, inside office hours: plain addition.
      expectDue(berlinMF, utc("2013-03-21T09:30:00Z"), "1wh", utc("2013-03-21T10:30:00Z"));
      expectDue(berlinMF, utc("2013-03-21T09:30:00Z"), "3wh", utc("2013-03-21T12:30:00Z"));
      expectDue(berlinMF, utc("2013-03-21T09:30:00Z"), "4wh", utc("2013-03-21T13:30:00Z"));
    });

    it("Zammad: Berlin every day 08–17", () => {
      // 05:30Z = 07:30 CEST, before opening: counting starts at 08:00 CEST = 06:00Z.
      const every = new BusinessCalendar(
        spec({
          zone: "Europe/Berlin",
          workingWeekdays: EVERY_DAY,
          officeOpenMinute: 8 * 60,
          officeCloseMinute: 17 * 60,
          holidays: [],
        }),
      );
      expectDue(every, utc("2013-10-21T05:30:00Z"), "2wh", utc("2013-10-21T08:00:00Z"));
      expectDue(every, utc("2013-10-21T05:30:00Z"), "3wh", utc("2013-10-21T09:00:00Z"));
      expectDue(every, utc("2013-10-21T05:30:00Z"), "4wh", utc("2013-10-21T10:00:00Z"));
    });

    it("Zammad: Berlin every day 08–17 with 22 Sep 2015 a holiday", () => {
      // 14:30Z = 16:30 CEST: 30 min that day, the 22nd is skipped, the rest from 23 Sep 06:00Z.
      const every = new BusinessCalendar(
        spec({
          zone: "Europe/Berlin",
          workingWeekdays: EVERY_DAY,
          officeOpenMinute: 8 * 60,
          officeCloseMinute: 17 * 60,
          holidays: [{ date: "2015-09-22", name: "test", kind: "special" }],
        }),
      );
      expectDue(every, utc("2015-09-21T14:30:00Z"), "2wh", utc("2015-09-23T07:30:00Z"));
      expectDue(every, utc("2015-09-21T14:30:00Z"), "3wh", utc("2015-09-23T08:30:00Z"));
      expectDue(every, utc("2015-09-21T14:30:00Z"), "4wh", utc("2015-09-23T09:30:00Z"));
    });

    it("Zammad: Berlin every day 09–18 with pauses", () => {
      const every = new BusinessCalendar(
        spec({
          zone: "Europe/Berlin",
          workingWeekdays: EVERY_DAY,
          officeOpenMinute: 9 * 60,
          officeCloseMinute: 18 * 60,
          holidays: [],
        }),
      );
      // 09:00–10:00Z counts, 10:00–15:00Z paused, 15:00–16:00Z counts → 16:00Z.
      expectDue(every, utc("2013-06-04T09:00:00Z"), "2wh", utc("2013-06-04T16:00:00Z"), [
        { start: utc("2013-06-04T10:00:00Z"), end: utc("2013-06-04T15:00:00Z") },
      ]);
      // 45 min of pauses push 11:00Z to 11:45Z.
      expectDue(every, utc("2013-06-04T09:00:00Z"), "2wh", utc("2013-06-04T11:45:00Z"), [
        { start: utc("2013-06-04T09:30:00Z"), end: utc("2013-06-04T09:45:00Z") },
        { start: utc("2013-06-04T10:00:00Z"), end: utc("2013-06-04T10:30:00Z") },
      ]);
    });

    // zendesk/biz (different hours per weekday) cannot be expressed by CalendarSpec, which has a
    // single office window for all working weekdays: skipped on purpose.

    it("RT: time zones (New York and Moscow, Mon–Fri 09–18)", () => {
      // 22:00Z on Mon 1 Jan 2007 = 17:00 EST: 1 h that day, 1 h from Tue 09:00 EST = 15:00Z.
      const ny = new BusinessCalendar(
        spec({
          zone: "America/New_York",
          officeOpenMinute: 9 * 60,
          officeCloseMinute: 18 * 60,
          holidays: [],
        }),
      );
      expectDue(ny, utc("2007-01-01T22:00:00Z"), "2wh", utc("2007-01-02T15:00:00Z"));
      // Same instant = Tue 01:00 MSK (UTC+3): 09:00–11:00 MSK = 06:00–08:00Z.
      const msk = new BusinessCalendar(
        spec({
          zone: "Europe/Moscow",
          officeOpenMinute: 9 * 60,
          officeCloseMinute: 18 * 60,
          holidays: [],
        }),
      );
      expectDue(msk, utc("2007-01-01T22:00:00Z"), "2wh", utc("2007-01-02T08:00:00Z"));
    });

    it("RT: Sunday-only 09–17 UTC", () => {
      // Mon 1 Jan 2007 → the first Sunday is 7 Jan: 09:00 + 1 h.
      const sun = new BusinessCalendar(
        spec({
          zone: "UTC",
          workingWeekdays: [7],
          officeOpenMinute: 9 * 60,
          officeCloseMinute: 17 * 60,
          holidays: [],
        }),
      );
      expectDue(sun, utc("2007-01-01T00:00:00Z"), "1wh", utc("2007-01-07T10:00:00Z"));
    });
  });

  it("office hours on a DST transition day are real elapsed hours", () => {
    // New York, every day 01:00–04:00. Sun 9 Mar 2025 jumps 02:00 EST → 03:00 EDT, so the window
    // 01:00 EST (06:00Z) – 04:00 EDT (08:00Z) holds only 2 h; the 3rd hour is Mon 01:00–02:00 EDT.
    const ny = new BusinessCalendar(
      spec({
        zone: "America/New_York",
        workingWeekdays: EVERY_DAY,
        officeOpenMinute: 60,
        officeCloseMinute: 240,
        holidays: [],
      }),
    );
    expectDue(ny, at("2025-03-09T00:00", -5), "3wh", utc("2025-03-10T06:00:00Z"));
  });
});

describe("calendar/BusinessCalendar: calendar days (d)", () => {
  it("counts from 00:00 of the next day, all days", () => {
    // Mon 3 Mar 2025 10:00 + 14d: counting from Tue 4 Mar 00:00 → due Tue 18 Mar 00:00 WIB.
    expectDue(malang, wib("2025-03-03T10:00"), "14d", wib("2025-03-18T00:00"));
  });

  it("across year end (holidays count as days)", () => {
    // Sat 20 Dec 2025 → 21 Dec 00:00 + 14 days = 4 Jan 2026 00:00, Natal and New Year included.
    expectDue(malang, wib("2025-12-20T15:00"), "14d", wib("2026-01-04T00:00"));
  });

  it("across a leap-year month end", () => {
    // 27 Feb 2024 → 28, 29 Feb, 1 Mar → due 2 Mar 00:00.
    expectDue(malang, wib("2024-02-27T23:59"), "3d", wib("2024-03-02T00:00"));
  });
});

describe("calendar/BusinessCalendar: pauses", () => {
  const start = wib("2025-03-03T10:00"); // Mon; 3wd due Fri 7 Mar 00:00 without pauses

  it("inside one day", () => {
    // Tue 09:00–13:00 = 4 h of working-day budget → due Fri 04:00.
    expectDue(malang, start, "3wd", wib("2025-03-07T04:00"), [
      { start: wib("2025-03-04T09:00"), end: wib("2025-03-04T13:00") },
    ]);
  });

  it("straddling midnight neither loses nor gains time", () => {
    // Tue 20:00 → Wed 04:00 = 4 h + 4 h → due Fri 08:00.
    expectDue(malang, start, "3wd", wib("2025-03-07T08:00"), [
      { start: wib("2025-03-04T20:00"), end: wib("2025-03-05T04:00") },
    ]);
  });

  it("straddling a holiday only removes the working time it covers", () => {
    // Thu 27 Mar 2025 + 3wd (due Fri 11 Apr 00:00); pause Fri 28 Mar 12:00 → Tue 8 Apr 06:00
    // covers only Tue 8 Apr 00:00–06:00 of budget → due Fri 11 Apr 06:00.
    expectDue(malang, wib("2025-03-27T14:00"), "3wd", wib("2025-04-11T06:00"), [
      { start: wib("2025-03-28T12:00"), end: wib("2025-04-08T06:00") },
    ]);
  });

  it("across a weekend", () => {
    // 5wd from Mon 3 Mar: Tue–Fri + Mon 10 → due Tue 11 00:00. Pause Fri 18:00 → Mon 02:00
    // removes Fri 18–24 (6 h) + Mon 0–2 (2 h) = 8 h → due Tue 11 Mar 08:00.
    expectDue(malang, start, "5wd", wib("2025-03-11T08:00"), [
      { start: wib("2025-03-07T18:00"), end: wib("2025-03-10T02:00") },
    ]);
  });

  it("overlapping, touching and unsorted pauses are merged", () => {
    // Union of 10–14, 09–12 and 14–15 on Tue is 09:00–15:00 = 6 h → due Fri 06:00.
    expectDue(malang, start, "3wd", wib("2025-03-07T06:00"), [
      { start: wib("2025-03-04T10:00"), end: wib("2025-03-04T14:00") },
      { start: wib("2025-03-04T09:00"), end: wib("2025-03-04T12:00") },
      { start: wib("2025-03-04T14:00"), end: wib("2025-03-04T15:00") },
      { start: wib("2025-03-04T11:00"), end: wib("2025-03-04T11:00") }, // empty
    ]);
  });

  it("an open pause makes the clock due never (Infinity) unless the budget ran out first", () => {
    // Reporter asked for data on Wed 12:00 and has not answered: only 1.5 of 3 days used.
    expect(
      malang.dueAt(start, D("3wd"), [{ start: wib("2025-03-05T12:00"), end: Infinity }]),
    ).to.equal(Infinity);
    // A pause opened exactly when the budget runs out (Fri 00:00) does not hold it.
    expectDue(malang, start, "3wd", wib("2025-03-07T00:00"), [
      { start: wib("2025-03-07T00:00"), end: Infinity },
    ]);
    // Elapsed time stops growing while the open pause lasts.
    const p = [{ start: wib("2025-03-05T12:00"), end: Infinity }];
    expect(malang.elapsed(start, wib("2025-04-30T00:00"), "wd", p)).to.equal(1.5);
  });

  it("a pause that starts before the start is clipped to the effective start", () => {
    // Sun 2 Mar 10:00 → Tue 4 Mar 06:00: only Tue 00:00–06:00 is inside the counted time.
    expectDue(malang, start, "3wd", wib("2025-03-07T06:00"), [
      { start: wib("2025-03-02T10:00"), end: wib("2025-03-04T06:00") },
    ]);
    // A pause that ended before counting began has no effect.
    expectDue(malang, start, "3wd", wib("2025-03-07T00:00"), [
      { start: wib("2025-03-03T11:00"), end: wib("2025-03-03T23:00") },
    ]);
  });

  it("wh pauses over a lunch break", () => {
    // Mon 08:00 + 8wh with 12:00–13:00 paused → 17:00 is after closing → Tue 09:00.
    expectDue(malang, wib("2025-03-03T08:00"), "8wh", wib("2025-03-04T09:00"), [
      { start: wib("2025-03-03T12:00"), end: wib("2025-03-03T13:00") },
    ]);
  });
});

describe("calendar/BusinessCalendar: elapsed", () => {
  it("is 0 before the effective start and for end <= start", () => {
    const s = wib("2025-03-03T10:00");
    // wd counts nothing on the date of receipt.
    expect(malang.elapsedMs(s, wib("2025-03-03T23:59"), "wd")).to.equal(0);
    expect(malang.elapsedMs(s, s - 1000, "wd")).to.equal(0);
    expect(malang.elapsedMs(s, s, "wh")).to.equal(0);
    // wh counts from the start itself: 10:00–12:00 = 2 h.
    expect(malang.elapsed(s, wib("2025-03-03T12:00"), "wh")).to.equal(2);
    // d: Tue 4 Mar 00:00 → Sat 8 Mar 12:00 = 4.5 days (weekend counts).
    expect(malang.elapsed(s, wib("2025-03-08T12:00"), "d")).to.equal(4.5);
    // wd over the same span: Tue–Fri = 4 working days, Saturday adds nothing.
    expect(malang.elapsed(s, wib("2025-03-08T12:00"), "wd")).to.equal(4);
  });
});

describe("calendar/BusinessCalendar: zones", () => {
  it("the same local input in WIB, WITA and WIT gives instants 1 h apart", () => {
    // Mon 3 Mar 2025 10:00 local + 3wd is Fri 7 Mar 00:00 local in each zone.
    const due = (zone: string, off: number): number =>
      new BusinessCalendar(spec({ zone })).dueAt(at("2025-03-03T10:00", off), D("3wd"));
    const jkt = due("Asia/Jakarta", 7);
    const mks = due("Asia/Makassar", 8);
    const jyp = due("Asia/Jayapura", 9);
    expect(iso(jkt)).to.equal("2025-03-06T17:00:00.000Z");
    expect(jkt - mks).to.equal(3_600_000);
    expect(mks - jyp).to.equal(3_600_000);
  });

  it("holidays are local dates of the calendar's zone", () => {
    // 2025-03-30T16:30Z is Sun 30 Mar 23:30 WIB but Mon 31 Mar 01:30 WIT (Idul Fitri).
    const t = utc("2025-03-30T16:30:00Z");
    const jyp = new BusinessCalendar(spec({ zone: "Asia/Jayapura" }));
    expect(malang.localDate(t)).to.equal("2025-03-30");
    expect(jyp.localDate(t)).to.equal("2025-03-31");
    expect(jyp.holidayOn(jyp.localDate(t))?.name).to.match(/Idul Fitri/);
    // Idul Fitri in Jayapura starts at 31 Mar 00:00 WIT = 30 Mar 15:00Z: in wh nothing counts
    // from then until Tue 8 Apr 08:00 WIT.
    expect(jyp.elapsedMs(utc("2025-03-30T15:00:00Z"), at("2025-04-08T08:00", 9), "wh")).to.equal(0);
  });
});

describe("calendar/BusinessCalendar: errors", () => {
  it("rejects unknown zones and bad office hours", () => {
    expect(() => new BusinessCalendar(spec({ zone: "Asia/Malang" }))).to.throw(
      /tidak dikenal.*unknown time zone/,
    );
    expect(() => new BusinessCalendar(spec({ zone: "" }))).to.throw(RangeError);
    expect(
      () => new BusinessCalendar(spec({ officeOpenMinute: 960, officeCloseMinute: 480 })),
    ).to.throw(/office hours/);
    expect(() => new BusinessCalendar(spec({ officeOpenMinute: -1 }))).to.throw(RangeError);
    expect(() => new BusinessCalendar(spec({ officeCloseMinute: 1441 }))).to.throw(RangeError);
    expect(() => new BusinessCalendar(spec({ workingWeekdays: [] }))).to.throw(
      /no working weekday/,
    );
    expect(
      () =>
        new BusinessCalendar(
          spec({ holidays: [{ date: "2025-02-30", name: "x", kind: "special" }] }),
        ),
    ).to.throw(/invalid local date/);
    // 0–1440 (a whole day) is allowed.
    expect(
      () => new BusinessCalendar(spec({ officeOpenMinute: 0, officeCloseMinute: 1440 })),
    ).not.to.throw();
  });

  it("rejects bad durations and instants", () => {
    expect(() => malang.dueAt(wib("2025-03-03T10:00"), { amount: -1, unit: "wd" })).to.throw(
      /invalid duration amount/,
    );
    expect(() => malang.dueAt(wib("2025-03-03T10:00"), { amount: NaN, unit: "wd" })).to.throw(
      /invalid duration amount/,
    );
    expect(() =>
      malang.dueAt(wib("2025-03-03T10:00"), { amount: 1, unit: "x" as unknown as "wd" }),
    ).to.throw(/unknown duration unit/);
    expect(() => malang.dueAt(NaN, D("1wd"))).to.throw(/invalid instant/);
    expect(() => malang.localDate(NaN)).to.throw(/invalid instant/);
    expect(() => malang.startOfLocalDate("3 Mar 2025")).to.throw(/invalid local date/);
  });
});
