/**
 * Starting an onboarding: `/fleet onboard …`, the "New onboarding" form (from `/fleet onboard` with no text
 * and from the App Home's button), its HR-provider menu and its submission. Reps only.
 */

import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { listenerText } from "../../blocks/listener-answers.ts";
import {
  buildOnboardModal,
  buildProviderOptions,
  modalErrors,
  OnboardField,
  readOnboardModal,
} from "../../blocks/onboard-modal.ts";
import { onboardReportText } from "../../blocks/reports.ts";
import type { AppContext } from "../../context.ts";
import { emailAvailability } from "../../email/mailer.ts";
import { onboardableProviders } from "../../finch/providers.ts";
import { validateOnboardDraft } from "../../onboarding/onboard-request.ts";
import { type OnboardingHooks, startOnboarding } from "../../onboarding/start-onboarding.ts";
import { ActionId, CallbackId } from "../../slack-gateway/ids.ts";
import { noteMetadata, postOnce } from "../../slack-gateway/post-once.ts";
import { interactionActor, isRepUser } from "../actors.ts";
import type { SubcommandsOf } from "./fleet-command.ts";
import { allowRep } from "./guards.ts";
import { openModalInTime } from "./open-modal.ts";

/** What the onboarding feature is told at start-up: how reminders follow a booked or moved call. */
export interface OnboardDeps {
  onboardingHooks: OnboardingHooks;
}

/** Why `userId` cannot own an onboarding (`owner=` of `/fleet onboard`, `/fleet owner`, the modal). */
export function notARepOwner(userId: string): string {
  return listenerText.notARepOwner(userId);
}

/** `/fleet onboard …`, and `/fleet onboard` alone (the form). */
export function subcommands(ctx: AppContext, { onboardingHooks }: OnboardDeps) {
  return {
    onboard: {
      run: async ({ cmd, actor, respond }) => {
        const owner = cmd.request.ownerUserId;
        if (owner && owner !== actor.userId && !(await isRepUser(ctx, owner))) {
          await respond({ response_type: "ephemeral", text: notARepOwner(owner) });
          return;
        }
        const email = emailAvailability(ctx.config);
        if (cmd.request.via === "email" && !email.on) {
          // Refused before anything is created: an email-only customer without email would be stranded.
          await respond({
            response_type: "ephemeral",
            text: listenerText.noEmailPath(email.reason),
          });
          return;
        }
        const report = await startOnboarding(ctx, cmd.request, actor, onboardingHooks);
        await respond({ response_type: "ephemeral", text: onboardReportText(cmd.request.company, report) });
      },
    },
    "onboard-modal": {
      modal: true,
      run: async ({ command, actor, client, respond }) => {
        await openModalInTime(
          ctx,
          { client, triggerId: command.trigger_id, tell: respond, again: "`/fleet onboard`" },
          () => buildOnboardModal({ defaultTimeZone: ctx.config.defaultTimeZone, ownerUserId: actor.userId }),
        );
      },
    },
  } satisfies SubcommandsOf<"onboard" | "onboard-modal">;
}

/** Registers the form's provider menu, its submission, and the App Home's "New onboarding" button. */
export function register(app: App, ctx: AppContext, { onboardingHooks }: OnboardDeps): void {
  // Options requests (`block_suggestion`, the manifest's `message_menu_options_url`): Finch's providers.
  app.options({ action_id: OnboardField.provider }, async ({ ack, body }) => {
    // Slack waits 3 seconds for options: the listing wait is bounded, the cache answers after the first.
    const options = buildProviderOptions(await onboardableProviders(ctx), body.value);
    // Bolt types `ack` as the intersection of block, message and dialog options, which no Block Kit
    // `option_groups` answer satisfies (dialog labels are strings); the shape is Block Kit's.
    await ack(options as never);
  });

  app.view(CallbackId.onboardModal, async ({ ack, body, view }) => {
    const actor = interactionActor(ctx, body);
    const allowed = await allowRep(ctx, actor, {
      tell: (text) => ack({ response_action: "errors", errors: { company: text.slice(0, 150) } }),
    });
    if (!allowed) return;
    const validated = validateOnboardDraft(readOnboardModal(view.state.values as never), {
      now: ctx.clock.now(),
      defaultTimeZone: ctx.config.defaultTimeZone,
      providers: await onboardableProviders(ctx),
    });
    if (!validated.ok) {
      await ack({ response_action: "errors", errors: modalErrors(validated.problems) });
      return;
    }
    const owner = validated.request.ownerUserId;
    if (owner && owner !== actor.userId && !(await isRepUser(ctx, owner))) {
      ctx.logger.info({ user: actor.userId, owner }, "onboard modal: owner is not a rep");
      await ack({
        response_action: "errors",
        errors: { [OnboardField.owner]: listenerText.ownerNotRep },
      });
      return;
    }
    await ack();
    const report = await startOnboarding(ctx, validated.request, actor, onboardingHooks);
    await postOnce(ctx, {
      channel: actor.userId,
      metadata: noteMetadata("onboard-report"),
      text: onboardReportText(validated.request.company, report),
    });
  });

  app.action<BlockAction<ButtonAction>>(ActionId.homeNewOnboarding, async ({ ack, body }) => {
    await ack();
    const actor = interactionActor(ctx, body);
    const tell = (text: string) => ctx.slack.chat.postMessage({ channel: actor.userId, text });
    // Refused like every other rep-only button: logged, audited and told, not silently ignored.
    const refusal = { log: "rep action refused", fields: { action: ActionId.homeNewOnboarding } };
    if (!(await allowRep(ctx, actor, { ...refusal, audit: `${ActionId.homeNewOnboarding}.refused`, tell })))
      return;
    await openModalInTime(
      ctx,
      { client: ctx.slack, triggerId: body.trigger_id, tell, again: "the App Home's New onboarding button" },
      () => buildOnboardModal({ defaultTimeZone: ctx.config.defaultTimeZone, ownerUserId: actor.userId }),
    );
  });
}
