// Officer CSV rows: the checks of `pantau officers import FILE.csv`, turning the rows of the
// officer directory file into Appointments (appointments.ts) or errors for people.
//
// Pure: no I/O, no clock reads.
//
// API
// - validateOfficerRows(rows, knownAgencies, lang, options?): { appointments, errors }
//     Checks every row and the rows together; all-or-nothing: the caller writes nothing unless
//     `errors` is empty. Within the file, an open-ended appointment followed by a later one for
//     the same (opd, role) is a rotation: the earlier one is ended at the later one's validFrom.
//     Two appointments with an end that overlap are an error.
//     Dates: "yyyy-mm-dd" means 00:00 local time in options.zone (default Asia/Jakarta);
//     "yyyy-mm-ddThh:mm[:ss]" (or with a space) is local time unless it carries Z or an offset.
// - parseOfficerInstant(text, zone): Instant | null
import { DateTime, IANAZone } from "luxon";
import { pick, type Bilingual, type Lang } from "../../i18n/lang.js";
import type { Instant } from "../types.js";
import { isRegencyRole, slotLabel, type Appointment, type OfficerRole } from "./appointments.js";
import { parsePhone, parseTelegramChatId, type ContactResult } from "./contacts.js";
import { isValidEmail } from "./emailAddress.js";

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

/** Records one problem of the file (line, column, value, reason). */
type Fail = (line: number, column: OfficerColumn, value: string, reason: Bilingual) => void;

/** One row's problems: `bad` records a problem of a column of this row. */
interface RowCheck {
  get(column: OfficerColumn): string;
  bad(column: OfficerColumn, reason: Bilingual): void;
}

/** A row that passed its own checks, with its file line. */
interface ParsedRow {
  line: number;
  a: Appointment;
}

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
  const fail: Fail = (line, column, value, reason) => {
    errors.push({
      line,
      column,
      value,
      reason,
      message: `${lang === "en" ? "line" : "baris"} ${line}, ${column}: ${pick(lang, reason)}`,
    });
  };

  const parsed: ParsedRow[] = [];
  for (const row of rows) {
    const a = checkRow(row, knownAgencies, zone, fail);
    if (a) parsed.push({ line: row.line, a });
  }
  checkRowsTogether(parsed, rows, fail);

  errors.sort((x, y) => x.line - y.line);
  const appointments = parsed.sort((x, y) => x.line - y.line).map((p) => p.a);
  return { appointments, errors };
}

/** The checks of one row, column by column; the Appointment when the row has no problem. */
function checkRow(
  row: OfficerRow,
  knownAgencies: ReadonlySet<string>,
  zone: string,
  fail: Fail,
): Appointment | null {
  let ok = true;
  const check: RowCheck = {
    get: (c) => String(row[c] ?? "").trim(),
    bad(column, reason) {
      ok = false;
      fail(row.line, column, check.get(column), reason);
    },
  };
  // Problems are recorded in column order: role, opd, name, email, contacts, dates, decree.
  const role = checkRole(check);
  const opd = checkOpd(check, role, knownAgencies);
  const name = checkName(check, row);
  const email = checkEmail(check, row);
  const contacts = checkContacts(check);
  const { validFrom, validTo } = checkValidity(check, zone);
  const decree = checkDecree(check, row);
  if (!ok || !role || validFrom === null) return null;
  return {
    opd: isRegencyRole(role) ? null : opd,
    role,
    name,
    email,
    validFrom,
    validTo,
    decree,
    // A file without the column leaves stored contacts as they are (undefined).
    phone:
      row.phone === undefined ? undefined : "value" in contacts.phone ? contacts.phone.value : null,
    telegramChatId:
      row.telegram_chat_id === undefined
        ? undefined
        : "value" in contacts.telegram
          ? contacts.telegram.value
          : null,
  };
}

function checkRole(check: RowCheck): OfficerRole | undefined {
  const roleText = check.get("role");
  const role = ROLE_ALIASES[roleText.toLowerCase()];
  if (!role) {
    check.bad("role", {
      id: `peran "${roleText}" tidak dikenal: gunakan liaison, supervisor, coordinator atau leadership`,
      en: `unknown role "${roleText}": use liaison, supervisor, coordinator or leadership`,
    });
  }
  return role;
}

/** The agency code (lower case): empty for regency roles, a known agency for the others. */
function checkOpd(
  check: RowCheck,
  role: OfficerRole | undefined,
  knownAgencies: ReadonlySet<string>,
): string {
  const opdText = check.get("opd").toLowerCase();
  if (role && isRegencyRole(role)) {
    if (opdText !== "") {
      check.bad("opd", {
        id: `peran ${role} berlaku untuk seluruh kabupaten: kosongkan kolom opd`,
        en: `role ${role} is regency-wide: leave the opd column empty`,
      });
    }
  } else if (role) {
    if (opdText === "") {
      check.bad("opd", {
        id: `peran ${role} memerlukan kode perangkat daerah di kolom opd`,
        en: `role ${role} needs an agency code in the opd column`,
      });
    } else if (!knownAgencies.has(opdText)) {
      check.bad("opd", {
        id: `perangkat daerah "${opdText}" tidak dikenal: gunakan kode dari agencies.yaml`,
        en: `unknown agency "${opdText}": use a code from agencies.yaml`,
      });
    }
  }
  return opdText;
}

