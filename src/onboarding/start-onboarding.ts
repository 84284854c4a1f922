/**
 * `/fleet onboard` as a resumable saga: customer → onboarding → channel → invites → pinned checklist.
 * Each stage is recorded before moving on, so running the same command again after any failure resumes
 * where it stopped and never creates a second channel or checklist.
 */

import type { Actor } from "../audit/actor.ts";
import { audit } from "../audit/audit.ts";
import { onboardText } from "../blocks/onboard-report-lines.ts";
import type { OnboardReport } from "../blocks/report-input.ts";
import { finchAssistWarning } from "../checklist/finch-assist.ts";
import { DEFAULT_INTEGRATION_EMAIL } from "../checklist/login-holder.ts";
import { providerCatalogue } from "../checklist/provider-catalogue.ts";
import type { AppContext } from "../context.ts";
import { claimLease, releaseQuietly } from "../db/claims.ts";
import { channelHistory, inviteToChannel } from "../slack-gateway/channels.ts";
import { adviceFor, slackErrorCode } from "../slack-gateway/errors.ts";
import { MetadataEventType } from "../slack-gateway/ids.ts";
import { pinMessage } from "../slack-gateway/messages.ts";
import { postOnce } from "../slack-gateway/post-once.ts";
import { type CallCalendarChange, callCalendarLink, shareCallCalendar } from "./call-calendar.ts";
import { channelIdAfterMove } from "./channel-id.ts";
import { buildChecklistFor } from "./checklist-service.ts";
import { createChannel } from "./customer-channel.ts";
import { emailInsteadOfSlack } from "./email-fallback.ts";
import { createdNow } from "./field-changes.ts";
import { sendQueuedInvites, waitingLine } from "./invite-queue.ts";
import { companySlug, customerNameKey } from "./names.ts";
import type { OnboardRequest } from "./onboard-request.ts";
import { applyRerun, rerunOf } from "./rerun.ts";

export type { OnboardReport };

/**
 * What the saga tells other features, passed in so that onboarding imports none of them (the reminders
 * build on onboarding, not the other way round).
 */
export interface OnboardingHooks {
  /** The call was booked or moved by this run: schedule its day-before reminder. Must never throw. */
  callBooked(ctx: AppContext, onboardingId: string): Promise<void>;
  /** A re-run moves the call the way `/fleet call` does (reminder, checklist, note with old and new time). */
  moveCall(
    ctx: AppContext,
    change: { onboardingId: string; callAt: Date; timeZone: string; actor: Actor },
  ): Promise<{ ok: true; warnings: string[] } | { ok: false; message: string }>;
}

/** Starts (or resumes) the onboarding of a customer. */
export async function startOnboarding(
  ctx: AppContext,
  request: OnboardRequest,
  actor: Actor,
  hooks: OnboardingHooks,
): Promise<OnboardReport> {
  const { onboarding, resumed, callChange, rerun } = await findOrCreateOnboarding(ctx, request, actor);
  // One saga at a time per onboarding (two reps, a double click, two replicas): a second one would create
  // a second channel under a suffixed name. The lease expires by itself if its holder dies.
  if (!(await claimLease(ctx, setupKey(onboarding.id)))) {
    return {
      onboardingId: onboarding.id,
      channelId: onboarding.channelId,
      resumed: true,
      lines: [],
      problems: [onboardText.anotherRunning],
      complete: false,
      understood: understoodOf(ctx, request),
    };
  }
  try {
    const moved = rerun ? await applyRerun(ctx, request, actor, hooks, onboarding.id, rerun) : null;
    const report = await runSaga(ctx, request, actor, hooks, onboarding, resumed, moved ?? callChange);
    return rerun ? { ...report, rerun: rerun.report } : report;
  } finally {
    await releaseQuietly(ctx, setupKey(onboarding.id));
  }
}

/** What the rep is told the bot understood. */
function understoodOf(ctx: AppContext, request: OnboardRequest): OnboardReport["understood"] {
  const { provider, callAt, timeZone, hrEmails } = request;
  return { provider, providerName: providerCatalogue(ctx).displayName(provider), callAt, timeZone, hrEmails };
}

