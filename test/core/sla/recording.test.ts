// The recording rules (core/sla/recording.ts) on the Malang calendar: a milestone may be
// recorded until the end of the next working day (holidays and weekends do not count), never
// dated beyond the clock skew, and a party that may backdate is exempt from the first rule only.
import { expect } from "chai";
import { BusinessCalendar } from "../../../src/core/calendar/index.js";
import { checkRecording, type RecordingPolicy } from "../../../src/core/sla/recording.js";
import { SPEC, wib } from "./fixtures.js";

const calendar = new BusinessCalendar(SPEC);
const policy: RecordingPolicy = {
  backdateTolerance: { amount: 1, unit: "wd" },
  clockSkewMs: 5 * 60_000,
};

describe("recording rules", () => {
  it("a Friday milestone may be recorded on Monday, not on Tuesday", () => {
    const friday = wib("2025-07-18T15:00");
    expect(checkRecording(friday, wib("2025-07-21T23:59"), calendar, policy, false)).to.equal(null);
    expect(checkRecording(friday, wib("2025-07-22T00:01"), calendar, policy, false)).to.deep.equal({
      kind: "backdated",
      deadline: wib("2025-07-22T00:00"),
    });
  });

  it("holidays stretch the tolerance (Nyepi and Idul Fitri 2025 with their cuti bersama)", () => {
    // Thursday 27 March 2025; the next working day is Tuesday 8 April.
    const thursday = wib("2025-03-27T10:00");
    expect(checkRecording(thursday, wib("2025-04-08T12:00"), calendar, policy, false)).to.equal(
      null,
    );
    expect(
      checkRecording(thursday, wib("2025-04-09T00:01"), calendar, policy, false)?.kind,
    ).to.equal("backdated");
  });

  it("a party that may backdate may record an old milestone, but nothing in the future", () => {
    const old = wib("2025-01-06T09:00");
    const now = wib("2025-07-25T10:00");
    expect(checkRecording(old, now, calendar, policy, true)).to.equal(null);
    expect(checkRecording(old, now, calendar, policy, false)?.kind).to.equal("backdated");
    expect(checkRecording(now + 4 * 60_000, now, calendar, policy, true)).to.equal(null);
    expect(checkRecording(now + 6 * 60_000, now, calendar, policy, true)).to.deep.equal({
      kind: "future",
      latest: now + 5 * 60_000,
    });
    expect(checkRecording(wib("2099-01-01T00:00"), now, calendar, policy, false)?.kind).to.equal(
      "future",
    );
  });
});
