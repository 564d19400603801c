// Agency names met in spreadsheets → the agency directory.
import { expect } from "chai";
import type { Agency } from "../../src/core/types.js";
import {
  agencyKeyIndex,
  agencyMatchKey,
  matchAgency,
  ruleAliases,
} from "../../src/ingest/index.js";
import { shippedConfig } from "./helpers.js";

describe("ingest: agency matching", () => {
  const agencies = () => shippedConfig().agencies;
  const code = (text: string) => {
    const r = matchAgency(text, agencies());
    if (!r.ok) throw new Error(r.reason.en);
    return r.value.code;
  };
  const why = (text: string, list: readonly Agency[] = agencies()) => {
    const r = matchAgency(text, list);
    if (r.ok) throw new Error(`matched ${r.value.code}`);
    return r.reason;
  };

  it("matches code, full name and alias, ignoring case and punctuation", () => {
    expect(code("dinkes")).to.equal("dinkes");
    expect(code("DINKES")).to.equal("dinkes");
    expect(code("Dinkes")).to.equal("dinkes");
    expect(code("Dinas Kesehatan")).to.equal("dinkes");
    expect(code("  dinas   kesehatan. ")).to.equal("dinkes");
    expect(code("35.07.13")).to.equal("35.07.13");
    expect(code("RSUD Kanjuruhan")).to.equal(
      agencies().find((a) => a.name.includes("Kanjuruhan"))?.code,
    );
    expect(code("Dinas Kesehatan Kabupaten Malang")).to.equal("dinkes");
    expect(code("Dinas Kesehatan Kab. Malang")).to.equal("dinkes");
  });

  it("matches the Kec./Kecamatan and Kel./Kelurahan forms", () => {
    for (const t of [
      "Kec. Kepanjen",
      "Kecamatan Kepanjen",
      "kec kepanjen",
      "KEC.KEPANJEN",
      "Kec Kepanjen",
    ])
      expect(code(t), t).to.equal("35.07.13");
    expect(code("Kel. Dampit")).to.equal("35.07.05.1007");
    expect(code("Kelurahan Dampit")).to.equal("35.07.05.1007");
    expect(code("Kec. Dampit")).to.equal("35.07.05");
  });

  it("spells out Kec./Kel. in match keys", () => {
    expect(agencyMatchKey("Kec. Sumbermanjing-Wetan")).to.equal("kecamatan sumbermanjing wetan");
    expect(agencyMatchKey("KEL.Sedayu")).to.equal("kelurahan sedayu");
  });

  it("rejects an unknown agency suggesting the three closest known names", () => {
    const r = why("Dinas Kesehatn");
    expect(r.en).to.match(
      /^unknown agency "Dinas Kesehatn"; closest known: Dinas Kesehatan \(dinkes\); /,
    );
    expect(r.en.split("; ").length).to.be.greaterThanOrEqual(3);
    expect(r.id).to.include("tidak dikenal").and.include("Dinas Kesehatan (dinkes)");
    // A bare place name suggests both the kecamatan and the kelurahan.
    const bare = why("Kepanjen").en;
    expect(bare).to.include("Kecamatan Kepanjen (35.07.13)");
    expect(bare).to.include("Kelurahan Kepanjen");
  });

  it("rejects a name shared by two agencies as ambiguous", () => {
    const list: Agency[] = [
      { code: "a", name: "Dinas A", kind: "dinas", zone: "Asia/Jakarta", aliases: ["D-A"] },
      { code: "b", name: "Dinas B", kind: "dinas", zone: "Asia/Jakarta", aliases: ["D.A."] },
    ];
    expect(why("d a", list).en)
      .to.include("ambiguous")
      .and.include("Dinas A (a)")
      .and.include("Dinas B (b)");
  });
});

