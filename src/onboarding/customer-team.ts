/** The one rule that decides whether someone in a customer's channel belongs to that customer. */

import { isOurUser } from "../audit/actor.ts";
import type { AppContext } from "../context.ts";
import { channelInfo } from "../slack-gateway/channels.ts";

/** What the rule needs of an onboarding. */
export interface CustomerTeamFacts {
  id: string;
  channelId: string | null;
  invites: Array<{ slackTeamId: string | null }>;
}

/**
 * Is `teamId` the customer's workspace? Known from accepted Slack Connect invites; if none is recorded (an
 * event lost, an invite re-sent), Slack's own view of the channel decides, and the answer is remembered.
 */
export async function isCustomerTeam(
  ctx: AppContext,
  onboarding: CustomerTeamFacts,
  teamId: string,
): Promise<boolean> {
  if (!teamId || isOurUser(ctx.identity, { teamId })) return false;
  if (onboarding.invites.some((i) => i.slackTeamId === teamId)) return true;
  if (!onboarding.channelId) return false;
  try {
    const info = await channelInfo(ctx.slack, onboarding.channelId);
    const channel = info.channel as { connected_team_ids?: string[] } | undefined;
    if (!channel?.connected_team_ids?.includes(teamId)) return false;
  } catch (err) {
    ctx.logger.warn(
      { err, onboardingId: onboarding.id },
      "conversations.info failed while checking a ticker's team",
    );
    return false;
  }
  // The channel is this customer's alone: a connected workspace is theirs. Remember it on an open invite.
  const open = await ctx.db.prisma.invite.findFirst({
    where: { onboardingId: onboarding.id, slackTeamId: null },
  });
  if (open) await ctx.db.prisma.invite.update({ where: { id: open.id }, data: { slackTeamId: teamId } });
  return true;
}
