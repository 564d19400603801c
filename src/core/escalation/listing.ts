// How many items one message lists, and what it says of the rest: the rule shared by the daily
// digest (ReminderDigestBuilder) and the one message per person of a scan (PersonBundleBuilder).
// Items are offered oldest first (the most late first); a message lists the first ITEMS_LISTED
// and counts every item per agency, so it can say "and N more reports of agency X" and point to
// `pantau status --opd X`. Memory follows the listed items, not the number offered.
//
// Pure: no I/O, no clock reads.
//
// API
// - ITEMS_LISTED (200)
// - class ListedItems<T>(cap): offer(item, opd) — listed (first `cap` offered), total, opds(),
//   countsByOpd()
// - unlistedByOpd(all, shown): AgencyCount[] — per agency, how many were not shown
// - class ItemSet: an order-independent digest of a set of keys (add(key), size, digest()), so
//   that a message carrying items it does not list still has a Message-ID determined by its
//   person and its whole item set
import { createHash } from "node:crypto";

/**
 * How many items one message lists (the oldest first); the message counts the rest per agency.
 * Keeps a message readable and its composition's memory independent of the backlog.
 */
export const ITEMS_LISTED = 200;

export interface AgencyCount {
  opd: string;
  count: number;
}

/** Items offered oldest first: keeps the first `cap`, counts all of them per agency. */
export class ListedItems<T> {
  readonly listed: T[] = [];
  total = 0;
  private readonly perOpd = new Map<string, number>();

  constructor(readonly cap: number = ITEMS_LISTED) {}

  /** Counts the item; lists it if fewer than `cap` are listed. Returns whether it is listed. */
  offer(item: T, opd: string): boolean {
    this.total++;
    this.perOpd.set(opd, (this.perOpd.get(opd) ?? 0) + 1);
    if (this.listed.length >= this.cap) return false;
    this.listed.push(item);
    return true;
  }

  /** The agencies of every item offered, sorted. */
  opds(): string[] {
    return [...this.perOpd.keys()].sort();
  }

  /** How many items were offered per agency. */
  countsByOpd(): ReadonlyMap<string, number> {
    return this.perOpd;
  }
}

/**
 * Per agency (sorted by code), how many of the items counted in `all` are not among `shown`
 * (given by their agencies); agencies with none left out are omitted.
 */
export function unlistedByOpd(
  all: ReadonlyMap<string, number>,
  shownOpds: readonly string[],
): AgencyCount[] {
  const shown = new Map<string, number>();
  for (const opd of shownOpds) shown.set(opd, (shown.get(opd) ?? 0) + 1);
  return [...all]
    .map(([opd, n]) => ({ opd, count: n - (shown.get(opd) ?? 0) }))
    .filter((c) => c.count > 0)
    .sort((a, b) => a.opd.localeCompare(b.opd));
}

const MOD = 1n << 256n;

/** An order-independent digest of a set of distinct keys (the sum of their SHA-256, mod 2^256). */
export class ItemSet {
  size = 0;
  private sum = 0n;

  add(key: string): void {
    this.size++;
    this.sum = (this.sum + BigInt(`0x${createHash("sha256").update(key).digest("hex")}`)) % MOD;
  }

  digest(): string {
    return this.sum.toString(16).padStart(64, "0");
  }
}
