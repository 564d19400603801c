// Rows → report snapshots, event rows and rejections: header aliases, the manual-intake rule,
// duplicates, agencies, mapping files, privacy and a 200,000-row stream.
import { createWriteStream, writeFileSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { expect } from "chai";
import {
  IMPORT_FIELDS,
  ImportError,
  loadImportAliases,
  loadMapping,
  mapHeaders,
  normalizeRows,
  DuplicateLedger,
  openImport,
  readTable,
  type NormalizedRow,
  type Rejection,
} from "../../src/ingest/index.js";
import type { ReportSnapshot } from "../../src/core/types.js";
import type { CellValue } from "../../src/ingest/cells.js";
import {
  cleanupTemp,
  collect,
  csv,
  memoryTable,
  normalizeFile,
  options,
  rejectsWith,
  tempDir,
  wib,
  xlsx,
} from "./helpers.js";

function snapshots(rows: NormalizedRow[]): ReportSnapshot[] {
  return rows.flatMap((r) => (r.kind === "snapshot" ? [r.snapshot] : []));
}
function rejections(rows: NormalizedRow[]): Rejection[] {
  return rows.flatMap((r) => (r.kind === "rejected" ? r.rejections : []));
}
async function run(headers: string[], rows: CellValue[][]) {
  return collect(normalizeRows(memoryTable(headers, rows), options()));
}

const BASE_HEADERS = [
  "ID Tracking",
  "Tanggal Laporan",
  "Instansi Tujuan",
  "Sumber",
  "No. HP",
  "Email",
];

describe("ingest: header mapping", () => {
  const aliases = loadImportAliases();

  it("maps every alias of config/import-aliases.yaml, any case, spacing and punctuation", () => {
    for (const field of IMPORT_FIELDS) {
      for (const alias of [field, ...aliases.source.headers[field]]) {
        for (const variant of [
          alias,
          alias.toUpperCase(),
          ` ${alias.replace(/ /g, "  ")}. `,
          alias.replace(/[ .]/g, "_"),
        ]) {
          const headers =
            field === "tracking_id"
              ? [variant, "Tanggal Laporan"]
              : ["ID Tracking", "Tgl Lapor", variant];
          if (field === "received_at") headers.splice(1, 1);
          if (field === "at" || field === "event") headers.push(field === "at" ? "Event" : "At");
          const map = mapHeaders(headers, aliases);
          expect(map.columns[field], `${field} ← ${JSON.stringify(variant)}`).to.equal(variant);
        }
      }
    }
  });

  it("covers the aliases the issue names", () => {
    const named: Record<string, string[]> = {
      tracking_id: ["ID Tracking", "No. Tracking", "Tracking ID", "Nomor Tracking"],
      received_at: ["Tanggal Laporan", "Tgl Lapor", "Received", "Tanggal Masuk"],
      opd: ["Instansi Tujuan", "OPD", "Disposisi ke", "Instansi", "Agency"],
      category: ["Kategori"],
      type: ["Klasifikasi", "Jenis", "Type"],
      complexity: ["Kompleksitas"],
      channel: ["Sumber", "Kanal", "Channel", "Media"],
      anonymous: ["Anonim"],
      confidential: ["Rahasia"],
      disposed_at: ["Tanggal Disposisi"],
      first_response_at: ["Tanggal Tanggapan", "Tanggapan Pertama"],
      followed_up_at: ["Tanggal Tindak Lanjut"],
      completed_at: ["Tanggal Selesai"],
      archived_at: ["Tanggal Arsip"],
      contact_phone: ["No. HP", "Telepon", "Nomor WA", "Phone"],
      contact_email: ["Email", "Surel"],
    };
    for (const [field, list] of Object.entries(named))
      for (const h of list) {
        const headers = [h];
        if (field !== "tracking_id") headers.push("tracking_id");
        if (field !== "received_at") headers.push("received_at");
        expect(mapHeaders(headers, aliases).columns, h).to.have.property(field, h);
      }
  });

  it("prefers the first alias when two headers name one field", () => {
    const map = mapHeaders(["Instansi", "ID Tracking", "Tgl Lapor", "Instansi Tujuan"], aliases);
    expect(map.columns.opd).to.equal("Instansi Tujuan");
    expect(map.unused).to.deep.equal(["Instansi"]);
  });

  it("names the missing required column, the headers found and the closest alias", () => {
    try {
      mapHeaders(["No Trackng", "Tanggal Laporan", "OPD"], aliases);
      expect.fail("no error");
    } catch (e) {
      const err = e as ImportError;
      expect(err.code).to.equal("missing_columns");
      expect(err.msg.en).to.include("required column missing: tracking_id");
      expect(err.msg.en).to.include('Headers found: "No Trackng", "Tanggal Laporan", "OPD"');
      expect(err.msg.en).to.include('closest: "No Trackng" (nearest alias "No. Tracking")');
      expect(err.msg.id).to.include("kolom wajib tidak ditemukan: tracking_id");
    }
  });

  it("detects the canonical event log", () => {
    const map = mapHeaders(["tracking_id", "at", "event", "opd"], aliases);
    expect(map.kind).to.equal("event");
    expect(mapHeaders(["tracking_id", "received_at"], aliases).kind).to.equal("snapshot");
  });
});

describe("ingest: normalizeRows", () => {
  after(cleanupTemp);

  it("turns the canonical snapshot CSV into snapshots", async () => {
    const text = csv([
      [
        "tracking_id",
        "received_at",
        "opd",
        "type",
        "complexity",
        "category",
        "channel",
        "anonymous",
        "confidential",
        "contact_complete",
        "disposed_at",
        "first_response_at",
        "followed_up_at",
        "completed_at",
        "archived_at",
      ],
      [
        "2007157",
        "2025-03-03T10:12:00+07:00",
        "dinkes",
        "pengaduan",
        "normatif",
        "Kesehatan",
        "lapor_web",
        "false",
        "true",
        "false",
        "2025-03-04T09:00:00+07:00",
        "2025-03-05T09:00:00+07:00",
        "2025-03-06T09:00:00+07:00",
        "2025-03-20T09:00:00+07:00",
        "",
      ],
      [
        "2007158",
        "2025-03-03 11:00",
        "35.07.13",
        "permintaan_informasi",
        "",
        "",
        "whatsapp",
        "0",
        "0",
        "true",
        "",
        "",
        "",
        "",
        "",
      ],
    ]);
    const rows = await normalizeFile(Buffer.from(text));
    expect(rows.map((r) => r.kind)).to.deep.equal(["snapshot", "snapshot"]);
    const [a, b] = snapshots(rows);
    expect(a).to.deep.equal({
      trackingId: "2007157",
      receivedAt: wib(2025, 3, 3, 10, 12),
      opd: "dinkes",
      type: "pengaduan",
      complexity: "normatif",
      category: "Kesehatan",
      channel: "lapor_web",
      anonymous: false,
      confidential: true,
      contactComplete: false,
      milestones: {
        disposedAt: wib(2025, 3, 4, 9),
        firstResponseAt: wib(2025, 3, 5, 9),
        followedUpAt: wib(2025, 3, 6, 9),
        completedAt: wib(2025, 3, 20, 9),
      },
    });
    expect(b).to.include({
      opd: "35.07.13",
      type: "permintaan_informasi",
      complexity: "unknown",
      contactComplete: true,
      channel: "whatsapp",
    });
  });

  it("reads a real-world xlsx export with aliases, dates of every kind and title rows", async () => {
    const bytes = await xlsx([
      {
        name: "Rekap",
        rows: [
          ["Rekap Laporan SP4N-LAPOR! Kabupaten Malang"],
          [],
          [
            "No. Tracking",
            "Judul",
            "Isi Laporan",
            "Nama Pelapor",
            "Tgl Lapor",
            "Disposisi ke",
            "Klasifikasi",
            "Kompleksitas",
            "Kanal",
            "Anonim",
            "Rahasia",
            "Telepon",
            "Surel",
            "Tanggal Disposisi",
            "Tanggal Tindak Lanjut",
            "Status",
          ],
          [
            "2007157",
            "Jalan rusak",
            "Jalan berlubang di depan SD",
            "Budi",
            new Date(Date.UTC(2024, 6, 9, 14, 3)),
            "Kec. Kepanjen",
            "Pengaduan",
            "Ringan",
            "IG",
            "Ya",
            "Tidak",
            "0812-3456-7890",
            "",
            45483.375,
            "11 Juli 2024 10.00",
            "Diproses",
          ],
          [
            2007158,
            "Info",
            "Minta info",
            "Sri",
            "9 Juli 2024 14.03",
            "DINKES",
            "Permintaan Informasi",
            "",
            "LAPOR! web",
            "",
            "",
            "",
            "",
            "",
            "",
            "Belum Terverifikasi",
          ],
        ],
        numFmt: { E4: "dd/mm/yyyy hh:mm" },
      },
    ]);
    const opened = await openImport(bytes, options());
    expect(opened.table.headerRowNumber).to.equal(3);
    const rows = await collect(opened.rows);
    expect(rejections(rows)).to.deep.equal([]);
    const [a, b] = snapshots(rows);
    expect(a).to.deep.equal({
      trackingId: "2007157",
      receivedAt: wib(2024, 7, 9, 14, 3),
      opd: "35.07.13",
      type: "pengaduan",
      complexity: "ringan",
      category: null,
      channel: "social_media",
      anonymous: true,
      confidential: false,
      contactComplete: true,
      milestones: { disposedAt: wib(2024, 7, 10, 9), followedUpAt: wib(2024, 7, 11, 10) },
    });
    expect(b).to.include({
      trackingId: "2007158",
      opd: "dinkes",
      channel: "lapor_web",
      contactComplete: false,
    });
    // Privacy: no complaint text, name or contact data anywhere in the output.
    const out = JSON.stringify(rows);
    for (const secret of ["Jalan berlubang", "Budi", "Sri", "0812", "Jalan rusak", "Minta info"])
      expect(out, secret).to.not.include(secret);
  });

  it("reads dates without an offset in the agency's zone", async () => {
    const c = options();
    const agencies = c.agencies.map((a) =>
      a.code === "dinkes" ? { ...a, zone: "Asia/Jayapura" } : a,
    );
    const rows = await collect(
      normalizeRows(
        memoryTable(
          ["ID Tracking", "Tgl Lapor", "OPD"],
          [
            ["1", "09/07/2024 14:03", "Dinkes"],
            ["2", "09/07/2024 14:03", ""],
          ],
        ),
        { ...c, agencies },
      ),
    );
    expect(snapshots(rows).map((s) => s.receivedAt)).to.deep.equal([
      Date.UTC(2024, 6, 9, 5, 3),
      wib(2024, 7, 9, 14, 3),
    ]);
  });

  describe("manual-intake rule", () => {
    const manual = ["WA", "Instagram", "web", "email", "Call Center 112", "Datang Langsung"];
    for (const channel of manual) {
      it(`rejects a ${channel} report without phone or email ("data pelapor belum lengkap")`, async () => {
        const rows = await run(BASE_HEADERS, [["1", "09/07/2024", "Dinkes", channel, "", "-"]]);
        expect(rows[0]?.kind).to.equal("rejected");
        const [r] = rejections(rows);
        expect(r?.column).to.equal("No. HP / Email");
        expect(r?.value).to.equal("");
        expect(r?.reason.id).to.match(/^data pelapor belum lengkap/);
        expect(r?.reason.en).to.match(/^reporter contact data incomplete/);
      });
    }

    it("accepts a manual report with either a phone number or an email", async () => {
      const rows = await run(BASE_HEADERS, [
        ["1", "09/07/2024", "Dinkes", "WA", "081234567890", ""],
        ["2", "09/07/2024", "Dinkes", "WA", "", "warga@example.id"],
        ["3", "09/07/2024", "Dinkes", "WA", 81234567890, ""],
      ]);
      expect(snapshots(rows).map((s) => s.contactComplete)).to.deep.equal([true, true, true]);
    });

    it("does not apply the rule to LAPOR!'s own channels, but records the contact flag", async () => {
      const rows = await run(BASE_HEADERS, [
        ["1", "09/07/2024", "Dinkes", "LAPOR! web", "", ""],
        ["2", "09/07/2024", "Dinkes", "SMS 1708", "", ""],
        ["3", "09/07/2024", "Dinkes", "", "", ""],
      ]);
      expect(snapshots(rows).map((s) => [s.channel, s.contactComplete])).to.deep.equal([
        ["lapor_web", false],
        ["sms_1708", false],
        [null, false],
      ]);
    });

    it("masks an implausible contact value and never returns it", async () => {
      const rows = await run(BASE_HEADERS, [
        ["1", "09/07/2024", "Dinkes", "WA", "0812", "bukan-email"],
      ]);
      const [r] = rejections(rows);
      expect(r?.value).to.equal("(disamarkan / masked)");
      expect(JSON.stringify(rows)).to.not.include("0812").and.not.include("bukan-email");
    });

    it("rejects a manual report when the file has no contact column at all", async () => {
      const rows = await run(["ID Tracking", "Tgl Lapor", "Sumber"], [["1", "09/07/2024", "WA"]]);
      expect(rejections(rows)[0]?.column).to.equal("No. HP / Email");
    });

    it("uses contact_complete of the canonical format", async () => {
      const rows = await run(
        ["tracking_id", "received_at", "channel", "contact_complete"],
        [
          ["1", "2024-07-09", "whatsapp", "true"],
          ["2", "2024-07-09", "whatsapp", "false"],
        ],
      );
      expect(rows.map((r) => r.kind)).to.deep.equal(["snapshot", "rejected"]);
      expect(rejections(rows)[0]?.column).to.equal("contact_complete");
    });
  });

  it("imports an identical repeat of a tracking ID; notes contradicting ones, never guessing", async () => {
    const headers = ["ID Tracking", "Tgl Lapor", "Instansi Tujuan"];
    const rows: CellValue[][] = [
      ["100", "09/07/2024", "Dinkes"],
      ["200", "09/07/2024", "Dinkes"],
      ["100", "10/07/2024", "Dinkes"],
      [" 1 00", "09/07/2024", "Dinkes"],
      ["200", "09/07/2024", "Dinas Kesehatan"],
    ];
    const ledger = new DuplicateLedger();
    const first = await collect(
      normalizeRows(memoryTable(headers, rows), options({ duplicates: ledger })),
    );
    // Row 6 repeats row 3 exactly (another spelling of the same agency): it stays a snapshot
    // and changes nothing on import. Rows 4 and 5 contradict row 2.
    expect(first.map((r) => r.kind)).to.deep.equal([
      "snapshot",
      "snapshot",
      "rejected",
      "rejected",
      "snapshot",
    ]);
    const rej = rejections(first);
    expect(rej.map((r) => [r.rowNumber, r.trackingId])).to.deep.equal([
      [4, "100"],
      [5, "1 00"],
    ]);
    expect(rej[0]?.reason.id).to.match(/^ID tracking 100 muncul lagi di baris 2 dengan isi/);
    expect(rej[1]?.reason.en).to.match(/^tracking ID 100 appears again on row 2, 4 with/);
    expect([...ledger.contradicted]).to.deep.equal([["100", [2, 4, 5]]]);
    expect(ledger.needsAnotherPass).to.equal(true);

    // The second pass knows them: every row of that ID is rejected, each naming the others.
    const again = new DuplicateLedger(ledger.contradicted);
    const second = await collect(
      normalizeRows(memoryTable(headers, rows), options({ duplicates: again })),
    );
    expect(second.map((r) => r.kind)).to.deep.equal([
      "rejected",
      "snapshot",
      "rejected",
      "rejected",
      "snapshot",
    ]);
    expect(rejections(second).map((r) => r.reason.en.split(" with ")[0])).to.deep.equal([
      "tracking ID 100 appears again on row 4, 5",
      "tracking ID 100 appears again on row 2, 5",
      "tracking ID 100 appears again on row 2, 4",
    ]);
    expect(again.needsAnotherPass).to.equal(false);
  });

  it("keeps a report whose channel or category is not recognised, with a warning", async () => {
    const rows = await run(
      ["ID Tracking", "Tgl Lapor", "Instansi Tujuan", "Sumber", "Kategori"],
      [
        ["1", "09/07/2024", "DPU Bina Marga", "mobile", "Jalan Rusak"],
        ["2", "09/07/2024", "Dinkes", "LAPOR! web", { problem: "error_value", detail: "#N/A" }],
      ],
    );
    expect(rows.map((r) => r.kind)).to.deep.equal(["snapshot", "snapshot"]);
    const [a, b] = snapshots(rows);
    expect([a?.channel, a?.category, a?.opd]).to.deep.equal(["other", "Jalan Rusak", "dpubm"]);
    expect([b?.channel, b?.category]).to.deep.equal(["lapor_web", null]);
    const warnings = rows.flatMap((r) => (r.kind === "snapshot" ? (r.warnings ?? []) : []));
    expect(
      warnings.map((w) => [w.rowNumber, w.column, w.value, w.trackingId, w.agency, w.severity]),
    ).to.deep.equal([
      [2, "Sumber", "mobile", "1", "DPU Bina Marga", "warning"],
      [3, "Kategori", "#N/A", "2", "Dinkes", "warning"],
    ]);
    expect(warnings[0]?.reason.id).to.match(/kanal "mobile" tidak dikenal.*tetap diimpor/);
    expect(warnings[0]?.reason.en).to.match(/imported with channel "other"/);
  });

  it("says a present but malformed contact is invalid, naming the column", async () => {
    const rows = await run(BASE_HEADERS, [
      ["1", "09/07/2024", "Dinkes", "WA", "0812-ABC-99", ""],
      ["2", "09/07/2024", "Dinkes", "WA", "", "warga@"],
      ["3", "09/07/2024", "Dinkes", "WA", "0812-ABC-99", "warga@example.id"],
      ["4", "09/07/2024", "Dinkes", "WA", "", ""],
    ]);
    expect(rows.map((r) => r.kind)).to.deep.equal(["rejected", "rejected", "snapshot", "rejected"]);
    const rej = rejections(rows);
    expect(rej.map((r) => [r.column, r.value])).to.deep.equal([
      ["No. HP", "(disamarkan / masked)"],
      ["Email", "(disamarkan / masked)"],
      ["No. HP / Email", ""],
    ]);
    expect(rej[0]?.reason.id).to.match(/^data pelapor tidak valid \(kolom No\. HP\)/);
    expect(rej[1]?.reason.en).to.match(/^reporter contact data invalid \(column Email\)/);
    expect(rej[2]?.reason.id).to.match(/^data pelapor belum lengkap/);
    expect(JSON.stringify(rows)).to.not.include("ABC").and.not.include("warga@");
  });

  it("names the tracking ID and the agency as written on every rejection", async () => {
    const rows = await run(
      ["ID Tracking", "Tgl Lapor", "Instansi Tujuan"],
      [[" 2007157 ", "31/02/2025", "Dinas Kesehatn"]],
    );
    expect(rejections(rows).map((r) => [r.column, r.trackingId, r.agency])).to.deep.equal([
      ["Instansi Tujuan", "2007157", "Dinas Kesehatn"],
      ["Tgl Lapor", "2007157", "Dinas Kesehatn"],
    ]);
  });

  it("rejects an unknown agency with suggestions", async () => {
    const rows = await run(
      ["ID Tracking", "Tgl Lapor", "OPD"],
      [["1", "09/07/2024", "Dinas Pendidikn"]],
    );
    const [r] = rejections(rows);
    expect(r).to.include({ rowNumber: 2, column: "OPD", value: "Dinas Pendidikn" });
    expect(r?.reason.en).to.include("closest known: Dinas Pendidikan");
  });

  it("parses a repeated text once but judges every row on its own", async () => {
    // Agency names, types and yes/no values repeat on every row; their parses are remembered.
    const rows = await run(
      ["ID Tracking", "Tgl Lapor", "OPD", "Jenis", "Anonim"],
      [
        ["1", "09/07/2024", "Dinkes", "Pengaduan", "Ya"],
        ["2", "09/07/2024", "Dinas Entah", "Pengaduan", "Ya"],
        ["3", "10/07/2024", "Dinkes", "Aspirasi", "Tidak"],
        ["4", "11/07/2024", "Dinas Entah", "Pengaduan", "Ya"],
        ["5", "12/07/2024", "Dinkes", "Pengaduan", "mungkin"],
      ],
    );
    expect(rows.map((r) => r.kind)).to.deep.equal([
      "snapshot",
      "rejected",
      "snapshot",
      "rejected",
      "rejected",
    ]);
    const snapshots = rows.flatMap((r) => (r.kind === "snapshot" ? [r.snapshot] : []));
    expect(snapshots.map((s) => [s.opd, s.type, s.anonymous])).to.deep.equal([
      ["dinkes", "pengaduan", true],
      ["dinkes", "aspirasi", false],
    ]);
    const rej = rejections(rows);
    expect(rej.map((r) => [r.rowNumber, r.column, r.value])).to.deep.equal([
      [3, "OPD", "Dinas Entah"],
      [5, "OPD", "Dinas Entah"],
      [6, "Anonim", "mungkin"],
    ]);
  });

  it("lists every problem of a row, each with its column and value", async () => {
    const rows = await run(
      [
        "ID Tracking",
        "Tgl Lapor",
        "Klasifikasi",
        "Kanal",
        "Anonim",
        "Tanggal Disposisi",
        "Tanggal Tindak Lanjut",
      ],
      [["12a", "31/02/2025", "rahasia negara", "burung", "mungkin", "=NOW()", "01/01/2020"]],
    );
    const rej = rejections(rows);
    // An unknown channel ("burung") alone would not reject a row: it is a warning (see below).
    expect(rej.map((r) => r.column)).to.deep.equal([
      "ID Tracking",
      "Tgl Lapor",
      "Klasifikasi",
      "Anonim",
      "Tanggal Disposisi",
    ]);
    expect(rej.find((r) => r.column === "Tanggal Disposisi")?.value).to.equal("=NOW()");
  });

  it("rejects milestones that go backwards and a disposition without an agency", async () => {
    const rows = await run(
      [
        "ID Tracking",
        "Tgl Lapor",
        "OPD",
        "Tanggal Disposisi",
        "Tanggal Tanggapan",
        "Tanggal Arsip",
      ],
      [
        ["1", "09/07/2024", "Dinkes", "08/07/2024", "", ""],
        ["2", "09/07/2024", "Dinkes", "10/07/2024", "09/07/2024 12:00", ""],
        ["3", "09/07/2024", "", "10/07/2024", "", ""],
        ["4", "09/07/2024", "Dinkes", "", "", "01/07/2024"],
        ["5", "09/07/2024", "Dinkes", "09/07/2024", "09/07/2024", "09/07/2024"],
      ],
    );
    expect(rows.map((r) => r.kind)).to.deep.equal([
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "snapshot",
    ]);
    expect(rejections(rows).map((r) => r.column)).to.deep.equal([
      "Tanggal Disposisi",
      "Tanggal Tanggapan",
      "OPD",
      "Tanggal Arsip",
    ]);
  });

  it("truncates long values to 200 characters", async () => {
    const rows = await run(
      ["ID Tracking", "Tgl Lapor"],
      [["1".repeat(150) + "x".repeat(300), "09/07/2024"]],
    );
    expect(rejections(rows)[0]?.value).to.have.length(200);
  });

  it("rejects formula cells without a cached result and formula-looking text", async () => {
    const bytes = await xlsx([
      {
        name: "S",
        rows: [
          ["ID Tracking", "Tgl Lapor"],
          [{ formula: "1+1" }, "=TODAY()"],
          ["+62", { formula: "TODAY()" }],
          [
            { formula: "A1", result: 99 },
            { formula: "TODAY()", result: 45482 },
          ],
        ],
      },
    ]);
    const rows = await normalizeFile(bytes);
    expect(rows.map((r) => r.kind)).to.deep.equal(["rejected", "rejected", "snapshot"]);
    expect(rejections(rows).map((r) => r.reason.en)).to.satisfy((l: string[]) =>
      l.every((x) => /formula|digits only/.test(x)),
    );
    expect(snapshots(rows)[0]).to.include({ trackingId: "99", receivedAt: wib(2024, 7, 9) });
  });

  it("reads the event log", async () => {
    const text = csv([
      ["tracking_id", "at", "event", "opd"],
      ["2007157", "2025-03-03T10:12:00+07:00", "received", ""],
      ["2007157", "2025-03-04 09:00", "disposed", "dinkes"],
      ["2007157", "2025-03-05 09:00", "Disposisi Ulang", "Kec. Kepanjen"],
      ["2007157", "2025-03-06 09:00", "disposed", ""],
      ["2007157", "2025-03-06 09:00", "teleported", ""],
    ]);
    const rows = await normalizeFile(Buffer.from(text));
    expect(rows.map((r) => r.kind)).to.deep.equal([
      "event",
      "event",
      "event",
      "rejected",
      "rejected",
    ]);
    expect(rows.slice(0, 3).map((r) => (r.kind === "event" ? r.event : null))).to.deep.equal([
      { trackingId: "2007157", kind: "received", at: wib(2025, 3, 3, 10, 12), opd: null },
      { trackingId: "2007157", kind: "disposed", at: wib(2025, 3, 4, 9), opd: "dinkes" },
      { trackingId: "2007157", kind: "redisposed", at: wib(2025, 3, 5, 9), opd: "35.07.13" },
    ]);
    expect(rejections(rows).map((r) => r.column)).to.deep.equal(["opd", "event"]);
  });

  it("fails on a missing required column before any row", async () => {
    const e = await rejectsWith(
      normalizeFile(Buffer.from("Nomor,Tanggal Laporan\n1,09/07/2024\n")),
    );
    expect(e.code).to.equal("missing_columns");
    expect(e.message).to.include("tracking_id").and.include('"Nomor", "Tanggal Laporan"');
  });

  it("applies a mapping file (field → header; null ignores a column)", async () => {
    const dir = tempDir();
    const mappingPath = join(dir, "pemetaan.yaml");
    writeFileSync(
      mappingPath,
      'tracking_id: "Nomor Aduan"\nreceived_at: "Waktu Masuk"\nopd: "Unit Kerja"\ncategory: null\n',
    );
    const mapping = loadMapping(mappingPath);
    const text = csv([
      ["Nomor Aduan", "Waktu Masuk", "Unit Kerja", "Kategori", "ID Tracking"],
      ["55", "09/07/2024", "Dinkes", "Jalan", "not-used"],
    ]);
    const rows = await normalizeFile(Buffer.from(text), { mapping });
    expect(snapshots(rows)[0]).to.include({ trackingId: "55", opd: "dinkes", category: null });
    // A mapped header missing from the file is a clear error.
    const bad = await rejectsWith(
      normalizeFile(
        Buffer.from(
          csv([
            ["Nomor", "Waktu Masuk"],
            ["1", "x"],
          ]),
        ),
        { mapping },
      ),
    );
    expect(bad.code).to.equal("missing_columns");
    expect(bad.message).to.include('tracking_id → "Nomor Aduan"');
    // A bad mapping file names the key.
    writeFileSync(mappingPath, "tracking: Nomor\n");
    const e = await rejectsWith(Promise.resolve().then(() => loadMapping(mappingPath)));
    expect(e.code).to.equal("bad_mapping");
    expect(e.message).to.include("tracking: unknown field");
  });

  it("streams 200,000 CSV rows with bounded memory", async function () {
    this.timeout(300_000);
    const path = join(tempDir(), "besar.csv");
    const out = createWriteStream(path);
    out.write("\uFEFFNo. Tracking;Tanggal Laporan;Instansi Tujuan;Sumber;No. HP;Isi Laporan\r\n");
    for (let i = 0; i < 200_000; i++) {
      const line = `${3_000_000 + i};${(i % 28) + 1}/07/2024 ${String(i % 24).padStart(2, "0")}.15;${i % 2 ? "Dinkes" : "Kec. Kepanjen"};${i % 3 ? "LAPOR! web" : "WA"};${i % 5 ? "08123456789" : ""};"Keluhan nomor ${i}; jalan ""rusak"""\r\n`;
      if (!out.write(line)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const counts = { snapshot: 0, rejected: 0, event: 0 };
    for await (const r of normalizeRows(await readTable(path), options())) {
      counts[r.kind]++;
      if ((counts.snapshot + counts.rejected) % 20_000 === 0) {
        // What is still reachable (mocha runs with --expose-gc), not garbage awaiting a GC.
        global.gc?.();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    // Every 15th row: WA without a phone (i % 3 === 0 and i % 5 === 0).
    expect(counts).to.deep.equal({ snapshot: 186_666, rejected: 13_334, event: 0 });
    // The duplicate-ID index grows with unique IDs (~20 MB); rows themselves are not kept.
    expect(peak - before).to.be.lessThan(150 * 1024 * 1024);
  });
});
