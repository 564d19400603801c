// Escalation end to end on a real database (embedded PGlite or PostgreSQL) with a real SMTP
// server on a loopback port: who receives what, grouping, content in both languages, vacancy,
// rotation, pause re-arming, cancellation on stop, rahasia reports and header injection.
import { expect } from "chai";
import { messageIdFor } from "../../src/core/escalation/safety.js";
import { listOutbox } from "../../src/outbox/outboxStore.js";
import { createTestApp, testConfig, wib, type TestApp } from "../helpers/app.js";
import {
  addressesOf,
  AT_RISK,
  dpubmReport,
  ESCALATED,
  importOfficers,
  importReports,
  IMPORTED,
  OFFICERS_CSV,
  OVERDUE,
  scanAndSend,
  startSmtp,
  type TestSmtp,
} from "./helpers.js";

describe("escalation and email", function () {
  this.timeout(120_000);
  let app: TestApp;
  let smtp: TestSmtp;

  beforeEach(async () => {
    app = await createTestApp(IMPORTED);
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await smtp.close();
    await app.close();
  });

  const five = ["3001", "3002", "3003", "3004", "3005"].map((id) => dpubmReport(id));

  it("groups five reports at risk into one email to the liaison, then escalates at due", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, five, IMPORTED);

    // Before the at-risk instant nothing is due.
    const quiet = await scanAndSend(app.ctx, smtp, wib("2025-03-10T08:00"));
    expect(quiet.scan.escalation.decided).to.equal(0);
    expect(smtp.received).to.have.length(0);

    const first = await scanAndSend(app.ctx, smtp, AT_RISK);
    expect(first.scan.escalation.decided).to.equal(5);
    expect(first.send?.sent).to.equal(1);
    const [mail] = await smtp.waitFor(1);
    const m = mail!.parsed;
    expect(addressesOf(m.to)).to.deep.equal(["penghubung.dpubm@malangkab.example"]);
    expect(addressesOf(m.cc)).to.deep.equal([]);
    expect(mail!.envelopeTo).to.deep.equal(["penghubung.dpubm@malangkab.example"]);
    expect(m.subject).to.equal(
      "[Pantau] 5 laporan Dinas Pekerjaan Umum Bina Marga mendekati batas waktu",
    );
    for (const id of ["3001", "3002", "3003", "3004", "3005"]) {
      expect(m.text).to.include(`Laporan ${id}`);
      expect(m.html).to.include(`https://www.lapor.go.id/pengaduan/${id}`);
    }
    expect(m.text).to.include("Jatuh tempo: Rabu, 12 Maret 2025 00:00 WIB");
    expect(m.text).to.include("SOP: default versi");
    // Deterministic Message-ID from the decision keys.
    const keys = five.map((r) => `${r.trackingId}|resolution|1|0`).sort();
    expect(m.messageId).to.equal(
      messageIdFor(
        `escalation|penghubung.dpubm@malangkab.example|${keys.join(";")}`,
        "Kabupaten Malang",
      ),
    );
    expect(m.headers.get("auto-submitted")).to.equal("auto-generated");

    // One message per person: the supervisor is asked to act, the liaison and the coordinator
    // get their own copy (no Cc header: each person receives exactly one message).
    const second = await scanAndSend(app.ctx, smtp, OVERDUE);
    expect(second.scan.escalation.decided).to.equal(5);
    await smtp.waitFor(4);
    const byTo = (from: number, address: string) =>
      smtp.received.slice(from).find((r) => addressesOf(r.parsed.to).includes(address))!.parsed;
    expect(
      smtp.received
        .slice(1)
        .map((r) => addressesOf(r.parsed.to)[0])
        .sort(),
    ).to.deep.equal([
      "kepala.dpubm@malangkab.example",
      "koordinator@malangkab.example",
      "penghubung.dpubm@malangkab.example",
    ]);
    const esc = byTo(1, "kepala.dpubm@malangkab.example");
    expect(addressesOf(esc.cc)).to.deep.equal([]);
    expect(esc.subject).to.equal(
      "[Pantau] 5 laporan Dinas Pekerjaan Umum Bina Marga melewati batas waktu",
    );
    expect(esc.text).to.include("Perlu tindakan Anda (5)");
    expect(esc.text).to.include(
      "Juga diberitahukan kepada: Eko Prasetyo (pejabat penghubung Dinas Pekerjaan Umum Bina Marga); Dewi Anggraini (admin koordinator)",
    );
    const copy = byTo(1, "penghubung.dpubm@malangkab.example");
    expect(copy.subject).to.equal("[Pantau] 5 laporan Dinas Pekerjaan Umum Bina Marga: 5 tembusan");
    expect(copy.text).to.include("Tembusan, untuk diketahui (5)");

    const third = await scanAndSend(app.ctx, smtp, ESCALATED);
    expect(third.scan.escalation.decided).to.equal(5);
    await smtp.waitFor(7);
    expect(
      smtp.received
        .slice(4)
        .map((r) => addressesOf(r.parsed.to)[0])
        .sort(),
    ).to.deep.equal([
      "kepala.dpubm@malangkab.example",
      "koordinator@malangkab.example",
      "pimpinan@malangkab.example",
    ]);
    const lead = byTo(4, "pimpinan@malangkab.example");
    expect(addressesOf(lead.cc)).to.deep.equal([]);
    expect(lead.text).to.include("Terlambat: 3,29 hari kerja");
  });

  it("writes English with PANTAU_LANG=en", async () => {
    await app.close();
    app = await createTestApp(IMPORTED, { ...testConfig(), lang: "en" });
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, five, IMPORTED);
    await scanAndSend(app.ctx, smtp, AT_RISK);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.parsed.subject).to.equal(
      "[Pantau] 5 Dinas Pekerjaan Umum Bina Marga reports are nearing their deadline",
    );
    expect(mail!.parsed.text).to.include("Due: Wednesday, 12 March 2025 00:00 WIB");
    expect(mail!.parsed.text).to.include("Dear Eko Prasetyo");
  });

  it("sends nothing new when the same scan runs again", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, five, IMPORTED);
    await scanAndSend(app.ctx, smtp, OVERDUE);
    const again = await scanAndSend(app.ctx, smtp, OVERDUE);
    const later = await scanAndSend(app.ctx, smtp, OVERDUE + 1_800_000);
    expect(again.scan.escalation.decided + later.scan.escalation.decided).to.equal(0);
    expect(again.send?.sent).to.equal(0);
    // The supervisor, the liaison and the coordinator: one message each.
    expect(smtp.received).to.have.length(3);
    // The lower level was superseded (no "at risk" after an escalation), never sent.
    const rows = (await app.ctx.db
      .knex("escalations")
      .select("level", "status")
      .count("* as n")
      .groupBy("level", "status")
      .orderBy("level")) as { level: number; status: string; n: number | string }[];
    expect(rows.map((r) => [r.level, r.status, Number(r.n)])).to.deep.equal([
      [0, "superseded", 5],
      [1, "sent", 5],
    ]);
  });

  it("sends the item to the coordinator when the liaison is vacant, and tells the coordinator once", async () => {
    await importOfficers(
      app.ctx,
      OFFICERS_CSV.split("\n")
        .filter((l) => !l.startsWith("dpubm,liaison"))
        .join("\n"),
      IMPORTED,
    );
    await importReports(app.ctx, [dpubmReport("3101")], IMPORTED);
    const first = await scanAndSend(app.ctx, smtp, AT_RISK);
    expect(first.scan.escalation.vacancyNotices).to.equal(1);
    // One message to the coordinator: the item (in the liaison's place) and the vacancy notice.
    await smtp.waitFor(1);
    expect(smtp.received).to.have.length(1);
    const item = smtp.received[0]!;
    expect(item.parsed.subject).to.equal(
      "[Pantau] 1 laporan Dinas Pekerjaan Umum Bina Marga: 1 perlu tindakan Anda, 1 jabatan kosong",
    );
    expect(addressesOf(item.parsed.to)).to.deep.equal(["koordinator@malangkab.example"]);
    expect(item.parsed.text).to.include(
      "Sebagai pengganti: pejabat penghubung Dinas Pekerjaan Umum Bina Marga (jabatan kosong",
    );
    expect(item.parsed.text).to.include("Jabatan kosong (1)");

    // Another report of the same agency later: the item again to the coordinator, no new notice.
    await importReports(
      app.ctx,
      [
        dpubmReport("3102", {
          milestones: {
            disposedAt: wib("2025-03-05T09:00"),
            firstResponseAt: wib("2025-03-06T10:00"),
          },
        }),
      ],
      IMPORTED,
    );
    const second = await scanAndSend(app.ctx, smtp, wib("2025-03-12T09:00"));
    expect(second.scan.escalation.vacancyNotices).to.equal(0);
    await smtp.waitFor(2);
    await scanAndSend(app.ctx, smtp, wib("2025-03-12T10:00"));
    const notices = smtp.received.filter((r) => r.parsed.text?.includes("Jabatan kosong ("));
    expect(notices).to.have.length(1);
  });

  it("sends to the officer appointed yesterday (rotation)", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, [dpubmReport("3201")], IMPORTED);
    await importOfficers(
      app.ctx,
      [
        "opd,role,name,email,valid_from,valid_to,decree",
        "dpubm,liaison,Rina Baru,rina.baru@malangkab.example,2025-03-10,,SK 9/2025",
      ].join("\n"),
      IMPORTED,
    );
    await scanAndSend(app.ctx, smtp, AT_RISK);
    const [mail] = await smtp.waitFor(1);
    expect(addressesOf(mail!.parsed.to)).to.deep.equal(["rina.baru@malangkab.example"]);
    // History kept: the previous liaison's appointment ended when the new one started.
    const rows = (await app.ctx.db
      .knex("officer_appointments")
      .where({ opd: "dpubm", role: "liaison" })
      .orderBy("valid_from")) as { email: string; valid_to: Date | null }[];
    expect(rows.map((r) => [r.email, r.valid_to?.getTime() ?? null])).to.deep.equal([
      ["penghubung.dpubm@malangkab.example", wib("2025-03-10")],
      ["rina.baru@malangkab.example", null],
    ]);
  });

  it("cancels a decided step when the clock stops before it is sent", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, [dpubmReport("3301"), dpubmReport("3302")], IMPORTED);
    const decided = await scanAndSend(app.ctx, smtp, OVERDUE, { send: false });
    expect(decided.scan.escalation.decided).to.equal(2);
    // 3301 is completed (the clock stops) before the sender ran.
    await importReports(
      app.ctx,
      [
        dpubmReport("3301", {
          milestones: {
            disposedAt: wib("2025-03-04T09:00"),
            firstResponseAt: wib("2025-03-05T10:00"),
            followedUpAt: wib("2025-03-12T07:30"),
            completedAt: wib("2025-03-12T07:30"),
          },
        }),
      ],
      wib("2025-03-12T07:40"),
    );
    const next = await scanAndSend(app.ctx, smtp, wib("2025-03-12T07:45"));
    expect(next.scan.escalation.cancelled).to.equal(1);
    // Supervisor, liaison and coordinator: each message cancelled and composed again without 3301.
    await smtp.waitFor(3);
    expect(smtp.received).to.have.length(3);
    for (const r of smtp.received) {
      const text = r.parsed.text ?? "";
      expect(text).to.include("Laporan 3302");
      expect(text).not.to.include("3301");
    }
    const states = (await listOutbox(app.ctx.db.knex)).map((m) => m.state).sort();
    expect(states).to.deep.equal(["cancelled", "cancelled", "cancelled", "sent", "sent", "sent"]);
  });

  it("re-arms a level once when a pause moves the due instant later", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, [dpubmReport("3401")], IMPORTED);
    await scanAndSend(app.ctx, smtp, OVERDUE, { send: false }); // level 1 decided, not sent
    // The agency was in fact waiting for the reporter from Mon 10 Mar to Thu 13 Mar: the pause
    // moves the due instant later, so the decided step no longer holds.
    await importReports(app.ctx, [], wib("2025-03-13T10:00"), [
      {
        rowNumber: 2,
        kind: "event",
        event: {
          trackingId: "3401",
          kind: "awaiting_reporter",
          at: wib("2025-03-10T09:00"),
          opd: "dpubm",
        },
      },
      {
        rowNumber: 3,
        kind: "event",
        event: {
          trackingId: "3401",
          kind: "reporter_replied",
          at: wib("2025-03-13T09:00"),
          opd: "dpubm",
        },
      },
    ]);
    const after = await scanAndSend(app.ctx, smtp, wib("2025-03-13T10:05"));
    expect(after.scan.escalation.cancelled).to.equal(1);
    expect(after.scan.escalation.decided).to.equal(0);
    expect(smtp.received).to.have.length(0);
    const [clock] = (await app.ctx.db
      .knex("sla_clocks")
      .where({ tracking_id: "3401", stage: "resolution" })
      .select("due_at", "next_check_at")) as { due_at: Date; next_check_at: Date }[];
    const due = clock!.due_at.getTime();
    expect(due).to.be.greaterThan(wib("2025-03-13T10:05"));
    // Level 0 (at risk) fires again for the new instants? No: it was superseded by level 1, and
    // taken levels other than cancelled ones stay taken. Level 1 re-arms at the new due instant.
    const fired = await scanAndSend(app.ctx, smtp, due + 60_000);
    expect(fired.scan.escalation.decided).to.equal(1);
    await scanAndSend(app.ctx, smtp, due + 3_600_000);
    await smtp.waitFor(3);
    // Supervisor, liaison and coordinator, once each.
    expect(smtp.received).to.have.length(3);
    expect(smtp.received.map((r) => r.parsed.subject).join("\n")).to.include(
      "melewati batas waktu",
    );
    const statuses = (await app.ctx.db
      .knex("escalations")
      .where({ tracking_id: "3401", level: 1 })
      .orderBy("id")
      .pluck("status")) as string[];
    expect(statuses).to.deep.equal(["cancelled", "sent"]);
  });

  it("sends one daily reminder per recipient on working days from 08:00", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(app.ctx, [dpubmReport("3701"), dpubmReport("3702")], IMPORTED);
    await scanAndSend(app.ctx, smtp, OVERDUE); // 07:00: the escalation, no reminder yet
    const at8 = await scanAndSend(app.ctx, smtp, wib("2025-03-12T08:05"));
    expect(at8.scan.escalation.reminders).to.equal(1);
    await scanAndSend(app.ctx, smtp, wib("2025-03-12T13:00"));
    // Saturday: no reminder; Monday: the next one.
    const sat = await scanAndSend(app.ctx, smtp, wib("2025-03-15T09:00"));
    expect(sat.scan.escalation.reminders).to.equal(0);
    await smtp.waitFor(2);
    const reminders = smtp.received.filter((r) => r.parsed.subject?.includes("Pengingat harian"));
    expect(reminders).to.have.length(1);
    expect(reminders[0]!.parsed.subject).to.equal(
      "[Pantau] Pengingat harian: 2 laporan Dinas Pekerjaan Umum Bina Marga masih melewati batas waktu",
    );
    expect(addressesOf(reminders[0]!.parsed.to)).to.deep.equal(["kepala.dpubm@malangkab.example"]);
  });

  it("never shows a rahasia report's type or category", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    await importReports(
      app.ctx,
      [dpubmReport("3501", { confidential: true, category: "KategoriSangatRahasia" })],
      IMPORTED,
    );
    await scanAndSend(app.ctx, smtp, AT_RISK);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.raw).not.to.include("KategoriSangatRahasia");
    expect(mail!.parsed.text).to.include("Laporan 3501 (rahasia)");
    expect(mail!.parsed.text).not.to.include("Jenis:");
    expect(mail!.parsed.html).not.to.include("KategoriSangatRahasia");
  });

  it("neutralises header injection from stored data", async () => {
    await importOfficers(app.ctx, OFFICERS_CSV, IMPORTED);
    // Bypassing the CSV validation on purpose: a name with CR/LF in the directory.
    await app.ctx.db
      .knex("officer_appointments")
      .where({ opd: "dpubm", role: "liaison" })
      .update({ name: "Eko\r\nBcc: attacker@evil.example\r\nX-Evil: 1" });
    await importReports(app.ctx, [dpubmReport("3601")], IMPORTED);
    await scanAndSend(app.ctx, smtp, AT_RISK);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.envelopeTo).to.deep.equal(["penghubung.dpubm@malangkab.example"]);
    expect(mail!.parsed.headers.has("bcc")).to.equal(false);
    expect(mail!.parsed.headers.has("x-evil")).to.equal(false);
    expect(mail!.raw).not.to.match(/^Bcc:/im);
  });
});
