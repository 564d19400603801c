import { expect } from "chai";
import {
  formatBusinessAmount,
  formatDurationText,
  formatIsoLocal,
  formatLocal,
  formatLocalDate,
  formatNumber,
  zoneAbbreviation,
} from "../../../src/core/format/index.js";
import { HOUR, WD, wib } from "./fixtures.js";

describe("format/local", () => {
  const t = wib("2025-03-03T10:12");

  it("formats a local date and time in Indonesian and English", () => {
    expect(formatLocal(t, "Asia/Jakarta", "id")).to.equal("Senin, 3 Maret 2025 10:12 WIB");
    expect(formatLocal(t, "Asia/Jakarta", "en")).to.equal("Monday, 3 March 2025 10:12 WIB");
    expect(formatLocal(wib("2025-08-17T00:05"), "Asia/Jakarta", "id")).to.equal(
      "Minggu, 17 Agustus 2025 00:05 WIB",
    );
    expect(formatLocal(t, "Asia/Jayapura", "id")).to.equal("Senin, 3 Maret 2025 12:12 WIT");
    expect(formatLocalDate("2025-03-28", "id")).to.equal("Jumat, 28 Maret 2025");
    expect(formatLocalDate("2025-12-27", "en")).to.equal("Saturday, 27 December 2025");
  });

  it("names Indonesian zones WIB, WITA, WIT and others by Luxon's short offset name", () => {
    expect(zoneAbbreviation("Asia/Jakarta", t)).to.equal("WIB");
    expect(zoneAbbreviation("Asia/Pontianak", t)).to.equal("WIB");
    expect(zoneAbbreviation("Asia/Makassar", t)).to.equal("WITA");
    expect(zoneAbbreviation("Asia/Jayapura", t)).to.equal("WIT");
    expect(zoneAbbreviation("Europe/Berlin", t)).to.match(/^(CET|GMT\+1)$/);
    expect(zoneAbbreviation("UTC", t)).to.match(/^(UTC|GMT)$/);
  });

  it("gives ISO 8601 with the local offset", () => {
    expect(formatIsoLocal(wib("2025-03-07T00:00"), "Asia/Jakarta")).to.equal(
      "2025-03-07T00:00:00+07:00",
    );
    expect(formatIsoLocal(wib("2025-03-07T00:00"), "Asia/Makassar")).to.equal(
      "2025-03-07T01:00:00+08:00",
    );
    expect(formatIsoLocal(wib("2025-03-07T00:00") + 5, "Asia/Jakarta")).to.equal(
      "2025-03-07T00:00:00.005+07:00",
    );
    expect(() => formatIsoLocal(0, "Mars/Olympus")).to.throw();
  });
});

describe("format/amount", () => {
  it("formats business amounts with a decimal comma in Indonesian", () => {
    expect(formatBusinessAmount(2.5 * WD, "wd", "id")).to.equal("2,5 hari kerja");
    expect(formatBusinessAmount(2.5 * WD, "wd", "en")).to.equal("2.5 working days");
    expect(formatBusinessAmount(WD, "wd", "en")).to.equal("1 working day");
    expect(formatBusinessAmount(0, "wd", "en")).to.equal("0 working days");
    expect(formatBusinessAmount(1.5 * HOUR, "wh", "id")).to.equal("1,5 jam kerja");
    expect(formatBusinessAmount(3 * WD, "d", "id")).to.equal("3 hari");
    expect(formatBusinessAmount(WD / 3, "wd", "id")).to.equal("0,33 hari kerja");
    expect(formatDurationText({ amount: 17, unit: "wd" }, "en")).to.equal("17 working days");
    expect(formatNumber(-0.0001, "id")).to.equal("0");
  });
});