/** A unique-key violation, as Prisma reports it (P2002) or as a driver adapter passes it on (SQLSTATE 23505). */
function isUniqueViolation(err: unknown): boolean {
  const e = err as {
    code?: string;
    cause?: { code?: string; originalCode?: string };
    meta?: { driverAdapterError?: { cause?: { code?: string } } };
  };
  return (
    e?.code === "P2002" ||
    e?.cause?.code === "23505" ||
    e?.cause?.originalCode === "23505" ||
    e?.meta?.driverAdapterError?.cause?.code === "23505" ||
    /unique constraint|duplicate key/i.test(String((err as Error)?.message ?? ""))
  );
}

/** The set-up lease of an onboarding (free, or older than two minutes). */
const setupKey = (onboardingId: string) => `setup:${onboardingId}`;

async function runSaga(
  ctx: AppContext,
  request: OnboardRequest,
  actor: Actor,
  hooks: OnboardingHooks,
  onboarding: Awaited<ReturnType<typeof findOrCreateOnboarding>>["onboarding"],
  resumed: boolean,
  callChange: CallCalendarChange | null,
): Promise<OnboardReport> {
  // The day-before reminder follows the call booked (or moved by a re-run) here; never throws.
  await hooks.callBooked(ctx, onboarding.id);
  const report: OnboardReport = {
    onboardingId: onboarding.id,
    channelId: onboarding.channelId,
    resumed,
    lines: [],
    problems: [],
    complete: false,
    understood: understoodOf(ctx, request),
  };
  // Told at once, not after the customer is stuck at Finch Connect.
  const assist = finchAssistWarning(
    providerCatalogue(ctx).template(onboarding.providerId),
    ctx.config.finch.assistEnabled,
  );
  if (assist) report.lines.push(onboardText.warning(assist));
  await audit(ctx, {
    onboardingId: onboarding.id,
    action: resumed ? "onboard.resumed" : "onboard.started",
    actor,
    detail: { company: request.company, hrInvites: request.hrEmails.length, provider: request.provider },
  });

  // 1. Channel
  const channelId =
    onboarding.channelId ?? (await createChannel(ctx, onboarding.id, request.company, report));
  if (!channelId) return report;
  report.channelId = channelId;

  // 2. The rep (and whoever ran the command) join the channel.
  await addRepAndActor(ctx, onboarding.id, channelId, onboarding.ownerUserId, actor, report);

  // 3. Slack Connect invitations: one email per call and one pending invitation per channel (Slack's rules),
  // so the queue sends the first and the others wait, durably, until it is accepted, declined or expires.
  if (request.via === "email") {
    const byEmail = await emailInsteadOfSlack(ctx, onboarding.id, request, actor);
    report.lines.push(...byEmail.lines);
    report.problems.push(...byEmail.problems);
  }
  await inviteHrAdmins(ctx, onboarding.id, actor, report);

  // 4. The checklist, posted once and pinned, in the channel as it is now called (sharing may change its id).
  const checklistTs =
    onboarding.checklistTs ?? (await postChecklistFollowingMoves(ctx, onboarding.id, channelId, report));
  if (!checklistTs) return report;
  const finalChannelId = (await currentChannelId(ctx, onboarding.id)) ?? channelId;
  report.channelId = finalChannelId;

  const stillPending = await ctx.db.prisma.invite.count({
    where: { onboardingId: onboarding.id, status: { in: ["pending", "sending", "failed"] } },
  });
  report.complete = report.problems.length === 0 && stillPending === 0;
  await ctx.db.prisma.onboarding.update({
    where: { id: onboarding.id },
    data: { setupStage: report.complete ? "ready" : "checklist" },
  });
  report.lines.push(onboardText.checklistPinned(finalChannelId));
  // The call's calendar file goes out when this run booked or moved it, or when the channel it was booked
  // for only now got its checklist (an earlier run stopped before).
  await sendCallCalendar(ctx, onboarding, callChange, report);
  return report;
}

