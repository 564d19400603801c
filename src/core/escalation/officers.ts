// Officer directory: who holds which escalation role, and since when (appointment history).
//
// Pure: no I/O, no clock reads. The store keeps one row per Appointment and never deletes one;
// a rotation (mutasi) only sets `validTo` of the previous holder.
//
// API
// - type OfficerRole = "liaison" | "supervisor" | "coordinator" | "leadership"
//     liaison (pejabat penghubung) and supervisor (atasan / Kepala OPD) belong to an agency (opd);
//     coordinator (admin koordinator, Dinas Kominfo) and leadership (Tim Pengelola) are
//     regency-wide and have opd null.
// - interface Appointment { opd; role; name; email; validFrom; validTo; decree }
//     valid over the half-open interval [validFrom, validTo); validTo null = still in office.
// - OFFICER_ROLES, REGENCY_ROLES, isRegencyRole(role), roleName(role): Bilingual
// - holderAt(appointments, role, opd, at): Appointment | null
//     The holder of (opd, role) at instant `at` (opd ignored for regency roles). Should the data
//     hold two overlapping appointments, the one that started last wins.
// - applyAppointment(existing, newOne): Appointment[]
//     Mutasi: returns a new list where the open appointment of the same (opd, role) that started
//     before newOne is ended at newOne.validFrom, and newOne is appended. Re-applying an identical
//     appointment is a no-op (imports can be re-run). Throws AppointmentConflictError when newOne
//     overlaps a closed appointment or does not start after the current open one.
// - validateOfficerRows(rows, knownAgencies, lang, options?): { appointments, errors }
//     For `pantau officers import FILE.csv`. Checks every row and the rows together; all-or-nothing:
//     the caller writes nothing unless `errors` is empty. Within the file, an open-ended appointment
//     followed by a later one for the same (opd, role) is a rotation: the earlier one is ended at
//     the later one's validFrom. Two appointments with an end that overlap are an error.
//     Dates: "yyyy-mm-dd" means 00:00 local time in options.zone (default Asia/Jakarta);
//     "yyyy-mm-ddThh:mm[:ss]" (or with a space) is local time unless it carries Z or an offset.
// - isValidEmail(text): boolean — a conservative RFC 5321/5322 "dot-atom" check, no CR/LF, no
//     spaces, no quoted local parts, a dotted domain.
// - parseOfficerInstant(text, zone): Instant | null
import { DateTime, IANAZone } from "luxon";
import { pick, type Bilingual, type Lang } from "../../i18n/lang.js";
import type { Instant } from "../types.js";
import { parsePhone, parseTelegramChatId } from "./contacts.js";

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

/** Role names accepted in a CSV besides the English codes (case-insensitive). */
const ROLE_ALIASES: Readonly<Record<string, OfficerRole>> = {
  liaison: "liaison",
  penghubung: "liaison",
  "pejabat penghubung": "liaison",
  supervisor: "supervisor",
  atasan: "supervisor",
  coordinator: "coordinator",
  koordinator: "coordinator",
  "admin koordinator": "coordinator",
  leadership: "leadership",
  pimpinan: "leadership",
};

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

function slotLabel(role: OfficerRole, opd: string | null): Bilingual {
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

// ---- validation of imported rows ----

/** One CSV row of `pantau officers import` (columns as in the file; line is the file line). */
export interface OfficerRow {
  line: number;
  opd?: string | null;
  role?: string | null;
  name?: string | null;
  email?: string | null;
  valid_from?: string | null;
  valid_to?: string | null;
  decree?: string | null;
  phone?: string | null;
  telegram_chat_id?: string | null;
}

export type OfficerColumn =
  | "opd"
  | "role"
  | "name"
  | "email"
  | "valid_from"
  | "valid_to"
  | "decree"
  | "phone"
  | "telegram_chat_id";

export interface OfficerRowError {
  line: number;
  column: OfficerColumn;
  /** The offending value as given (trimmed). */
  value: string;
  reason: Bilingual;
  /** `reason` in the requested language, prefixed with line and column. */
  message: string;
}

export interface OfficerValidation {
  /** In file order, rotations applied; meaningful only when `errors` is empty. */
  appointments: Appointment[];
  errors: OfficerRowError[];
}

export interface OfficerValidationOptions {
  /** Zone in which dates without an offset are read. Default "Asia/Jakarta". */
  zone?: string;
}

// Dot-atom local part and a dotted domain of LDH labels; no quoting, no IP literals.
const LOCAL_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A conservative address check; rejects anything with whitespace or control characters. */
export function isValidEmail(text: string): boolean {
  if (typeof text !== "string" || text.length > 254) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(text)) return false;
  const at = text.lastIndexOf("@");
  if (at <= 0 || at !== text.indexOf("@")) return false;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (local.length > 64 || !LOCAL_RE.test(local)) return false;
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  if (!labels.every((l) => LABEL_RE.test(l))) return false;
  return /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1] ?? "");
}

