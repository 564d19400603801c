import { expect } from "chai";
import { decideEscalations, DEFAULT_LADDER } from "../../../src/core/escalation/ladder.js";
import { applyAppointment } from "../../../src/core/escalation/appointments.js";
import {
  resolveRecipients,
  resolveRoleRecipients,
  vacancyKey,
} from "../../../src/core/escalation/recipients.js";
import { DIRECTORY, DUE, appt, calendar, view, wib } from "./fixtures.js";

const LEVEL1 = {
  key: "2007157|first_response|1|1",
  opd: "dinkes",
  to: "supervisor" as const,
  cc: ["liaison", "coordinator"] as const,
};

describe("escalation/recipients", () => {
  it("resolves to and cc from the directory at the send instant", () => {
    const r = resolveRecipients(LEVEL1, DIRECTORY, DUE);
    expect(r.status).to.equal("ok");
    if (r.status !== "ok") return;
    expect(r.to.map((x) => x.email)).to.deep.equal(["kadinkes@malangkab.go.id"]);
    expect(r.cc.map((x) => x.email)).to.deep.equal([
      "sri.wahyuni@dinkes.malangkab.go.id",
      "lapor@kominfo.malangkab.go.id",
    ]);
    expect(r.vacancies).to.have.length(0);
    expect(r.unfilled).to.have.length(0);
  });

  it("rotation: the officer appointed yesterday receives today's message", () => {
    // The decision was taken before the mutasi; the message is sent after it.
    const decided = decideEscalations({
      clocks: [view(DUE)],
      alreadyTaken: new Set(["2007157|first_response|1|0"]),
      ladder: () => DEFAULT_LADDER,
      calendar: () => calendar,
      now: DUE,
    }).decide[0]!;
    const mutasi = applyAppointment(
      DIRECTORY,
      appt("supervisor", "dinkes", "dr. Ratna Dewi", "ratna@malangkab.go.id", "2025-03-09T00:00"),
    );
    const today = wib("2025-03-10T09:00");
    const r = resolveRecipients(decided, mutasi, today);
    expect(r.status === "ok" && r.to.map((x) => x.name)).to.deep.equal(["dr. Ratna Dewi"]);
    // Before the mutasi it would have gone to the previous head.
    const before = resolveRecipients(decided, mutasi, wib("2025-03-08T09:00"));
    expect(before.status === "ok" && before.to.map((x) => x.name)).to.deep.equal([
      "dr. Bambang Setiawan",
    ]);
  });

  it("vacancy: the coordinator receives instead, with one vacancy notice", () => {
    // The liaison left on 1 March and nobody was appointed.
    const dir = [
      appt("liaison", "dinkes", "Sri", "sri@dinkes.go.id", "2024-01-02", "2025-03-01"),
      ...DIRECTORY.filter((a) => a.role !== "liaison"),
    ];
    const level0 = {
      key: "2007157|first_response|1|0",
      opd: "dinkes",
      to: "liaison" as const,
      cc: [],
    };
    const r = resolveRecipients(level0, dir, DUE);
    expect(r.status).to.equal("ok");
    if (r.status !== "ok") return;
    expect(r.to).to.have.length(1);
    expect(r.to[0]).to.include({ role: "coordinator", email: "lapor@kominfo.malangkab.go.id" });
    expect(r.to[0]!.substituteFor).to.deep.equal({ role: "liaison", opd: "dinkes" });
    const key = vacancyKey("dinkes", "liaison", wib("2025-03-01T00:00"));
    expect(key).to.equal("vacancy|dinkes|liaison|2025-02-28T17:00:00.000Z");
    expect(r.vacancies.map((v) => v.key)).to.deep.equal([key]);
    // The same vacancy yields the same key at every later scan (the outbox dedupes it).
    const later = resolveRecipients(level0, dir, wib("2025-03-12T09:00"));
    expect(later.status === "ok" && later.vacancies.map((v) => v.key)).to.deep.equal([key]);
    // A vacant cc is replaced by the coordinator once (no duplicate address).
    const l1 = resolveRecipients(LEVEL1, dir, DUE);
    expect(l1.status === "ok" && l1.cc.map((x) => x.email)).to.deep.equal([
      "lapor@kominfo.malangkab.go.id",
    ]);
    // A role never held has a "never" vacancy key.
    const none = resolveRoleRecipients("liaison", "dinsos", dir, DUE);
    expect(none.vacancies.map((v) => v.key)).to.deep.equal(["vacancy|dinsos|liaison|never"]);
  });

  it("coordinator vacant too: undeliverable, explicitly", () => {
    const dir = DIRECTORY.filter((a) => a.role !== "supervisor" && a.role !== "coordinator");
    const r = resolveRecipients(LEVEL1, dir, DUE);
    expect(r.status).to.equal("undeliverable");
    if (r.status !== "undeliverable") return;
    expect(r.decisionKey).to.equal(LEVEL1.key);
    expect(r.reason.en).to.contain("coordinator are vacant");
    expect(r.unfilled).to.deep.equal([{ role: "supervisor", opd: "dinkes" }]);
    // Only a copy lost: still delivered, and the loss is reported.
    const cc = resolveRecipients(
      LEVEL1,
      DIRECTORY.filter((a) => a.role !== "coordinator"),
      DUE,
    );
    expect(cc.status).to.equal("ok");
    expect(cc.unfilled).to.deep.equal([{ role: "coordinator", opd: null }]);
  });

  it("treats a holder with an unusable address as a vacancy", () => {
    const dir = [
      appt("liaison", "dinkes", "Sri", "sri@dinkes\r\nBcc: x@y.id", "2024-01-02"),
      ...DIRECTORY.filter((a) => a.role !== "liaison"),
    ];
    const r = resolveRoleRecipients("liaison", "dinkes", dir, DUE);
    expect(r.recipients.map((x) => x.role)).to.deep.equal(["coordinator"]);
    expect(r.vacancies).to.have.length(1);
  });
});
