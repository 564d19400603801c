import { expect } from "chai";
import { deriveClocks } from "../../../src/core/sla/clocks.js";
import {
  explainReport,
  renderExplainText,
  type ExplainContext,
  type ExplainDocument,
} from "../../../src/core/sla/explain.js";
import type { Lang } from "../../../src/i18n/lang.js";
import type { Report, ReportEvent } from "../../../src/core/types.js";
import { CTX, ev, report, wib } from "./fixtures.js";

const ECTX: ExplainContext = {
  ...CTX,
  agencyName: (opd) => (opd === "dinkes" ? "Dinas Kesehatan" : undefined),
};

function explain(r: Report, events: ReportEvent[], now: number, lang: Lang): ExplainDocument {
  return explainReport(r, events, deriveClocks(r, events, ECTX, now), ECTX, now, lang);
}

function section(doc: ExplainDocument, key: string): Record<string, string> {
  const s = doc.sections.find((x) => x.key === key);
  if (!s) throw new Error(`no section ${key}`);
  const out: Record<string, string> = {};
  for (const l of s.lines) out[l.key] = out[l.key] ? `${out[l.key]} | ${l.text}` : l.text;
  return out;
}

describe("sla/explain", () => {
  // Received Mon 3 Mar 10:12, paused two working days (Tue 4 - Thu 6), never dispositioned.
  const paused = [
    ev("awaiting_reporter", "2025-03-04T00:00"),
    ev("reporter_replied", "2025-03-06T00:00"),
  ];
  const now = wib("2025-03-13T12:00");

  it("explains a clock step by step in Indonesian", () => {
    const doc = explain(report(), paused, now, "id");
    expect(doc.lang).to.equal("id");
    expect(doc.title).to.contain("2007157").and.contain("Kamis, 13 Maret 2025 12:00 WIB");
    expect(section(doc, "report").received).to.equal("Diterima Senin, 3 Maret 2025 10:12 WIB");
    const v = section(doc, "clock:verification:1");
    expect(v.start).to.contain("Senin, 3 Maret 2025 10:12 WIB");
    expect(v.target).to.equal(
      "Tenggat 3 hari kerja menurut SOP default (berlaku sejak 1 Januari 2020)",
    );
    expect(v.count_start).to.equal(
      "Hitungan dimulai Selasa, 4 Maret 2025 00:00 WIB (hari penerimaan tidak dihitung)",
    );
    expect(v.pause).to.contain("Selasa, 4 Maret 2025 00:00 WIB").and.contain(": 2 hari kerja");
    expect(v.weekends).to.equal("Akhir pekan yang dilewati: 2 hari");
    expect(v.holidays).to.equal("Tidak ada hari libur yang dilewati");
    expect(v.at_risk).to.equal("Berisiko mulai Sabtu, 8 Maret 2025 00:00 WIB");
    expect(v.due).to.equal("Jatuh tempo Selasa, 11 Maret 2025 00:00 WIB");
    expect(v.stop).to.equal("Masih berjalan");
    expect(v.used).to.equal("Terpakai 5,5 hari kerja dari 3 hari kerja");
    expect(v.status).to.equal("Status: terlambat 2,5 hari kerja dan masih berjalan");
    expect(section(doc, "history")["event:awaiting_reporter"]).to.contain("Menunggu pelapor");
  });

  it("lists the holidays and weekends skipped, in both languages", () => {
    const r = report({ receivedAt: wib("2025-03-26T10:00") });
    const late = wib("2025-04-11T12:00");
    const id = section(explain(r, [], late, "id"), "clock:verification:1");
    expect(id.holidays)
      .to.contain("Jumat, 28 Maret 2025 (Cuti Bersama Nyepi)")
      .and.contain("Sabtu, 29 Maret 2025 (Hari Suci Nyepi Tahun Baru Saka 1947)")
      .and.contain("Senin, 31 Maret 2025 (Hari Raya Idul Fitri 1446 H)")
      .and.contain("Senin, 7 April 2025 (Cuti Bersama Idul Fitri)");
    expect(id.holidays?.split("; ")).to.have.length(8);
    expect(id.weekends).to.equal("Akhir pekan yang dilewati: 3 hari");
    expect(id.due).to.equal("Jatuh tempo Kamis, 10 April 2025 00:00 WIB");
    expect(id.status).to.equal("Status: terlambat 1,5 hari kerja dan masih berjalan");

    const en = section(explain(r, [], late, "en"), "clock:verification:1");
    expect(en.holidays).to.contain("Friday, 28 March 2025 (Cuti Bersama Nyepi)");
    expect(en.weekends).to.equal("Weekend days skipped: 3");
    expect(en.target).to.equal(
      "Target 3 working days under the default SOP (in force since 1 January 2020)",
    );
    expect(en.count_start).to.equal(
      "Counting starts Thursday, 27 March 2025 00:00 WIB (the day of receipt is not counted)",
    );
    expect(en.due).to.equal("Due Thursday, 10 April 2025 00:00 WIB");
    expect(en.status).to.equal("Status: overdue by 1.5 working days and still running");
  });

  it("explains re-disposition, agency SOPs, extensions, stops and data warnings", () => {
    const r = report({ type: "permintaan_informasi", opd: "dinkes" });
    const events = [
      ev("disposed", "2025-03-04T09:00", "dpupr"),
      ev("redisposed", "2025-03-11T09:00", "dinkes"),
      ev("first_response", "2025-03-12T09:00"),
      ev("extended", "2025-03-13T09:00"),
      ev("reporter_replied", "2025-03-13T10:00"),
    ];
    const at = wib("2025-03-14T12:00");
    const id = explain(r, events, at, "id");
    const fr1 = section(id, "clock:first_response:1");
    expect(fr1.start).to.contain("saat disposisi ke dpupr");
    expect(fr1.stop).to.equal("Berhenti Selasa, 11 Maret 2025 09:00 WIB karena disposisi ulang");
    expect(fr1.status).to.match(/^Status: dialihkan \(bukan wewenang\) 0,63 hari kerja sebelum/);
    const fr2 = section(id, "clock:first_response:2");
    expect(fr2.start).to.contain("disposisi ulang ke Dinas Kesehatan (dinkes)");
    expect(fr2.target).to.contain('SOP dinkes "SOP Pengaduan Dinas Kesehatan 2025"');
    expect(fr2.target).to.contain("berlaku sejak 10 Maret 2025");
    expect(fr2.status).to.equal("Status: terpenuhi, 1,63 hari kerja sebelum jatuh tempo");
    const res2 = section(id, "clock:resolution:2");
    expect(res2.target)
      .to.contain("Tenggat 17 hari kerja")
      .and.contain("perpanjangan 7 hari kerja");
    expect(section(id, "warnings")["warning:unmatched_reply"]).to.contain("Balasan pelapor");
    expect(id.sections.find((s) => s.key === "clock:first_response:2")?.title).to.equal(
      "Respons pertama (ke-2) — Dinas Kesehatan (dinkes)",
    );

    const en = explain(r, events, at, "en");
    expect(section(en, "clock:first_response:1").stop).to.equal(
      "Stopped Tuesday, 11 March 2025 09:00 WIB by re-disposition",
    );
    expect(section(en, "clock:resolution:2").target).to.contain(
      "plus an extension of 7 working days",
    );
    expect(section(en, "warnings")["warning:unmatched_reply"]).to.contain("Reporter reply");
  });

  it("explains an open pause and a cancelled clock", () => {
    const open = section(
      explain(
        report(),
        [ev("awaiting_reporter", "2025-03-04T12:00")],
        wib("2025-03-05T12:00"),
        "id",
      ),
      "clock:verification:1",
    );
    expect(open.pause).to.contain("masih berlangsung (sejauh ini 1 hari kerja)");
    expect(open.due).to.equal("Jatuh tempo belum dapat ditentukan selama jeda masih berlangsung");
    expect(open.status).to.equal("Status: dijeda menunggu pelapor, sisa 2,5 hari kerja");

    const archived = section(
      explain(report(), [ev("archived", "2025-03-04T12:00")], wib("2025-03-05T12:00"), "en"),
      "clock:verification:1",
    );
    expect(archived.status).to.equal("Status: cancelled because the report was archived");
  });

  it("a pause asked for after the due instant: overdue, awaiting the reporter, and which rule (issue 18)", () => {
    // Disposed to dinsos Thu 1 Oct 2026 10:00 (5wd: due Fri 9 Oct 00:00), no answer; the agency
    // records awaiting_reporter on Tue 20 Oct 09:00.
    const r = report({ receivedAt: wib("2026-09-30T10:00"), opd: "dinsos" });
    const events = [
      ev("disposed", "2026-10-01T10:00", "dinsos"),
      ev("awaiting_reporter", "2026-10-20T09:00", "dinsos"),
    ];
    const during = wib("2026-10-21T10:00");
    const id = section(explain(r, events, during, "id"), "clock:first_response:1");
    expect(id.due).to.equal("Jatuh tempo Jumat, 9 Oktober 2026 00:00 WIB");
    expect(id.status).to.equal("Status: terlambat 7,38 hari kerja, sedang menunggu pelapor");
    expect(id.pause_rule).to.equal(
      "Jeda ini dimulai setelah jatuh tempo (Jumat, 9 Oktober 2026 00:00 WIB): jatuh tempo tidak bergeser dan keterlambatan tetap tercatat; lama jeda tidak dihitung sebagai keterlambatan",
    );
    const en = section(explain(r, events, during, "en"), "clock:resolution:1");
    expect(en.status).to.equal("Status: overdue by 7.38 working days, awaiting the reporter");
    expect(en.pause_rule).to.contain("This pause began after the due time");

    // After the reply the clock is simply late, by the days outside the pause.
    const replied = [...events, ev("reporter_replied", "2026-10-23T09:00")];
    const after = section(
      explain(r, replied, wib("2026-10-26T10:00"), "id"),
      "clock:first_response:1",
    );
    expect(after.status).to.match(/^Status: terlambat 8,42 hari kerja dan masih berjalan$/);
    expect(after.pause_rule).to.contain("dimulai setelah jatuh tempo");

    // A pause asked for before the due instant moves it: the other rule, named as such.
    const early = [
      ev("disposed", "2026-10-01T10:00", "dinsos"),
      ev("awaiting_reporter", "2026-10-08T12:00", "dinsos"),
    ];
    const held = section(explain(r, early, during, "id"), "clock:first_response:1");
    expect(held.status).to.equal("Status: dijeda menunggu pelapor, sisa 0,5 hari kerja");
    expect(held.pause_rule).to.equal(
      "Jeda ini dimulai sebelum jatuh tempo: jatuh tempo mundur sebanyak waktu yang terpakai selama jeda",
    );
  });

  it("renders plain text with the title, section titles and one line per fact", () => {
    const doc = explain(report(), paused, now, "id");
    const text = renderExplainText(doc);
    expect(text.startsWith(doc.title + "\n\n")).to.equal(true);
    expect(text).to.contain("\nVerifikasi dan disposisi — diskominfo\n");
    expect(text).to.contain("\n  - Jatuh tempo Selasa, 11 Maret 2025 00:00 WIB\n");
    expect(text.endsWith("\n")).to.equal(true);
    const en = renderExplainText(explain(report(), paused, now, "en"));
    expect(en)
      .to.contain("Verification and disposition")
      .and.contain("overdue by 2.5 working days");
  });
});
