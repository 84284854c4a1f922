/** Options requests (`block_suggestion`): the onboarding modal's HR-provider menu searches Finch's providers. */
import type { App } from "@slack/bolt";
import { buildProviderOptions, OnboardField } from "../../../blocks/onboard-modal.ts";
import type { AppContext } from "../../../context.ts";
import { onboardableProviders } from "../../../finch/providers.ts";

/** Registers the options listeners (Slack calls the manifest's `message_menu_options_url`). */
export function registerOptions(app: App, ctx: AppContext): void {
  app.options({ action_id: OnboardField.provider }, async ({ ack, body }) => {
    // Slack waits 3 seconds for options: the listing wait is bounded, the cache answers after the first.
    const options = buildProviderOptions(await onboardableProviders(ctx), body.value);
    // Bolt types `ack` as the intersection of block, message and dialog options, which no Block Kit
    // `option_groups` answer satisfies (dialog labels are strings); the shape is Block Kit's.
    await ack(options as never);
  });
}
