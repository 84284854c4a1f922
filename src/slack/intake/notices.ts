/**
 * Telling people what happened to a delivery whose request is long answered:
 * - a replayed slash command's answer goes to its response_url (Slack keeps it valid for 30 minutes), a
 *   replayed form's field errors go to the person by DM;
 * - a delivery that is dead after its last attempt is reported privately to whoever made it: an ephemeral
 *   note in the channel for a tick or button, the response_url or a DM for a command or form. Reps see every
 *   dead letter in the App Home and can retry it there.
 */
import { deadDeliveryText, replayedFormErrorsText } from "../../blocks/intake-notices.ts";
import type { AppContext } from "../../context.ts";
import type { StoredDelivery } from "../../intake/delivery.ts";

type Body = Record<string, unknown>;

const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;

function bodyOf(delivery: StoredDelivery): Body {
  return typeof delivery.body === "object" && delivery.body !== null ? (delivery.body as Body) : {};
}

/** Posts to a response_url (only while Slack still accepts it). */
async function toResponseUrl(ctx: AppContext, delivery: StoredDelivery, message: Body): Promise<boolean> {
  const url = bodyOf(delivery).response_url;
  if (typeof url !== "string") return false;
  if (ctx.clock.now().getTime() - delivery.receivedAt.getTime() > RESPONSE_URL_LIFETIME_MS) return false;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ response_type: "ephemeral", replace_original: false, ...message }),
    signal: AbortSignal.timeout(ctx.config.slack.timeoutMs),
  });
  return res.ok;
}

async function direct(ctx: AppContext, userId: string | null, text: string): Promise<void> {
  if (!userId) return;
  await ctx.slack.chat.postMessage({ channel: userId, text });
}

/** Delivers what a listener answered to a replayed command or form. */
export async function forwardReplayedAnswer(
  ctx: AppContext,
  delivery: StoredDelivery,
  answer: Body,
): Promise<void> {
  if (delivery.kind === "slash_command" && typeof answer.text === "string") {
    if (!(await toResponseUrl(ctx, delivery, answer))) await direct(ctx, delivery.userId, answer.text);
    return;
  }
  if (delivery.kind === "view_submission" && answer.response_action === "errors") {
    const errors = Object.values((answer.errors ?? {}) as Record<string, string>);
    await direct(ctx, delivery.userId, replayedFormErrorsText(errors));
  }
}

/** Tells the person whose delivery could not be applied, privately. */
export async function tellDeadDelivery(ctx: AppContext, delivery: StoredDelivery): Promise<void> {
  if (delivery.source !== "slack") return;
  const text = deadDeliveryText(delivery);
  if (!text) return; // events (someone joined, an invite was accepted) have no one to tell
  if (delivery.kind === "slash_command" && (await toResponseUrl(ctx, delivery, { text }).catch(() => false)))
    return;
  if (delivery.channelId && delivery.userId && delivery.kind === "block_actions") {
    await ctx.slack.chat.postEphemeral({ channel: delivery.channelId, user: delivery.userId, text });
    return;
  }
  await direct(ctx, delivery.userId, text);
}

/**
 * A replayed command that a newer change overtook (a late `/fleet call` after a newer one was applied): its
 * sender learns it was not applied. Ticks are not reported: the checklist already shows the newer state.
 */
export async function tellObsoleteDelivery(ctx: AppContext, delivery: StoredDelivery): Promise<void> {
  if (delivery.source !== "slack" || delivery.kind !== "slash_command") return;
  await direct(
    ctx,
    delivery.userId,
    `:information_source: \`${delivery.summary}\` was not applied: it arrived late, and a newer change of the ` +
      "same thing was applied after it was typed. Nothing changed; run it again if it is still what you want.",
  );
}
