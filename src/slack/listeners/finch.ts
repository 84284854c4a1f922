/**
 * Finch from Slack (reps; the command router checks first): `/fleet link`, `/fleet reconnect`,
 * `/fleet verify`, `/fleet disconnect` and its confirmation, and the "Re-check" buttons (verification
 * message, App Home).
 */

import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { audit } from "../../audit/audit.ts";
import { buildDisconnectConfirmation, verificationSummaryText } from "../../blocks/finch.ts";
import { listenerText } from "../../blocks/listener-answers.ts";
import { providerCatalogue } from "../../checklist/provider-catalogue.ts";
import type { AppContext } from "../../context.ts";
import { postConnectLink, postReconnectForRep } from "../../finch/connect-session.ts";
import { disconnectFinch, hasConnection } from "../../finch/disconnect.ts";
import { recheckFromChannel, recheckFromHome } from "../../finch/recheck.ts";
import { verifyConnection } from "../../finch/verify.ts";
import { onboardingById, onboardingIdFrom } from "../../onboarding/lookup.ts";
import { ActionId } from "../../slack-gateway/ids.ts";
import { interactionActor, isRep } from "../actors.ts";
import { aboutOnboarding, type SubcommandsOf } from "./fleet-command.ts";
import { allowRep } from "./guards.ts";
import { privateAnswer } from "./private-answer.ts";
import { repButton } from "./rep-button.ts";

/** `/fleet link`, `/fleet reconnect`, `/fleet verify` and `/fleet disconnect`. */
export function subcommands(ctx: AppContext) {
  return {
    link: {
      run: aboutOnboarding(ctx, async ({ onboarding, actor, respond }) => {
        const result = await postConnectLink(ctx, onboarding, actor);
        await respond({ response_type: "ephemeral", text: result.message });
      }),
    },
    reconnect: {
      run: aboutOnboarding(ctx, async ({ onboarding, actor, respond }) => {
        const result = await postReconnectForRep(ctx, onboarding, actor);
        await respond({ response_type: "ephemeral", text: result.message });
      }),
    },
    verify: {
      run: aboutOnboarding(ctx, async ({ onboarding, actor, respond }) => {
        await audit(ctx, { onboardingId: onboarding.id, action: "finch.verify_requested", actor });
        const report = await verifyConnection(ctx, onboarding.id, {
          trigger: "command",
          actor,
          announce: "always",
        });
        if (!report) {
          const provider = providerCatalogue(ctx).template(onboarding.providerId).displayName;
          return void (await respond({
            response_type: "ephemeral",
            text: listenerText.notConnectedYet(provider, onboarding.customer.name),
          }));
        }
        await respond({
          response_type: "ephemeral",
          text: verificationSummaryText(report, onboarding.channelId),
        });
      }),
    },
    disconnect: {
      run: aboutOnboarding(ctx, async ({ onboarding, actor, respond }) => {
        const provider = providerCatalogue(ctx).template(onboarding.providerId).displayName;
        if (!(await hasConnection(ctx, onboarding.id))) {
          return void (await respond({
            response_type: "ephemeral",
            text: listenerText.nothingToDisconnect(provider, onboarding.customer.name),
          }));
        }
        await audit(ctx, { onboardingId: onboarding.id, action: "finch.disconnect_requested", actor });
        const confirmation = buildDisconnectConfirmation({
          onboardingId: onboarding.id,
          companyName: onboarding.customer.name,
          providerName: provider,
        });
        await respond({ response_type: "ephemeral", ...confirmation });
      }),
    },
  } satisfies SubcommandsOf<"link" | "reconnect" | "verify" | "disconnect">;
}

/** Registers the Re-check buttons and the Disconnect confirmation. */
export function register(app: App, ctx: AppContext): void {
  app.action<BlockAction<ButtonAction>>(ActionId.recheck, async ({ ack, body, action, client }) => {
    await ack();
    const actor = interactionActor(ctx, body);
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const onboardingId = onboardingIdFrom(action.value);
    const actorIsRep = await isRep(ctx, actor);
    const text = await recheckFromChannel(ctx, { onboardingId, actor, channelId, actorIsRep });
    if (text && channelId) await client.chat.postEphemeral({ channel: channelId, user: actor.userId, text });
  });

  repButton(app, ctx, ActionId.homeRecheck, (actor, id) => recheckFromHome(ctx, id, actor));

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
      const onboarding = await onboardingById(ctx, onboardingIdFrom(action.value));
      if (!onboarding) {
        return void (await respond({
          response_type: "ephemeral",
          replace_original: true,
          text: listenerText.nothingDisconnected,
        }));
      }
      const result = await disconnectFinch(ctx, onboarding.id, actor);
      await respond({ response_type: "ephemeral", replace_original: true, text: result.message });
    },
  );
}
