import { expect } from "chai";
import {
  addDurations,
  atRiskMargin,
  resolutionTarget,
  resolveSop,
  stageTarget,
  validateStageTargets,
} from "../../../src/core/sla/sop.js";
import type { SopCatalog, StageTargets } from "../../../src/core/types.js";
import { DEFAULT_TARGETS, SOPS, report } from "./fixtures.js";

const wd = (amount: number) => ({ amount, unit: "wd" as const });

describe("sla/sop resolveSop", () => {
  it("gives the default to an agency without its own SOP", () => {
    const sop = resolveSop(SOPS, "dpupr", "2025-03-03");
    expect(sop.sopId).to.equal("default");
    expect(sop.effectiveFrom).to.equal("2020-01-01");
    expect(sop.targets).to.deep.equal(DEFAULT_TARGETS);
  });

  it("picks the agency version in force on the date and fills the rest from the default", () => {
    const v2024 = resolveSop(SOPS, "dinkes", "2025-03-09");
    expect(v2024.sopId).to.equal("dinkes");
    expect(v2024.effectiveFrom).to.equal("2024-07-01");
    expect(v2024.targets.first_response).to.deep.equal(wd(4));
    expect(v2024.targets.verification).to.deep.equal(wd(3));
    expect(v2024.targets.resolution.pengaduan.ringan).to.deep.equal(wd(2));

    const v2025 = resolveSop(SOPS, "dinkes", "2025-03-10");
    expect(v2025.effectiveFrom).to.equal("2025-03-10");
    expect(v2025.title).to.equal("SOP Pengaduan Dinas Kesehatan 2025");
    expect(v2025.targets.first_response).to.deep.equal(wd(2));
    expect(v2025.targets.resolution.pengaduan.ringan).to.deep.equal(wd(1));
    expect(v2025.targets.resolution.pengaduan.normatif).to.deep.equal(wd(5));
    expect(v2025.targets.resolution.permintaan_informasi_extension).to.deep.equal(wd(7));
  });

  it("uses the default before the agency's first version", () => {
    expect(resolveSop(SOPS, "dinkes", "2024-06-30").sopId).to.equal("default");
  });

  it("uses the earliest default version for a date before every default version", () => {
    const catalog: SopCatalog = {
      defaultVersions: [
        { sopId: "default", effectiveFrom: "2025-06-01", title: "B", targets: DEFAULT_TARGETS },
        { sopId: "default", effectiveFrom: "2020-01-01", title: "A", targets: DEFAULT_TARGETS },
      ],
      agencyVersions: {},
    };
    expect(resolveSop(catalog, "x", "2019-05-05").title).to.equal("A");
    expect(resolveSop(catalog, "x", "2025-05-31").title).to.equal("A");
    expect(resolveSop(catalog, "x", "2025-06-01").title).to.equal("B");
  });

  it("fills agency gaps from the default version in force on that date", () => {
    const newer: StageTargets = { ...DEFAULT_TARGETS, verification: wd(2) };
    const catalog: SopCatalog = {
      defaultVersions: [
        ...SOPS.defaultVersions,
        { sopId: "default", effectiveFrom: "2025-06-01", title: "B", targets: newer },
      ],
      agencyVersions: SOPS.agencyVersions,
    };
    expect(resolveSop(catalog, "dinkes", "2025-05-31").targets.verification).to.deep.equal(wd(3));
    const july = resolveSop(catalog, "dinkes", "2025-07-01");
    expect(july.sopId).to.equal("dinkes");
    expect(july.effectiveFrom).to.equal("2025-03-10");
    expect(july.targets.verification).to.deep.equal(wd(2));
  });

  it("does not mutate the catalog when merging", () => {
    const before = JSON.stringify(SOPS);
    resolveSop(SOPS, "dinkes", "2025-04-01");
    expect(JSON.stringify(SOPS)).to.equal(before);
  });

  it("throws when there is no default version", () => {
    expect(() =>
      resolveSop({ defaultVersions: [], agencyVersions: {} }, "x", "2025-01-01"),
    ).to.throw(/no default/);
  });
});

describe("sla/sop targets and margins", () => {
  it("selects the resolution target by type and complexity", () => {
    const t = DEFAULT_TARGETS;
    expect(resolutionTarget(t, report({ complexity: "ringan" }), false)).to.deep.equal(wd(2));
    expect(resolutionTarget(t, report({ complexity: "normatif" }), false)).to.deep.equal(wd(5));
    expect(
      resolutionTarget(t, report({ complexity: "tidak_berkadar_pengawasan" }), false),
    ).to.deep.equal(wd(14));
    expect(resolutionTarget(t, report({ complexity: "berkadar_pengawasan" }), false)).to.deep.equal(
      wd(60),
    );
    expect(resolutionTarget(t, report({ complexity: "unknown" }), false)).to.deep.equal(wd(14));
    expect(resolutionTarget(t, report({ type: "aspirasi" }), true)).to.deep.equal(wd(14));
    expect(resolutionTarget(t, report({ complexity: "ringan" }), true)).to.deep.equal(wd(2));
  });

  it("adds the information-request extension once when extended", () => {
    const r = report({ type: "permintaan_informasi" });
    expect(resolutionTarget(DEFAULT_TARGETS, r, false)).to.deep.equal(wd(10));
    expect(resolutionTarget(DEFAULT_TARGETS, r, true)).to.deep.equal(wd(17));
    expect(stageTarget(DEFAULT_TARGETS, "first_response", r)).to.deep.equal(wd(5));
  });

  it("rejects an extension whose unit differs from its base target", () => {
    const bad: StageTargets = {
      ...DEFAULT_TARGETS,
      resolution: {
        ...DEFAULT_TARGETS.resolution,
        permintaan_informasi_extension: { amount: 7, unit: "d" },
      },
    };
    expect(() => validateStageTargets(bad, "SOP x")).to.throw(/SOP x.*extension/);
    expect(() => validateStageTargets(DEFAULT_TARGETS)).not.to.throw();
    expect(() => resolutionTarget(bad, report({ type: "permintaan_informasi" }), true)).to.throw(
      /different units/,
    );
    expect(() => addDurations(wd(1), { amount: 1, unit: "wh" })).to.throw(/different units/);
  });

  it("gives default at-risk margins and accepts overrides", () => {
    expect(atRiskMargin("wd")).to.deep.equal(wd(1));
    expect(atRiskMargin("wh")).to.deep.equal({ amount: 2, unit: "wh" });
    expect(atRiskMargin("d")).to.deep.equal({ amount: 1, unit: "d" });
    expect(atRiskMargin("wd", { wd: wd(2) })).to.deep.equal(wd(2));
    expect(atRiskMargin("wh", { wd: wd(2) })).to.deep.equal({ amount: 2, unit: "wh" });
    expect(() => atRiskMargin("wd", { wd: { amount: 4, unit: "wh" } })).to.throw(/margin/);
  });
});
