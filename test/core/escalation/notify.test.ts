import { expect } from "chai";
import {
  DEFAULT_LADDER,
  decideEscalations,
  reminderDueKeys,
  type EscalationDecision,
  type StoredClockView,
} from "../../../src/core/escalation/ladder.js";
import type { Appointment } from "../../../src/core/escalation/appointments.js";
import {
  resolveRecipients,
  resolveRoleRecipients,
  type RecipientResolution,
} from "../../../src/core/escalation/recipients.js";
import {
  composeReminderEmails,
  type ComposeContext,
  type OutboundEmail,
} from "../../../src/core/escalation/compose.js";
import { composePersonalEmails } from "../../../src/core/escalation/personalEmail.js";
import {
  escapeHtml,
  messageIdFor,
  sanitizeHeaderText,
} from "../../../src/core/escalation/safety.js";
import type { Lang } from "../../../src/i18n/lang.js";
import type { Instant } from "../../../src/core/types.js";
import { AT_RISK, DIRECTORY, DUE, DUE_3WD, appt, calendar, ev, view, wib } from "./fixtures.js";

const NAMES: Record<string, string> = { dinkes: "Dinas Kesehatan", dinsos: "Dinas Sosial" };

function ctx(now: Instant, lang: Lang = "id", over: Partial<ComposeContext> = {}): ComposeContext {
  return {
    lang,
    regency: "Kabupaten Malang",
    agencyName: (opd) => NAMES[opd],
    reportUrl: (id) => `https://www.lapor.go.id/pengaduan/${encodeURIComponent(id)}`,
    calendar: () => calendar,
    now,
    scanId: "scan-1",
    ...over,
  };
}

/** Views of n reports of dinkes (tracking IDs 3000001...), same timeline. */
function views(n: number, now: Instant, over: Parameters<typeof view>[1] = {}): StoredClockView[] {
  return Array.from({ length: n }, (_, i) =>
    view(now, { ...over, report: { trackingId: String(3000001 + i), ...over.report } }),
  );
}

function decisions(
  vs: StoredClockView[],
  now: Instant,
  taken: string[] = [],
): EscalationDecision[] {
  const t = new Set<string>();
  for (const v of vs)
    for (const lvl of taken) t.add(`${v.clock.trackingId}|first_response|1|${lvl}`);
  return decideEscalations({
    clocks: vs,
    alreadyTaken: t,
    ladder: () => DEFAULT_LADDER,
    calendar: () => calendar,
    now,
  }).decide;
}

function resolveAll(
  ds: EscalationDecision[],
  dir: Appointment[],
  at: Instant,
): Map<string, RecipientResolution> {
  return new Map(ds.map((d) => [d.key, resolveRecipients(d, dir, at)]));
}

function compose(
  vs: StoredClockView[],
  now: Instant,
  taken: string[] = [],
  lang: Lang = "id",
  dir: Appointment[] = DIRECTORY,
  over: Partial<ComposeContext> = {},
): OutboundEmail[] {
  const ds = decisions(vs, now, taken);
  return composePersonalEmails(ds, resolveAll(ds, dir, now), ctx(now, lang, over));
}

