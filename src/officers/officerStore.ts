// The officer directory on the database: appointments are never deleted; a rotation (mutasi)
// only ends the previous holder's appointment. Imports are all-or-nothing (one transaction).
import type { Knex } from "knex";
import {
  AppointmentConflictError,
  applyAppointment,
  type Appointment,
  type OfficerRole,
} from "../core/escalation/appointments.js";
import type { Instant } from "../core/types.js";
import type { Db } from "../store/reportStore.js";

export interface StoredAppointment extends Appointment {
  id?: number;
}

interface AppointmentRow {
  id: number | string;
  opd: string | null;
  role: string;
  name: string;
  email: string;
  valid_from: Date;
  valid_to: Date | null;
  decree: string;
  phone: string | null;
  telegram_chat_id: string | null;
}

function fromRow(r: AppointmentRow): StoredAppointment {
  return {
    id: Number(r.id),
    opd: r.opd,
    role: r.role as OfficerRole,
    name: r.name,
    email: r.email,
    validFrom: r.valid_from.getTime(),
    validTo: r.valid_to === null ? null : r.valid_to.getTime(),
    decree: r.decree,
    phone: r.phone,
    telegramChatId: r.telegram_chat_id,
  };
}

/** Every appointment, past and present, in a stable order. */
export async function loadAppointments(db: Db): Promise<StoredAppointment[]> {
  const rows = (await db("officer_appointments")
    .select(
      "id",
      "opd",
      "role",
      "name",
      "email",
      "valid_from",
      "valid_to",
      "decree",
      "phone",
      "telegram_chat_id",
    )
    .orderBy([{ column: "valid_from" }, { column: "id" }])) as AppointmentRow[];
  return rows.map(fromRow);
}

export interface ImportAppointmentsResult {
  inserted: number;
  /** Earlier appointments ended by a rotation. */
  ended: number;
  /** Rows already stored identically (re-running an import). */
  unchanged: number;
}

/**
 * Folds `appointments` (already validated) into the stored directory with applyAppointment, in
 * the caller's transaction. Throws AppointmentConflictError (the caller rolls back) when one
 * overlaps a stored appointment. Pending escalations that had nobody to go to are re-examined
 * at the next scan.
 */
export async function importAppointments(
  trx: Knex.Transaction,
  appointments: readonly Appointment[],
  source: string,
  now: Instant,
): Promise<ImportAppointmentsResult> {
  // One importer at a time: the fold below reads the whole directory.
  await trx.raw("LOCK TABLE officer_appointments IN SHARE ROW EXCLUSIVE MODE");
  const stored = await loadAppointments(trx);
  let list: StoredAppointment[] = stored;
  let unchanged = 0;
  for (const a of [...appointments].sort((x, y) => x.validFrom - y.validFrom)) {
    // The same appointment stored open, now with an end (the file gained its successor, or the
    // end date was filled in): end the stored one instead of calling it an overlap.
    const same = list.findIndex(
      (s) =>
        s.validTo === null &&
        a.validTo !== null &&
        s.role === a.role &&
        s.opd === a.opd &&
        s.validFrom === a.validFrom &&
        s.name === a.name &&
        s.email.toLowerCase() === a.email.toLowerCase() &&
        s.decree === a.decree,
    );
    if (same >= 0) {
      list = list.map((s, i) => (i === same ? { ...s, validTo: a.validTo } : s));
      continue;
    }
    const before = list.length;
    list = applyAppointment(list, a);
    if (list.length === before) unchanged++;
  }
  const byId = new Map(stored.map((s) => [s.id, s]));
  let ended = 0;
  let inserted = 0;
  for (const a of list) {
    if (a.id !== undefined) {
      const old = byId.get(a.id);
      if (old && old.validTo !== a.validTo) {
        await trx("officer_appointments")
          .where({ id: a.id })
          .update({ valid_to: a.validTo === null ? null : new Date(a.validTo) });
        ended++;
      }
      continue;
    }
    await trx("officer_appointments").insert({
      opd: a.opd,
      role: a.role,
      name: a.name,
      email: a.email,
      valid_from: new Date(a.validFrom),
      valid_to: a.validTo === null ? null : new Date(a.validTo),
      decree: a.decree,
      phone: a.phone ?? null,
      telegram_chat_id: a.telegramChatId ?? null,
      imported_at: new Date(now),
      source,
    });
    inserted++;
  }
  await updateContacts(trx, stored, appointments);
  await trx("escalations")
    .where({ status: "pending" })
    .whereNotNull("undeliverable_at")
    .update({ undeliverable_at: null });
  return { inserted, ended, unchanged };
}

export { AppointmentConflictError };

/**
 * Chat contacts (phone, telegram_chat_id) given in the file for appointments already stored
 * (same slot, start and address) replace the stored ones: a re-import adds, changes or (an empty
 * cell) removes them. A file without the column leaves them as they are.
 */
async function updateContacts(
  trx: Knex.Transaction,
  stored: readonly StoredAppointment[],
  appointments: readonly Appointment[],
): Promise<void> {
  for (const a of appointments) {
    const s = stored.find(
      (x) =>
        x.role === a.role &&
        x.opd === a.opd &&
        x.validFrom === a.validFrom &&
        x.email.toLowerCase() === a.email.toLowerCase(),
    );
    if (!s || s.id === undefined) continue;
    const change: Record<string, string | null> = {};
    if (a.phone !== undefined && a.phone !== (s.phone ?? null)) change.phone = a.phone;
    if (a.telegramChatId !== undefined && a.telegramChatId !== (s.telegramChatId ?? null)) {
      change.telegram_chat_id = a.telegramChatId;
    }
    if (Object.keys(change).length > 0) {
      await trx("officer_appointments").where({ id: s.id }).update(change);
    }
  }
}
