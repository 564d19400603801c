// Fixtures for the escalation tests: the real BusinessCalendar (Asia/Jakarta, Mon–Fri 08–16,
// 2025 holidays around Nyepi and Idul Fitri), a small SOP catalog, clocks derived from events,
// and an officer directory.
import { BusinessCalendar } from "../../../src/core/calendar/index.js";
import { deriveClocks, type ClockContext } from "../../../src/core/sla/clocks.js";
import type {
  CalendarSpec,
  Instant,
  Report,
  ReportEvent,
  SlaClock,
  SopCatalog,
  Stage,
} from "../../../src/core/types.js";
import type { StoredClockView } from "../../../src/core/escalation/ladder.js";
import type { Appointment } from "../../../src/core/escalation/appointments.js";

import { wib } from "../sla/fixtures.js";

export { wib };

export const SPEC: CalendarSpec = {
  zone: "Asia/Jakarta",
  workingWeekdays: [1, 2, 3, 4, 5],
  officeOpenMinute: 480,
  officeCloseMinute: 960,
  holidays: [
    { date: "2025-01-01", name: "Tahun Baru 2025 Masehi", kind: "national" },
    { date: "2025-03-28", name: "Cuti Bersama Nyepi", kind: "collective" },
    { date: "2025-03-29", name: "Hari Suci Nyepi", kind: "national" },
    { date: "2025-03-31", name: "Idul Fitri 1446 H", kind: "national" },
    { date: "2025-04-01", name: "Idul Fitri 1446 H", kind: "national" },
    { date: "2025-04-02", name: "Cuti Bersama Idul Fitri", kind: "collective" },
    { date: "2025-04-03", name: "Cuti Bersama Idul Fitri", kind: "collective" },
    { date: "2025-04-04", name: "Cuti Bersama Idul Fitri", kind: "collective" },
    { date: "2025-04-07", name: "Cuti Bersama Idul Fitri", kind: "collective" },
  ],
  coveredYears: [2025],
};

export const calendar = new BusinessCalendar(SPEC);

const wd = (amount: number) => ({ amount, unit: "wd" as const });

export const SOPS: SopCatalog = {
  defaultVersions: [
    {
      sopId: "default",
      effectiveFrom: "2020-01-01",
      title: "SOP Pengelolaan Pengaduan",
      targets: {
        verification: wd(3),
        first_response: wd(3),
        resolution: {
          pengaduan: {
            ringan: wd(10),
            normatif: wd(10),
            tidak_berkadar_pengawasan: wd(10),
            berkadar_pengawasan: wd(10),
            unknown: wd(10),
          },
          aspirasi: wd(10),
          permintaan_informasi: wd(10),
          permintaan_informasi_extension: wd(7),
        },
      },
    },
  ],
  agencyVersions: {},
};

export const CTX: ClockContext = {
  sops: SOPS,
  calendarFor: () => calendar,
  coordinatorOpd: "diskominfo",
};

export function report(over: Partial<Report> = {}): Report {
  return {
    trackingId: "2007157",
    opd: "dinkes",
    type: "pengaduan",
    complexity: "normatif",
    category: "Layanan Puskesmas",
    channel: null,
    anonymous: false,
    confidential: false,
    contactComplete: true,
    receivedAt: wib("2025-02-28T09:00"),
    ...over,
  };
}

export function ev(kind: ReportEvent["kind"], local: string, opd: string | null = null) {
  return { kind, at: wib(local), opd };
}

/**
 * The dinkes first-response clock (3wd) of a report disposed Mon 3 Mar 2025 10:12: counting from
 * Tue 4 Mar, at risk Thu 6 Mar 00:00, due Fri 7 Mar 00:00, due+3wd Wed 12 Mar 00:00.
 */
export function view(
  now: Instant,
  opts: {
    events?: ReportEvent[];
    report?: Partial<Report>;
    disposedAt?: string;
    opd?: string;
    stage?: Stage;
  } = {},
): StoredClockView {
  const r = report({ opd: opts.opd ?? "dinkes", ...opts.report });
  const events = [
    ev("disposed", opts.disposedAt ?? "2025-03-03T10:12", opts.opd ?? "dinkes"),
    ...(opts.events ?? []),
  ];
  const { clocks } = deriveClocks(r, events, CTX, now);
  const stage = opts.stage ?? "first_response";
  const clock = clocks.find((c) => c.stage === stage && c.seq === 1) as SlaClock;
  return {
    clock,
    report: {
      receivedAt: r.receivedAt,
      confidential: r.confidential,
      type: r.type,
      category: r.category,
    },
  };
}

export const AT_RISK = wib("2025-03-06T00:00");
export const DUE = wib("2025-03-07T00:00");
export const DUE_3WD = wib("2025-03-12T00:00");

export function appt(
  role: Appointment["role"],
  opd: string | null,
  name: string,
  email: string,
  from: string,
  to: string | null = null,
): Appointment {
  return {
    opd,
    role,
    name,
    email,
    validFrom: wib(from),
    validTo: to === null ? null : wib(to),
    decree: "SK Bupati Malang 188.45/100/KEP/35.07.013/2025",
  };
}

/** A full directory: dinkes liaison + supervisor, coordinator, leadership. */
export const DIRECTORY: Appointment[] = [
  appt("liaison", "dinkes", "Sri Wahyuni", "sri.wahyuni@dinkes.malangkab.go.id", "2024-01-02"),
  appt("supervisor", "dinkes", "dr. Bambang Setiawan", "kadinkes@malangkab.go.id", "2024-01-02"),
  appt("coordinator", null, "Admin Kominfo", "lapor@kominfo.malangkab.go.id", "2024-01-02"),
  appt("leadership", null, "Tim Pengelola SP4N", "sekda@malangkab.go.id", "2024-01-02"),
];