/** Step 3: the queued Slack Connect invitations go out (one at a time), and the report says how far. */
async function inviteHrAdmins(
  ctx: AppContext,
  onboardingId: string,
  actor: Actor,
  report: OnboardReport,
): Promise<void> {
  const queue = await sendQueuedInvites(ctx, onboardingId, { actor, retryFailed: true });
  if (queue.sent.length > 0) report.lines.push(onboardText.invited(queue.sent));
  const waiting = waitingLine(queue);
  if (waiting) report.lines.push(waiting);
  if (queue.busy) report.lines.push(onboardText.invitesBusy);
  report.problems.push(...queue.problems);
  if (await ctx.db.prisma.invite.count({ where: { onboardingId: onboardingId, externalLimited: true } })) {
    report.lines.push(onboardText.limitedGuests);
  }
}

/** The call's calendar file, and the rep's Google Calendar link, when there is a call to tell about. */
async function sendCallCalendar(
  ctx: AppContext,
  onboarding: { id: string; checklistTs: string | null; callAt: Date | null },
  callChange: CallCalendarChange | null,
  report: OnboardReport,
): Promise<void> {
  const calendar = callChange ?? (!onboarding.checklistTs && onboarding.callAt ? "booked" : null);
  if (calendar) {
    for (const warning of await shareCallCalendar(ctx, onboarding.id, calendar, { googleLink: true }))
      report.lines.push(onboardText.warning(warning));
    // The same link `/fleet call` and the reminder give, for the rep's own calendar.
    const link = await callCalendarLink(ctx, onboarding.id);
    if (link) report.lines.push(onboardText.callCalendar(calendar, link));
  }
}

/** The owning rep and whoever ran the command join the channel (force: the others even if one is in already). */
async function addRepAndActor(
  ctx: AppContext,
  onboardingId: string,
  channelId: string,
  ownerUserId: string,
  actor: Actor,
  report: OnboardReport,
): Promise<void> {
  const people = [...new Set([ownerUserId, actor.userId])].filter((u) => u !== ctx.identity.botUserId);
  const invite = (channel: string) =>
    inviteToChannel(ctx.slack, { channel, users: people.join(","), force: true });
  try {
    await invite(channelId).catch(async (err: unknown) => {
      // The channel was shared meanwhile and has a new id; its `channel_id_changed` is on its way.
      const moved =
        slackErrorCode(err) === "channel_not_found" &&
        (await channelIdAfterMove(ctx, onboardingId, channelId));
      if (!moved) throw err;
      await invite(moved);
    });
  } catch (err) {
    const code = slackErrorCode(err);
    if (code !== "already_in_channel" && code !== "cant_invite_self") {
      report.problems.push(onboardText.addingYou(channelId, adviceFor(code, `<@${ownerUserId}>`)));
    }
  }
}

async function findOrCreateOnboarding(ctx: AppContext, request: OnboardRequest, actor: Actor) {
  try {
    return await findOrCreateOnce(ctx, request, actor);
  } catch (err) {
    // Two first runs for the same new customer at once: one wins the unique keys, the other resumes it.
    if (!isUniqueViolation(err)) throw err;
    return findOrCreateOnce(ctx, request, actor);
  }
}

async function findOrCreateOnce(ctx: AppContext, request: OnboardRequest, actor: Actor) {
  const nameKey = customerNameKey(request.company);
  const existing = await ctx.db.prisma.onboarding.findFirst({
    where: { status: "active", customer: { nameKey } },
  });
  const emailTemplate = ctx.config.integrationUser.email ?? DEFAULT_INTEGRATION_EMAIL;
  const onboarding =
    existing ??
    (await ctx.db.prisma.$transaction(async (tx) => {
      const customer = await tx.customer.upsert({
        where: { nameKey },
        create: { name: request.company, nameKey },
        update: {},
      });
      const active = await tx.onboarding.findFirst({ where: { customerId: customer.id, status: "active" } });
      if (active) return active;
      return tx.onboarding.create({
        data: {
          customerId: customer.id,
          providerId: request.provider,
          ownerUserId: request.ownerUserId ?? actor.userId,
          createdByUserId: actor.userId,
          homeTeamId: ctx.identity.teamId,
          integrationUserName: ctx.config.integrationUser.name,
          integrationUserEmail: emailTemplate.replace("{slug}", companySlug(request.company)),
          timeZone: request.timeZone,
          callAt: request.callAt,
          ...createdNow(request.callAt !== null && request.callAt !== undefined),
        },
      });
    }));
  const rerun = existing ? await rerunOf(ctx, existing, request) : null;
  // New HR emails given on a re-run are added; known ones are left as they are.
  await ctx.db.prisma.invite.createMany({
    data: request.hrEmails.map((email) => ({ onboardingId: onboarding.id, email })),
    skipDuplicates: true,
  });
  // A re-run's call move goes through hooks.moveCall (applyRerun), which tells the channel.
  const callChange: CallCalendarChange | null = !existing && onboarding.callAt ? "booked" : null;
  return { onboarding, resumed: !!existing, callChange, rerun };
}

