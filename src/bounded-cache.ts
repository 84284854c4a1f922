/**
 * A small in-memory cache with a size cap and a time to live: the oldest-used entry goes first when full,
 * and an expired entry is never returned. Every per-user / per-team / per-channel cache in src/ uses it, so a
 * long-running process cannot grow without bound (lru-cache is not a dependency; this is all we need).
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();
  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(maxEntries >= 1)) throw new Error("BoundedCache needs room for at least one entry");
  }

  /** The live value, or undefined (an expired entry is dropped). */
  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Map keeps insertion order: re-inserting marks the entry as the most recently used.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /** The value even when expired (a last known answer while a refresh fails), or undefined. */
  peekStale(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Is there an entry, live or not. */
  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Stores a value for `ttlMs` (default: the cache's), evicting the least recently used when full. */
  set(key: K, value: V, ttlMs = this.ttlMs): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
