/** Events API: the Slack Connect invite lifecycle (accepted / approved / declined) and members joining. */
import type { App } from "@slack/bolt";
import type { AppContext } from "../../../context.ts";
import { audit } from "../../../onboarding/audit.ts";

interface SharedInviteEvent {
  invite?: { id?: string; recipient_email?: string };
  channel?: { id?: string };
  accepting_user?: { id?: string; team_id?: string };
  declining_user?: { id?: string; team_id?: string };
}

/** Registers event listeners. */
export function registerEvents(app: App, ctx: AppContext): void {
  const update = async (event: SharedInviteEvent, status: "accepted" | "approved" | "declined") => {
    const inviteId = event.invite?.id;
    if (!inviteId) return;
    const user = event.accepting_user ?? event.declining_user;
    // A re-sent invitation has a new id; the customer may still accept the first one, so fall back to
    // the channel and the recipient's address.
    const email = event.invite?.recipient_email?.toLowerCase();
    const invite =
      (await ctx.db.prisma.invite.findFirst({ where: { slackInviteId: inviteId } })) ??
      (email && event.channel?.id
        ? await ctx.db.prisma.invite.findFirst({
            where: { email, onboarding: { channelId: event.channel.id } },
          })
        : null);
    if (!invite) return;
    // Never step back: an "accepted" arriving after "approved" (retries, reordering) changes nothing.
    const rank = { pending: 0, failed: 0, sent: 1, declined: 2, accepted: 2, approved: 3, left: 4 } as Record<
      string,
      number
    >;
    if ((rank[invite.status] ?? 0) >= (rank[status] ?? 0) && invite.status !== "sent") return;
    await ctx.db.prisma.invite.update({
      where: { id: invite.id },
      data: {
        status,
        slackUserId: user?.id ?? invite.slackUserId,
        slackTeamId: user?.team_id ?? invite.slackTeamId,
      },
    });
    await audit(ctx, {
      onboardingId: invite.onboardingId,
      action: `invite.${status}`,
      actor: user?.id
        ? { userId: user.id, teamId: user.team_id ?? "", internal: user.team_id === ctx.identity.teamId }
        : null,
      detail: { email: invite.email },
    });
  };
  app.event("shared_channel_invite_accepted", async ({ event }) =>
    update(event as SharedInviteEvent, "accepted"),
  );
  app.event("shared_channel_invite_approved", async ({ event }) =>
    update(event as SharedInviteEvent, "approved"),
  );
  app.event("shared_channel_invite_declined", async ({ event }) =>
    update(event as SharedInviteEvent, "declined"),
  );
}