describe("ingest: agency abbreviations by rule, over the whole directory", () => {
  const agencies = () => shippedConfig().agencies;
  const code = (text: string) => {
    const r = matchAgency(text, agencies());
    if (!r.ok) throw new Error(`${text}: ${r.reason.en}`);
    return r.value.code;
  };

  it("no key of the shipped directory names two agencies; the dropped acronyms are pinned", () => {
    const { keys, dropped } = agencyKeyIndex(agencies());
    const shared = [...keys].filter(([, list]) => list.length > 1).map(([k]) => k);
    expect(shared).to.deep.equal([]);
    const droppedCodes = Object.fromEntries(
      [...dropped].map(([k, list]) => [k, list.map((a) => a.code).sort()]),
    );
    // Initials shared by two agencies: never generated, answered as ambiguous.
    expect(droppedCodes).to.deep.equal({
      bppd: ["balitbangda", "bappeda"],
      dpk: ["disparbud", "dispussip"],
    });
  });

  it("every rule alias of every one of the 84 agencies finds that agency", () => {
    const { dropped } = agencyKeyIndex(agencies());
    expect(agencies()).to.have.length(84);
    let checked = 0;
    for (const a of agencies()) {
      const rules = ruleAliases(a);
      expect(rules.length, a.name).to.be.greaterThan(0);
      for (const alias of rules) {
        if (dropped.has(alias)) continue;
        expect(code(alias), `${alias} (${a.name})`).to.equal(a.code);
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(180);
  });

  it("understands the abbreviations of a real export", () => {
    const cases: [string, string][] = [
      ["DPU Bina Marga", "dpubm"],
      ["D.P.U. Bina Marga", "dpubm"],
      ["Dinas PU Bina Marga", "dpubm"],
      ["PU Bina Marga", "dpubm"],
      ["Dinas PU SDA", "dpusda"],
      ["DPU Sumber Daya Air Kab. Malang", "dpusda"],
      ["Pekerjaan Umum Sumber Daya Air", "dpusda"],
      ["DLH", "dlh"],
      ["DP3A", "dp3a"],
      ["DPPPA", "dp3a"],
      ["DPMPTSP", "dpmptsp"],
      ["Dinas Pariwisata & Kebudayaan", "disparbud"],
      ["Perhubungan", "dishub"],
      ["BPBD", "bpbd"],
      ["BKAD", "bkad"],
      ["Badan Pendapatan Daerah Kabupaten Malang", "bapenda"],
      ["Pendapatan Daerah", "bapenda"],
      ["Camat Kepanjen", "35.07.13"],
      ["Kantor Kecamatan Singosari", "35.07.24"],
      ["Lurah Candirenggo", "35.07.24.1015"],
      ["RSUD Lawang", "rsud-lawang"],
      ["RS Ngantang", "rsud-ngantang"],
      ["R.S.U.D. Kanjuruhan", "rsud-kanjuruhan"],
      ["Satpol PP", "satpolpp"],
      ["Satpol P.P.", "satpolpp"],
      ["SATPOLPP", "satpolpp"],
      ["Sekda", "setda"],
      ["Setda Bagian Umum", "setda"],
      ["Setda - Bag. Hukum", "setda"],
      ["Bagian Organisasi Setda Kab. Malang", "setda"],
      ["Sekretariat Dewan", "setwan"],
    ];
    for (const [text, expected] of cases) expect(code(text), text).to.equal(expected);
  });

  it("answers a shared acronym as ambiguous, naming both agencies", () => {
    const r = matchAgency("DPK", agencies());
    expect(r.ok).to.equal(false);
    if (r.ok) return;
    expect(r.reason.en)
      .to.include("ambiguous")
      .and.include("(disparbud)")
      .and.include("(dispussip)");
    expect(r.reason.id).to.include("ambigu");
  });

  it("keeps suggesting the closest names for the rest", () => {
    const r = matchAgency("DPU Bina Marka", agencies());
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.reason.en).to.match(/closest known: Dinas Pekerjaan Umum Bina Marga/);
  });
});
