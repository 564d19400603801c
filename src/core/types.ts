// Domain types shared by the pure core (calendar, SOPs, clocks) and its adapters.
// Instants are epoch milliseconds (UTC); local dates are "yyyy-mm-dd" strings in an IANA zone.

/** Epoch milliseconds, UTC. */
export type Instant = number;

/** A local calendar date, "yyyy-mm-dd". */
export type LocalDate = string;

/** Half-open interval [start, end) of instants. `end` may be Infinity for an open pause. */
export interface Interval {
  start: Instant;
  end: Instant;
}

/** wd: working days (hari kerja), wh: working hours (jam kerja), d: calendar days. */
export type DurationUnit = "wd" | "wh" | "d";

export interface Duration {
  amount: number;
  unit: DurationUnit;
}

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export type HolidayKind = "national" | "collective" | "special";

export interface Holiday {
  date: LocalDate;
  name: string;
  kind: HolidayKind;
}

/** Everything a business calendar needs; built from config/calendar.yaml and config/holidays/. */
export interface CalendarSpec {
  /** IANA zone, e.g. "Asia/Jakarta". */
  zone: string;
  workingWeekdays: readonly IsoWeekday[];
  /** Office hours as minutes after local midnight, e.g. 480 (08:00) and 960 (16:00). */
  officeOpenMinute: number;
  officeCloseMinute: number;
  holidays: readonly Holiday[];
  /** Years for which a holiday decree is loaded; other years count weekends only. */
  coveredYears: readonly number[];
}

export type AgencyKind =
  "sekretariat" | "inspektorat" | "badan" | "dinas" | "satpol" | "rsud" | "kecamatan" | "kelurahan";

export interface Agency {
  /** Stable lowercase code, e.g. "dinkes" or "35.07.13". */
  code: string;
  name: string;
  kind: AgencyKind;
  zone: string;
  /** Short names met in spreadsheets ("Dinkes", "Kec. Kepanjen"). */
  aliases: readonly string[];
}

export type ReportType = "pengaduan" | "aspirasi" | "permintaan_informasi";

/** Complexity of a pengaduan, which selects its resolution target. */
export type Complexity =
  "ringan" | "normatif" | "tidak_berkadar_pengawasan" | "berkadar_pengawasan" | "unknown";

export type Stage = "verification" | "first_response" | "resolution";
export const STAGES: readonly Stage[] = ["verification", "first_response", "resolution"];

/** A report as Pantau stores it: no reporter identity, no complaint text. */
export interface Report {
  trackingId: string;
  /** The agency currently responsible (after the latest disposition), or null before one. */
  opd: string | null;
  type: ReportType;
  complexity: Complexity;
  category: string | null;
  channel: string | null;
  anonymous: boolean;
  confidential: boolean;
  contactComplete: boolean;
  receivedAt: Instant;
}

export type EventKind =
  | "received"
  | "disposed"
  | "redisposed"
  | "first_response"
  | "followed_up"
  | "extended"
  | "awaiting_reporter"
  | "reporter_replied"
  | "completed"
  | "archived";

export const EVENT_KINDS: readonly EventKind[] = [
  "received",
  "disposed",
  "redisposed",
  "first_response",
  "followed_up",
  "extended",
  "awaiting_reporter",
  "reporter_replied",
  "completed",
  "archived",
];

export interface ReportEvent {
  kind: EventKind;
  at: Instant;
  /** Target agency for disposed / redisposed; the acting agency otherwise, if known. */
  opd: string | null;
}

/** Targets of one SOP stage. Resolution targets depend on report type and complexity. */
export interface StageTargets {
  verification: Duration;
  first_response: Duration;
  resolution: {
    pengaduan: Record<Complexity, Duration>;
    aspirasi: Duration;
    permintaan_informasi: Duration;
    /** Added once to an information request's resolution target by an `extended` event. */
    permintaan_informasi_extension: Duration;
  };
}

/** One version of an SOP, in force from `effectiveFrom` (a local date) on. */
export interface SopVersion {
  /** "default" for the regency default, else the agency code. */
  sopId: string;
  effectiveFrom: LocalDate;
  title: string;
  targets: StageTargets;
}

export type ClockOutcome = "open" | "met" | "breached" | "redisposed" | "cancelled";

/** A clock's state for people: derived from outcome and `now`. */
export type ClockState = "on_track" | "at_risk" | "breached" | "paused" | "stopped";

/** The computation of one stage clock, everything needed to store and explain it. */
export interface SlaClock {
  trackingId: string;
  stage: Stage;
  /** 1 for the first agency; +1 for each re-disposition (resolution/first_response only). */
  seq: number;
  /** Agency that owns this clock. */
  opd: string;
  sopId: string;
  sopVersion: LocalDate;
  target: Duration;
  startedAt: Instant;
  /** Pauses that overlap the clock's running time, clipped to it. */
  pauses: Interval[];
  /** Null while an open-ended pause holds the clock. */
  dueAt: Instant | null;
  atRiskAt: Instant | null;
  stoppedAt: Instant | null;
  /** Business time used, in milliseconds of the target's unit, up to stop or `now`. */
  usedMs: number;
  outcome: ClockOutcome;
  state: ClockState;
  /** The next instant at which something changes for this clock (at risk, due), or null. */
  nextCheckAt: Instant | null;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** An agency SOP version: only the targets it overrides; the rest come from the default. */
export interface PartialSopVersion {
  sopId: string;
  effectiveFrom: LocalDate;
  title: string;
  targets: DeepPartial<StageTargets>;
}

/** All SOPs known to the regency: the default's versions and each agency's own. */
export interface SopCatalog {
  defaultVersions: readonly SopVersion[];
  agencyVersions: Readonly<Record<string, readonly PartialSopVersion[]>>;
}

/** Channels a report arrives through, normalised. Manual channels are entered by Kominfo staff. */
export type Channel =
  | "lapor_web"
  | "lapor_app"
  | "sms_1708"
  | "whatsapp"
  | "social_media"
  | "website"
  | "email"
  | "call_center_112"
  | "walk_in"
  | "other";

export const MANUAL_CHANNELS: readonly Channel[] = [
  "whatsapp",
  "social_media",
  "website",
  "email",
  "call_center_112",
  "walk_in",
];

/** Milestones of a report as a spreadsheet row or API snapshot gives them. */
export interface ReportMilestones {
  disposedAt?: Instant;
  firstResponseAt?: Instant;
  followedUpAt?: Instant;
  completedAt?: Instant;
  archivedAt?: Instant;
}

/** One report as an import source states it; turned into a Report plus events by the importer. */
export interface ReportSnapshot {
  trackingId: string;
  receivedAt: Instant;
  /** Agency the report is disposed to, if any. */
  opd: string | null;
  type: ReportType;
  complexity: Complexity;
  category: string | null;
  channel: Channel | null;
  anonymous: boolean;
  confidential: boolean;
  contactComplete: boolean;
  milestones: ReportMilestones;
}

/** One event line of an event-log import. */
export interface ReportEventRow extends ReportEvent {
  trackingId: string;
}
