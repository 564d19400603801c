// Recipients of an escalation decision, resolved from the officer directory at the SEND instant,
// with the vacancy rule: a needed role that nobody holds goes to the coordinator, never dropped.
//
// Pure: no I/O, no clock reads.
//
// API
// - interface Recipient { role; opd; name; email; substituteFor? }
// - interface VacancyNotice { key; opd; role; since; coordinator }
//     key "vacancy|<opd or ->|<role>|<since as ISO UTC, or 'never'>"; `since` is the instant the
//     previous appointment of the slot ended (null when the role was never held). One notice per
//     vacancy: the outbox's unique dedupe key (= this key) makes repeats a no-op.
// - resolveRecipients(decision, appointments, sendAt): RecipientResolution
//     `to` and `cc` of one decision. A vacant role (nobody holds it at sendAt, or the holder's
//     address is unusable) is replaced by the coordinator (Recipient.substituteFor says for whom)
//     and yields a VacancyNotice. When the main recipient is vacant and so is the coordinator,
//     the result is { status: "undeliverable" } — the caller logs it and counts it in a metric;
//     when only a copy is lost that way, the result is ok and `unfilled` names the lost roles.
// - resolveRoleRecipients(role, opd, appointments, at): { recipients, vacancies, unfilled }
//     The same rule for one role (used for the daily reminder's recipients).
// - vacancyKey(opd, role, since), vacancySince(appointments, role, opd, at)
import type { Bilingual } from "../../i18n/lang.js";
import type { Instant } from "../types.js";
import {
  holderAt,
  isRegencyRole,
  roleName,
  type Appointment,
  type OfficerRole,
} from "./appointments.js";
import { isValidEmail } from "./emailAddress.js";

export interface RoleSlot {
  role: OfficerRole;
  /** Null for regency-wide roles. */
  opd: string | null;
}

export interface Recipient {
  role: OfficerRole;
  opd: string | null;
  name: string;
  email: string;
  /** Set when the coordinator receives the message in place of a vacant role. */
  substituteFor?: RoleSlot;
}

export interface VacancyNotice {
  key: string;
  opd: string | null;
  role: OfficerRole;
  /** When the previous holder's appointment ended; null if the role was never held. */
  since: Instant | null;
  /** The coordinator who is told. */
  coordinator: Recipient;
}

export type RecipientResolution =
  | {
      status: "ok";
      decisionKey: string;
      to: Recipient[];
      cc: Recipient[];
      vacancies: VacancyNotice[];
      /** Roles nobody could stand in for (the coordinator is vacant too): copies lost. */
      unfilled: RoleSlot[];
    }
  | {
      status: "undeliverable";
      decisionKey: string;
      reason: Bilingual;
      unfilled: RoleSlot[];
    };

/** What resolveRecipients needs of a decision. */
export interface DecisionAddressing {
  key: string;
  opd: string;
  to: OfficerRole;
  cc: readonly OfficerRole[];
}

function slotOf(role: OfficerRole, opd: string | null): RoleSlot {
  return { role, opd: isRegencyRole(role) ? null : opd };
}

/** The instant the latest appointment of the slot ended at or before `at`; null if none. */
export function vacancySince(
  appointments: readonly Appointment[],
  role: OfficerRole,
  opd: string | null,
  at: Instant,
): Instant | null {
  const slot = slotOf(role, opd);
  let since: Instant | null = null;
  for (const a of appointments) {
    if (a.role !== role || (isRegencyRole(role) ? false : a.opd !== slot.opd)) continue;
    if (a.validTo !== null && a.validTo <= at && (since === null || a.validTo > since)) {
      since = a.validTo;
    }
  }
  return since;
}

/** "vacancy|<opd or ->|<role>|<since ISO or never>". */
export function vacancyKey(opd: string | null, role: OfficerRole, since: Instant | null): string {
  const when = since === null ? "never" : new Date(since).toISOString();
  return `vacancy|${isRegencyRole(role) ? "-" : (opd ?? "-")}|${role}|${when}`;
}