/** The onboarding's channel id as stored now (a `channel_id_changed` event may have moved it). */
async function currentChannelId(ctx: AppContext, onboardingId: string): Promise<string | null> {
  const o = await ctx.db.prisma.onboarding.findUnique({
    where: { id: onboardingId },
    select: { channelId: true },
  });
  return o?.channelId ?? null;
}

/**
 * Posts and pins the checklist in the channel's current id. Slack gives a private channel a new id when its
 * first Slack Connect invitation goes out; until `channel_id_changed` is handled the old id answers
 * `channel_not_found`, so the post waits for the move once and goes to the new id.
 */
async function postChecklistFollowingMoves(
  ctx: AppContext,
  onboardingId: string,
  channelId: string,
  report: OnboardReport,
): Promise<string | null> {
  const now = (await currentChannelId(ctx, onboardingId)) ?? channelId;
  const attempt: OnboardReport = { ...report, problems: [] };
  const ts = await postChecklist(ctx, onboardingId, now, attempt);
  if (ts || !attempt.problems.some((p) => p.includes(adviceFor("channel_not_found")))) {
    report.problems.push(...attempt.problems);
    return ts;
  }
  const moved = await channelIdAfterMove(ctx, onboardingId, now);
  if (!moved) {
    report.problems.push(...attempt.problems);
    return null;
  }
  return postChecklist(ctx, onboardingId, moved, report);
}

async function postChecklist(
  ctx: AppContext,
  onboardingId: string,
  channelId: string,
  report: OnboardReport,
) {
  // After a crash between posting and storing the ts, the checklist is found again by its metadata.
  let ts: string | null | undefined;
  try {
    ts = await findChecklistInChannel(ctx, channelId, onboardingId);
    if (!ts) {
      const { message } = await buildChecklistFor(ctx, onboardingId);
      // Once: when Slack posts but the answer is lost, the posted checklist is adopted, not doubled.
      const res = await postOnce(ctx, {
        channel: channelId,
        text: message.text,
        blocks: message.blocks,
        metadata: message.metadata,
        unfurl_links: false,
      });
      ts = res.ts;
    }
    await ctx.db.prisma.onboarding.update({ where: { id: onboardingId }, data: { checklistTs: ts } });
    await ctx.db.prisma.slackMessage.upsert({
      where: { channelId_ts: { channelId, ts } },
      create: { onboardingId, kind: "checklist", channelId, ts },
      update: {},
    });
  } catch (err) {
    report.problems.push(onboardText.posting(adviceFor(slackErrorCode(err))));
    return null;
  }
  try {
    await pinMessage(ctx.slack, channelId, ts);
  } catch (err) {
    const code = slackErrorCode(err);
    if (code !== "already_pinned") report.problems.push(onboardText.pinning(adviceFor(code)));
  }
  return ts;
}

/** Finds the checklist message of an onboarding in a channel through its metadata. */
export async function findChecklistInChannel(ctx: AppContext, channelId: string, onboardingId: string) {
  const history = await channelHistory(ctx.slack, {
    channel: channelId,
    include_all_metadata: true,
    limit: 100,
  });
  const mine = history.messages?.find(
    (m) =>
      m.metadata?.event_type === MetadataEventType.checklist &&
      (m.metadata.event_payload as { onboarding_id?: string } | undefined)?.onboarding_id === onboardingId,
  );
  return mine?.ts ?? null;
}
