import { expect } from "chai";
import {
  AppointmentConflictError,
  applyAppointment,
  holderAt,
} from "../../../src/core/escalation/appointments.js";
import { isValidEmail } from "../../../src/core/escalation/emailAddress.js";
import { validateOfficerRows, type OfficerRow } from "../../../src/core/escalation/officerRows.js";
import { DIRECTORY, appt, wib } from "./fixtures.js";

const AGENCIES = new Set(["dinkes", "dinsos", "diskominfo"]);

function row(line: number, over: Partial<OfficerRow> = {}): OfficerRow {
  return {
    line,
    opd: "dinkes",
    role: "liaison",
    name: "Sri Wahyuni",
    email: "sri@dinkes.malangkab.go.id",
    valid_from: "2025-01-02",
    valid_to: "",
    decree: "SK 188.45/1/2025",
    ...over,
  };
}

describe("escalation/officers directory", () => {
  it("finds the holder over [validFrom, validTo)", () => {
    const list = [
      appt("liaison", "dinkes", "Lama", "lama@x.go.id", "2024-01-01", "2025-03-10"),
      appt("liaison", "dinkes", "Baru", "baru@x.go.id", "2025-03-10"),
    ];
    expect(holderAt(list, "liaison", "dinkes", wib("2025-03-09T23:59"))?.name).to.equal("Lama");
    expect(holderAt(list, "liaison", "dinkes", wib("2025-03-10T00:00"))?.name).to.equal("Baru");
    expect(holderAt(list, "liaison", "dinkes", wib("2023-12-31T00:00"))).to.equal(null);
    expect(holderAt(list, "liaison", "dinsos", wib("2025-03-10T00:00"))).to.equal(null);
    // Regency roles ignore the agency argument.
    expect(holderAt(DIRECTORY, "coordinator", "dinkes", wib("2025-03-10T00:00"))?.name).to.equal(
      "Admin Kominfo",
    );
  });

  it("mutasi ends the previous open appointment and keeps history; re-applying is a no-op", () => {
    const old = appt("liaison", "dinkes", "Lama", "lama@x.go.id", "2024-01-01");
    const other = appt("liaison", "dinsos", "Lain", "lain@x.go.id", "2024-01-01");
    const next = appt("liaison", "dinkes", "Baru", "baru@x.go.id", "2025-03-10");
    const out = applyAppointment([old, other], next);
    expect(out).to.have.length(3);
    expect(out[0]).to.include({ name: "Lama", validTo: wib("2025-03-10T00:00") });
    expect(out[1]).to.equal(other);
    expect(out[2]).to.include({ name: "Baru", validTo: null });
    expect(old.validTo).to.equal(null); // input untouched
    expect(applyAppointment(out, next)).to.deep.equal(out);
  });

  it("refuses an appointment that overlaps a closed one", () => {
    const closed = appt("supervisor", "dinkes", "A", "a@x.go.id", "2025-01-01", "2025-06-01");
    expect(() =>
      applyAppointment([closed], appt("supervisor", "dinkes", "B", "b@x.go.id", "2025-05-01")),
    ).to.throw(AppointmentConflictError, "overlaps");
  });

  it("checks email addresses conservatively", () => {
    for (const ok of ["a@b.id", "sri.wahyuni@dinkes.malangkab.go.id", "x+tag@mail.example.org"]) {
      expect(isValidEmail(ok), ok).to.equal(true);
    }
    for (const bad of [
      "",
      "plain",
      "a@b",
      "a@@b.id",
      ".a@b.id",
      "a..b@b.id",
      "a@-b.id",
      "a b@b.id",
      "a@b.id\r\nBcc: evil@x.id",
      "a@b.id\n",
      '"quoted"@b.id',
      "a@b.1",
    ]) {
      expect(isValidEmail(bad), JSON.stringify(bad)).to.equal(false);
    }
  });
});

