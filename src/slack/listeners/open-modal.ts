/**
 * Opening a modal needs a trigger_id, which Slack accepts for 3 seconds after the click
 * (https://api.slack.com/interactivity/handling#modal_responses). A delivery applied later from the intake
 * cannot open it, and retrying it cannot either: the person is told at once to do it again.
 */

import type { View } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { listenerText } from "../../blocks/listener-answers.ts";
import type { AppContext } from "../../context.ts";
import { currentDelivery } from "../../slack-gateway/delivery-scope.ts";

/** A trigger older than this is not tried: 3 s minus the time views.open itself takes. */
export const TRIGGER_USABLE_MS = 2_500;

/** Slack's answers for a trigger that can no longer open anything. */
const DEAD_TRIGGER = new Set(["expired_trigger_id", "invalid_trigger_id", "trigger_exchanged"]);

function isDeadTrigger(err: unknown): boolean {
  const error = (err as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof error === "string" && DEAD_TRIGGER.has(error);
}

/** Is the trigger of the delivery being applied still fresh? (Outside a delivery: assumed so.) */
export function triggerIsFresh(): boolean {
  const scope = currentDelivery();
  if (!scope) return true;
  return !scope.replay && Date.now() - scope.receivedAt.getTime() < TRIGGER_USABLE_MS;
}

/**
 * Opens the modal `build` makes, or tells the person (`tell`) to run `again` once more when the trigger is
 * too old or Slack refuses it as expired. Returns whether the modal opened; other errors are thrown.
 */
export async function openModalInTime(
  ctx: Pick<AppContext, "logger">,
  input: { client: WebClient; triggerId: string; tell: (text: string) => Promise<unknown>; again: string },
  build: () => View,
): Promise<boolean> {
  if (triggerIsFresh()) {
    try {
      await input.client.views.open({ trigger_id: input.triggerId, view: build() });
      return true;
    } catch (err) {
      if (!isDeadTrigger(err)) throw err;
    }
  }
  ctx.logger.info({ key: currentDelivery()?.key }, "a modal's trigger expired before it could be opened");
  await input.tell(listenerText.modalTooLate(input.again));
  return false;
}
