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
    // Who accepted is recorded whatever the order of events: "accepted" (which names the user) and
    // "approved" arrive concurrently, and each must only ever add to what the other wrote.
    if (user?.id) {
      await ctx.db.prisma.invite.update({
        where: { id: invite.id },
        data: { slackUserId: user.id, ...(user.team_id ? { slackTeamId: user.team_id } : {}) },
      });
    }
    // Never step back: the status only moves forward, decided in the database (no read-then-write race).
    const rank: Record<string, number> = {
      pending: 0,
      failed: 0,
      sent: 1,
      declined: 2,
      accepted: 2,
      approved: 3,
      left: 4,
    };
    const lower = Object.keys(rank).filter((s) => (rank[s] ?? 0) < (rank[status] ?? 0));
    const moved = await ctx.db.prisma.invite.updateMany({
      where: { id: invite.id, status: { in: lower } },
      data: { status },
    });
    // A repeat that changes nothing stays out of the audit trail; who accepted is always recorded.
    if (moved.count === 0 && !user?.id) return;
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
