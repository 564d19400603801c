// Whom a chat webhook can reach at an instant: the work contacts (phone, telegram_chat_id) of the
// people holding a role then, from the officer directory (validated by contacts.ts on import).
//
// Pure: no I/O, no clock reads.
//
// API
// - interface ChatContact { phone; telegramChatId }
// - contactsAt(appointments, at): Map<person, ChatContact> — by person (lowercased address); a
//   person holding several roles has the first contact given for each channel.
import type { Instant } from "../types.js";
import { holderAt, type Appointment } from "./appointments.js";

export interface ChatContact {
  phone: string | null;
  telegramChatId: string | null;
}

export function contactsAt(
  appointments: readonly Appointment[],
  at: Instant,
): Map<string, ChatContact> {
  const out = new Map<string, ChatContact>();
  for (const a of appointments) {
    if (holderAt(appointments, a.role, a.opd, at) !== a) continue;
    const person = a.email.trim().toLowerCase();
    const prev = out.get(person);
    out.set(person, {
      phone: prev?.phone ?? a.phone ?? null,
      telegramChatId: prev?.telegramChatId ?? a.telegramChatId ?? null,
    });
  }
  return out;
}
