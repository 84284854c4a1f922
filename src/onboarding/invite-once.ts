/**
 * A Slack Connect invitation sent once across crashes and lost answers (#12). The invite row is marked
 * `sending` before conversations.inviteShared is called and `sent` after; a run that finds a row still
 * `sending` (the previous one died between Slack's answer and our write) first looks for the pending
 * invitation in Slack (conversations.listConnectInvites, Enterprise Grid only) and adopts it. Where Slack
 * cannot list them, the invitation is asked again: Slack refuses a second pending one for the same address
 * (`connection_limit_exceeded_pending`), which then means ours went out — recorded as adopted.
 */
import type { AppContext } from "../context.ts";
import type { Invite } from "../db/generated/client.ts";
import { listConnectInvites } from "../slack-gateway/channels.ts";
import { nonRetryingClient } from "../slack-gateway/post-once.ts";
import { channelIdAfterMove } from "./channel-id.ts";
import { type InviteOutcome, sendSharedInvite } from "./invites.ts";

/** What became of the invitation; `adopted` when ours was found again rather than answered. */
export type InviteOnceOutcome =
  | { ok: true; inviteId: string | null; limited: boolean; adopted: boolean }
  | { ok: false; code: string };

/** Sends `invite` (a stored row) to `channelId` once; the caller records the outcome. */
export async function inviteOnce(
  ctx: AppContext,
  invite: Pick<Invite, "id" | "onboardingId" | "email" | "status" | "externalLimited">,
  channelId: string,
): Promise<InviteOnceOutcome> {
  const interrupted = invite.status === "sending";
  if (interrupted) {
    const found = await findPendingInvite(ctx, channelId, invite.email);
    if (found) return { ok: true, inviteId: found, limited: invite.externalLimited, adopted: true };
  }
  await ctx.db.prisma.invite.update({ where: { id: invite.id }, data: { status: "sending" } });
  const sent: InviteOutcome = await sendSharedInvite(ctx, channelId, invite.email);
  if (sent.ok && sent.inviteId) return { ...sent, adopted: false };
  if (sent.ok || (interrupted && sent.code === "connection_limit_exceeded_pending")) {
    // Slack did it but the answer was lost (or an interrupted run's invitation is the pending one): its id, in the
    // channel as it is called now (the lost call may have given it a new id).
    const current =
      sent.ok && sent.moved ? await channelIdAfterMove(ctx, invite.onboardingId, channelId) : null;
    const found = await findPendingInvite(ctx, current ?? channelId, invite.email);
    return {
      ok: true,
      inviteId: found,
      limited: sent.ok ? sent.limited : invite.externalLimited,
      adopted: true,
    };
  }
  // Not sent: the row goes back to what it was (the caller records the failure).
  await ctx.db.prisma.invite.update({
    where: { id: invite.id },
    data: { status: interrupted ? "pending" : invite.status },
  });
  return sent;
}

/**
 * The id of the pending invitation this workspace sent to `email` for `channelId`, or null when there is none
 * or Slack cannot list them (outside Enterprise Grid, or without `conversations.connect:manage`).
 */
export async function findPendingInvite(
  ctx: AppContext,
  channelId: string,
  email: string,
): Promise<string | null> {
  const client = nonRetryingClient(ctx);
  let cursor: string | undefined;
  try {
    for (let page = 0; page < 10; page++) {
      const res = await listConnectInvites(client, {
        count: 200,
        ...(cursor ? { cursor } : {}),
      });
      const mine = res.invites?.find(
        (i) =>
          i.direction === "outgoing" &&
          i.channel?.id === channelId &&
          i.invite?.recipient_email?.toLowerCase() === email.toLowerCase(),
      );
      if (mine?.invite?.id) return mine.invite.id;
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return null;
    }
  } catch (err) {
    ctx.logger.info({ err, channel: channelId }, "pending Slack Connect invitations cannot be listed");
  }
  return null;
}
