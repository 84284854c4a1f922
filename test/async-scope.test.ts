/**
 * The app enables one AsyncLocalStorage (src/async-scope.ts): each enabled instance costs every promise of the
 * process a store copy. The facts it carries (inside a lock, the delivery being applied) stay independent, as
 * with one instance each: setting one keeps the other, across awaits, and leaving restores the outer scope.
 */
import { describe, expect, it, vi } from "vitest";

const made = vi.hoisted(() => ({ byApp: [] as string[] }));

vi.mock("node:async_hooks", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:async_hooks")>();
  class CountedStorage<T> extends real.AsyncLocalStorage<T> {
    constructor() {
      super();
      const site = new Error().stack?.split("\n").find((line) => line.includes("/src/"));
      if (site) made.byApp.push(site.trim());
    }
  }
  return { ...real, AsyncLocalStorage: CountedStorage };
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("one async scope for the app", () => {
  it("the app's modules (app, applier thread) create one AsyncLocalStorage in all", async () => {
    await import("../src/fleet.ts");
    await import("../src/apply-worker.ts");
    await import("../src/db/locks.ts");
    await import("../src/slack-gateway/delivery-scope.ts");
    expect(made.byApp).toHaveLength(1);
  });

  it("a lock inside a delivery keeps the delivery, a delivery inside a lock keeps the lock, across awaits", async () => {
    const scope = await import("../src/async-scope.ts");
    const delivery = await import("../src/slack-gateway/delivery-scope.ts");
    const seen: string[] = [];
    const note = (where: string) =>
      seen.push(`${where}: lock=${scope.isInsideLock()} key=${delivery.currentDelivery()?.key ?? "-"}`);
    const receivedAt = new Date();
    await delivery.inDelivery({ key: "d1", attempt: 1, receivedAt, replay: false }, async () => {
      expect(delivery.deliveryEffectKey("answer")).toBe("d1:answer");
      await scope.runInsideLock(async () => {
        await tick();
        note("lock in d1");
        // The delivery's own object is shared: its counters go on inside the lock.
        expect(delivery.deliveryEffectKey("answer")).toBe("d1:answer#2");
        delivery.markOvertaken();
        await delivery.inDelivery({ key: "d2", attempt: 2, receivedAt, replay: false }, async () => {
          await tick();
          note("d2 in lock");
          expect(delivery.mayHaveRunBefore()).toBe(true);
        });
        note("lock in d1 again");
      });
      await tick();
      note("d1 after the lock");
      expect(delivery.wasOvertaken()).toBe(true);
    });
    note("outside");
    expect(seen).toEqual([
      "lock in d1: lock=true key=d1",
      "d2 in lock: lock=true key=d2",
      "lock in d1 again: lock=true key=d1",
      "d1 after the lock: lock=false key=d1",
      "outside: lock=false key=-",
    ]);
  });
});
