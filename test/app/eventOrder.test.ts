// The importer's notion of who owns a report follows time, not row order: an earlier disposition
// that arrives after a later one (an event log out of order, an API batch) must not move the
// report away from the agency its open clock runs for.
import { expect } from "chai";
import { planEvent } from "../../src/app/importService.js";
import { deriveClocks } from "../../src/core/sla/clocks.js";
import type { Report, ReportEvent } from "../../src/core/types.js";
import { testConfig, wib } from "../helpers/app.js";
import { CalendarDirectory } from "../../src/context/appContext.js";

const report: Report = {
  trackingId: "5300090",
  opd: "dishub",
  type: "pengaduan",
  complexity: "normatif",
  category: null,
  channel: "lapor_web",
  anonymous: false,
  confidential: false,
  contactComplete: true,
  receivedAt: wib("2025-11-17T08:00"),
};

describe("importer: dispositions out of row order", () => {
  it("the report stays with the latest disposition in time, the one its open clock runs for", () => {
    const events: ReportEvent[] = [
      { kind: "received", at: wib("2025-11-17T08:00"), opd: null },
      { kind: "disposed", at: wib("2025-11-18T09:00"), opd: "dishub" },
      { kind: "redisposed", at: wib("2025-11-21T09:00"), opd: "dishub" },
    ];
    const late = { kind: "redisposed" as const, at: wib("2025-11-20T09:00"), opd: "dinsos" };
    const plan = planEvent(2, { trackingId: report.trackingId, ...late }, { report, events });
    if ("reason" in plan) throw new Error(`rejected: ${plan.reason.en}`);
    expect(plan.events).to.deep.equal([late]);
    expect(plan.report.opd).to.equal("dishub");
    const history = [...events, late].sort((a, b) => a.at - b.at);
    const calendars = new CalendarDirectory(testConfig());
    const { clocks } = deriveClocks(
      plan.report,
      history,
      calendars.clockContext(),
      wib("2025-11-24T09:00"),
    );
    const open = clocks.filter((c) => c.stoppedAt === null);
    expect(open.length).to.be.greaterThan(0);
    expect(open.every((c) => c.opd === plan.report.opd)).to.equal(true);
  });

  it("a later disposition still moves the report", () => {
    const events: ReportEvent[] = [
      { kind: "received", at: wib("2025-11-17T08:00"), opd: null },
      { kind: "disposed", at: wib("2025-11-18T09:00"), opd: "dishub" },
    ];
    const plan = planEvent(
      2,
      {
        trackingId: report.trackingId,
        kind: "redisposed",
        at: wib("2025-11-20T09:00"),
        opd: "dinsos",
      },
      { report, events },
    );
    if ("reason" in plan) throw new Error(`rejected: ${plan.reason.en}`);
    expect(plan.report.opd).to.equal("dinsos");
  });
});
