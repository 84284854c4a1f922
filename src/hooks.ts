/**
 * Effects behind hooks: a use case only says "onboarding X changed (why)"; what follows from it — the rep's
 * App Home refreshed (src/cockpit/home.ts), the customer's finished steps celebrated
 * (src/onboarding/checklist-service.ts) — subscribes once at start-up (src/fleet.ts). The domain thus never
 * calls into the cockpit, and a new effect is one subscription, not one more call in every use case.
 * Likewise "a reminder failed for good": the reminder scheduler says so, and the cockpit's alert to the rep
 * (src/cockpit/reminder-failures.ts) subscribes.
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

/** "A reminder, nudge or digest failed for good" (its row is already marked failed). */
export interface ReminderFailure {
  reminderId: string;
}

/** An effect of a reminder's failure; a failure propagates to the scheduler that published it. */
export type ReminderFailureSubscriber = (failure: ReminderFailure) => void | Promise<void>;

/** One event's subscribers, told one after the other in subscription order. */
class Subscribers<E> {
  private readonly list: Array<(event: E) => void | Promise<void>> = [];

  add(subscriber: (event: E) => void | Promise<void>): () => void {
    this.list.push(subscriber);
    return () => {
      const at = this.list.indexOf(subscriber);
      if (at >= 0) this.list.splice(at, 1);
    };
  }

  async tell(event: E): Promise<void> {
    for (const subscriber of [...this.list]) await subscriber(event);
  }
}

/** The hooks of one running app: "an onboarding changed" and "a reminder failed for good". */
export class OnboardingHooks {
  private readonly changes = new Subscribers<OnboardingChange>();
  private readonly reminderFailures = new Subscribers<ReminderFailure>();

  /** Adds an effect of an onboarding's change; returns its removal. */
  subscribe(subscriber: ChangeSubscriber): () => void {
    return this.changes.add(subscriber);
  }

  /** Tells every subscriber, one after the other in subscription order; the first failure stops and propagates. */
  async changed(change: OnboardingChange): Promise<void> {
    await this.changes.tell(change);
  }

  /** Adds an effect of a reminder's failure for good; returns its removal. */
  onReminderFailed(subscriber: ReminderFailureSubscriber): () => void {
    return this.reminderFailures.add(subscriber);
  }

  /** Tells every subscriber of a reminder's failure, in subscription order; the first failure propagates. */
  async reminderFailed(failure: ReminderFailure): Promise<void> {
    await this.reminderFailures.tell(failure);
  }
}
