// One message per person per scan: groups a scan's escalation decisions (with their recipients
// resolved at the scan instant) and the vacancy notices they raise into one bundle per person,
// listing at most ITEMS_LISTED items per person (listing.ts, the daily digest's rule).
//
// Pure: no I/O, no clock reads.
//
// API
// - personKey(email): the person's identity in deliveries and dedupe keys (lowercased address).
// - class PersonBundleBuilder(cap = ITEMS_LISTED): add(decision, resolution, delivered) takes the
//     decisions one at a time, oldest due first (a stream); bundles() gives one bundle per person.
//     A bundle lists the first `cap` items: those asking the person to act first ("Perlu tindakan
//     Anda", the oldest of them), then those they are copied on ("Tembusan"); every other item is
//     counted per agency in `unlisted` — the message carries it (its delivery is recorded with
//     the message) without listing it. Memory per person follows `cap`, not the items.
// - bundlesPerPerson(decisions, resolutions, delivered, cap = no limit): PersonBundle[] — the
//     same for a list of decisions (taken by decision key).
//     For every person named by a resolution (addressee or copy) one bundle with `action` (items
//     they are the addressee of), `info` (items they are copied on), and `vacancies` (vacancy
//     notices, for the coordinator). Each item carries the others told about it.
//     `delivered(itemKey, person)` says an item already went (or is going) to that person: it is
//     left out, so an item reaches a person once. Bundles with nothing left are dropped. Output
//     order: by person; items in the order given (composition sorts for people).
// - bundleItemKeys(bundle): the listed item keys and vacancy keys, sorted.
//
// Invariants: a person appears in at most one bundle; an item appears at most once per bundle
// (as addressee if the person is both, which resolveRecipients already prevents); actionTotal and
// infoTotal count every item of the bundle, listed or not.
import type { EscalationDecision } from "./ladder.js";
import { ITEMS_LISTED, ItemSet, ListedItems, unlistedByOpd } from "./listing.js";
import type { Recipient, RecipientResolution, RoleSlot, VacancyNotice } from "./recipients.js";

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

/** Items a message carries without listing them, for one agency. */
export interface UnlistedCount {
  opd: string;
  /** Items the person is asked to act on. */
  action: number;
  /** Items the person is copied on. */
  info: number;
}

export interface PersonBundle {
  /** personKey of the address. */
  person: string;
  /** Name, role and address as resolved (the first role they were resolved for). */
  recipient: Recipient;
  /** Listed items to act on (the oldest first when built by PersonBundleBuilder). */
  action: PersonItem[];
  /** Listed items for information. */
  info: PersonItem[];
  vacancies: VacancyNotice[];
  /** Every item to act on, listed or not. */
  actionTotal: number;
  /** Every item for information, listed or not. */
  infoTotal: number;
  /** Items carried but not listed, per agency (sorted); empty when every item is listed. */
  unlisted: UnlistedCount[];
  /**
   * When some items are not listed: the order-independent digest of every item key carried
   * (listing.ts ItemSet), for the message's dedupe key; null when every item is listed.
   */
  itemSet: string | null;
}

/** Every item key a bundle lists (decision keys, then vacancy keys), sorted. */
export function bundleItemKeys(bundle: PersonBundle): string[] {
  return [
    ...[...bundle.action, ...bundle.info].map((i) => i.decision.key),
    ...bundle.vacancies.map((v) => v.key),
  ].sort();
}

interface Draft {
  person: string;
  recipient: Recipient;
  action: ListedItems<PersonItem>;
  info: ListedItems<PersonItem>;
  vacancies: Map<string, VacancyNotice>;
  keys: ItemSet;
}

export class PersonBundleBuilder {
  private readonly drafts = new Map<string, Draft>();

  constructor(private readonly cap: number = ITEMS_LISTED) {}

