/** Closing an onboarding (`/fleet done`) and handing it over (`/fleet owner`). */

import { type Actor, isOurUser } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import {
  closingNoteText,
  handOverAlreadyOwnsText,
  handOverChannelText,
  handOverDoneText,
  handOverNotOursText,
  handOverRepText,
  overtakenText,
} from "../blocks/onboarding-notes.ts";
import type { AppContext } from "../context.ts";
import { inviteToChannel } from "../slack-gateway/channels.ts";
import { markOvertaken } from "../slack-gateway/delivery-scope.ts";
import { adviceFor, slackErrorCode } from "../slack-gateway/errors.ts";
import { MetadataEventType } from "../slack-gateway/ids.ts";
import { noteMetadata, postOnce } from "../slack-gateway/post-once.ts";
import { slackUserFacts } from "../slack-gateway/users.ts";
import { shareCallCalendar } from "./call-calendar.ts";
import { refreshChecklist } from "./checklist-service.ts";
import { emailCallChange } from "./email-updates.ts";
import { changedNow, fieldChange, isOvertaken, notOvertaken } from "./field-changes.ts";
import { sendQueuedInvites, waitingLine } from "./invite-queue.ts";
import { sendSharedInvite } from "./invites.ts";
import { revokePortalLinks } from "./portal-links.ts";

/** Archives an onboarding: reminders and nudges stop, a closing note is posted, history is kept. */
export async function closeOnboarding(ctx: AppContext, onboardingId: string, actor: Actor): Promise<string> {
  const text = await close(ctx, onboardingId, actor);
  const o = await ctx.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
  await ctx.hooks.changed({ onboardingId, ownerUserId: o.ownerUserId, reason: "closed" });
  return text;
}

async function close(ctx: AppContext, onboardingId: string, actor: Actor): Promise<string> {
  const now = ctx.clock.now();
  // Once closed, the connection is watched (src/finch/health-watch.ts), its first daily check due at once.
  // Set before the status, so whoever sees "done" sees it watched; an open onboarding's is never selected.
  await ctx.db.prisma.finchConnection.updateMany({
    where: { onboardingId, nextHealthCheckAt: null, onboarding: { status: "active" } },
    data: { nextHealthCheckAt: now },
  });
  const closed = await ctx.db.prisma.onboarding.updateMany({
    where: { id: onboardingId, status: "active" },
    // The call's calendar entry is cancelled too: its SEQUENCE goes up with the METHOD:CANCEL file.
    data: {
      status: "done",
      closedAt: now,
      checklistVersion: { increment: 1 },
      callSequence: { increment: 1 },
    },
  });
  const o = await ctx.db.prisma.onboarding.findUniqueOrThrow({
    where: { id: onboardingId },
    include: { customer: true },
  });
  if (closed.count === 0 && (o.status !== "done" || (await closingAnnounced(ctx, onboardingId)))) {
    return `*${o.customer.name}* was already closed.`;
  }
  if (closed.count > 0) {
    await ctx.db.prisma.reminder.updateMany({
      where: { onboardingId, status: { in: ["pending", "sending"] } },
      data: { status: "cancelled" },
    });
    await audit(ctx, { onboardingId, action: "onboarding.closed", actor });
  }
  // The customer's private-page links stop working with the onboarding (again on a retry: idempotent).
  await revokePortalLinks(ctx, { onboardingId, actor, reason: "closed" });
  // Closed, but the note, the checklist and the CANCEL may not be out yet (Slack failed): (re)do them.
  const warnings = await announceClosing(ctx, o);
  await audit(ctx, { onboardingId, action: "onboarding.closing_announced", actor });
  return [
    `:checkered_flag: *${o.customer.name}* is closed: reminders and nudges stopped, history kept.`,
    ...warnings,
  ].join("\n");
}

/** Whether the closing note, checklist and CANCEL of an onboarding are all out. */
async function closingAnnounced(ctx: AppContext, onboardingId: string): Promise<boolean> {
  const announced = await ctx.db.prisma.auditEvent.count({
    where: { onboardingId, action: "onboarding.closing_announced" },
  });
  return announced > 0;
}

/**
 * The closing note (keyed per onboarding, adopted when an earlier attempt posted it), the re-rendered
 * checklist and, for a call still ahead, the calendar CANCEL. Throws when Slack refuses, so the command is
 * retried; returns warnings for the rep.
 */
async function announceClosing(
  ctx: AppContext,
  o: {
    id: string;
    channelId: string | null;
    ownerUserId: string;
    callAt: Date | null;
    closedAt: Date | null;
  },
): Promise<string[]> {
  if (o.channelId) {
    await postOnce(
      ctx,
      {
        channel: o.channelId,
        metadata: {
          event_type: MetadataEventType.note,
          event_payload: { idempotency_key: `closed:${o.id}` },
        },
        text: closingNoteText(o.ownerUserId),
      },
      { lookFirst: true },
    );
    await refreshChecklist(ctx, o.id);
  }
  // A call still ahead is taken out of calendars; one that already took place stays there as a record.
  const closedAt = o.closedAt ?? ctx.clock.now();
  if (!o.callAt || o.callAt <= closedAt) return [];
  const warnings = await shareCallCalendar(ctx, o.id, "cancelled", { retryTransient: true });
  // Those who work by email: an iMIP CANCEL (once per SEQUENCE, so a retried close sends none again).
  const problems = await emailCallChange(ctx, {
    onboardingId: o.id,
    change: "cancelled",
    previousCallAt: null,
  });
  return problems.length > 0
    ? [...warnings, `The cancellation could not be emailed to ${problems.join("; ")}.`]
    : warnings;
}

