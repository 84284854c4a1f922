/** Slack gives a private channel a new id when it becomes a Slack Connect channel: follow it everywhere. */

import { audit } from "../audit/audit.ts";
import type { AppContext } from "../context.ts";

/**
 * `channel_id_changed`: "update any records you have stored about the original private channel ID
 * (old_channel_id) with this new_channel_id" — the onboarding, the messages we must find again (checklist
 * ticks re-render through chat.update) and the reminders, in one transaction so none is left behind.
 */
export async function moveChannelId(ctx: AppContext, oldId: string, newId: string): Promise<void> {
  if (!oldId || !newId || oldId === newId) return;
  const onboardingIds = await ctx.db.prisma.$transaction(async (tx) => {
    const onboardings = await tx.onboarding.findMany({ where: { channelId: oldId }, select: { id: true } });
    await tx.onboarding.updateMany({ where: { channelId: oldId }, data: { channelId: newId } });
    await tx.slackMessage.updateMany({ where: { channelId: oldId }, data: { channelId: newId } });
    await tx.reminder.updateMany({ where: { channelId: oldId }, data: { channelId: newId } });
    return onboardings.map((o) => o.id);
  });
  ctx.logger.info({ oldChannel: oldId, newChannel: newId }, "channel id changed");
  for (const onboardingId of onboardingIds) {
    await audit(ctx, { onboardingId, action: "channel.id_changed", detail: { from: oldId, to: newId } });
  }
}

/**
 * The onboarding's channel id once it differs from `staleId` (Slack answered `channel_not_found` for it:
 * sharing gave the channel a new id, and `channel_id_changed` is on its way), or null after `waitMs`.
 */
export async function channelIdAfterMove(
  ctx: AppContext,
  onboardingId: string,
  staleId: string,
  waitMs = 10_000,
): Promise<string | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const o = await ctx.db.prisma.onboarding.findUnique({
      where: { id: onboardingId },
      select: { channelId: true },
    });
    if (o?.channelId && o.channelId !== staleId) return o.channelId;
    if (Date.now() >= deadline) return null;
    await new Promise((r) => setTimeout(r, 100));
  }
}
