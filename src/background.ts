/** Tracks work still running after Slack was acknowledged, so a graceful stop can wait for it. */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  /** Runs `work` and remembers it until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = () => this.running.delete(work);
    work.then(forget, forget);
    return work;
  }

  get size(): number {
    return this.running.size;
  }

  /** Waits for everything running now (and started meanwhile), at most `timeoutMs`. */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) {
      await Promise.race([
        Promise.allSettled([...this.running]),
        new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
      ]);
    }
    return this.running.size === 0;
  }
}
