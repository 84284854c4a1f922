/** The Slack Connect invite lifecycle after sending: accepted / approved / declined, and HR admins leaving. */

import { isOurUser } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { memberLeftText } from "../blocks/onboarding-notes.ts";
import type { AppContext } from "../context.ts";
import { inviteShared } from "../slack-gateway/channels.ts";
import { slackErrorCode } from "../slack-gateway/errors.ts";
import { isAnswerLost, nonRetryingClient, noteMetadata, postOnce } from "../slack-gateway/post-once.ts";

/** What Slack's `shared_channel_invite_*` events tell about an invitation. */
export interface SharedInviteEvent {
  invite?: { id?: string; recipient_email?: string };
  channel?: { id?: string };
  accepting_user?: { id?: string; team_id?: string; enterprise_id?: string };
  declining_user?: { id?: string; team_id?: string; enterprise_id?: string };
}

/** Where an invite's status may move from: it only ever moves forward. */
const RANK: Record<string, number> = {
  pending: 0,
  sending: 0,
  waiting: 0,
  failed: 0,
  sent: 1,
  expired: 1,
  // Working by email (issue 23) and still free to accept a pending Slack Connect invitation.
  email: 1,
  declined: 2,
  accepted: 2,
  approved: 3,
  left: 4,
};

/**
 * Records an invite event: who accepted, and the status moved forward (never back). Returns the onboarding the
 * event is about (by the invitation, else by the channel), or null.
 */
export async function recordInviteEvent(
  ctx: AppContext,
  event: SharedInviteEvent,
  status: "accepted" | "approved" | "declined",
): Promise<string | null> {
  const byChannel = async () =>
    event.channel?.id
      ? ((
          await ctx.db.prisma.onboarding.findUnique({
            where: { channelId: event.channel.id },
            select: { id: true },
          })
        )?.id ?? null)
      : null;
  const inviteId = event.invite?.id;
  if (!inviteId) return byChannel();
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
  // An invitation sent from Slack itself (not ours) still frees the channel for the next one.
  if (!invite) return byChannel();
  // Who accepted is recorded whatever the order of events: "accepted" (which names the user) and
  // "approved" arrive concurrently, and each must only ever add to what the other wrote.
  if (user?.id) {
    await ctx.db.prisma.invite.update({
      where: { id: invite.id },
      data: { slackUserId: user.id, ...(user.team_id ? { slackTeamId: user.team_id } : {}) },
    });
  }
  // Decided in the database (no read-then-write race).
  // Someone already working by email stays so when their Slack invitation is declined (again): only an accept
  // moves them on, so a repeated or late decline never sends a second email.
  const lower = Object.keys(RANK).filter(
    (s) => (RANK[s] ?? 0) < (RANK[status] ?? 0) && !(status === "declined" && s === "email"),
  );
  const moved = await ctx.db.prisma.invite.updateMany({
    where: { id: invite.id, status: { in: lower } },
    data: { status },
  });
  // A repeat that changes nothing stays out of the audit trail; who accepted is always recorded.
  if (moved.count === 0 && !user?.id) return invite.onboardingId;
  await audit(ctx, {
    onboardingId: invite.onboardingId,
    action: `invite.${status}`,
    actor: user?.id
      ? {
          userId: user.id,
          teamId: user.team_id ?? "",
          internal: isOurUser(ctx.identity, { teamId: user.team_id, enterpriseId: user.enterprise_id }),
        }
      : null,
    detail: { email: invite.email },
  });
  return invite.onboardingId;
}

/** An invited HR admin left the customer channel: mark the invite, tell the owning rep privately. */
export async function recordMemberLeft(ctx: AppContext, channelId: string, userId: string): Promise<void> {
  const onboarding = await ctx.db.prisma.onboarding.findUnique({
    where: { channelId },
    include: { customer: true },
  });
  if (!onboarding) return;
  const invite = await ctx.db.prisma.invite.findFirst({
    where: { onboardingId: onboarding.id, slackUserId: userId },
  });
  if (!invite) return;
  await ctx.db.prisma.invite.update({ where: { id: invite.id }, data: { status: "left" } });
  await audit(ctx, { onboardingId: onboarding.id, action: "invite.left", detail: { email: invite.email } });
  await postOnce(ctx, {
    channel: onboarding.ownerUserId,
    metadata: noteMetadata(`left:${invite.id}`),
    text: memberLeftText({ email: invite.email, userId, channelId, companyName: onboarding.customer.name }),
  });
  await ctx.hooks.changed({
    onboardingId: onboarding.id,
    ownerUserId: onboarding.ownerUserId,
    reason: "invite-left",
  });
}

/** What became of one Slack Connect invitation. */
export type InviteOutcome =
  | { ok: true; inviteId: string | null; limited: boolean; moved?: boolean }
  | { ok: false; code: string };

/**
 * Invites one HR admin (Slack's rule: one email per call) as a full member (`external_limited: false`, since
 * Slack's default limits guests to posting), so they can add their colleagues as the guide tells them. Where our
 * workspace's Slack Connect settings forbid that (`restricted_action`), the invitation is sent limited instead.
 */
export async function sendSharedInvite(
  ctx: AppContext,
  channelId: string,
  email: string,
): Promise<InviteOutcome> {
  // Never retried blindly: an invitation whose answer was lost may have gone out. Sent again, Slack answers
  // that one is pending for this email — which then means ours went out, once.
  const slack = nonRetryingClient(ctx);
  let answerLost = 0;
  for (let limited = false; ; ) {
    try {
      const res = await inviteShared(slack, {
        channel: channelId,
        emails: [email],
        external_limited: limited,
      });
      return { ok: true, inviteId: res.invite_id ?? null, limited };
    } catch (err) {
      const code = slackErrorCode(err);
      if (isAnswerLost(err) && answerLost++ < Math.max(1, ctx.config.slack.retries)) continue;
      if (code === "connection_limit_exceeded_pending" && answerLost > 0) {
        return { ok: true, inviteId: null, limited };
      }
      // The lost call did share the channel, and sharing gave the private channel a new id (channel_id_changed).
      if (code === "channel_not_found" && answerLost > 0)
        return { ok: true, inviteId: null, limited, moved: true };
      if (code === "restricted_action" && !limited) {
        limited = true;
        ctx.logger.info({ channel: channelId }, "full Slack Connect invites refused; sending a limited one");
        continue;
      }
      return { ok: false, code };
    }
  }
}
