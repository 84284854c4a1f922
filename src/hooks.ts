/**
 * Effects behind hooks: a use case only says "onboarding X changed (why)"; what follows from it — the rep's
 * App Home refreshed (src/cockpit/home.ts), the customer's finished steps celebrated
 * (src/onboarding/checklist-service.ts) — subscribes once at start-up (src/fleet.ts). The domain thus never
 * calls into the cockpit, and a new effect is one subscription, not one more call in every use case.
 */

/** Why an onboarding changed. */
export type ChangeReason =
  | "checklist"
  | "verification"
  | "finch-disconnected"
  | "finch-health"
  | "email"
  | "invite-left"
  | "closed"
  | "handed-over";

/** "Onboarding X changed (why)": what a publisher knows, nothing it wants done. */
export interface OnboardingChange {
  onboardingId: string;
  /** The rep who owns it now. */
  ownerUserId: string;
  reason: ChangeReason;
  /** On a hand-over: the rep who had it until now. */
  formerOwnerUserId?: string;
}

/** An effect of a change; a failure propagates to the publisher (its delivery is retried). */
export type ChangeSubscriber = (change: OnboardingChange) => void | Promise<void>;

/** The "an onboarding changed" hook of one running app. */
export class OnboardingHooks {
  private readonly subscribers: ChangeSubscriber[] = [];

  /** Adds an effect; returns its removal. */
  subscribe(subscriber: ChangeSubscriber): () => void {
    this.subscribers.push(subscriber);
    return () => {
      const at = this.subscribers.indexOf(subscriber);
      if (at >= 0) this.subscribers.splice(at, 1);
    };
  }

  /** Tells every subscriber, one after the other in subscription order; the first failure stops and propagates. */
  async changed(change: OnboardingChange): Promise<void> {
    for (const subscriber of [...this.subscribers]) await subscriber(change);
  }
}
