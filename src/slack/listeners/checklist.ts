/**
 * The customer channel's checklist: ticks, its Status and link buttons, `/fleet status` (anyone in our
 * workspace) and `/fleet provider` (switch the checklist's HR provider, reps).
 */
import type { App, BlockAction, ButtonAction, CheckboxesAction } from "@slack/bolt";
import { statusText } from "../../blocks/reports.ts";
import type { AppContext } from "../../context.ts";
import { tickFromSlack } from "../../onboarding/checklist-service.ts";
import { statusFacts, statusFromChannel } from "../../onboarding/status.ts";
import { switchProvider } from "../../onboarding/switch-provider.ts";
import { ActionId } from "../../slack-gateway/ids.ts";
import { interactionActor } from "../actors.ts";
import { aboutOnboarding, type SubcommandsOf } from "./fleet-command.ts";
import { privateAnswer } from "./private-answer.ts";

const TICK = new RegExp(`^${ActionId.tickPrefix}(.+)$`);

/** `/fleet status` and `/fleet provider`. */
export function subcommands(ctx: AppContext) {
  return {
    status: {
      members: true,
      run: aboutOnboarding(ctx, async ({ onboarding, respond }) => {
        await respond({
          response_type: "ephemeral",
          text: statusText(await statusFacts(ctx, onboarding.id)),
        });
      }),
    },
    provider: {
      run: aboutOnboarding(ctx, async ({ cmd, onboarding, actor, respond }) => {
        const { text } = await switchProvider(ctx, onboarding.id, cmd.providerId, actor);
        await respond({ response_type: "ephemeral", text });
      }),
    },
  } satisfies SubcommandsOf<"status" | "provider">;
}

/** Registers the checklist's ticks and buttons. */
export function register(app: App, ctx: AppContext): void {
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
