/** `/fleet link`, `/fleet verify` and `/fleet disconnect` (reps only: the command router checks first). */
import type { AppContext } from "../../../context.ts";
import { postConnectLink } from "../../../finch/connect.ts";
import { verifyConnection } from "../../../finch/verify.ts";
import { audit } from "../../../onboarding/audit.ts";
import { resolveOnboarding } from "../../../onboarding/lookup.ts";
import { getTemplate } from "../../../onboarding/template.ts";
import { buildDisconnectConfirmation, verificationSummaryText } from "../../views/finch.ts";
import { addSubcommand } from "./index.ts";

/** Registers the Finch subcommands with the `/fleet` router. */
export function registerFinchCommands(ctx: AppContext): void {
  addSubcommand("link", async ({ cmd, command, actor, respond }) => {
    const found = await resolveOnboarding(ctx, cmd.company, command.channel_id);
    if (!found.ok) return void (await respond({ response_type: "ephemeral", text: found.message }));
    const result = await postConnectLink(ctx, found.onboarding, actor);
    await respond({ response_type: "ephemeral", text: result.message });
  });

  addSubcommand("verify", async ({ cmd, command, actor, respond }) => {
    const found = await resolveOnboarding(ctx, cmd.company, command.channel_id);
    if (!found.ok) return void (await respond({ response_type: "ephemeral", text: found.message }));
    const onboarding = found.onboarding;
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
        text: `${provider} is not connected for *${onboarding.customer.name}* yet. \`/fleet link\` posts the Connect link in the channel.`,
      }));
    }
    await respond({
      response_type: "ephemeral",
      text: verificationSummaryText(report, onboarding.channelId),
    });
  });

  addSubcommand("disconnect", async ({ cmd, command, actor, respond }) => {
    const found = await resolveOnboarding(ctx, cmd.company, command.channel_id);
    if (!found.ok) return void (await respond({ response_type: "ephemeral", text: found.message }));
    const onboarding = found.onboarding;
    const provider = getTemplate(onboarding.providerId).displayName;
    const connection = await ctx.db.prisma.finchConnection.findUnique({
      where: { onboardingId: onboarding.id },
      select: { id: true },
    });
    if (!connection) {
      return void (await respond({
        response_type: "ephemeral",
        text: `${provider} is not connected for *${onboarding.customer.name}*; nothing to disconnect.`,
      }));
    }
    await audit(ctx, { onboardingId: onboarding.id, action: "finch.disconnect_requested", actor });
    const confirmation = buildDisconnectConfirmation({
      onboardingId: onboarding.id,
      companyName: onboarding.customer.name,
      providerName: provider,
    });
    await respond({ response_type: "ephemeral", ...confirmation });
  });
}
