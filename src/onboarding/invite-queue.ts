/**
 * Slack Connect takes one pending invitation per *channel*: conversations.inviteShared answers
 * `connection_limit_exceeded_pending` ("This channel already has a pending invite") while one is out. The
 * HR admins of an onboarding therefore wait here, durably (invite status `waiting`), and go out one at a time:
 * the next one when the pending one is accepted, declined or expires (14 days). A refused invitation is never
 * stored as sent. One sender at a time per onboarding (a lease), whoever triggers it: the `/fleet onboard` run,
 * an invite event, the re-send button or the hourly sweep.
 */

import cron from "node-cron";
import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { inviteQueueRepText, waitingLine } from "../blocks/invite-notes.ts";
import { onboardText } from "../blocks/onboard-report-lines.ts";
import type { AppContext } from "../context.ts";
import { claimLease, releaseQuietly } from "../db/claims.ts";
import type { Invite } from "../db/generated/client.ts";
import { adviceFor, isTransientSlackError } from "../slack-gateway/errors.ts";
import { noteMetadata, postOnce } from "../slack-gateway/post-once.ts";
import { channelIdAfterMove } from "./channel-id.ts";
import { fallBackToEmail, refusalFallsBackToEmail, sweepUnansweredInvites } from "./email-fallback.ts";
import { inviteOnce } from "./invite-once.ts";
import { recordInviteEvent, type SharedInviteEvent } from "./invites.ts";

/** Slack expires an unaccepted Slack Connect invitation after 14 days. */
export const INVITE_LIFETIME_MS = 14 * 86_400_000;

/** Statuses that may be sent by the queue; `failed` only when a person asks again. */
const QUEUED = ["sending", "pending", "waiting"];

/** What one pass of the queue did, in words for the rep. */
export interface QueueReport {
  /** Emails invited in this pass. */
  sent: string[];
  /** Emails still waiting for the channel's pending invitation. */
  waiting: string[];
  /** The email whose invitation is pending (ours), if known. */
  pendingFor: string | null;
  /** Problems with their next step. */
  problems: string[];
  /** Another sender holds the queue right now; it finishes the work. */
  busy: boolean;
}

/** How a pass may behave. */
export interface QueueOptions {
  actor?: Actor | null;
  /** Try again the invitations that failed earlier (a person asked: `/fleet onboard` again, Re-send). */
  retryFailed?: boolean;
}

const queueKey = (onboardingId: string) => `invites:${onboardingId}`;

/**
 * Sends the next invitations of an onboarding while its channel has none pending; marks the others `waiting`.
 * Waits a few seconds for a concurrent sender's lease (the accepted and approved events arrive together).
 */
export async function sendQueuedInvites(
  ctx: AppContext,
  onboardingId: string,
  options: QueueOptions = {},
): Promise<QueueReport> {
  const report: QueueReport = { sent: [], waiting: [], pendingFor: null, problems: [], busy: false };
  if (!(await claimQueue(ctx, onboardingId))) return { ...report, busy: true };
  try {
    await expireOldInvites(ctx, onboardingId);
    // Each invitation is tried at most once per pass over the queue (a failed one waits for a person).
    const tried = new Set<string>();
    for (let pass = 0; pass < 100; pass++) {
      const next = await nextInvite(ctx, onboardingId, options.retryFailed ?? false, tried, report);
      if (!next) break;
      tried.add(next.invite.id);
      const more = await sendOne(ctx, next.invite, next.channelId, options.actor ?? null, report);
      if (more === "again") tried.delete(next.invite.id);
      else if (!more) break;
    }
    await markWaiting(ctx, onboardingId, report);
  } finally {
    await releaseQuietly(ctx, queueKey(onboardingId));
  }
  return report;
}

