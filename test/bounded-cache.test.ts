/** src/bounded-cache.ts and src/http/rate-limit.ts: memory stays bounded however many keys arrive. */
import { describe, expect, it } from "vitest";
import { BoundedCache } from "../src/bounded-cache.ts";
import { RateLimiter } from "../src/http/rate-limit.ts";

describe("BoundedCache", () => {
  it("never holds more than its cap, evicting the least recently used", () => {
    const cache = new BoundedCache<string, number>(3, 60_000);
    for (let i = 0; i < 1_000; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(3);
    expect(cache.get("k0")).toBeUndefined();
    expect(cache.get("k997")).toBe(997);
    cache.set("new", 1); // k998 is now the least recently used
    expect(cache.get("k998")).toBeUndefined();
    expect(cache.get("k997")).toBe(997);
  });

  it("does not return an expired entry, and drops it", () => {
    let now = 1_000;
    const cache = new BoundedCache<string, string>(10, 100, () => now);
    cache.set("a", "x");
    cache.set("b", "y", 1_000);
    now += 101;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.has("a")).toBe(false);
    expect(cache.get("b")).toBe("y");
  });
});

describe("RateLimiter", () => {
  it("allows `limit` per window per key, then says how long to wait; the window resets", () => {
    let now = 0;
    const limiter = new RateLimiter(2, 60_000, 100, () => now);
    expect(limiter.take("ip")).toEqual({ ok: true });
    expect(limiter.take("ip")).toEqual({ ok: true });
    now = 15_000;
    expect(limiter.take("ip")).toEqual({ ok: false, retryAfterSeconds: 45 });
    expect(limiter.take("other")).toEqual({ ok: true });
    now = 60_000;
    expect(limiter.take("ip")).toEqual({ ok: true });
  });

  it("remembers a bounded number of clients", () => {
    const limiter = new RateLimiter(1, 60_000, 50);
    for (let i = 0; i < 10_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);
    const size = (limiter as unknown as { windows: BoundedCache<string, unknown> }).windows.size;
    expect(size).toBe(50);
  });
});
