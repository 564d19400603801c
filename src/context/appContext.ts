// The application context: configuration, database, calendars and logger, built once by the
// composition root and handed to services. Services never read the clock: `now` is an argument.
import { createHash } from "node:crypto";
import { BusinessCalendar } from "../core/calendar/index.js";
import type { ClockContext } from "../core/sla/clocks.js";
import type { Agency } from "../core/types.js";
import { calendarSpecFor, type PantauConfig } from "../config/index.js";
import type { Database } from "../db/connect.js";
import type { Logger } from "../log.js";
import { NOOP_METRICS, type PantauMetrics } from "./metrics.js";

export interface AppContext {
  config: PantauConfig;
  db: Database;
  logger: Logger;
  /** Identifies this process in scan records and logs. */
  instanceId: string;
  calendars: CalendarDirectory;
  /** Events for Prometheus (scans, emails, decisions); a no-op until the daemon wires metrics. */
  metrics: PantauMetrics;
}

export { NOOP_METRICS };

export class UnknownAgencyError extends Error {
  readonly code = "UNKNOWN_AGENCY";
  constructor(readonly opd: string) {
    super(
      `OPD "${opd}" tidak ada di direktori: gunakan kode dari config/agencies.yaml (mis. dinkes, 35.07.13). / ` +
        `Agency "${opd}" is not in the directory: use a code from config/agencies.yaml (e.g. dinkes, 35.07.13).`,
    );
  }
}

/** Business calendars per zone and per agency, built lazily from the configuration. */
export class CalendarDirectory {
  private readonly byZone = new Map<string, BusinessCalendar>();
  private readonly agencies: Map<string, Agency>;

  constructor(private readonly config: PantauConfig) {
    this.agencies = new Map(config.agencies.map((a) => [a.code, a]));
  }

  forZone(zone: string): BusinessCalendar {
    let calendar = this.byZone.get(zone);
    if (!calendar) {
      calendar = new BusinessCalendar(calendarSpecFor(this.config, zone));
      this.byZone.set(zone, calendar);
    }
    return calendar;
  }

  agency(opd: string): Agency | undefined {
    return this.agencies.get(opd);
  }

  forAgency(opd: string): BusinessCalendar {
    const agency = this.agencies.get(opd);
    return this.forZone(agency?.zone ?? this.config.defaultZone);
  }

  clockContext(): ClockContext {
    return {
      sops: this.config.sops,
      calendarFor: (opd) => this.forAgency(opd),
      coordinatorOpd: this.config.coordinator,
      riskMargins: this.config.atRiskMargin,
    };
  }
}

/**
 * A fingerprint of everything that shapes a clock (calendar, holidays, SOPs, margins, escalation
 * ladders): stored
 * with the clocks so that a changed configuration is noticed and `pantau recompute` suggested.
 */
export function clockConfigFingerprint(config: PantauConfig): string {
  const material = JSON.stringify({
    calendar: config.calendar,
    holidays: config.holidays.map((h) => [h.date, h.kind]),
    sops: config.sops,
    margins: config.atRiskMargin,
    zones: config.agencies.map((a) => [a.code, a.zone]),
    coordinator: config.coordinator,
    // A changed ladder re-examines open clocks too (unsent steps of removed levels are cancelled).
    escalation: config.escalation,
  });
  return createHash("sha256").update(material).digest("hex").slice(0, 16);
}

/** Agencies that have an SOP of their own. */
export function agenciesWithOwnSop(config: PantauConfig): Set<string> {
  return new Set(Object.keys(config.sops.agencyVersions));
}
