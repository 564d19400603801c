// Shared fixtures for the SLA tests: a Kabupaten Malang calendar with real 2025 holidays, the
// regency default SOP and an agency (dinkes) with two SOP versions.
import { DateTime } from "luxon";
import { BusinessCalendar } from "../../../src/core/calendar/index.js";
import type { ClockContext } from "../../../src/core/sla/clocks.js";
import type {
  CalendarSpec,
  Instant,
  Report,
  ReportEvent,
  SopCatalog,
  StageTargets,
} from "../../../src/core/types.js";

/** Local Jakarta time "yyyy-mm-ddThh:mm" to an instant. */
export function wib(local: string): Instant {
  const dt = DateTime.fromISO(local, { zone: "Asia/Jakarta" });
  if (!dt.isValid) throw new Error(`bad fixture time ${local}`);
  return dt.toMillis();
}

export const HOUR = 3_600_000;
export const WD = 86_400_000;

export const SPEC: CalendarSpec = {
  zone: "Asia/Jakarta",
  workingWeekdays: [1, 2, 3, 4, 5],
  officeOpenMinute: 480,
  officeCloseMinute: 960,
  holidays: [
    { date: "2025-01-01", name: "Tahun Baru 2025 Masehi", kind: "national" },
    { date: "2025-03-28", name: "Cuti Bersama Nyepi", kind: "collective" },
    { date: "2025-03-29", name: "Hari Suci Nyepi Tahun Baru Saka 1947", kind: "national" },
    { date: "2025-03-31", name: "Hari Raya Idul Fitri 1446 H", kind: "national" },
    { date: "2025-04-01", name: "Hari Raya Idul Fitri 1446 H", kind: "national" },
    { date: "2025-04-02", name: "Cuti Bersama Idul Fitri", kind: "collective" },
    { date: "2025-04-03", name: "Cuti Bersama Idul Fitri", kind: "collective" },
    { date: "2025-04-04", name: "Cuti Bersama Idul Fitri", kind: "collective" },
    { date: "2025-04-07", name: "Cuti Bersama Idul Fitri", kind: "collective" },
    { date: "2025-05-01", name: "Hari Buruh Internasional", kind: "national" },
  ],
  coveredYears: [2025],
};

export const calendar = new BusinessCalendar(SPEC);

const wd = (amount: number) => ({ amount, unit: "wd" as const });

export const DEFAULT_TARGETS: StageTargets = {
  verification: wd(3),
  first_response: wd(5),
  resolution: {
    pengaduan: {
      ringan: wd(2),
      normatif: wd(5),
      tidak_berkadar_pengawasan: wd(14),
      berkadar_pengawasan: wd(60),
      unknown: wd(14),
    },
    aspirasi: wd(14),
    permintaan_informasi: wd(10),
    permintaan_informasi_extension: wd(7),
  },
};

export const SOPS: SopCatalog = {
  defaultVersions: [
    {
      sopId: "default",
      effectiveFrom: "2020-01-01",
      title: "SOP Pengelolaan Pengaduan SP4N-LAPOR! Kabupaten Malang",
      targets: DEFAULT_TARGETS,
    },
  ],
  agencyVersions: {
    dinkes: [
      // Listed newest first on purpose: resolution must not depend on order.
      {
        sopId: "dinkes",
        effectiveFrom: "2025-03-10",
        title: "SOP Pengaduan Dinas Kesehatan 2025",
        targets: { first_response: wd(2), resolution: { pengaduan: { ringan: wd(1) } } },
      },
      {
        sopId: "dinkes",
        effectiveFrom: "2024-07-01",
        title: "SOP Pengaduan Dinas Kesehatan 2024",
        targets: { first_response: wd(4) },
      },
    ],
  },
};

export const CTX: ClockContext = {
  sops: SOPS,
  calendarFor: () => calendar,
  coordinatorOpd: "diskominfo",
};

export function report(over: Partial<Report> = {}): Report {
  return {
    trackingId: "2007157",
    opd: null,
    type: "pengaduan",
    complexity: "normatif",
    category: null,
    channel: null,
    anonymous: false,
    confidential: false,
    contactComplete: true,
    receivedAt: wib("2025-03-03T10:12"),
    ...over,
  };
}

export function ev(
  kind: ReportEvent["kind"],
  local: string,
  opd: string | null = null,
): ReportEvent {
  return { kind, at: wib(local), opd };
}