async function claimQueue(ctx: AppContext, onboardingId: string): Promise<boolean> {
  for (let attempt = 0; attempt < 40; attempt++) {
    if (await claimLease(ctx, queueKey(onboardingId))) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** A `sent` invitation older than Slack's 14 days no longer blocks the channel. */
async function expireOldInvites(ctx: AppContext, onboardingId: string): Promise<void> {
  const before = new Date(ctx.clock.now().getTime() - INVITE_LIFETIME_MS);
  const expired = await ctx.db.prisma.invite.updateMany({
    where: { onboardingId, status: "sent", sentAt: { lt: before } },
    data: { status: "expired" },
  });
  if (expired.count > 0)
    ctx.logger.info({ onboardingId, count: expired.count }, "Slack Connect invites expired");
}

/** The invitation to send now, or null while one is pending in the channel (then `report.pendingFor`). */
async function nextInvite(
  ctx: AppContext,
  onboardingId: string,
  retryFailed: boolean,
  tried: ReadonlySet<string>,
  report: QueueReport,
): Promise<{ invite: Invite; channelId: string } | null> {
  const onboarding = await ctx.db.prisma.onboarding.findUnique({
    where: { id: onboardingId },
    include: { invites: { orderBy: { createdAt: "asc" } } },
  });
  if (!onboarding?.channelId || onboarding.status !== "active") return null;
  const pending = onboarding.invites.find((i) => i.status === "sent");
  if (pending) {
    report.pendingFor = pending.email;
    return null;
  }
  const statuses = retryFailed ? [...QUEUED, "failed"] : QUEUED;
  // An interrupted send first: its invitation may be the channel's pending one.
  const invite =
    onboarding.invites.find((i) => i.status === "sending" && !tried.has(i.id)) ??
    onboarding.invites.find((i) => statuses.includes(i.status) && !tried.has(i.id));
  return invite ? { invite, channelId: onboarding.channelId } : null;
}

/**
 * Sends one invitation and records what became of it: false when the queue must stop for now, "again" when the
 * same invitation goes to the channel's new id.
 */
async function sendOne(
  ctx: AppContext,
  invite: Invite,
  channelId: string,
  actor: Actor | null,
  report: QueueReport,
): Promise<boolean | "again"> {
  const sent = await inviteOnce(ctx, invite, channelId);
  if (sent.ok) {
    await ctx.db.prisma.invite.update({
      where: { id: invite.id },
      data: {
        status: "sent",
        slackInviteId: sent.inviteId,
        adopted: sent.adopted,
        externalLimited: sent.limited,
        sentAt: ctx.clock.now(),
        lastError: null,
        alertedAt: null,
      },
    });
    report.sent.push(invite.email);
    await audit(ctx, {
      onboardingId: invite.onboardingId,
      action: "invite.sent",
      actor,
      detail: { email: invite.email, limited: sent.limited, ...(sent.adopted ? { adopted: true } : {}) },
    });
    return true;
  }
  return recordRefusal(ctx, invite, channelId, sent.code, report);
}

async function recordRefusal(
  ctx: AppContext,
  invite: Invite,
  channelId: string,
  code: string,
  report: QueueReport,
): Promise<boolean | "again"> {
  const update = (data: { status: string; lastError: string | null }) =>
    ctx.db.prisma.invite.update({ where: { id: invite.id }, data });
  if (code === "already_in_channel") {
    await update({ status: "accepted", lastError: null });
    return true;
  }
  if (code === "connection_limit_exceeded_pending") {
    // Someone else's invitation is pending in the channel (sent from Slack itself, or one we lost track of).
    await update({ status: "waiting", lastError: code });
    return false;
  }
  if (code === "channel_not_found" && (await channelIdAfterMove(ctx, invite.onboardingId, channelId))) {
    // The channel got a new id (Slack Connect): the next pass reads it.
    await update({ status: "pending", lastError: null });
    return "again";
  }
  await update({ status: "failed", lastError: code });
  report.problems.push(onboardText.inviting(invite.email, adviceFor(code, invite.email)));
  // Slack Connect will not reach this customer: their HR admin gets the private page by email (issue 23).
  if (refusalFallsBackToEmail(code)) {
    await fallBackToEmail(ctx, { onboardingId: invite.onboardingId, email: invite.email, reason: "refused" });
  }
  // A rate limit or outage hits every following call too: stop here; the next trigger resumes.
  return !isTransientSlackError(code);
}

/** Every invitation that did not go out because one is pending waits for it, visibly. */
async function markWaiting(ctx: AppContext, onboardingId: string, report: QueueReport): Promise<void> {
  const pending = await ctx.db.prisma.invite.findFirst({ where: { onboardingId, status: "sent" } });
  if (pending) {
    report.pendingFor = pending.email;
    await ctx.db.prisma.invite.updateMany({
      where: { onboardingId, status: "pending" },
      data: { status: "waiting" },
    });
  }
  const waiting = await ctx.db.prisma.invite.findMany({
    where: { onboardingId, status: "waiting" },
    orderBy: { createdAt: "asc" },
    select: { email: true },
  });
  report.waiting = waiting.map((w) => w.email);
}

/** The rep's words for who waits live with the other sentences (src/blocks). */
export { waitingLine };

/** Hourly: onboardings with waiting invitations whose pending one may have expired or gone unnoticed. */
export async function sweepInviteQueues(ctx: AppContext): Promise<number> {
  const onboardings = await ctx.db.prisma.onboarding.findMany({
    where: { status: "active", invites: { some: { status: { in: ["waiting", "pending"] } } } },
    select: { id: true },
    take: 500,
  });
  let sent = 0;
  for (const o of onboardings) {
    const report = await sendQueuedInvites(ctx, o.id);
    await tellRep(ctx, o.id, report);
    sent += report.sent.length;
  }
  return sent;
}

/** Starts the hourly sweep (stopped on shutdown). */
export function startInviteQueueJob(ctx: AppContext): { stop(): Promise<void> } {
  const task = cron.schedule(
    "7 * * * *",
    async () => {
      try {
        await sweepInviteQueues(ctx);
        await sweepUnansweredInvites(ctx);
      } catch (err) {
        ctx.logger.error({ err }, "invite queue sweep failed");
      }
    },
    { noOverlap: true, name: "invite-queue" },
  );
  return { stop: async () => void (await task.stop()) };
}

/**
 * `shared_channel_invite_accepted` / `_approved` / `_declined`: records the event, then the channel is free for
 * the next waiting invitation, which goes out by itself; the owning rep is told privately.
 */
export async function settleInvite(
  ctx: AppContext,
  event: SharedInviteEvent,
  status: "accepted" | "approved" | "declined",
): Promise<void> {
  const onboardingId = await recordInviteEvent(ctx, event, status);
  if (!onboardingId) return;
  if (status === "declined") await emailWhoDeclined(ctx, onboardingId, event);
  await tellRep(ctx, onboardingId, await sendQueuedInvites(ctx, onboardingId));
}

/** A declined invitation: that HR admin gets the private page by email instead (issue 23). */
async function emailWhoDeclined(ctx: AppContext, onboardingId: string, event: SharedInviteEvent) {
  const email =
    event.invite?.recipient_email ??
    (event.invite?.id
      ? (
          await ctx.db.prisma.invite.findFirst({
            where: { onboardingId, slackInviteId: event.invite.id },
            select: { email: true },
          })
        )?.email
      : undefined);
  if (email) await fallBackToEmail(ctx, { onboardingId, email, reason: "declined" });
}

/** Tells the owning rep privately what the queue did by itself (nothing when it did nothing). */
async function tellRep(ctx: AppContext, onboardingId: string, report: QueueReport): Promise<void> {
  if (report.sent.length === 0 && report.problems.length === 0) return;
  const o = await ctx.db.prisma.onboarding.findUniqueOrThrow({
    where: { id: onboardingId },
    include: { customer: true },
  });
  await postOnce(ctx, {
    channel: o.ownerUserId,
    metadata: noteMetadata(`invite-queue:${onboardingId}`),
    text: inviteQueueRepText({ ...report, companyName: o.customer.name }),
  });
}
