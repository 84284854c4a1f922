/** Modal submissions. */

import type { App } from "@slack/bolt";
import { listenerText } from "../../../blocks/listener-answers.ts";
import { modalErrors, OnboardField, readOnboardModal } from "../../../blocks/onboard-modal.ts";
import { onboardReportText } from "../../../blocks/reports.ts";
import type { AppContext } from "../../../context.ts";
import { onboardableProviders } from "../../../finch/providers.ts";
import { validateOnboardDraft } from "../../../onboarding/onboard-request.ts";
import { type OnboardingHooks, startOnboarding } from "../../../onboarding/start-onboarding.ts";
import { CallbackId } from "../../../slack-gateway/ids.ts";
import { noteMetadata, postOnce } from "../../../slack-gateway/post-once.ts";
import { interactionActor, isRepUser } from "../../actors.ts";
import { allowRep } from "../guards.ts";

/** Registers view listeners. */
export function registerViews(app: App, ctx: AppContext, hooks: OnboardingHooks): void {
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
    const report = await startOnboarding(ctx, validated.request, actor, hooks);
    await postOnce(ctx, {
      channel: actor.userId,
      metadata: noteMetadata("onboard-report"),
      text: onboardReportText(validated.request.company, report),
    });
  });
}
