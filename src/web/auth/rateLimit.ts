// A fixed-window counter per key (an email address, a client address), in memory: enough for
// the one daemon that serves the pages. `now` is an argument; old windows are dropped as new
// requests arrive, so memory stays bounded by the keys seen within one window.
import type { Instant } from "../../core/types.js";

export interface RateLimitVerdict {
  allowed: boolean;
  /** When the window ends and requests are counted afresh (for the message to the user). */
  retryAt: Instant;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: Instant; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one attempt for `key`; refused (and not counted) beyond `limit` in the window. */
  take(key: string, now: Instant): RateLimitVerdict {
    this.sweep(now);
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    const retryAt = w.start + this.windowMs;
    if (w.count >= this.limit) return { allowed: false, retryAt };
    w.count++;
    return { allowed: true, retryAt };
  }

  private sweep(now: Instant): void {
    if (this.windows.size < 1000) return;
    for (const [key, w] of this.windows)
      if (now - w.start >= this.windowMs) this.windows.delete(key);
  }
}
