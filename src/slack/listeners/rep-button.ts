/** A rep-only button about one onboarding, as the App Home, alerts and history messages carry them. */

import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Actor } from "../../audit/actor.ts";
import { listenerText } from "../../blocks/listener-answers.ts";
import type { AppContext } from "../../context.ts";
import { onboardingById, onboardingIdFrom } from "../../onboarding/lookup.ts";
import { noteMetadata, postOnce } from "../../slack-gateway/post-once.ts";
import { interactionActor } from "../actors.ts";
import { allowRep } from "./guards.ts";

/**
 * Registers a rep-only button whose value is an onboarding id: refuses (and logs) anyone else, and unknown
 * onboarding ids; `run`'s answer goes to the person privately (ephemeral in a channel, else a DM).
 */
export function repButton(
  app: App,
  ctx: AppContext,
  actionId: string,
  run: (actor: Actor, onboardingId: string) => Promise<string | null>,
): void {
  app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
    await ack();
    const actor = interactionActor(ctx, body);
    const reply = async (text: string) => {
      if (body.channel?.id)
        await ctx.slack.chat.postEphemeral({ channel: body.channel.id, user: actor.userId, text });
      else await postOnce(ctx, { channel: actor.userId, text, metadata: noteMetadata(`reply:${actionId}`) });
    };
    const refusal = {
      log: "rep action refused",
      fields: { action: actionId },
      audit: `${actionId}.refused`,
    };
    if (!(await allowRep(ctx, actor, { ...refusal, tell: reply }))) return;
    const exists = await onboardingById(ctx, onboardingIdFrom(action.value));
    if (!exists) {
      ctx.logger.warn({ user: actor.userId, action: actionId }, "action on an unknown onboarding refused");
      return reply(listenerText.noSuchOnboardingAnyMore);
    }
    const text = await run(actor, exists.id);
    if (text) await reply(text);
  });
}
