/**
 * Which delivery (a slash command, a tick, an event) the current work is applying, carried through async
 * calls (the app's one AsyncLocalStorage, src/async-scope.ts) so outbound Slack calls can be keyed by it without threading it through every
 * use case: a retry of the delivery, or a second applier, derives the same idempotency key for the same
 * message and adopts the first post instead of posting again.
 */
import { deliveryInScope, runWithDelivery } from "../async-scope.ts";

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

interface ActiveScope extends DeliveryScope {
  /** How many effects of each role this attempt has keyed so far (the n-th note gets its own key). */
  roles: Map<string, number>;
  /** The use case found what it sets changed by a newer delivery: recorded `obsolete`, not `done`. */
  overtaken: boolean;
}

/** The active scope: only {@link inDelivery} puts a delivery in the shared store, always an ActiveScope. */
const active = (): ActiveScope | undefined => deliveryInScope() as ActiveScope | undefined;

/** Runs `work` as the application of `scope`. */
export function inDelivery<T>(scope: DeliveryScope, work: () => Promise<T>): Promise<T> {
  return runWithDelivery({ ...scope, roles: new Map(), overtaken: false }, work);
}

/**
 * When the change being applied happened: its delivery's arrival (kept through the spool, retries and a rep's
 * Retry), or now outside a delivery. Absolute fields compare it with when they last changed.
 */
export function happenedAt(): Date {
  return active()?.receivedAt ?? new Date();
}

/** Says the delivery being applied was overtaken as a whole (nothing it set was applied): see {@link wasOvertaken}. */
export function markOvertaken(): void {
  const scope = active();
  if (scope) scope.overtaken = true;
}

/** Whether the work run by {@link inDelivery} called {@link markOvertaken}; read inside that work. */
export function wasOvertaken(): boolean {
  return active()?.overtaken === true;
}

/** The delivery being applied, if any (jobs and HTTP routes run outside one). */
export function currentDelivery(): DeliveryScope | undefined {
  return active();
}

/** Whether an earlier attempt of the delivery being applied may already have made its effects. */
export function mayHaveRunBefore(): boolean {
  const scope = active();
  return scope !== undefined && (scope.replay || scope.attempt > 1);
}

/**
 * An idempotency key for the message playing `role` (e.g. `answer`, `note:closed:<id>`) in the delivery
 * being applied; `null` outside a delivery. An attempt makes its effects in the same order as the one before,
 * so the same delivery and role give the same key on every attempt; a role's second message gets `#2`.
 */
export function deliveryEffectKey(role: string): string | null {
  const scope = active();
  if (!scope) return null;
  const n = (scope.roles.get(role) ?? 0) + 1;
  scope.roles.set(role, n);
  return `${scope.key}:${role}${n > 1 ? `#${n}` : ""}`;
}
