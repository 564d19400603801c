// Appointments of the officer directory: who holds which escalation role, and since when.
//
// Pure: no I/O, no clock reads. The store keeps one row per Appointment and never deletes one;
// a rotation (mutasi) only sets `validTo` of the previous holder. The rows of an officer CSV are
// checked in officerRows.ts, which builds Appointments with the rules below.
//
// API
// - type OfficerRole = "liaison" | "supervisor" | "coordinator" | "leadership"
//     liaison (pejabat penghubung) and supervisor (atasan / Kepala OPD) belong to an agency (opd);
//     coordinator (admin koordinator, Dinas Kominfo) and leadership (Tim Pengelola) are
//     regency-wide and have opd null.
// - interface Appointment { opd; role; name; email; validFrom; validTo; decree }
//     valid over the half-open interval [validFrom, validTo); validTo null = still in office.
// - OFFICER_ROLES, REGENCY_ROLES, isRegencyRole(role), roleName(role): Bilingual,
//   slotLabel(role, opd): Bilingual (the role of one agency, for people)
// - holderAt(appointments, role, opd, at): Appointment | null
//     The holder of (opd, role) at instant `at` (opd ignored for regency roles). Should the data
//     hold two overlapping appointments, the one that started last wins.
// - applyAppointment(existing, newOne): Appointment[]
//     Mutasi: returns a new list where the open appointment of the same (opd, role) that started
//     before newOne is ended at newOne.validFrom, and newOne is appended. Re-applying an identical
//     appointment is a no-op (imports can be re-run). Throws AppointmentConflictError when newOne
//     overlaps a closed appointment or does not start after the current open one.
import type { Bilingual } from "../../i18n/lang.js";
import type { Instant } from "../types.js";

export type OfficerRole = "liaison" | "supervisor" | "coordinator" | "leadership";

export const OFFICER_ROLES: readonly OfficerRole[] = [
  "liaison",
  "supervisor",
  "coordinator",
  "leadership",
];

/** Roles of the whole regency (no agency). */
export const REGENCY_ROLES: readonly OfficerRole[] = ["coordinator", "leadership"];

export function isRegencyRole(role: OfficerRole): boolean {
  return role === "coordinator" || role === "leadership";
}

const ROLE_NAMES: Record<OfficerRole, Bilingual> = {
  liaison: { id: "pejabat penghubung", en: "liaison officer" },
  supervisor: { id: "atasan (Kepala OPD)", en: "supervisor (head of agency)" },
  coordinator: { id: "admin koordinator", en: "coordinator" },
  leadership: { id: "Tim Pengelola (pimpinan)", en: "leadership team" },
};

/** Name of a role for people. */
export function roleName(role: OfficerRole): Bilingual {
  return ROLE_NAMES[role];
}

/** One appointment (SK) of an officer to a role; valid over [validFrom, validTo). */
export interface Appointment {
  /** Agency code for liaison / supervisor; null for coordinator / leadership. */
  opd: string | null;
  role: OfficerRole;
  name: string;
  email: string;
  validFrom: Instant;
  /** Null while the appointment is open-ended (still in office). */
  validTo: Instant | null;
  /** The decree (surat keputusan) that made the appointment, e.g. "SK Bupati 188.45/123/2025". */
  decree: string;
  /** Work phone in E.164 (chat gateways); null when empty, undefined when the file has no column. */
  phone?: string | null | undefined;
  /** Telegram chat id (a Telegram bot); null when empty, undefined when the file has no column. */
  telegramChatId?: string | null | undefined;
}

function slotOpd(role: OfficerRole, opd: string | null): string | null {
  return isRegencyRole(role) ? null : opd;
}

function sameSlot(a: Appointment, role: OfficerRole, opd: string | null): boolean {
  return a.role === role && slotOpd(role, a.opd) === slotOpd(role, opd);
}

function covers(a: Appointment, at: Instant): boolean {
  return a.validFrom <= at && (a.validTo === null || at < a.validTo);
}

/** The holder of (opd, role) at `at`, or null when the role is vacant then. */
export function holderAt(
  appointments: readonly Appointment[],
  role: OfficerRole,
  opd: string | null,
  at: Instant,
): Appointment | null {
  let best: Appointment | null = null;
  for (const a of appointments) {
    if (sameSlot(a, role, opd) && covers(a, at) && (!best || a.validFrom > best.validFrom)) {
      best = a;
    }
  }
  return best;
}

/** Thrown by applyAppointment; `reason` is for people. */
export class AppointmentConflictError extends Error {
  readonly code = "APPOINTMENT_CONFLICT";
  readonly reason: Bilingual;
  constructor(reason: Bilingual) {
    super(`${reason.id} / ${reason.en}`);
    this.name = "AppointmentConflictError";
    this.reason = reason;
  }
}

function sameAppointment(a: Appointment, b: Appointment): boolean {
  return (
    a.role === b.role &&
    a.opd === b.opd &&
    a.name === b.name &&
    a.email.toLowerCase() === b.email.toLowerCase() &&
    a.validFrom === b.validFrom &&
    a.validTo === b.validTo &&
    a.decree === b.decree
  );
}

/** "pejabat penghubung dinkes" / "liaison officer of dinkes"; regency roles without an agency. */
export function slotLabel(role: OfficerRole, opd: string | null): Bilingual {
  const n = ROLE_NAMES[role];
  return opd === null || isRegencyRole(role)
    ? n
    : { id: `${n.id} ${opd}`, en: `${n.en} of ${opd}` };
}

/**
 * Mutasi: adds `newOne`, ending the open appointment of the same (opd, role) at newOne.validFrom.
 * Returns a new array (the input is not modified); history is kept.
 */
export function applyAppointment(
  existing: readonly Appointment[],
  newOne: Appointment,
): Appointment[] {
  if (newOne.validTo !== null && newOne.validTo <= newOne.validFrom) {
    throw new AppointmentConflictError({
      id: "akhir masa jabatan harus setelah awalnya",
      en: "the appointment must end after it starts",
    });
  }
  if (existing.some((a) => sameAppointment(a, newOne))) return [...existing];
  const label = slotLabel(newOne.role, newOne.opd);
  const out: Appointment[] = [];
  for (const a of existing) {
    if (!sameSlot(a, newOne.role, newOne.opd)) {
      out.push(a);
      continue;
    }
    if (a.validTo === null && a.validFrom < newOne.validFrom) {
      // The previous holder leaves when the new one takes office.
      out.push({ ...a, validTo: newOne.validFrom });
      continue;
    }
    const newEnd = newOne.validTo ?? Infinity;
    const oldEnd = a.validTo ?? Infinity;
    if (a.validFrom < newEnd && newOne.validFrom < oldEnd) {
      throw new AppointmentConflictError({
        id: `pengangkatan ${newOne.name} bertumpang tindih dengan ${a.name} untuk ${label.id}`,
        en: `the appointment of ${newOne.name} overlaps ${a.name}'s as ${label.en}`,
      });
    }
    out.push(a);
  }
  out.push({ ...newOne });
  return out;
}