const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_RE =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** "yyyy-mm-dd" (local 00:00) or an ISO date-time (local unless it has Z or an offset). */
export function parseOfficerInstant(text: string, zone: string): Instant | null {
  const s = text.trim();
  if (!DATE_ONLY_RE.test(s) && !DATE_TIME_RE.test(s)) return null;
  const dt = DateTime.fromISO(s.replace(" ", "T"), { zone, setZone: false });
  if (!dt.isValid) return null;
  return dt.toMillis();
}

const FORBIDDEN_TEXT_RE = /[\u0000-\u001f\u007f\u2028\u2029]/; // eslint-disable-line no-control-regex

/**
 * Validates the rows of an officer CSV. Every problem is reported (not only the first), each with
 * its line, column, value and a bilingual reason.
 */
export function validateOfficerRows(
  rows: readonly OfficerRow[],
  knownAgencies: ReadonlySet<string>,
  lang: Lang,
  options: OfficerValidationOptions = {},
): OfficerValidation {
  const zone = options.zone ?? "Asia/Jakarta";
  if (!IANAZone.isValidZone(zone)) throw new RangeError(`unknown time zone ${zone}`);
  const errors: OfficerRowError[] = [];
  const fail = (line: number, column: OfficerColumn, value: string, reason: Bilingual): void => {
    errors.push({
      line,
      column,
      value,
      reason,
      message: `${lang === "en" ? "line" : "baris"} ${line}, ${column}: ${pick(lang, reason)}`,
    });
  };

  interface Parsed {
    line: number;
    a: Appointment;
  }
  const parsed: Parsed[] = [];

  for (const row of rows) {
    const line = row.line;
    const get = (c: OfficerColumn): string => String(row[c] ?? "").trim();
    let ok = true;
    const bad = (column: OfficerColumn, reason: Bilingual): void => {
      ok = false;
      fail(line, column, get(column), reason);
    };

    const roleText = get("role");
    const role = ROLE_ALIASES[roleText.toLowerCase()];
    if (!role) {
      bad("role", {
        id: `peran "${roleText}" tidak dikenal: gunakan liaison, supervisor, coordinator atau leadership`,
        en: `unknown role "${roleText}": use liaison, supervisor, coordinator or leadership`,
      });
    }

    const opdText = get("opd").toLowerCase();
    if (role && isRegencyRole(role)) {
      if (opdText !== "") {
        bad("opd", {
          id: `peran ${role} berlaku untuk seluruh kabupaten: kosongkan kolom opd`,
          en: `role ${role} is regency-wide: leave the opd column empty`,
        });
      }
    } else if (role) {
      if (opdText === "") {
        bad("opd", {
          id: `peran ${role} memerlukan kode perangkat daerah di kolom opd`,
          en: `role ${role} needs an agency code in the opd column`,
        });
      } else if (!knownAgencies.has(opdText)) {
        bad("opd", {
          id: `perangkat daerah "${opdText}" tidak dikenal: gunakan kode dari agencies.yaml`,
          en: `unknown agency "${opdText}": use a code from agencies.yaml`,
        });
      }
    }

    const name = get("name");
    if (name === "") {
      bad("name", { id: "nama wajib diisi", en: "the name is required" });
    } else if (FORBIDDEN_TEXT_RE.test(String(row.name ?? ""))) {
      bad("name", {
        id: "nama mengandung karakter kendali (mis. baris baru)",
        en: "the name contains control characters (e.g. a line break)",
      });
    } else if (name.length > 200) {
      bad("name", { id: "nama terlalu panjang (maks. 200)", en: "name too long (max. 200)" });
    }

    const rawEmail = String(row.email ?? "");
    const email = rawEmail.trim();
    if (/[\r\n]/.test(rawEmail) || !isValidEmail(email)) {
      bad("email", {
        id: `alamat email "${email.replace(/[\r\n]/g, " ")}" tidak valid`,
        en: `malformed email address "${email.replace(/[\r\n]/g, " ")}"`,
      });
    }

    const contacts = {
      phone: parsePhone(get("phone")),
      telegram: parseTelegramChatId(get("telegram_chat_id")),
    };
    if ("error" in contacts.phone) bad("phone", contacts.phone.error);
    if ("error" in contacts.telegram) bad("telegram_chat_id", contacts.telegram.error);

    const fromText = get("valid_from");
    const validFrom = fromText === "" ? null : parseOfficerInstant(fromText, zone);
    if (validFrom === null) {
      bad("valid_from", {
        id: `tanggal mulai "${fromText}" tidak valid: gunakan yyyy-mm-dd atau yyyy-mm-ddThh:mm`,
        en: `invalid start date "${fromText}": use yyyy-mm-dd or yyyy-mm-ddThh:mm`,
      });
    }
    const toText = get("valid_to");
    let validTo: Instant | null = null;
    if (toText !== "") {
      validTo = parseOfficerInstant(toText, zone);
      if (validTo === null) {
        bad("valid_to", {
          id: `tanggal akhir "${toText}" tidak valid: gunakan yyyy-mm-dd atau yyyy-mm-ddThh:mm, atau kosongkan`,
          en: `invalid end date "${toText}": use yyyy-mm-dd or yyyy-mm-ddThh:mm, or leave it empty`,
        });
      } else if (validFrom !== null && validTo <= validFrom) {
        bad("valid_to", {
          id: "tanggal akhir harus setelah tanggal mulai",
          en: "the end date must be after the start date",
        });
      }
    }

    const decree = get("decree");
    if (decree === "") {
      bad("decree", {
        id: "nomor SK wajib diisi",
        en: "the decree (SK) number is required",
      });
    } else if (FORBIDDEN_TEXT_RE.test(String(row.decree ?? ""))) {
      bad("decree", {
        id: "nomor SK mengandung karakter kendali",
        en: "the decree contains control characters",
      });
    }

    if (ok && role && validFrom !== null) {
      parsed.push({
        line,
        a: {
          opd: isRegencyRole(role) ? null : opdText,
          role,
          name,
          email,
          validFrom,
          validTo,
          decree,
          // A file without the column leaves stored contacts as they are (undefined).
          phone:
            row.phone === undefined
              ? undefined
              : "value" in contacts.phone
                ? contacts.phone.value
                : null,
          telegramChatId:
            row.telegram_chat_id === undefined
              ? undefined
              : "value" in contacts.telegram
                ? contacts.telegram.value
                : null,
        },
      });
    }
  }

  // Rows together: per (opd, role), in order of validFrom.
  const slots = new Map<string, Parsed[]>();
  for (const p of parsed) {
    const k = `${p.a.opd ?? ""}|${p.a.role}`;
    const list = slots.get(k);
    if (list) list.push(p);
    else slots.set(k, [p]);
  }
  for (const list of slots.values()) {
    list.sort((x, y) => x.a.validFrom - y.a.validFrom || x.line - y.line);
    for (let i = 1; i < list.length; i++) {
      const cur = list[i]!;
      const label = slotLabel(cur.a.role, cur.a.opd);
      for (let j = 0; j < i; j++) {
        const prev = list[j]!;
        const prevEnd = prev.a.validTo;
        if (prev.a.validFrom === cur.a.validFrom) {
          fail(cur.line, "valid_from", fromTextOf(rows, cur.line), {
            id: `mulai pada waktu yang sama dengan baris ${prev.line} untuk ${label.id}`,
            en: `starts at the same time as line ${prev.line} for ${label.en}`,
          });
        } else if (prevEnd === null) {
          // Rotation: only the latest open-ended predecessor is ended, below.
        } else if (cur.a.validFrom < prevEnd) {
          fail(cur.line, "valid_from", fromTextOf(rows, cur.line), {
            id: `bertumpang tindih dengan baris ${prev.line} untuk ${label.id}`,
            en: `overlaps line ${prev.line} for ${label.en}`,
          });
        }
      }
    }
    // Rotations: an open-ended appointment ends when the next one of the slot starts.
    for (let i = 0; i + 1 < list.length; i++) {
      const cur = list[i]!;
      const next = list[i + 1]!;
      if (cur.a.validTo === null && next.a.validFrom > cur.a.validFrom) {
        cur.a.validTo = next.a.validFrom;
      }
    }
  }

  errors.sort((x, y) => x.line - y.line);
  const appointments = parsed.sort((x, y) => x.line - y.line).map((p) => p.a);
  return { appointments, errors };
}

function fromTextOf(rows: readonly OfficerRow[], line: number): string {
  return String(rows.find((r) => r.line === line)?.valid_from ?? "").trim();
}