function holderRecipient(
  appointments: readonly Appointment[],
  role: OfficerRole,
  opd: string | null,
  at: Instant,
): Recipient | null {
  const h = holderAt(appointments, role, opd, at);
  if (!h || !isValidEmail(h.email)) return null;
  return { role, opd: slotOf(role, opd).opd, name: h.name, email: h.email };
}

interface RoleOutcome {
  recipient: Recipient | null;
  vacancy: VacancyNotice | null;
  unfilled: RoleSlot | null;
}

function resolveRole(
  appointments: readonly Appointment[],
  role: OfficerRole,
  opd: string | null,
  at: Instant,
): RoleOutcome {
  const direct = holderRecipient(appointments, role, opd, at);
  if (direct) return { recipient: direct, vacancy: null, unfilled: null };
  const slot = slotOf(role, opd);
  if (role === "coordinator") return { recipient: null, vacancy: null, unfilled: slot };
  const coordinator = holderRecipient(appointments, "coordinator", null, at);
  if (!coordinator) return { recipient: null, vacancy: null, unfilled: slot };
  const since = vacancySince(appointments, role, slot.opd, at);
  return {
    recipient: { ...coordinator, substituteFor: slot },
    vacancy: { key: vacancyKey(slot.opd, role, since), ...slot, since, coordinator },
    unfilled: null,
  };
}

/** The recipients of one role at `at`, with the coordinator standing in for a vacancy. */
export function resolveRoleRecipients(
  role: OfficerRole,
  opd: string | null,
  appointments: readonly Appointment[],
  at: Instant,
): { recipients: Recipient[]; vacancies: VacancyNotice[]; unfilled: RoleSlot[] } {
  const r = resolveRole(appointments, role, opd, at);
  return {
    recipients: r.recipient ? [r.recipient] : [],
    vacancies: r.vacancy ? [r.vacancy] : [],
    unfilled: r.unfilled ? [r.unfilled] : [],
  };
}

/**
 * Resolves `to` and `cc` of a decision from the appointments in force at `sendAt` (whoever holds
 * the role when the message is composed for sending — after a rotation, the new officer).
 * Addresses are deduplicated case-insensitively; `to` wins over `cc`.
 */
export function resolveRecipients(
  decision: DecisionAddressing,
  appointments: readonly Appointment[],
  sendAt: Instant,
): RecipientResolution {
  const vacancies = new Map<string, VacancyNotice>();
  const unfilled: RoleSlot[] = [];
  const main = resolveRole(appointments, decision.to, decision.opd, sendAt);
  if (main.unfilled) unfilled.push(main.unfilled);
  if (!main.recipient) {
    const name = roleName(decision.to);
    return {
      status: "undeliverable",
      decisionKey: decision.key,
      reason: {
        id: `tidak ada penerima: ${name.id} (${decision.opd}) dan admin koordinator sama-sama kosong`,
        en: `no recipient: both the ${name.en} (${decision.opd}) and the coordinator are vacant`,
      },
      unfilled,
    };
  }
  if (main.vacancy) vacancies.set(main.vacancy.key, main.vacancy);
  const to = [main.recipient];
  const seen = new Set([main.recipient.email.toLowerCase()]);
  const cc: Recipient[] = [];
  for (const role of decision.cc) {
    const r = resolveRole(appointments, role, decision.opd, sendAt);
    if (r.unfilled) unfilled.push(r.unfilled);
    if (r.vacancy) vacancies.set(r.vacancy.key, r.vacancy);
    if (r.recipient && !seen.has(r.recipient.email.toLowerCase())) {
      seen.add(r.recipient.email.toLowerCase());
      cc.push(r.recipient);
    }
  }
  return {
    status: "ok",
    decisionKey: decision.key,
    to,
    cc,
    vacancies: [...vacancies.values()],
    unfilled,
  };
}
