// Pure parts of per-person notification: grouping (addressee / copy / vacancy, delivered items
// left out), the personal email's subject and first line, the chat text, quiet hours and the
// officers' chat contacts.
import { expect } from "chai";
import {
  DEFAULT_LADDER,
  decideEscalations,
  type EscalationDecision,
  type StoredClockView,
} from "../../../src/core/escalation/ladder.js";
import { parsePhone, parseTelegramChatId } from "../../../src/core/escalation/contacts.js";
import { type Appointment } from "../../../src/core/escalation/appointments.js";
import { validateOfficerRows } from "../../../src/core/escalation/officerRows.js";
import {
  resolveRecipients,
  type RecipientResolution,
} from "../../../src/core/escalation/recipients.js";
import { chatText } from "../../../src/core/escalation/chatMessage.js";
import type { ComposeContext } from "../../../src/core/escalation/compose.js";
import { bundlesPerPerson, PersonBundleBuilder } from "../../../src/core/escalation/perPerson.js";
import { composePersonalEmail } from "../../../src/core/escalation/personalEmail.js";
import {
  DEFAULT_QUIET_HOURS,
  inQuietHours,
  quietHoursRelease,
} from "../../../src/core/escalation/quietHours.js";
import type { Instant } from "../../../src/core/types.js";
import { DIRECTORY, DUE, DUE_3WD, calendar, view, wib } from "../escalation/fixtures.js";

const NAMES: Record<string, string> = { dinkes: "Dinas Kesehatan", dinsos: "Dinas Sosial" };

function ctx(now: Instant): ComposeContext {
  return {
    lang: "id",
    regency: "Kabupaten Malang",
    agencyName: (opd) => NAMES[opd],
    reportUrl: (id) => `https://www.lapor.go.id/pengaduan/${id}`,
    calendar: () => calendar,
    now,
    scanId: "scan-1",
  };
}

function decide(views: StoredClockView[], now: Instant): EscalationDecision[] {
  return decideEscalations({
    clocks: views,
    alreadyTaken: new Set(),
    ladder: () => DEFAULT_LADDER,
    calendar: () => calendar,
    now,
  }).decide;
}

function resolveAll(
  ds: readonly EscalationDecision[],
  dir: readonly Appointment[],
  at: Instant,
): Map<string, RecipientResolution> {
  return new Map(ds.map((d) => [d.key, resolveRecipients(d, dir, at)]));
}

const SUPERVISOR = "kadinkes@malangkab.go.id";
const COORDINATOR = "lapor@kominfo.malangkab.go.id";

