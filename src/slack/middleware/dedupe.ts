/**
 * Exactly-once handling of Slack deliveries, enforced by the database: Slack retries events (and a
 * second app instance may get the same delivery), so each delivery's id is claimed with an insert that
 * only one caller can win. Duplicates are acknowledged and dropped.
 */
import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { AppContext } from "../../context.ts";
import { claimDelivery, runClaimed } from "../../db/claims.ts";

/** A stable id for a delivery: event_id for events, trigger_id (+ action_ts) for commands and interactions. */
export function deliveryKey(body: Record<string, unknown>): string | null {
  if (typeof body.event_id === "string") return `evt:${body.event_id}`;
  const trigger = typeof body.trigger_id === "string" ? body.trigger_id : null;
  if (typeof body.command === "string" && trigger) return `cmd:${trigger}`;
  if (body.type === "block_actions") {
    const first = Array.isArray(body.actions)
      ? (body.actions[0] as { action_ts?: string; action_id?: string })
      : undefined;
    if (trigger || first?.action_ts)
      return `act:${trigger ?? ""}:${first?.action_id ?? ""}:${first?.action_ts ?? ""}`;
  }
  if (body.type === "view_submission") {
    const view = body.view as { id?: string; hash?: string } | undefined;
    // The trigger too: a form resubmitted after `response_action: "errors"` keeps its view id and hash,
    // and must not be dropped as a duplicate of the refused submission.
    if (view?.id) return `view:${view.id}:${view.hash ?? ""}:${trigger ?? ""}`;
  }
  return null;
}

/**
 * Bolt global middleware: drop a delivery seen before (acknowledging it so Slack stops retrying).
 *
 * The acknowledgement never waits for the database: events are acked by Bolt before any middleware, and
 * button/checkbox actions are acked here, before the claim (their ack carries nothing). Slash commands are
 * claimed by the command listener right after its ack, whose content depends only on the text. Only modal
 * submissions are claimed before their ack, which may carry field errors.
 */
export function dedupeMiddleware(ctx: AppContext): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as unknown as Record<string, unknown>;
    const key = deliveryKey(body);
    if (!key || key.startsWith("cmd:")) return args.next();
    const withAck = args as { ack?: (response?: unknown) => Promise<void> };
    if (body.type === "block_actions" && withAck.ack) {
      // Acks are idempotent (src/slack/idempotent-ack.ts): the listener's own ack() later does nothing.
      await withAck.ack();
    }
    if (!(await claimDelivery(ctx, key))) {
      ctx.logger.info({ key }, "duplicate delivery dropped");
      if (withAck.ack) await withAck.ack();
      return;
    }
    await runClaimed(ctx, key, () => args.next());
  };
}
