/** `/fleet history`'s export button: the full audit trail of an onboarding as a CSV file for the rep. */

import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { onboardingAnswerText } from "../blocks/onboarding-answers.ts";
import type { AppContext } from "../context.ts";
import { historyCsv } from "./history.ts";

/** Sends the full history as a CSV file to the rep's direct messages; returns what to tell them, if anything. */
export async function exportHistory(
  ctx: AppContext,
  onboardingId: string,
  actor: Actor,
): Promise<string | null> {
  const o = await ctx.db.prisma.onboarding.findUniqueOrThrow({
    where: { id: onboardingId },
    include: { customer: true },
  });
  const dm = await ctx.slack.conversations.open({ users: actor.userId });
  const channelId = dm.channel?.id;
  if (!channelId) return onboardingAnswerText.noDirectMessage;
  await ctx.slack.filesUploadV2({
    channel_id: channelId,
    filename: `${o.customer.name.replace(/[^\w.-]+/g, "_")}-history.csv`,
    title: onboardingAnswerText.historyTitle(o.customer.name),
    content: await historyCsv(ctx, onboardingId),
    initial_comment: onboardingAnswerText.historyComment(o.customer.name),
  });
  await audit(ctx, { onboardingId, action: "history.exported", actor });
  return null;
}
