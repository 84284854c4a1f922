/**
 * The app's one AsyncLocalStorage. While an instance is enabled, Node's `promiseInitHook` copies its store
 * into every promise the process creates (Node 20: ~70 ns and an allocation per promise, per instance), so
 * the facts carried through async calls share one store instead of one instance each:
 * - `insideLock`: the work runs inside an advisory lock (src/db/locks.ts), so a nested lock skips the slot;
 * - `delivery`: the Slack delivery being applied (src/slack-gateway/delivery-scope.ts).
 * Setting one fact keeps the other, exactly as two instances did.
 */
import { AsyncLocalStorage } from "node:async_hooks";

interface Scope {
  insideLock: boolean;
  /** Owned by delivery-scope.ts, which alone sets and reads it (mutable: shared, never copied). */
  delivery: object | undefined;
}

const storage = new AsyncLocalStorage<Scope>();

/** Runs `work` as inside a lock; the delivery being applied stays the same. */
export function runInsideLock<T>(work: () => T): T {
  return storage.run({ insideLock: true, delivery: storage.getStore()?.delivery }, work);
}

/** Whether the current work runs inside a lock taken by {@link runInsideLock}. */
export function isInsideLock(): boolean {
  return storage.getStore()?.insideLock === true;
}

/** Runs `work` with `delivery` as the delivery being applied; being inside a lock or not stays the same. */
export function runWithDelivery<T>(delivery: object, work: () => T): T {
  return storage.run({ insideLock: storage.getStore()?.insideLock === true, delivery }, work);
}

/** The delivery set by the nearest {@link runWithDelivery}, if any. */
export function deliveryInScope(): object | undefined {
  return storage.getStore()?.delivery;
}