function checkName(check: RowCheck, row: OfficerRow): string {
  const name = check.get("name");
  if (name === "") {
    check.bad("name", { id: "nama wajib diisi", en: "the name is required" });
  } else if (FORBIDDEN_TEXT_RE.test(String(row.name ?? ""))) {
    check.bad("name", {
      id: "nama mengandung karakter kendali (mis. baris baru)",
      en: "the name contains control characters (e.g. a line break)",
    });
  } else if (name.length > 200) {
    check.bad("name", { id: "nama terlalu panjang (maks. 200)", en: "name too long (max. 200)" });
  }
  return name;
}

function checkEmail(check: RowCheck, row: OfficerRow): string {
  const rawEmail = String(row.email ?? "");
  const email = rawEmail.trim();
  if (/[\r\n]/.test(rawEmail) || !isValidEmail(email)) {
    check.bad("email", {
      id: `alamat email "${email.replace(/[\r\n]/g, " ")}" tidak valid`,
      en: `malformed email address "${email.replace(/[\r\n]/g, " ")}"`,
    });
  }
  return email;
}

function checkContacts(check: RowCheck): { phone: ContactResult; telegram: ContactResult } {
  const contacts = {
    phone: parsePhone(check.get("phone")),
    telegram: parseTelegramChatId(check.get("telegram_chat_id")),
  };
  if ("error" in contacts.phone) check.bad("phone", contacts.phone.error);
  if ("error" in contacts.telegram) check.bad("telegram_chat_id", contacts.telegram.error);
  return contacts;
}

/** valid_from (required) and valid_to (empty: open-ended; else after valid_from). */
function checkValidity(
  check: RowCheck,
  zone: string,
): { validFrom: Instant | null; validTo: Instant | null } {
  const fromText = check.get("valid_from");
  const validFrom = fromText === "" ? null : parseOfficerInstant(fromText, zone);
  if (validFrom === null) {
    check.bad("valid_from", {
      id: `tanggal mulai "${fromText}" tidak valid: gunakan yyyy-mm-dd atau yyyy-mm-ddThh:mm`,
      en: `invalid start date "${fromText}": use yyyy-mm-dd or yyyy-mm-ddThh:mm`,
    });
  }
  const toText = check.get("valid_to");
  let validTo: Instant | null = null;
  if (toText !== "") {
    validTo = parseOfficerInstant(toText, zone);
    if (validTo === null) {
      check.bad("valid_to", {
        id: `tanggal akhir "${toText}" tidak valid: gunakan yyyy-mm-dd atau yyyy-mm-ddThh:mm, atau kosongkan`,
        en: `invalid end date "${toText}": use yyyy-mm-dd or yyyy-mm-ddThh:mm, or leave it empty`,
      });
    } else if (validFrom !== null && validTo <= validFrom) {
      check.bad("valid_to", {
        id: "tanggal akhir harus setelah tanggal mulai",
        en: "the end date must be after the start date",
      });
    }
  }
  return { validFrom, validTo };
}

function checkDecree(check: RowCheck, row: OfficerRow): string {
  const decree = check.get("decree");
  if (decree === "") {
    check.bad("decree", {
      id: "nomor SK wajib diisi",
      en: "the decree (SK) number is required",
    });
  } else if (FORBIDDEN_TEXT_RE.test(String(row.decree ?? ""))) {
    check.bad("decree", {
      id: "nomor SK mengandung karakter kendali",
      en: "the decree contains control characters",
    });
  }
  return decree;
}

/**
 * Rows together: per (opd, role), in order of validFrom, two rows may not start at the same
 * instant nor overlap a closed predecessor; an open-ended row followed by a later one is a
 * rotation, ended (in `parsed`, in place) when the next one of its slot starts.
 */
function checkRowsTogether(parsed: ParsedRow[], rows: readonly OfficerRow[], fail: Fail): void {
  const slots = new Map<string, ParsedRow[]>();
  for (const p of parsed) {
    const k = `${p.a.opd ?? ""}|${p.a.role}`;
    const list = slots.get(k);
    if (list) list.push(p);
    else slots.set(k, [p]);
  }
  for (const list of slots.values()) {
    list.sort((x, y) => x.a.validFrom - y.a.validFrom || x.line - y.line);
    checkSlotOverlaps(list, rows, fail);
    // Rotations: an open-ended appointment ends when the next one of the slot starts.
    for (let i = 0; i + 1 < list.length; i++) {
      const cur = list[i]!;
      const next = list[i + 1]!;
      if (cur.a.validTo === null && next.a.validFrom > cur.a.validFrom) {
        cur.a.validTo = next.a.validFrom;
      }
    }
  }
}

/** The rows of one slot (sorted by validFrom): same starts and overlaps with closed ones. */
function checkSlotOverlaps(list: readonly ParsedRow[], rows: readonly OfficerRow[], fail: Fail) {
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
        // Rotation: only the latest open-ended predecessor is ended, in checkRowsTogether.
      } else if (cur.a.validFrom < prevEnd) {
        fail(cur.line, "valid_from", fromTextOf(rows, cur.line), {
          id: `bertumpang tindih dengan baris ${prev.line} untuk ${label.id}`,
          en: `overlaps line ${prev.line} for ${label.en}`,
        });
      }
    }
  }
}

function fromTextOf(rows: readonly OfficerRow[], line: number): string {
  return String(rows.find((r) => r.line === line)?.valid_from ?? "").trim();
}
