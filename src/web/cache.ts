// A short-lived cache of the pages' data, shared by every viewer: at national scale (700
// agencies, a million open clocks) the aggregates behind a page take longer than a page may
// (bench/web.bench.ts), so a result is reused for PAGE_CACHE_MS — as the /metrics collectors
// reuse theirs. A cached value keeps the instant it was read at; the page shows that instant,
// so its figures still equal the CLI's for that instant. A clock that goes back (tests) or a
// value older than the limit reads again; at most `capacity` keys are kept (oldest dropped).
import type { Instant } from "../core/types.js";

export const PAGE_CACHE_MS = 30_000;

export class PageCache {
  private readonly entries = new Map<string, { at: Instant; value: Promise<unknown> }>();

  constructor(
    private readonly ttlMs = PAGE_CACHE_MS,
    private readonly capacity = 200,
  ) {}

  /** The value for `key` read at most ttlMs before `now`, or `read(now)` (then kept). */
  async get<T>(key: string, now: Instant, read: (at: Instant) => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && now >= hit.at && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    const value = read(now);
    this.entries.delete(key);
    this.entries.set(key, { at: now, value });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    // A failed read is not kept: the next request reads again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}
