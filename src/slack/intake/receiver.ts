/**
 * A receiver decorator that puts the durable intake (src/intake) between Slack's receivers (HTTP with its
 * signature check, or Socket Mode) and the Bolt app:
 * - every verified delivery is stored before Slack gets its acknowledgement; a redelivery is acknowledged
 *   and dropped; a delivery neither the database nor the spool took is NOT acknowledged (Slack retries);
 * - a stored delivery is processed at once with Slack's real `ack` (commands and forms still answer
 *   in-line), and re-processed later from the intake — with a recording `ack` — if that failed or the
 *   process died; answers recorded on a replay reach the person another way (./notices.ts);
 * - `ack()` is idempotent: the first call answers Slack, later ones do nothing (a listener may ack after a
 *   helper already did; Bolt would otherwise throw ReceiverMultipleAckError).
 */
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import type { StoredDelivery } from "../../intake/delivery.ts";
import type { DurableIntake } from "../../intake/intake.ts";
import type { Logger } from "../../logger.ts";
import { inDelivery, wasOvertaken } from "../../slack-gateway/delivery-scope.ts";
import type { ParseContext } from "../commands/parse.ts";
import { ackCarriesAnswer, bypassesIntake, describeSlackDelivery, laterAnswer } from "./describe.ts";

/** What a replayed delivery's listeners answered, for {@link IntakeReceiverDeps.forwardAnswer}. */
export type ForwardAnswer = (delivery: StoredDelivery, answer: Record<string, unknown>) => Promise<void>;

/**
 * Applies a stored Slack delivery: `live` is the request Slack still waits on (its real `ack`), when the
 * delivery is applied right after its insert; otherwise it is a replay with a recording `ack`.
 */
/** Applies one stored delivery; "obsolete" when a newer change overtook everything it set (nothing applied). */
export type SlackApply = (
  delivery: StoredDelivery,
  live: ReceiverEvent | undefined,
) => Promise<void | "obsolete">;

export interface IntakeReceiverDeps {
  intake: DurableIntake;
  logger: Logger;
  /** Delivers what a listener answered to a replayed delivery (its original request is long gone). */
  forwardAnswer: ForwardAnswer;
  /**
   * Applies deliveries somewhere else than this Bolt app (the applier thread, src/apply-worker.ts, runs its
   * own); this one then only stores and acknowledges, and answers option lists. Absent: applied here.
   */
  applyElsewhere?: (...args: [...Parameters<SlackApply>, here: SlackApply]) => ReturnType<SlackApply>;
  /** What the `/fleet` parser needs, so the intake knows what a command sets (./describe.ts). */
  parseContext?: () => ParseContext;
}

type Ack = ReceiverEvent["ack"];

function once(ack: Ack): { ack: Ack; acked: () => boolean } {
  let acked = false;
  return {
    ack: async (response?: unknown) => {
      if (acked) return;
      acked = true;
      await ack(response as never);
    },
    acked: () => acked,
  };
}

/** Thrown to the receiver when a delivery could not be stored: it answers 500 (HTTP) or leaves it unacked. */
export class IntakeRefusedError extends Error {
  constructor() {
    super("the delivery could not be stored; Slack will retry it");
  }
}

/** Applies stored Slack deliveries with `app`'s listeners, in the delivery's scope (key, attempt, replay). */
export function slackApplier(
  app: App,
  deps: Pick<IntakeReceiverDeps, "logger" | "forwardAnswer">,
): SlackApply {
  const log = deps.logger.child({ component: "slack-intake" });
  const apply = async (delivery: StoredDelivery, event: ReceiverEvent | undefined) => {
    if (event) {
      await app.processEvent(event);
      return;
    }
    let answer: unknown;
    await app.processEvent({
      body: delivery.body as ReceiverEvent["body"],
      ack: async (response?: unknown) => {
        answer = response;
      },
      customProperties: { intakeReplay: true, intakeAttempt: delivery.attempts },
    });
    if (!answer || typeof answer !== "object") return;
    // The work is done: an answer that cannot be delivered must not make the intake do it again.
    await deps.forwardAnswer(delivery, answer as Record<string, unknown>).catch((err: unknown) => {
      log.warn({ key: delivery.key, err }, "the answer to a replayed delivery could not be delivered");
    });
  };
  return (delivery, event) =>
    inDelivery(
      {
        key: delivery.key,
        attempt: delivery.attempts,
        receivedAt: delivery.receivedAt,
        replay: event === undefined,
      },
      async () => {
        await apply(delivery, event);
        return wasOvertaken() ? ("obsolete" as const) : undefined;
      },
    );
}

/** Wraps `inner` so that every delivery goes through the durable intake. */
export function withDurableIntake(inner: Receiver, deps: IntakeReceiverDeps): Receiver {
  const live = new Map<string, ReceiverEvent>();
  const log = deps.logger.child({ component: "slack-intake" });
  return {
    init(app: App) {
      const here = slackApplier(app, deps);
      const elsewhere = deps.applyElsewhere;
      const apply: SlackApply = elsewhere ? (delivery, event) => elsewhere(delivery, event, here) : here;
      deps.intake.handle("slack", (delivery, isLive) =>
        apply(delivery, isLive ? live.get(delivery.key) : undefined),
      );
      const facade = {
        processEvent: async (event: ReceiverEvent) => {
          const guarded = once(event.ack);
          const body = event.body as Record<string, unknown>;
          if (bypassesIntake(body)) return app.processEvent({ ...event, ack: guarded.ack });
          const delivery = describeSlackDelivery(body, new Date(), deps.parseContext);
          const outcome = await deps.intake.take(delivery);
          if (outcome === "refused") throw new IntakeRefusedError();
          if (outcome === "duplicate") {
            log.info({ key: delivery.key, retry: event.retryNum ?? 0 }, "duplicate delivery dropped");
            return guarded.ack();
          }
          if (outcome !== "apply-now") return guarded.ack(laterAnswer(delivery.kind) as never);
          // Nothing for the listener to say in the acknowledgement: answer now, apply after.
          if (!ackCarriesAnswer(delivery.kind)) await guarded.ack();
          live.set(delivery.key, { ...event, ack: guarded.ack });
          try {
            await deps.intake.applyNow(delivery);
          } finally {
            live.delete(delivery.key);
            // Stored: Slack gets its 200 even when the listener failed before acking (the intake retries it).
            await guarded.ack();
          }
        },
      };
      // The built-in receivers use only processEvent of the app they are given.
      inner.init(facade as unknown as App);
    },
    start: (...args: unknown[]) => inner.start(...args),
    stop: (...args: unknown[]) => inner.stop(...args),
  };
}
