/** Interactive elements: checklist ticks (and, with later features, buttons). */
import type { App, BlockAction, ButtonAction, CheckboxesAction } from "@slack/bolt";
import { statusText } from "../../../blocks/reports.ts";
import type { AppContext } from "../../../context.ts";
import { tickFromSlack } from "../../../onboarding/checklist-service.ts";
import { statusFromChannel } from "../../../onboarding/status.ts";
import { ActionId } from "../../../slack-gateway/ids.ts";
import { interactionActor } from "../../actors.ts";
import { privateAnswer } from "../private-answer.ts";

const TICK = new RegExp(`^${ActionId.tickPrefix}(.+)$`);

/** Registers action listeners. */
export function registerActions(app: App, ctx: AppContext): void {
  app.action<BlockAction<CheckboxesAction>>(TICK, async ({ ack, body, action, client }) => {
    await ack();
    const itemKey = TICK.exec(action.action_id)?.[1] ?? "";
    const channelId = body.container?.channel_id ?? body.channel?.id;
    const messageTs = body.container?.message_ts ?? body.message?.ts;
    const actor = interactionActor(ctx, body);
    if (!channelId || !messageTs) return;
    const result = await tickFromSlack(ctx, {
      channelId,
      messageTs,
      itemKey,
      checked: (action.selected_options ?? []).length > 0,
      actor,
    });
    if (!result.ok) {
      await client.chat.postEphemeral({ channel: channelId, user: actor.userId, text: result.message });
    }
  });

  // The checklist's "Status": what `/fleet status` shows, privately, to whoever clicked (customers included).
  app.action<BlockAction<ButtonAction>>(
    ActionId.checklistStatus,
    async ({ ack, body, respond: slackRespond }) => {
      await ack();
      const actor = interactionActor(ctx, body);
      const respond = privateAnswer(ctx, slackRespond, actor.userId);
      const result = await statusFromChannel(ctx, body.channel?.id ?? body.container?.channel_id, actor);
      await respond({
        response_type: "ephemeral",
        replace_original: false,
        text: result.ok ? statusText(result.facts) : result.message,
      });
    },
  );

  // Link buttons open a URL in the browser; Slack still sends an action, which needs an ack.
  for (const linkButton of [ActionId.connectLink, ActionId.addToCalendar]) {
    app.action(linkButton, async ({ ack }) => {
      await ack();
    });
  }
}