/** Hands an onboarding over to another rep of our workspace; both reps' Homes follow. */
export async function handOver(
  ctx: AppContext,
  onboardingId: string,
  newOwnerUserId: string,
  actor: Actor,
): Promise<string> {
  const { ownerUserId } = await ctx.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
  const text = await handOverTo(ctx, onboardingId, newOwnerUserId, actor);
  await ctx.hooks.changed({
    onboardingId,
    ownerUserId: newOwnerUserId,
    formerOwnerUserId: ownerUserId,
    reason: "handed-over",
  });
  return text;
}

async function handOverTo(
  ctx: AppContext,
  onboardingId: string,
  newOwnerUserId: string,
  actor: Actor,
): Promise<string> {
  // users.info through the gateway (cached per app), as every other "is this one of ours" question.
  const facts = await slackUserFacts(ctx, newOwnerUserId);
  const ours =
    facts?.teamId &&
    isOurUser(ctx.identity, { teamId: facts.teamId, enterpriseId: facts.enterpriseId ?? undefined });
  if (!facts || !ours || facts.bot) {
    return handOverNotOursText(newOwnerUserId);
  }
  const o = await ctx.db.prisma.onboarding.findUniqueOrThrow({
    where: { id: onboardingId },
    include: { customer: true },
  });
  // Unchanged, the owner still counts as set now: an older hand-over replayed after this one cannot win.
  const moment = fieldChange("owner");
  const updated = isOvertaken(o, moment)
    ? { count: 0 }
    : await ctx.db.prisma.onboarding.updateMany({
        where: { id: onboardingId, ...notOvertaken(moment) },
        data: { ownerUserId: newOwnerUserId, ...changedNow(moment) },
      });
  if (updated.count === 0) {
    markOvertaken();
    return overtakenText(o.customer.name, "owner");
  }
  if (o.ownerUserId === newOwnerUserId) return handOverAlreadyOwnsText(newOwnerUserId, o.customer.name);
  await audit(ctx, {
    onboardingId,
    action: "onboarding.owner_changed",
    actor,
    detail: { from: o.ownerUserId, to: newOwnerUserId },
  });
  const notes: string[] = [];
  if (o.channelId) {
    try {
      await inviteToChannel(ctx.slack, { channel: o.channelId, users: newOwnerUserId });
    } catch (err) {
      const code = slackErrorCode(err);
      if (code !== "already_in_channel") notes.push(adviceFor(code, `<@${newOwnerUserId}>`));
    }
    await postOnce(ctx, {
      channel: o.channelId,
      metadata: noteMetadata(`handover:${onboardingId}`),
      text: handOverChannelText(newOwnerUserId),
    });
  }
  await postOnce(ctx, {
    channel: newOwnerUserId,
    metadata: noteMetadata(`handover-rep:${onboardingId}`),
    text: handOverRepText({ byUserId: actor.userId, companyName: o.customer.name, channelId: o.channelId }),
  });
  return handOverDoneText({ companyName: o.customer.name, newOwnerUserId, notes });
}

/**
 * The channel's pending invitation, asked again: Slack refuses it while it is pending (it then stays sent), and
 * sends it anew once it has expired on Slack's side.
 */
async function askAgain(
  ctx: AppContext,
  onboardingId: string,
  channelId: string,
  email: string,
): Promise<string> {
  const sent = await sendSharedInvite(ctx, channelId, email);
  if (!sent.ok) return `:hourglass: ${adviceFor(sent.code, email)}`;
  await ctx.db.prisma.invite.updateMany({
    where: { onboardingId, email },
    data: {
      slackInviteId: sent.inviteId,
      externalLimited: sent.limited,
      sentAt: ctx.clock.now(),
      alertedAt: null,
    },
  });
  return `:envelope: Re-sent to ${email}.`;
}

/**
 * Re-sends Slack Connect invitations that failed, were declined, expired or whose HR admin left, through the
 * invitation queue: one pending invitation per channel (Slack's rule), the others wait for it.
 */
export async function resendInvites(ctx: AppContext, onboardingId: string, actor: Actor): Promise<string> {
  const o = await ctx.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
  if (!o.channelId) return "The channel does not exist yet: run `/fleet onboard` again to resume.";
  const again = await ctx.db.prisma.invite.findMany({
    where: { onboardingId, status: { in: ["declined", "left", "expired"] } },
  });
  await ctx.db.prisma.invite.updateMany({
    where: { id: { in: again.map((i) => i.id) } },
    data: { status: "pending", slackInviteId: null, adopted: false, alertedAt: null },
  });
  const queue = await sendQueuedInvites(ctx, onboardingId, { actor, retryFailed: true });
  for (const email of queue.sent) {
    await audit(ctx, { onboardingId, action: "invite.resent", actor, detail: { email } });
  }
  const lines = [
    ...queue.sent.map((email) => `:envelope: Re-sent to ${email}.`),
    ...queue.problems.map((p) => `:x: ${p}`),
    waitingLine(queue) ?? "",
  ].filter(Boolean);
  if (queue.pendingFor && queue.sent.length === 0 && queue.problems.length === 0) {
    lines.unshift(await askAgain(ctx, onboardingId, o.channelId, queue.pendingFor));
  }
  return lines.length ? lines.join("\n") : "Every HR admin has joined already — nothing to re-send.";
}
