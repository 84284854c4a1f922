/** `/fleet link`, `/fleet reconnect`, `/fleet verify` and `/fleet disconnect` (reps only: the command router checks first). */

import { buildDisconnectConfirmation, verificationSummaryText } from "../../../blocks/finch.ts";
import { listenerText } from "../../../blocks/listener-answers.ts";
import { getTemplate } from "../../../checklist/template-registry.ts";
import type { AppContext } from "../../../context.ts";
import { postConnectLink, postReconnectForRep } from "../../../finch/connect-session.ts";
import { verifyConnection } from "../../../finch/verify.ts";
import { audit } from "../../../onboarding/audit.ts";
import { aboutOnboarding, type SubcommandHandlers } from "./index.ts";

/** The Finch subcommands of the `/fleet` router. */
export function finchSubcommands(ctx: AppContext): SubcommandHandlers {
  return {
    link: aboutOnboarding(ctx, async ({ onboarding, actor, respond }) => {
      const result = await postConnectLink(ctx, onboarding, actor);
      await respond({ response_type: "ephemeral", text: result.message });
    }),

    reconnect: aboutOnboarding(ctx, async ({ onboarding, actor, respond }) => {
      const result = await postReconnectForRep(ctx, onboarding, actor);
      await respond({ response_type: "ephemeral", text: result.message });
    }),

    verify: aboutOnboarding(ctx, async ({ onboarding, actor, respond }) => {
      await audit(ctx, { onboardingId: onboarding.id, action: "finch.verify_requested", actor });
      const report = await verifyConnection(ctx, onboarding.id, {
        trigger: "command",
        actor,
        announce: "always",
      });
      if (!report) {
        const provider = getTemplate(onboarding.providerId).displayName;
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

    disconnect: aboutOnboarding(ctx, async ({ onboarding, actor, respond }) => {
      const provider = getTemplate(onboarding.providerId).displayName;
      const connection = await ctx.db.prisma.finchConnection.findUnique({
        where: { onboardingId: onboarding.id },
        select: { id: true },
      });
      if (!connection) {
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
  };
}