describe("escalation/officers CSV validation", () => {
  it("accepts good rows; a date means 00:00 Asia/Jakarta, a date-time is local", () => {
    const { appointments, errors } = validateOfficerRows(
      [
        row(2),
        row(3, { opd: "", role: "coordinator", name: "Admin", email: "lapor@kominfo.go.id" }),
        row(4, {
          opd: " ",
          role: "Pimpinan",
          name: "Sekda",
          email: "sekda@malangkab.go.id",
          valid_from: "2025-01-02 13:30",
          valid_to: "2025-12-31T00:00:00+07:00",
        }),
      ],
      AGENCIES,
      "id",
    );
    expect(errors).to.deep.equal([]);
    expect(appointments).to.have.length(3);
    expect(appointments[0]).to.include({
      opd: "dinkes",
      role: "liaison",
      validFrom: wib("2025-01-02T00:00"),
      validTo: null,
    });
    expect(appointments[1]).to.include({ opd: null, role: "coordinator" });
    expect(appointments[2]).to.include({
      role: "leadership",
      validFrom: wib("2025-01-02T13:30"),
      validTo: wib("2025-12-31T00:00"),
    });
  });

  it("reports each bad row with line, column and reason", () => {
    const { errors } = validateOfficerRows(
      [
        row(2, { opd: "dinas-x" }),
        row(3, { opd: "dinkes", role: "coordinator" }),
        row(4, { opd: "", role: "supervisor" }),
        row(5, { role: "bupati" }),
        row(6, { email: "sri@dinkes" }),
        row(7, { email: "sri@dinkes.go.id\r\nBcc: all@x.id" }),
        row(8, { valid_from: "03/03/2025" }),
        row(9, { valid_from: "2025-02-30" }),
        row(10, { opd: "dinsos", valid_from: "2025-03-01", valid_to: "2025-03-01" }),
        row(11, { decree: "" }),
        row(12, { name: "Evil\r\nBcc: x@y.id" }),
      ],
      AGENCIES,
      "en",
    );
    expect(errors.map((e) => [e.line, e.column])).to.deep.equal([
      [2, "opd"],
      [3, "opd"],
      [4, "opd"],
      [5, "role"],
      [6, "email"],
      [7, "email"],
      [8, "valid_from"],
      [9, "valid_from"],
      [10, "valid_to"],
      [11, "decree"],
      [12, "name"],
    ]);
    const by = (line: number) => errors.find((e) => e.line === line)!;
    expect(by(2).reason.en).to.contain('unknown agency "dinas-x"');
    expect(by(2).reason.id).to.contain('perangkat daerah "dinas-x" tidak dikenal');
    expect(by(2).message).to.equal(`line 2, opd: ${by(2).reason.en}`);
    expect(by(3).reason.en).to.contain("regency-wide");
    expect(by(4).reason.en).to.contain("needs an agency code");
    expect(by(5).reason.en).to.contain('unknown role "bupati"');
    expect(by(6).reason.en).to.contain("malformed email");
    expect(by(7).reason.en).not.to.match(/[\r\n]/);
    expect(by(8).value).to.equal("03/03/2025");
    expect(by(10).reason.en).to.contain("end date must be after the start date");
    expect(by(12).reason.en).to.contain("control characters");
  });

  it("rejects overlapping closed appointments for the same role and agency", () => {
    const { errors } = validateOfficerRows(
      [
        row(2, { valid_from: "2025-01-01", valid_to: "2025-06-01" }),
        row(3, { name: "Budi", email: "budi@x.go.id", valid_from: "2025-05-01" }),
        row(4, { role: "supervisor", valid_from: "2025-05-01" }), // other role: fine
        row(5, { opd: "dinsos", valid_from: "2025-05-01" }), // other agency: fine
      ],
      AGENCIES,
      "id",
    );
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ line: 3, column: "valid_from" });
    expect(errors[0]!.reason.id).to.contain("bertumpang tindih dengan baris 2");
  });

  it("treats an open-ended appointment followed by a later one as a rotation", () => {
    const { appointments, errors } = validateOfficerRows(
      [
        row(2, { name: "Budi", email: "budi@x.go.id", valid_from: "2025-03-10" }),
        row(3, { valid_from: "2024-01-02" }),
      ],
      AGENCIES,
      "id",
    );
    expect(errors).to.deep.equal([]);
    expect(appointments.map((a) => [a.name, a.validTo])).to.deep.equal([
      ["Budi", null],
      ["Sri Wahyuni", wib("2025-03-10T00:00")],
    ]);
    // Two appointments starting at the same instant are ambiguous.
    const same = validateOfficerRows([row(2), row(3, { name: "Budi" })], AGENCIES, "id");
    expect(same.errors.map((e) => e.line)).to.deep.equal([3]);
  });
});
