// One message per person per scan: groups a scan's escalation decisions (with their recipients
// resolved at the scan instant) and the vacancy notices they raise into one bundle per person.
//
// Pure: no I/O, no clock reads.
//
// API
// - personKey(email): the person's identity in deliveries and dedupe keys (lowercased address).
// - bundlesPerPerson(decisions, resolutions, delivered): PersonBundle[]
//     For every person named by a resolution (addressee or copy) one bundle with `action` (items
//     they are the addressee of: "Perlu tindakan Anda"), `info` (items they are copied on:
//     "Tembusan"), and `vacancies` (vacancy notices, for the coordinator). Each item carries the
//     others told about it. `delivered(itemKey, person)` says an item already went (or is going)
//     to that person: it is left out, so an item reaches a person once. Bundles with nothing left
//     are dropped. Output order: by person; items by decision key (composition sorts for people).
//
// Invariants: a person appears in at most one bundle; an item appears at most once per bundle
// (as addressee if the person is both, which resolveRecipients already prevents).
import type { EscalationDecision } from "../escalation/ladder.js";
import type {
  Recipient,
  RecipientResolution,
  RoleSlot,
  VacancyNotice,
} from "../escalation/recipients.js";

export function personKey(email: string): string {
  return email.trim().toLowerCase();
}

export interface PersonItem {
  decision: EscalationDecision;
  /** "to": the person is asked to act; "cc": told for information. */
  as: "to" | "cc";
  /** Everyone else told about this item: the addressee first, then the copies. */
  others: Recipient[];
  /** Set when the person receives it in place of a vacant role. */
  standsInFor?: RoleSlot;
}

export interface PersonBundle {
  /** personKey of the address. */
  person: string;
  /** Name, role and address as resolved (the first role they were resolved for). */
  recipient: Recipient;
  action: PersonItem[];
  info: PersonItem[];
  vacancies: VacancyNotice[];
}

/** Every item key a bundle carries (decision keys, then vacancy keys), sorted. */
export function bundleItemKeys(bundle: PersonBundle): string[] {
  return [
    ...[...bundle.action, ...bundle.info].map((i) => i.decision.key),
    ...bundle.vacancies.map((v) => v.key),
  ].sort();
}

export function bundlesPerPerson(
  decisions: readonly EscalationDecision[],
  resolutions: ReadonlyMap<string, RecipientResolution>,
  delivered: (itemKey: string, person: string) => boolean,
): PersonBundle[] {
  const bundles = new Map<string, PersonBundle>();
  const bundleOf = (r: Recipient): PersonBundle => {
    const person = personKey(r.email);
    let b = bundles.get(person);
    if (!b) {
      const recipient: Recipient = { role: r.role, opd: r.opd, name: r.name, email: r.email };
      b = { person, recipient, action: [], info: [], vacancies: [] };
      bundles.set(person, b);
    }
    return b;
  };
  const seen = new Set<string>();
  const sorted = [...decisions].sort((a, b) => a.key.localeCompare(b.key));
  for (const d of sorted) {
    if (seen.has(d.key)) continue;
    seen.add(d.key);
    const r = resolutions.get(d.key);
    if (!r || r.status !== "ok") continue;
    const everyone = [...r.to, ...r.cc];
    for (const who of everyone) {
      const person = personKey(who.email);
      if (delivered(d.key, person)) continue;
      const item: PersonItem = {
        decision: d,
        as: r.to.includes(who) ? "to" : "cc",
        others: everyone.filter((o) => personKey(o.email) !== person),
      };
      if (who.substituteFor) item.standsInFor = who.substituteFor;
      const b = bundleOf(who);
      const list = item.as === "to" ? b.action : b.info;
      if (!list.some((x) => x.decision.key === d.key)) list.push(item);
    }
    for (const v of r.vacancies) {
      const person = personKey(v.coordinator.email);
      if (delivered(v.key, person)) continue;
      const b = bundleOf(v.coordinator);
      if (!b.vacancies.some((x) => x.key === v.key)) b.vacancies.push(v);
    }
  }
  for (const b of bundles.values()) b.vacancies.sort((x, y) => x.key.localeCompare(y.key));
  return [...bundles.values()]
    .filter((b) => b.action.length + b.info.length + b.vacancies.length > 0)
    .sort((a, b) => a.person.localeCompare(b.person));
}
