// --mapping can never put reporter identity or complaint text into a stored field: a column known
// to carry them (the alias table's ignored and contact headers, or a header naming the reporter,
// NIK, phone, email, address, title, text or attachment) mapped onto a stored field is refused
// with the reason; only the contact fields (read for the manual-intake check, never stored) may
// point at such a column.
import { expect } from "chai";
import {
  CONTACT_FIELDS,
  IMPORT_FIELDS,
  isIdentityHeader,
  mapHeaders,
  parseMapping,
} from "../../src/ingest/aliases.js";
import { ImportError } from "../../src/ingest/errors.js";
import { loadImportAliases } from "../../src/ingest/read.js";

const aliases = loadImportAliases();
const HEADERS = [
  "ID Tracking",
  "Tanggal Laporan",
  "Instansi Tujuan",
  "Nama Pelapor",
  "Nama Lengkap Pelapor",
  "NIK",
  "No. HP",
  "Email Pelapor",
  "Alamat Rumah",
  "Judul Laporan",
  "Isi Laporan",
  "Lampiran Foto",
  "Kategori",
];

describe("--mapping and reporter identity", () => {
  it("refuses an identity or complaint-text column mapped onto a stored field, saying why", () => {
    const identity = HEADERS.slice(3, 12);
    for (const field of ["category", "opd", "channel", "status"] as const) {
      for (const header of identity) {
        const mapping = parseMapping(`${field}: "${header}"\n`);
        let error: unknown;
        try {
          mapHeaders(HEADERS, aliases, mapping);
        } catch (e) {
          error = e;
        }
        expect(error, `${field} → ${header}`).to.be.instanceOf(ImportError);
        const e = error as ImportError;
        expect(e.code).to.equal("bad_mapping");
        expect(e.msg.id).to.include(`${field}: "${header}"`);
        expect(e.msg.id).to.match(/identitas pelapor atau isi pengaduan.*tidak pernah disimpan/);
        expect(e.msg.en).to.match(/never stores/);
      }
    }
  });

  it("lets the contact fields read identity columns (never stored), and ordinary columns map", () => {
    const map = mapHeaders(
      HEADERS,
      aliases,
      parseMapping('contact_phone: "No. HP"\ncontact_email: "Email Pelapor"\ncategory: Kategori\n'),
    );
    expect(map.columns).to.include({
      contact_phone: "No. HP",
      contact_email: "Email Pelapor",
      category: "Kategori",
    });
  });

  it("a shipped alias of a stored field is never taken for an identity column", () => {
    for (const field of IMPORT_FIELDS) {
      if ((CONTACT_FIELDS as readonly string[]).includes(field)) continue;
      for (const alias of [field, ...aliases.source.headers[field]]) {
        expect(isIdentityHeader(alias, aliases), `${field}: ${alias}`).to.equal(false);
      }
    }
  });
});
