/**
 * Which delivery (a slash command, a tick, an event) the current work is applying, carried through async
 * calls (AsyncLocalStorage) so outbound Slack calls can be keyed by it without threading it through every
 * use case: a retry of the delivery, or a second applier, derives the same idempotency key for the same
 * message and adopts the first post instead of posting again.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** The delivery being applied. */
export interface DeliveryScope {
  /** The intake's de-duplication key (stable across Slack's retries and the intake's). */
  key: string;
  /** 1 for the first try; more for the intake's retries and a rep's Retry. */
  attempt: number;
  /** When the delivery reached us (Slack's response_url and trigger_id windows start about then). */
  receivedAt: Date;
  /** Applied later from the intake, not while Slack's request was open. */
  replay: boolean;
}

const storage = new AsyncLocalStorage<DeliveryScope>();

/** Runs `work` as the application of `scope`. */
export function inDelivery<T>(scope: DeliveryScope, work: () => Promise<T>): Promise<T> {
  return storage.run(scope, work);
}

/** The delivery being applied, if any (jobs and HTTP routes run outside one). */
export function currentDelivery(): DeliveryScope | undefined {
  return storage.getStore();
}

/**
 * An idempotency key for the message playing `role` (e.g. `answer:1`, `connect_link`) in the delivery being
 * applied; `null` outside a delivery. The same delivery and role give the same key on every attempt.
 */
export function deliveryEffectKey(role: string): string | null {
  const scope = storage.getStore();
  return scope ? `${scope.key}:${role}` : null;
}
