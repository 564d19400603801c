import { expect } from "chai";
import {
  DurationError,
  formatDuration,
  parseDuration,
  unitMs,
} from "../../../src/core/calendar/index.js";

describe("calendar/duration", () => {
  it("parses the three units, fractions, case and spaces", () => {
    // The SOP tables write targets as "3wd", "2wh", "14d"; 1.5wd is allowed by the issue.
    expect(parseDuration("3wd")).to.deep.equal({ amount: 3, unit: "wd" });
    expect(parseDuration("2wh")).to.deep.equal({ amount: 2, unit: "wh" });
    expect(parseDuration("14d")).to.deep.equal({ amount: 14, unit: "d" });
    expect(parseDuration("1.5wd")).to.deep.equal({ amount: 1.5, unit: "wd" });
    expect(parseDuration(" 10 WD ")).to.deep.equal({ amount: 10, unit: "wd" });
  });

  it("formats back to the canonical text", () => {
    // Round trip is what config files and reports show.
    for (const t of ["3wd", "2wh", "14d", "1.5wd", "0.25wh"]) {
      expect(formatDuration(parseDuration(t))).to.equal(t);
    }
  });

  it("rejects bad input with an Indonesian-then-English message", () => {
    // Unknown unit, missing amount, zero, negative, non-finite, empty: all must be refused.
    for (const bad of [
      "3x",
      "wd",
      "0wd",
      "-1wd",
      "Infinitywd",
      "",
      "3",
      "1e3wd",
      "3 w d",
      "NaNd",
    ]) {
      expect(() => parseDuration(bad), bad).to.throw(DurationError);
    }
    expect(() => parseDuration("3x")).to.throw(
      /^Durasi "3x" tidak valid: gunakan angka diikuti wd, wh atau d \(contoh 3wd\) \/ invalid duration/,
    );
    expect(() => parseDuration("0wd")).to.throw(/lebih dari 0.*greater than 0/);
  });

  it("gives the unit lengths", () => {
    // A working day and a calendar day are 24 h of budget, a working hour 1 h.
    expect(unitMs("wd")).to.equal(86_400_000);
    expect(unitMs("d")).to.equal(86_400_000);
    expect(unitMs("wh")).to.equal(3_600_000);
  });
});
