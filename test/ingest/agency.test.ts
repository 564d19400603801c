// Agency names met in spreadsheets → the agency directory.
import { expect } from "chai";
import type { Agency } from "../../src/core/types.js";
import { agencyMatchKey, matchAgency } from "../../src/ingest/index.js";
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