describe("notify/compose grouping and subjects", () => {
  it("groups five at-risk reports of one liaison into one email", () => {
    const emails = compose(views(5, AT_RISK), AT_RISK);
    expect(emails).to.have.length(1);
    const e = emails[0]!;
    expect(e.kind).to.equal("escalation");
    expect(e.to).to.deep.equal(["sri.wahyuni@dinkes.malangkab.go.id"]);
    expect(e.cc).to.deep.equal([]);
    expect(e.items).to.have.length(5);
    expect(e.subject).to.equal("[Pantau] 5 laporan Dinas Kesehatan mendekati batas waktu");
    for (let i = 1; i <= 5; i++) expect(e.text).to.contain(`Laporan 300000${i}`);
    expect(e.recipientNames).to.deep.equal({
      "sri.wahyuni@dinkes.malangkab.go.id": "Sri Wahyuni",
    });
    expect(e.headers).to.include({ "X-Pantau-Scan": "scan-1", "Auto-Submitted": "auto-generated" });
  });

  it("says what and how many, in Indonesian and English", () => {
    const v3 = views(3, DUE);
    // One email per person: the supervisor acts, the liaison and the coordinator get copies.
    const all = compose(v3, DUE, ["0"]);
    expect(all.map((e) => [e.to[0], e.cc.length])).to.deep.equal([
      ["kadinkes@malangkab.go.id", 0],
      ["lapor@kominfo.malangkab.go.id", 0],
      ["sri.wahyuni@dinkes.malangkab.go.id", 0],
    ]);
    const id = all[0]!;
    expect(id.subject).to.equal("[Pantau] 3 laporan Dinas Kesehatan melewati batas waktu");
    expect(all[2]!.subject).to.equal("[Pantau] 3 laporan Dinas Kesehatan: 3 tembusan");
    const en = compose(v3, DUE, ["0"], "en")[0]!;
    expect(en.subject).to.equal("[Pantau] 3 Dinas Kesehatan reports are overdue");
    expect(compose(views(2, AT_RISK), AT_RISK)[0]!.subject).to.equal(
      "[Pantau] 2 laporan Dinas Kesehatan mendekati batas waktu",
    );
    expect(compose(views(1, AT_RISK), AT_RISK, [], "en")[0]!.subject).to.equal(
      "[Pantau] 1 Dinas Kesehatan report is nearing its deadline",
    );
    const toLeadership = (emails: OutboundEmail[]) =>
      emails.find((e) => e.to[0] === "sekda@malangkab.go.id")!;
    const l2 = toLeadership(compose(views(2, DUE_3WD), DUE_3WD, ["0", "1"]));
    expect(l2.subject).to.equal(
      "[Pantau] 2 laporan Dinas Kesehatan melewati batas waktu — eskalasi pimpinan",
    );
    expect(toLeadership(compose(views(2, DUE_3WD), DUE_3WD, ["0", "1"], "en")).subject).to.equal(
      "[Pantau] 2 Dinas Kesehatan reports are overdue — escalation to leadership",
    );
  });

  it("names the number of agencies when a recipient's items span several", () => {
    const dir = [
      ...DIRECTORY,
      appt("liaison", "dinsos", "Sri Wahyuni", "sri.wahyuni@dinkes.malangkab.go.id", "2024-01-02"),
    ];
    const vs = [
      ...views(2, AT_RISK),
      view(AT_RISK, { opd: "dinsos", report: { trackingId: "4000001" } }),
    ];
    const emails = compose(vs, AT_RISK, [], "id", dir);
    expect(emails).to.have.length(1);
    expect(emails[0]!.subject).to.equal(
      "[Pantau] 3 laporan dari 2 perangkat daerah mendekati batas waktu",
    );
  });
});

