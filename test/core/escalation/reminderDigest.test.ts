// The streamed daily digest (issue 12): the builder keeps per recipient the oldest
// REMINDER_ITEMS_LISTED overdue clocks and a count, whatever the backlog, and the composed
// message says how many more there are.
import { expect } from "chai";
import { composeReminderEmails } from "../../../src/core/escalation/compose.js";
import {
  REMINDER_ITEMS_LISTED,
  ReminderDigestBuilder,
  reminderDueKeys,
  type StoredClockView,
} from "../../../src/core/escalation/ladder.js";
import { calendar, view, wib } from "./fixtures.js";

const NOW = wib("2025-03-10T08:30");
const SUPERVISOR = { email: "Kadinkes@malangkab.go.id", name: "dr. Bambang" };
const COORDINATOR = { email: "kominfo@malangkab.go.id", name: "Admin Koordinator" };

/** n overdue first-response clocks of dinkes (disposed Mon 3 Mar 2025, a minute apart). */
function backlog(n: number): StoredClockView[] {
  return Array.from({ length: n }, (_, i) => {
    const minute = 12 + i;
    const local = `2025-03-03T${String(10 + Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
    return view(NOW, { report: { trackingId: String(4000000 + i) }, disposedAt: local });
  });
}

describe("escalation/daily digest streamed", () => {
  it("lists the oldest REMINDER_ITEMS_LISTED per recipient and counts the rest", () => {
    const views = backlog(REMINDER_ITEMS_LISTED + 50);
    const builder = new ReminderDigestBuilder("2025-03-10", NOW);
    // A stream: oldest due first, the recipient named twice for one clock counts it once.
    for (const v of views)
      builder.add(v, [SUPERVISOR, { ...SUPERVISOR, email: "KADINKES@malangkab.go.id" }]);
    const [digest] = builder.digests();
    expect(digest!.total).to.equal(REMINDER_ITEMS_LISTED + 50);
    expect(digest!.items).to.have.length(REMINDER_ITEMS_LISTED);
    expect(digest!.items.map((v) => v.clock.trackingId)).to.deep.equal(
      views.slice(0, REMINDER_ITEMS_LISTED).map((v) => v.clock.trackingId),
    );
    expect(digest!.opds).to.deep.equal(["dinkes"]);
  });

  it("gives each recipient their own clocks, and leaves out digests already sent", () => {
    const views = backlog(3);
    const builder = new ReminderDigestBuilder("2025-03-10", NOW);
    builder.add(views[0]!, [SUPERVISOR, COORDINATOR]);
    builder.add(views[1]!, [SUPERVISOR]);
    builder.add(views[2]!, [COORDINATOR]);
    const all = builder.digests();
    expect(all.map((d) => [d.email, d.total])).to.deep.equal([
      ["Kadinkes@malangkab.go.id", 2],
      ["kominfo@malangkab.go.id", 2],
    ]);
    const left = builder.digests(new Set(["reminder|kadinkes@malangkab.go.id|2025-03-10"]));
    expect(left.map((d) => d.email)).to.deep.equal(["kominfo@malangkab.go.id"]);
  });

  it("says in the message how many more are overdue than it lists", () => {
    const views = backlog(REMINDER_ITEMS_LISTED + 7);
    const digests = reminderDueKeys(views, () => [SUPERVISOR], calendar, NOW);
    const ctx = {
      regency: "Kabupaten Malang",
      agencyName: () => "Dinas Kesehatan",
      reportUrl: (id: string) => `https://www.lapor.go.id/pengaduan/${id}`,
      calendar: () => calendar,
      now: NOW,
      scanId: "scan-1",
    };
    const [id] = composeReminderEmails(digests, { ...ctx, lang: "id" });
    expect(id!.subject).to.contain(`${REMINDER_ITEMS_LISTED + 7} laporan`);
    expect(id!.text).to.contain(
      `Di bawah ini ${REMINDER_ITEMS_LISTED} yang paling lama; 7 lainnya`,
    );
    expect(id!.items).to.have.length(REMINDER_ITEMS_LISTED);
    const [en] = composeReminderEmails(digests, { ...ctx, lang: "en" });
    expect(en!.text).to.contain(`Below are the ${REMINDER_ITEMS_LISTED} oldest; 7 more`);
    // A short list says nothing of the kind.
    const [short] = composeReminderEmails(
      reminderDueKeys(views.slice(0, 3), () => [SUPERVISOR], calendar, NOW),
      { ...ctx, lang: "en" },
    );
    expect(short!.text).not.to.contain("oldest;");
  });
});
