// Cell value parsers: dates, tracking IDs, channels, types, complexity, yes/no.
import { expect } from "chai";
import {
  loadImportAliases,
  parseBoolean,
  parseChannel,
  parseComplexity,
  parseDate,
  parseReportType,
  parseTrackingId,
  type Parsed,
} from "../../src/ingest/index.js";
import type { CellValue } from "../../src/ingest/cells.js";
import { wib } from "./helpers.js";

const JKT = "Asia/Jakarta";

function value<T>(p: Parsed<T>): T {
  if (!p.ok) throw new Error(`expected a value, got: ${p.reason.en}`);
  return p.value;
}
function reason<T>(p: Parsed<T>): string {
  if (p.ok) throw new Error(`expected a rejection, got ${JSON.stringify(p.value)}`);
  expect(p.reason.id).to.be.a("string").and.not.equal("");
  return p.reason.en;
}

describe("ingest: dates", () => {
  const cases: [CellValue, number][] = [
    ["2024-07-09", wib(2024, 7, 9)],
    ["2024-07-09T14:03", wib(2024, 7, 9, 14, 3)],
    ["2024-07-09 14:03:27", wib(2024, 7, 9, 14, 3, 27)],
    ["2024-07-09T14:03:27.500", wib(2024, 7, 9, 14, 3, 27) + 500],
    ["2024-07-09T07:03:00Z", wib(2024, 7, 9, 14, 3)],
    ["2024-07-09T14:03:00+07:00", wib(2024, 7, 9, 14, 3)],
    ["2024-07-09T15:03:00+0800", wib(2024, 7, 9, 14, 3)],
    ["2024/07/09", wib(2024, 7, 9)],
    ["09/07/2024", wib(2024, 7, 9)],
    ["9/7/2024", wib(2024, 7, 9)],
    ["09/07/2024 14:03", wib(2024, 7, 9, 14, 3)],
    ["09/07/2024 14.03", wib(2024, 7, 9, 14, 3)],
    ["09/07/2024 14:03:27", wib(2024, 7, 9, 14, 3, 27)],
    ["09-07-2024", wib(2024, 7, 9)],
    ["09-07-2024 14.03.27", wib(2024, 7, 9, 14, 3, 27)],
    ["09.07.2024", wib(2024, 7, 9)],
    ["9 Juli 2024 14.03", wib(2024, 7, 9, 14, 3)],
    ["09 Jul 2024", wib(2024, 7, 9)],
    ["9 Agustus 2024", wib(2024, 8, 9)],
    ["9 Agt 2024", wib(2024, 8, 9)],
    ["9 Ags 2024", wib(2024, 8, 9)],
    ["1 Mei 2025", wib(2025, 5, 1)],
    ["17 Okt 2025", wib(2025, 10, 17)],
    ["24 Des 2025 08:00", wib(2025, 12, 24, 8)],
    ["3 Pebruari 2025", wib(2025, 2, 3)],
    ["03-Mar-2025", wib(2025, 3, 3)],
    ["Selasa, 9 Juli 2024 pukul 14.03", wib(2024, 7, 9, 14, 3)],
    ["Jum'at, 12 Juli 2024", wib(2024, 7, 12)],
    ["9 Juli 2024 14.03 WIB", wib(2024, 7, 9, 14, 3)],
    ["9 Juli 2024 15.03 WITA", wib(2024, 7, 9, 14, 3)],
    ["9 Juli 2024 16.03 WIT", wib(2024, 7, 9, 14, 3)],
    ["9 July 2024", wib(2024, 7, 9)],
    ["July 9, 2024 2:03 PM", wib(2024, 7, 9, 14, 3)],
    ["Oct 17, 2025", wib(2025, 10, 17)],
    ["  09/07/2024   14:03 ", wib(2024, 7, 9, 14, 3)],
    // Excel serial numbers (1900 system): 45482 = 2024-07-09, .5 = noon.
    [45482, wib(2024, 7, 9)],
    [45482.5, wib(2024, 7, 9, 12)],
    [45482 + (14 * 60 + 3) / 1440, wib(2024, 7, 9, 14, 3)],
    ["45482.5", wib(2024, 7, 9, 12)],
    // exceljs date cells: UTC fields carry the wall time.
    [new Date(Date.UTC(2024, 6, 9, 14, 3)), wib(2024, 7, 9, 14, 3)],
    [new Date(Date.UTC(2024, 6, 9, 14, 2, 59, 999)), wib(2024, 7, 9, 14, 3)],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${JSON.stringify(input)}`, () => {
      expect(value(parseDate(input, JKT))).to.equal(expected);
    });
  }

  it("reads wall times around a daylight-saving change exactly (per-day offset cache)", () => {
    const berlin = "Europe/Berlin";
    // 31 March 2024: 02:00 CET jumps to 03:00 CEST.
    expect(value(parseDate("30/03/2024 12:00", berlin))).to.equal(Date.UTC(2024, 2, 30, 11, 0));
    expect(value(parseDate("31/03/2024 01:30", berlin))).to.equal(Date.UTC(2024, 2, 31, 0, 30));
    expect(value(parseDate("31/03/2024 03:30", berlin))).to.equal(Date.UTC(2024, 2, 31, 1, 30));
    expect(value(parseDate("01/04/2024 12:00", berlin))).to.equal(Date.UTC(2024, 3, 1, 10, 0));
    const gap = parseDate("31/03/2024 02:30", berlin);
    expect(gap.ok).to.equal(false);
    // 27 October 2024 back to CET: the days either side keep their own offsets.
    expect(value(parseDate("26/10/2024 23:59", berlin))).to.equal(Date.UTC(2024, 9, 26, 21, 59));
    expect(value(parseDate("27/10/2024 12:00", berlin))).to.equal(Date.UTC(2024, 9, 27, 11, 0));
  });

  it("reads local time in the zone it is given", () => {
    expect(value(parseDate("09/07/2024 14:03", "Asia/Jayapura"))).to.equal(
      Date.UTC(2024, 6, 9, 5, 3),
    );
    expect(value(parseDate(new Date(Date.UTC(2024, 6, 9, 14, 3)), "Asia/Makassar"))).to.equal(
      Date.UTC(2024, 6, 9, 6, 3),
    );
    // An explicit offset wins over the zone.
    expect(value(parseDate("2024-07-09T14:03+07:00", "Asia/Jayapura"))).to.equal(
      wib(2024, 7, 9, 14, 3),
    );
  });

  it("counts Excel serials from 30 Dec 1899 (after the fictitious 29 Feb 1900)", () => {
    expect(value(parseDate(36526, JKT))).to.equal(wib(2000, 1, 1));
    expect(value(parseDate(45351, JKT))).to.equal(wib(2024, 2, 29));
    expect(value(parseDate(73051.999988426, JKT))).to.equal(wib(2100, 1, 1, 23, 59, 59));
  });

  const rejected: [CellValue, RegExp][] = [
    ["31/02/2025", /impossible.*28 days/],
    ["29/02/2025", /28 days/],
    ["30 Februari 2024", /29 days/],
    ["2025-13-01", /month 13/],
    ["09/07/2024 25:00", /00:00–23:59/],
    ["09/07/2024 14:60", /00:00–23:59/],
    ["09/07/2024 24:00", /00:00–23:59/],
    ["03/04/24", /ambiguous: two-digit year/],
    ["9 Juli 24", /ambiguous: two-digit year/],
    ["9 Juli 202", /four digits/],
    ["9 Jly 2024", /unknown month name/],
    ["Rabu, 9 Juli 2024", /weekday does not match/],
    ["kemarin", /not recognised/],
    ["20240709", /not recognised/],
    ["=TODAY()", /looks like a formula/],
    ["+2024-07-09", /looks like a formula/],
    ["@2024-07-09", /looks like a formula/],
    ["-45482", /looks like a formula/],
    ["", /empty/],
    [null, /empty/],
    [true, /invalid date/],
    [60, /29 February 1900/],
    [0, /not a valid Excel date serial/],
    [-3, /not a valid Excel date serial/],
    [5, /plausible range/],
    [2007157, /plausible range/],
    ["1999-12-31", /plausible range/],
    [new Date(Number.NaN), /invalid date/],
    [{ problem: "formula_without_result", detail: "TODAY()" }, /formula without a stored result/],
    [{ problem: "error_value", detail: "#VALUE!" }, /#VALUE!/],
    ["9/7/2024 13:00 PM", /AM\/PM hour/],
  ];
  for (const [input, why] of rejected) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(reason(parseDate(input, JKT))).to.match(why);
    });
  }
});

describe("ingest: tracking IDs", () => {
  const good: [CellValue, string][] = [
    ["2007157", "2007157"],
    [" 2007 157 ", "2007157"],
    ["2\u00a0007\u00a0157", "2007157"],
    [2007157, "2007157"],
    ["'2007157", "2007157"],
    ["00123", "00123"],
    ["12345678901234567890", "12345678901234567890"],
  ];
  for (const [input, expected] of good)
    it(`accepts ${JSON.stringify(input)}`, () => {
      expect(value(parseTrackingId(input))).to.equal(expected);
    });

  const bad: [CellValue, RegExp][] = [
    ["12a", /digits only/],
    ["-5", /digits only \(starts with -\)/],
    [-5, /positive whole number/],
    [2007157.5, /positive whole number/],
    ["123456789012345678901", /at most 20 digits/],
    ["2.00716E+06", /scientific notation/],
    ["2,007157e6", /scientific notation/],
    [1e20, /too large for a number cell/],
    ["=2007157", /digits only \(starts with =\)/],
    ["+2007157", /digits only/],
    ["@2007157", /digits only/],
    ["", /empty/],
    [null, /invalid tracking ID/],
    [true, /invalid tracking ID/],
    [{ problem: "formula_without_result", detail: "A1+1" }, /formula/],
  ];
  for (const [input, why] of bad)
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(reason(parseTrackingId(input))).to.match(why);
    });
});

describe("ingest: channels, types, complexity, yes/no", () => {
  const aliases = loadImportAliases();
  const channels: [string, string | null][] = [
    ["WA", "whatsapp"],
    ["WhatsApp", "whatsapp"],
    ["IG", "social_media"],
    ["Instagram", "social_media"],
    ["FB", "social_media"],
    ["Facebook", "social_media"],
    ["Twitter", "social_media"],
    ["X", "social_media"],
    ["medsos", "social_media"],
    ["Media Sosial", "social_media"],
    ["Call Center 112", "call_center_112"],
    ["112", "call_center_112"],
    ["SMS 1708", "sms_1708"],
    ["1708", "sms_1708"],
    ["SMS", "sms_1708"],
    ["web", "website"],
    ["Website", "website"],
    ["situs", "website"],
    ["LAPOR! web", "lapor_web"],
    ["lapor.go.id", "lapor_web"],
    ["mobile app", "lapor_app"],
    ["Aplikasi", "lapor_app"],
    ["Android", "lapor_app"],
    ["iOS", "lapor_app"],
    ["email", "email"],
    ["E-mail", "email"],
    ["surel", "email"],
    ["Datang Langsung", "walk_in"],
    ["walk-in", "walk_in"],
    ["", null],
    ["-", null],
  ];
  for (const [input, expected] of channels)
    it(`channel ${JSON.stringify(input)} → ${String(expected)}`, () => {
      expect(value(parseChannel(input, aliases.channel))).to.equal(expected);
    });

  it("rejects an unknown channel listing the accepted values", () => {
    const why = reason(parseChannel("merpati pos", aliases.channel));
    expect(why).to.include('unknown channel "merpati pos"');
    expect(why).to.include("whatsapp").and.include("call_center_112").and.include("walk_in");
  });

  it("reads report types in Indonesian and English", () => {
    const t = (s: string) => value(parseReportType(s, aliases.type));
    expect(t("Pengaduan")).to.equal("pengaduan");
    expect(t("ASPIRASI")).to.equal("aspirasi");
    expect(t("Permintaan Informasi")).to.equal("permintaan_informasi");
    expect(t("informasi")).to.equal("permintaan_informasi");
    expect(t("Information request")).to.equal("permintaan_informasi");
    expect(t("complaint")).to.equal("pengaduan");
    expect(t("")).to.equal("pengaduan");
    expect(reason(parseReportType("whistleblowing", aliases.type))).to.include("classification");
  });

  it("reads complexity; empty is unknown", () => {
    const c = (s: string) => value(parseComplexity(s, aliases.complexity));
    expect(c("Ringan")).to.equal("ringan");
    expect(c("normatif")).to.equal("normatif");
    expect(c("Tidak Berkadar Pengawasan")).to.equal("tidak_berkadar_pengawasan");
    expect(c("berkadar pengawasan")).to.equal("berkadar_pengawasan");
    expect(c("berkadar_pengawasan")).to.equal("berkadar_pengawasan");
    expect(c("")).to.equal("unknown");
    expect(reason(parseComplexity("sedang", aliases.complexity))).to.include("complexity");
  });

  it("reads yes/no values; empty is no", () => {
    const b = (v: CellValue) => value(parseBoolean(v, aliases.boolean));
    for (const yes of ["ya", "Y", "yes", "TRUE", "1", "✓", "✔"]) expect(b(yes), yes).to.equal(true);
    for (const no of ["tidak", "t", "no", "false", "0", ""]) expect(b(no), no).to.equal(false);
    expect(b(true)).to.equal(true);
    expect(b(1)).to.equal(true);
    expect(b(0)).to.equal(false);
    expect(b(null)).to.equal(false);
    expect(reason(parseBoolean("mungkin", aliases.boolean))).to.include("yes/no");
  });
});