describe("notify/compose content", () => {
  it("states stage, SOP, target, local times with zone, lateness, pauses and the link", () => {
    const now = wib("2025-03-13T10:00");
    // Paused Tue 4 Mar 00:00 – Wed 5 Mar 00:00 (one working day): Wed, Thu, Fri counted, so due
    // Sat 8 Mar 00:00; level 2 (target + 3wd) comes Thu 13 Mar 00:00.
    const v = view(now, {
      events: [
        ev("awaiting_reporter", "2025-03-04T00:00"),
        ev("reporter_replied", "2025-03-05T00:00"),
      ],
    });
    const e = compose([v], now, ["0", "1"])[0]!;
    const text = e.text;
    expect(text).to.contain("Laporan 2007157");
    expect(text).to.contain("Perangkat daerah: Dinas Kesehatan (dinkes)");
    expect(text).to.contain("Tahap: tanggapan pertama");
    expect(text).to.contain("SOP: default versi 2020-01-01, target 3 hari kerja");
    expect(text).to.contain("Diterima: Jumat, 28 Februari 2025 09:00 WIB");
    expect(text).to.contain("Jatuh tempo: Sabtu, 8 Maret 2025 00:00 WIB");
    // Mon 10, Tue 11, Wed 12 and 10 hours of Thu 13.
    expect(text).to.contain("Terlambat: 3,42 hari kerja");
    expect(text).to.contain(
      "Jeda menunggu pelapor: Selasa, 4 Maret 2025 00:00 WIB s.d. Rabu, 5 Maret 2025 00:00 WIB",
    );
    expect(text).to.contain("Kategori: Layanan Puskesmas");
    expect(text).to.contain("Tautan LAPOR!: https://www.lapor.go.id/pengaduan/2007157");
    expect(e.html).to.contain('<a href="https://www.lapor.go.id/pengaduan/2007157">');
    const en = compose([v], now, ["0", "1"], "en")[0]!;
    expect(en.text).to.contain("Stage: first response");
    expect(en.text).to.contain("Due: Saturday, 8 March 2025 00:00 WIB");
    expect(en.text).to.contain("Late by: 3.42 working days");
  });

  it("marks a clock breached before the reporter was asked as overdue, awaiting the reporter", () => {
    // Due Fri 7 Mar 00:00; the agency asks the reporter on Mon 10 Mar 09:00 (1 wd 9 h late).
    const now = wib("2025-03-12T10:00");
    const v = view(now, { events: [ev("awaiting_reporter", "2025-03-10T09:00")] });
    const e = compose([v], now, ["0"])[0]!;
    expect(e.text).to.contain("Terlambat: 1,38 hari kerja");
    expect(e.text).to.contain(
      "Status: terlambat, sedang menunggu pelapor (jeda dimulai setelah jatuh tempo; lama jeda tidak dihitung sebagai keterlambatan)",
    );
    expect(compose([v], now, ["0"], "en")[0]!.text).to.contain(
      "Status: overdue, awaiting the reporter (the pause began after the due time",
    );
    // Without a pause no such line.
    expect(compose([view(now)], now, ["0"])[0]!.text).to.not.contain("Status:");
  });

  it("shows nothing of a rahasia report but ID, agency, stage, times and link", () => {
    const v = view(DUE, {
      report: { confidential: true, category: "Kekerasan terhadap anak di Kepanjen" },
    });
    const e = compose([v], DUE, ["0"])[0]!;
    for (const body of [e.text, e.html, e.subject]) {
      expect(body).not.to.contain("Kekerasan");
      expect(body).not.to.contain("Kepanjen");
      expect(body).not.to.contain("Kategori");
      expect(body).not.to.contain("Jenis");
    }
    expect(e.text).to.contain("Laporan 2007157 (rahasia)");
    expect(e.text).to.contain("Tahap: tanggapan pertama");
    expect(e.text).to.contain("Jatuh tempo: Jumat, 7 Maret 2025 00:00 WIB");
    expect(e.text).to.contain("https://www.lapor.go.id/pengaduan/2007157");
    expect(compose([v], DUE, ["0"], "en")[0]!.text).to.contain("Report 2007157 (confidential)");
  });

  it("neutralises header injection and escapes HTML", () => {
    const evilAgency = "Dinas Kesehatan\r\nBcc: all@evil.example\r\n\r\n<script>x</script>";
    const dir = DIRECTORY.map((a) =>
      a.role === "supervisor" ? { ...a, name: "Kepala\r\nBcc: boss@evil.example" } : a,
    );
    const v = view(DUE, { report: { category: '<img src=x onerror="alert(1)">' } });
    const e = compose([v], DUE, ["0"], "id", dir, { agencyName: () => evilAgency })[0]!;
    expect(e.subject).not.to.match(/[\r\n]/);
    expect(e.subject).to.equal(
      "[Pantau] 1 laporan Dinas Kesehatan Bcc: all@evil.example <script>x</script> melewati batas waktu",
    );
    for (const name of Object.values(e.recipientNames)) expect(name).not.to.match(/[\r\n]/);
    expect(e.recipientNames["kadinkes@malangkab.go.id"]).to.equal("Kepala Bcc: boss@evil.example");
    expect(e.to).to.deep.equal(["kadinkes@malangkab.go.id"]);
    expect(e.html).not.to.contain("<script>");
    expect(e.html).not.to.contain("<img");
    expect(e.html).to.contain("&lt;script&gt;");
    expect(e.html).to.contain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    // No text line smuggles a header-looking line either.
    expect(e.text.split("\n").some((l) => l.startsWith("Bcc:"))).to.equal(false);
    expect(sanitizeHeaderText("a\u0000b\u2028c\td")).to.equal("a b c d");
    expect(escapeHtml(`<a href='x'>&</a>`)).to.equal("&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
    // A report URL that is not http(s) is shown as text, never as a link.
    const js = compose([v], DUE, ["0"], "id", DIRECTORY, {
      reportUrl: () => "javascript:alert(1)",
    })[0]!;
    expect(js.html).not.to.contain('href="javascript');
  });

  it("uses a deterministic Message-ID from the dedupe key", () => {
    const a = compose(views(3, AT_RISK), AT_RISK)[0]!;
    const b = compose(views(3, AT_RISK).reverse(), AT_RISK, [], "id", DIRECTORY, {
      scanId: "scan-2",
    })[0]!;
    expect(a.dedupeKey).to.equal(
      "escalation|sri.wahyuni@dinkes.malangkab.go.id|3000001|first_response|1|0;3000002|first_response|1|0;3000003|first_response|1|0",
    );
    expect(b.dedupeKey).to.equal(a.dedupeKey);
    expect(b.messageId).to.equal(a.messageId);
    expect(a.messageId).to.match(/^<[0-9a-f]{32}@pantau\.kabupaten-malang>$/);
    expect(a.messageId).to.equal(messageIdFor(a.dedupeKey, "Kabupaten Malang"));
    const c = compose(views(2, AT_RISK), AT_RISK)[0]!;
    expect(c.messageId).not.to.equal(a.messageId);
  });
});

describe("notify/compose vacancies and reminders", () => {
  const vacantLiaison = [
    appt("liaison", "dinkes", "Sri", "sri@dinkes.go.id", "2024-01-02", "2025-03-01"),
    ...DIRECTORY.filter((a) => a.role !== "liaison"),
  ];

  it("sends a vacant liaison's items to the coordinator, with the vacancy in the same email", () => {
    const emails = compose(views(3, AT_RISK), AT_RISK, [], "id", vacantLiaison);
    expect(emails).to.have.length(1);
    const esc = emails[0]!;
    expect(esc.to).to.deep.equal(["lapor@kominfo.malangkab.go.id"]);
    const vacancy = "vacancy|dinkes|liaison|2025-02-28T17:00:00.000Z";
    // Three decisions and the vacancy key: the delivery rows keep the notice to one per person.
    expect(esc.items).to.have.length(4);
    expect(esc.items).to.include(vacancy);
    expect(esc.subject).to.equal(
      "[Pantau] 3 laporan Dinas Kesehatan: 3 perlu tindakan Anda, 1 jabatan kosong",
    );
    expect(esc.text).to.contain("Sebagai pengganti: pejabat penghubung Dinas Kesehatan");
    expect(esc.text).to.contain("-- pejabat penghubung Dinas Kesehatan --");
    expect(esc.text).to.contain("kosong sejak Sabtu, 1 Maret 2025 00:00 WIB");
    // A later scan raises the same vacancy key.
    const later = compose(views(3, DUE), DUE, ["0"], "id", vacantLiaison);
    expect(later.filter((e) => e.items.includes(vacancy))).to.have.length(1);
  });

  it("produces no email for an undeliverable decision", () => {
    const none = DIRECTORY.filter((a) => a.role === "leadership");
    expect(compose(views(2, AT_RISK), AT_RISK, [], "id", none)).to.deep.equal([]);
  });

  it("composes the daily digest of everything still overdue", () => {
    const now = wib("2025-03-10T08:00");
    const vs = [
      ...views(2, now),
      view(now, { report: { trackingId: "5000001", confidential: true, category: "Rahasia X" } }),
    ];
    const digests = reminderDueKeys(
      vs,
      (v) =>
        resolveRoleRecipients("supervisor", v.clock.opd, DIRECTORY, now).recipients.map((r) => ({
          email: r.email,
          name: r.name,
        })),
      calendar,
      now,
    );
    const emails = composeReminderEmails(digests, ctx(now));
    expect(emails).to.have.length(1);
    const e = emails[0]!;
    expect(e.kind).to.equal("reminder");
    expect(e.dedupeKey).to.equal("reminder|kadinkes@malangkab.go.id|2025-03-10");
    expect(e.subject).to.equal(
      "[Pantau] Pengingat harian: 3 laporan Dinas Kesehatan masih melewati batas waktu",
    );
    expect(e.text).to.contain("Laporan 5000001 (rahasia)").and.not.contain("Rahasia X");
    // Fri 7 Mar and Mon 10 Mar 00:00–08:00.
    expect(e.text).to.contain("Terlambat: 1,33 hari kerja");
    const en = composeReminderEmails(digests, ctx(now, "en"))[0]!;
    expect(en.subject).to.equal(
      "[Pantau] Daily reminder: 3 Dinas Kesehatan reports are still overdue",
    );
  });
});
