/**
 * A per-client fixed-window rate limit for browser routes (the Finch callback): at most `limit` requests per
 * `windowMs` from one IP, remembered for at most `maxClients` clients (the least recently seen fall out), so
 * neither a flood of requests nor a flood of addresses grows memory without bound.
 */
import { BoundedCache } from "../bounded-cache.ts";

/** The verdict for one request: allowed, or how many seconds to wait. */
export type RateVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Counts requests per key (client IP) in fixed windows. */
export class RateLimiter {
  private readonly windows: BoundedCache<string, { start: number; count: number }>;
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    maxClients = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.windows = new BoundedCache(maxClients, windowMs, now);
  }

  /** Counts a request from `key` and says whether it may go on. */
  take(key: string): RateVerdict {
    const now = this.now();
    const current = this.windows.get(key);
    if (!current || now - current.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      return { ok: true };
    }
    current.count++;
    if (current.count <= this.limit) return { ok: true };
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((current.start + this.windowMs - now) / 1000)),
    };
  }
}
