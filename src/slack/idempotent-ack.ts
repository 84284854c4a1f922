/**
 * A receiver decorator that makes every delivery's `ack()` idempotent: the first call answers Slack, later
 * calls do nothing. This lets the global middleware acknowledge button and checkbox actions before it
 * touches the database, while listeners keep calling `ack()` as Bolt's docs ask (Bolt would otherwise
 * throw ReceiverMultipleAckError on the second call).
 */
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";

/** Wraps `inner` so the app sees events whose ack can be called more than once. */
export function withIdempotentAck(inner: Receiver): Receiver {
  return {
    init(app: App) {
      const facade = {
        processEvent: (event: ReceiverEvent) => {
          let acked = false;
          const ack = event.ack;
          return app.processEvent({
            ...event,
            ack: async (response?: unknown) => {
              if (acked) return;
              acked = true;
              await ack(response);
            },
          });
        },
      };
      // The built-in receivers use only processEvent of the app they are given.
      inner.init(facade as unknown as App);
    },
    start: (...args: unknown[]) => inner.start(...args),
    stop: (...args: unknown[]) => inner.stop(...args),
  };
}