  private draftOf(r: Recipient): Draft {
    const person = personKey(r.email);
    let d = this.drafts.get(person);
    if (!d) {
      d = {
        person,
        recipient: { role: r.role, opd: r.opd, name: r.name, email: r.email },
        action: new ListedItems(this.cap),
        info: new ListedItems(this.cap),
        vacancies: new Map(),
        keys: new ItemSet(),
      };
      this.drafts.set(person, d);
    }
    return d;
  }

  /** One decision (each once, oldest due first) and its resolution; see the top of the file. */
  add(
    d: EscalationDecision,
    r: RecipientResolution | undefined,
    delivered: (itemKey: string, person: string) => boolean,
  ): void {
    if (!r || r.status !== "ok") return;
    const everyone = [...r.to, ...r.cc];
    const told = new Set<string>();
    for (const who of everyone) {
      const person = personKey(who.email);
      if (told.has(person) || delivered(d.key, person)) continue;
      told.add(person);
      const item: PersonItem = {
        decision: d,
        as: r.to.includes(who) ? "to" : "cc",
        others: everyone.filter((o) => personKey(o.email) !== person),
      };
      if (who.substituteFor) item.standsInFor = who.substituteFor;
      const draft = this.draftOf(who);
      (item.as === "to" ? draft.action : draft.info).offer(item, d.opd);
      draft.keys.add(d.key);
    }
    for (const v of r.vacancies) {
      const person = personKey(v.coordinator.email);
      if (delivered(v.key, person)) continue;
      const draft = this.draftOf(v.coordinator);
      if (draft.vacancies.has(v.key)) continue;
      draft.vacancies.set(v.key, v);
      draft.keys.add(v.key);
    }
  }

  /** One bundle per person with anything to receive, by person. */
  bundles(): PersonBundle[] {
    return [...this.drafts.values()]
      .filter((d) => d.action.total + d.info.total + d.vacancies.size > 0)
      .sort((a, b) => a.person.localeCompare(b.person))
      .map((d) => finish(d, this.cap));
  }
}

/** Items to act on first: the info list fills what the action list leaves of the cap. */
function finish(d: Draft, cap: number): PersonBundle {
  const action = d.action.listed;
  const info = d.info.listed.slice(0, Math.max(0, cap - action.length));
  const unlisted = new Map<string, UnlistedCount>();
  const opds = (items: readonly PersonItem[]) => items.map((i) => i.decision.opd);
  for (const c of unlistedByOpd(d.action.countsByOpd(), opds(action))) {
    unlisted.set(c.opd, { opd: c.opd, action: c.count, info: 0 });
  }
  for (const c of unlistedByOpd(d.info.countsByOpd(), opds(info))) {
    const u = unlisted.get(c.opd) ?? { opd: c.opd, action: 0, info: 0 };
    u.info += c.count;
    unlisted.set(c.opd, u);
  }
  const vacancies = [...d.vacancies.values()].sort((x, y) => x.key.localeCompare(y.key));
  return {
    person: d.person,
    recipient: d.recipient,
    action,
    info,
    vacancies,
    actionTotal: d.action.total,
    infoTotal: d.info.total,
    unlisted: [...unlisted.values()].sort((a, b) => a.opd.localeCompare(b.opd)),
    itemSet: unlisted.size > 0 ? d.keys.digest() : null,
  };
}

export function bundlesPerPerson(
  decisions: readonly EscalationDecision[],
  resolutions: ReadonlyMap<string, RecipientResolution>,
  delivered: (itemKey: string, person: string) => boolean,
  cap = Number.POSITIVE_INFINITY,
): PersonBundle[] {
  const builder = new PersonBundleBuilder(cap);
  const seen = new Set<string>();
  for (const d of [...decisions].sort((a, b) => a.key.localeCompare(b.key))) {
    if (seen.has(d.key)) continue;
    seen.add(d.key);
    builder.add(d, resolutions.get(d.key), delivered);
  }
  return builder.bundles();
}
