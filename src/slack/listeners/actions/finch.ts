/** Finch buttons: "Re-check" on a verification message, and the rep's "Disconnect" confirmation. */

import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { listenerText } from "../../../blocks/listener-answers.ts";
import type { AppContext } from "../../../context.ts";
import { disconnectFinch } from "../../../finch/disconnect.ts";
import { recheckFromChannel } from "../../../finch/recheck.ts";
import { onboardingIdFrom } from "../../../onboarding/lookup.ts";
import { ActionId } from "../../../slack-gateway/ids.ts";
import { interactionActor, isRep } from "../../actors.ts";
import { allowRep } from "../guards.ts";
import { privateAnswer } from "../private-answer.ts";

/** Registers the Finch action listeners. */
export function registerFinchActions(app: App, ctx: AppContext): void {
  app.action<BlockAction<ButtonAction>>(ActionId.recheck, async ({ ack, body, action, client }) => {
    await ack();
    const actor = interactionActor(ctx, body);
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const onboardingId = onboardingIdFrom(action.value);
    const actorIsRep = await isRep(ctx, actor);
    const text = await recheckFromChannel(ctx, { onboardingId, actor, channelId, actorIsRep });
    if (text && channelId) await client.chat.postEphemeral({ channel: channelId, user: actor.userId, text });
  });

  app.action<BlockAction<ButtonAction>>(
    ActionId.confirmDisconnect,
    async ({ ack, body, action, respond: slackRespond }) => {
      await ack();
      const actor = interactionActor(ctx, body);
      const respond = privateAnswer(ctx, slackRespond, actor.userId);
      // The value came back from Slack's client: check who clicked and what it names again.
      const allowed = await allowRep(ctx, actor, {
        log: "finch disconnect refused",
        audit: "finch.disconnect_refused",
        tell: (text) => respond({ response_type: "ephemeral", replace_original: false, text }),
      });
      if (!allowed) return;
      const onboardingId = onboardingIdFrom(action.value);
      const exists = onboardingId
        ? await ctx.db.prisma.onboarding.findUnique({ where: { id: onboardingId }, select: { id: true } })
        : null;
      if (!onboardingId || !exists) {
        return void (await respond({
          response_type: "ephemeral",
          replace_original: true,
          text: listenerText.nothingDisconnected,
        }));
      }
      const result = await disconnectFinch(ctx, onboardingId, actor);
      await respond({ response_type: "ephemeral", replace_original: true, text: result.message });
    },
  );
}
