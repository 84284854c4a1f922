/**
 * Answering the person who typed a command or clicked a button, privately, within Slack's windows: a
 * response_url takes 5 posts within 30 minutes of the click
 * (https://api.slack.com/interactivity/handling#message_responses). Past that window (a replay from the
 * intake, a rep's Retry of a dead letter) or when Slack refuses the link (404 `expired_url` / `used_url`),
 * the answer goes to the person by DM. It never throws: the answer comes after the work, and a failing
 * answer must not make the intake do the work again.
 */
import type { RespondArguments, RespondFn } from "@slack/bolt";
import type { AppContext } from "../../context.ts";
import { currentDelivery, deliveryEffectKey } from "../../slack-gateway/delivery-scope.ts";
import { MetadataEventType } from "../../slack-gateway/ids.ts";
import { postOnce } from "../../slack-gateway/post-once.ts";

/** Slack keeps a response_url for 30 minutes; a minute less leaves room for the post itself. */
export const RESPONSE_URL_USABLE_MS = 29 * 60_000;

/**
 * Is the delivery being applied still inside its response_url window? (Outside a delivery: yes.) Measured in
 * real time, as the intake stamps deliveries; when a sandbox or test clock has moved further, Slack's (or the
 * stand-in's) 404 sends the answer by DM all the same.
 */
export function withinResponseWindow(): boolean {
  const scope = currentDelivery();
  if (!scope) return true;
  return Date.now() - scope.receivedAt.getTime() < RESPONSE_URL_USABLE_MS;
}

/** What a listener answers the person with (Bolt's `respond`, made window-proof). */
export type PrivateAnswer = (message: string | RespondArguments) => Promise<void>;

/**
 * A `respond` that answers `userId` through the response_url while Slack still takes it, and by DM
 * otherwise; the n-th answer of a delivery has its own idempotency key, so a retry adopts its DM.
 */
export function privateAnswer(
  ctx: AppContext,
  respond: RespondFn | undefined,
  userId: string,
): PrivateAnswer {
  let answers = 0;
  return async (message: string | RespondArguments) => {
    answers += 1;
    const args: RespondArguments = typeof message === "string" ? { text: message } : message;
    if (respond && withinResponseWindow()) {
      try {
        await respond(args);
        return;
      } catch (err) {
        ctx.logger.info({ err, user: userId }, "the response_url refused the answer; sending it by DM");
      }
    }
    await answerByDm(ctx, userId, args, answers);
  };
}

/** The answer as a DM (never throws: logged when Slack refuses it too). */
async function answerByDm(ctx: AppContext, userId: string, args: RespondArguments, n: number): Promise<void> {
  const key = deliveryEffectKey(`answer:${n}`);
  try {
    await postOnce(ctx, {
      channel: userId,
      text: args.text ?? "",
      ...("blocks" in args && args.blocks ? { blocks: args.blocks as never } : {}),
      metadata: {
        event_type: MetadataEventType.note,
        event_payload: key ? { idempotency_key: key } : {},
      },
    });
  } catch (err) {
    ctx.logger.error({ err, user: userId }, "an answer could not be delivered, neither in place nor by DM");
  }
}