describe("notify: one bundle per person", () => {
  // At DUE_3WD + 1 h: report A (disposed 3 Mar) is at level 2 (leadership, copy supervisor and
  // coordinator); report B (disposed 6 Mar, due 12 Mar) is at level 1 (supervisor, copies).
  const now = DUE_3WD + 3_600_000;
  const a = view(now, { report: { trackingId: "4000001" } });
  const b = view(now, { report: { trackingId: "4000002" }, disposedAt: "2025-03-06T09:00" });
  const ds = decide([a, b], now);
  const resolved = resolveAll(ds, DIRECTORY, now);

  it("puts what a person acts on and what they are copied on in one bundle", () => {
    expect(ds.map((d) => [d.view.clock.trackingId, d.level])).to.deep.equal([
      ["4000001", 2],
      ["4000002", 1],
    ]);
    const bundles = bundlesPerPerson(ds, resolved, () => false);
    expect(bundles.map((b) => b.person)).to.deep.equal([
      SUPERVISOR,
      COORDINATOR,
      "sekda@malangkab.go.id",
      "sri.wahyuni@dinkes.malangkab.go.id",
    ]);
    const head = bundles[0]!;
    expect(head.action.map((i) => i.decision.view.clock.trackingId)).to.deep.equal(["4000002"]);
    expect(head.info.map((i) => i.decision.view.clock.trackingId)).to.deep.equal(["4000001"]);
    expect(head.info[0]!.others.map((o) => o.email)).to.deep.equal([
      "sekda@malangkab.go.id",
      COORDINATOR,
    ]);
    const email = composePersonalEmail(head, ctx(now));
    expect(email.to).to.deep.equal([SUPERVISOR]);
    expect(email.cc).to.deep.equal([]);
    expect(email.subject).to.equal(
      "[Pantau] 2 laporan Dinas Kesehatan: 1 perlu tindakan Anda, 1 tembusan",
    );
    expect(email.text).to.include(
      "Pantau mencatat untuk Anda: 1 perlu tindakan Anda, 1 tembusan (melewati batas waktu).",
    );
    expect(email.items).to.deep.equal(ds.map((d) => d.key).sort());
    // Deterministic: the same person and items give the same Message-ID.
    expect(composePersonalEmail(head, ctx(now + 60_000)).messageId).to.equal(email.messageId);
  });

  it("leaves out what a person already received, and drops empty bundles", () => {
    const first = ds[0]!.key;
    const bundles = bundlesPerPerson(
      ds,
      resolved,
      (item, person) => item === first || person === "sekda@malangkab.go.id",
    );
    expect(bundles.map((b) => b.person)).to.not.include("sekda@malangkab.go.id");
    const head = bundles.find((b) => b.person === SUPERVISOR)!;
    expect(head.info).to.have.length(0);
    expect(head.action).to.have.length(1);
    expect(composePersonalEmail(head, ctx(now)).subject).to.equal(
      "[Pantau] 1 laporan Dinas Kesehatan melewati batas waktu",
    );
  });

  it("gives the coordinator a vacancy in the same bundle as the items it stands in for", () => {
    const dir = DIRECTORY.filter((x) => x.role !== "liaison");
    const at = wib("2025-03-06T08:00");
    const risk = decide([view(at, { report: { trackingId: "4000003" } })], at);
    const bundles = bundlesPerPerson(risk, resolveAll(risk, dir, at), () => false);
    expect(bundles).to.have.length(1);
    expect(bundles[0]!.action[0]!.standsInFor).to.deep.equal({ role: "liaison", opd: "dinkes" });
    expect(bundles[0]!.vacancies.map((v) => v.key)).to.deep.equal(["vacancy|dinkes|liaison|never"]);
    const email = composePersonalEmail(bundles[0]!, ctx(at));
    expect(email.subject).to.equal(
      "[Pantau] 1 laporan Dinas Kesehatan: 1 perlu tindakan Anda, 1 jabatan kosong",
    );
    expect(email.text).to.include("Sebagai pengganti: pejabat penghubung Dinas Kesehatan");
    expect(email.text).to.include("== Jabatan kosong (1) ==");
  });

  it("lists at most the cap, what a person acts on first, and counts the rest per agency", () => {
    // The supervisor acts on B (level 1) and is copied on A (level 2, the older report): with
    // room for one item, B is listed and A counted, and the message says where to see it.
    const build = (cap: number) => {
      const builder = new PersonBundleBuilder(cap);
      const oldestFirst = [...ds].sort(
        (x, y) => (x.view.clock.dueAt ?? 0) - (y.view.clock.dueAt ?? 0),
      );
      for (const d of oldestFirst) builder.add(d, resolved.get(d.key), () => false);
      return builder.bundles().find((x) => x.person === SUPERVISOR)!;
    };
    const sup = build(1);
    expect(sup.action.map((i) => i.decision.view.clock.trackingId)).to.deep.equal(["4000002"]);
    expect(sup.info).to.deep.equal([]);
    expect([sup.actionTotal, sup.infoTotal]).to.deep.equal([1, 1]);
    expect(sup.unlisted).to.deep.equal([{ opd: "dinkes", action: 0, info: 1 }]);
    const email = composePersonalEmail(sup, ctx(now));
    expect(email.subject).to.equal(
      "[Pantau] 2 laporan Dinas Kesehatan: 1 perlu tindakan Anda, 1 tembusan",
    );
    expect(email.text).to.include("Laporan 4000002");
    expect(email.text).not.to.include("Laporan 4000001");
    expect(email.text).to.include(
      "Pesan ini mencantumkan 1 laporan (yang perlu tindakan Anda lebih dahulu, yang paling lama lebih dahulu); 1 laporan lain juga tercatat untuk Anda di pesan ini dan tidak akan dikirim ulang:",
    );
    expect(email.text).to.include(
      "- dan 1 laporan lain Dinas Kesehatan (1 tembusan): lihat `pantau status --opd dinkes`",
    );
    expect(email.items).to.deep.equal([ds.find((d) => d.level === 1)!.key]);
    // The Message-ID follows the person and the whole item set, listed or not.
    expect(composePersonalEmail(build(1), ctx(now)).messageId).to.equal(email.messageId);
    const all = composePersonalEmail(build(2), ctx(now));
    expect(all.text).not.to.include("laporan lain");
    expect(all.messageId).not.to.equal(email.messageId);
  });

  it("writes the chat text from the template, without a rahasia report's type or category", () => {
    const at = DUE + 3_600_000;
    const secret = view(at, {
      report: { trackingId: "4000004", confidential: true, category: "RahasiaSekali" },
    });
    const d = decide([secret], at);
    const [bundle] = bundlesPerPerson(d, resolveAll(d, DIRECTORY, at), () => false);
    const text = chatText(bundle!, ctx(at), "Yth. {name} | {count_action}/{count_copy}\n{items}");
    expect(text.split("\n")[0]).to.equal("Yth. dr. Bambang Setiawan | 1/0");
    expect(text).to.include("4000004 (rahasia) — Dinas Kesehatan — tanggapan pertama");
    expect(text).to.include("https://www.lapor.go.id/pengaduan/4000004");
    expect(text).not.to.include("RahasiaSekali");
  });
});

