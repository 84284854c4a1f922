/**
 * The Home's refresh after changes: a burst publishes once, and a steady stream of changes still publishes
 * every few seconds (it used to wait until the stream stopped). A publish attempt is seen through the
 * warning a failing publish logs (the context here has no database).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AppMemory } from "../../src/app-memory.ts";
import { refreshHomeSoon } from "../../src/cockpit/home.ts";
import type { AppContext } from "../../src/context.ts";

describe("refreshHomeSoon", () => {
  let attempts: number[];
  let ctx: AppContext;
  beforeEach(() => {
    vi.useFakeTimers();
    attempts = [];
    ctx = {
      identity: { teamId: "T0FLEET" },
      logger: { warn: () => attempts.push(Date.now()) },
      memory: new AppMemory(),
    } as unknown as AppContext;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("publishes once after a burst", async () => {
    for (let i = 0; i < 5; i++) {
      refreshHomeSoon(ctx, "U0BURST", 100, 1_000);
      await vi.advanceTimersByTimeAsync(20);
    }
    await vi.advanceTimersByTimeAsync(500);
    expect(attempts).toHaveLength(1);
  });

  it("publishes at least every maxWaitMs while changes keep coming", async () => {
    const start = Date.now();
    // A change every 50 ms for 2 s, each pushing the 100 ms debounce further.
    for (let i = 0; i < 40; i++) {
      refreshHomeSoon(ctx, "U0STREAM", 100, 300);
      await vi.advanceTimersByTimeAsync(50);
    }
    const during = attempts.filter((at) => at - start < 2_000);
    expect(during.length).toBeGreaterThanOrEqual(5);
    for (const [i, at] of during.entries()) expect(at - (during[i - 1] ?? start)).toBeLessThanOrEqual(400);
  });
});
