/** Modal submissions. */
import type { App } from "@slack/bolt";
import type { AppContext } from "../../../context.ts";
import { validateOnboardDraft } from "../../../onboarding/onboard-request.ts";
import { startOnboarding } from "../../../onboarding/start-onboarding.ts";
import { templateIds } from "../../../onboarding/template.ts";
import { CallbackId } from "../../../slack-gateway/ids.ts";
import { interactionActor, isRep, refusalFor } from "../../actors.ts";
import { modalErrors, readOnboardModal } from "../../views/onboard-modal.ts";
import { onboardReportText } from "../../views/reports.ts";

/** Registers view listeners. */
export function registerViews(app: App, ctx: AppContext): void {
  app.view(CallbackId.onboardModal, async ({ ack, body, view, client }) => {
    const actor = interactionActor(ctx, body);
    if (!(await isRep(ctx, actor))) {
      await ack({ response_action: "errors", errors: { company: refusalFor(actor).slice(0, 150) } });
      return;
    }
    const validated = validateOnboardDraft(readOnboardModal(view.state.values as never), {
      now: ctx.clock.now(),
      defaultTimeZone: ctx.config.defaultTimeZone,
      providers: templateIds(),
    });
    if (!validated.ok) {
      await ack({ response_action: "errors", errors: modalErrors(validated.problems) });
      return;
    }
    await ack();
    const report = await startOnboarding(ctx, validated.request, actor);
    await client.chat.postMessage({
      channel: actor.userId,
      text: onboardReportText(validated.request.company, report),
    });
  });
}