describe("notify: quiet hours", () => {
  const zone = "Asia/Jakarta";
  it("holds from 20:00 to 07:00 local, across midnight", () => {
    expect(inQuietHours(wib("2025-03-12T19:59"), zone, DEFAULT_QUIET_HOURS)).to.equal(false);
    expect(quietHoursRelease(wib("2025-03-12T19:59"), zone, DEFAULT_QUIET_HOURS)).to.equal(
      wib("2025-03-12T19:59"),
    );
    expect(quietHoursRelease(wib("2025-03-12T20:00"), zone, DEFAULT_QUIET_HOURS)).to.equal(
      wib("2025-03-13T07:00"),
    );
    expect(quietHoursRelease(wib("2025-03-13T03:30"), zone, DEFAULT_QUIET_HOURS)).to.equal(
      wib("2025-03-13T07:00"),
    );
    expect(quietHoursRelease(wib("2025-03-13T07:00"), zone, DEFAULT_QUIET_HOURS)).to.equal(
      wib("2025-03-13T07:00"),
    );
  });
  it("supports a window within one day, and none when start equals end", () => {
    const lunch = { startMinute: 12 * 60, endMinute: 13 * 60 };
    expect(quietHoursRelease(wib("2025-03-12T12:30"), zone, lunch)).to.equal(
      wib("2025-03-12T13:00"),
    );
    expect(inQuietHours(wib("2025-03-12T13:00"), zone, lunch)).to.equal(false);
    const none = { startMinute: 0, endMinute: 0 };
    expect(inQuietHours(wib("2025-03-12T23:00"), zone, none)).to.equal(false);
  });
});

describe("officers: chat contacts", () => {
  it("accepts E.164 phones (spaces and hyphens dropped) and rejects local numbers with the fix", () => {
    expect(parsePhone("+62 812-3456-7890")).to.deep.equal({ value: "+6281234567890" });
    expect(parsePhone("")).to.deep.equal({ value: null });
    const local = parsePhone("0812 3456 7890");
    expect(local).to.have.property("error");
    if ("error" in local) {
      expect(local.error.id).to.include("+6281234567890");
      expect(local.error.en).to.include("E.164");
    }
    expect(parsePhone("+62abc")).to.have.property("error");
    expect(parsePhone("+0812345678")).to.have.property("error");
  });
  it("accepts numeric Telegram chat ids, negative for groups", () => {
    expect(parseTelegramChatId("123456789")).to.deep.equal({ value: "123456789" });
    expect(parseTelegramChatId("-1001234567890")).to.deep.equal({ value: "-1001234567890" });
    expect(parseTelegramChatId("@kepala")).to.have.property("error");
  });
  it("validates the phone and telegram_chat_id columns of an officer file", () => {
    const base = {
      opd: "dinkes",
      role: "liaison",
      name: "Sri Wahyuni",
      email: "sri@dinkes.malangkab.go.id",
      valid_from: "2025-01-02",
      valid_to: "",
      decree: "SK 188.45/1/2025",
    };
    const ok = validateOfficerRows(
      [{ line: 2, ...base, phone: "+62 812 3456 7890", telegram_chat_id: "42" }],
      new Set(["dinkes"]),
      "en",
    );
    expect(ok.errors).to.deep.equal([]);
    expect(ok.appointments[0]).to.include({ phone: "+6281234567890", telegramChatId: "42" });
    const bad = validateOfficerRows(
      [{ line: 3, ...base, phone: "0812345678", telegram_chat_id: "kepala" }],
      new Set(["dinkes"]),
      "en",
    );
    expect(bad.appointments).to.deep.equal([]);
    expect(bad.errors.map((e) => e.column)).to.deep.equal(["phone", "telegram_chat_id"]);
    expect(bad.errors[0]!.message).to.equal(
      'line 3, phone: phone number "0812345678" has no country code: write it in E.164 format, e.g. +62812345678',
    );
  });
});
