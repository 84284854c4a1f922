/**
 * `/fleet onboard` as a resumable saga: customer → onboarding → channel → invites → pinned checklist.
 * Each stage is recorded before moving on, so running the same command again after any failure resumes
 * where it stopped and never creates a second channel or checklist.
 */
import type { AppContext } from "../context.ts";
import { claimLease, releaseQuietly } from "../db/claims.ts";
import { adviceFor, isTransientSlackError, slackErrorCode } from "../slack-gateway/errors.ts";
import { MetadataEventType } from "../slack-gateway/ids.ts";
import { postOnce } from "../slack-gateway/post-once.ts";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";
import { type CallCalendarChange, shareCallCalendar } from "./call-calendar.ts";
import { buildChecklistFor } from "./checklist-service.ts";
import { createChannel } from "./customer-channel.ts";
import { inviteOnce } from "./invite-once.ts";
import { companySlug, customerNameKey } from "./names.ts";
import type { OnboardRequest } from "./onboard-request.ts";
import { applyRerun, providerDisplayName, type RerunReport, rerunOf } from "./rerun.ts";

/** What happened, for the rep: done steps, problems with their next step. */
export interface OnboardReport {
  onboardingId: string;
  channelId: string | null;
  resumed: boolean;
  lines: string[];
  problems: string[];
  complete: boolean;
  /** What the bot understood from the request (echoed to the rep). */
  understood: Pick<OnboardRequest, "provider" | "callAt" | "timeZone" | "hrEmails"> & {
    providerName: string;
  };
  /** Set on a re-run of an existing onboarding: what existed, what changed, what was kept. */
  rerun?: RerunReport;
}

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
      problems: ["Another `/fleet onboard` for this customer is running right now; it finishes the set-up."],
      complete: false,
      understood: understoodOf(request),
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
function understoodOf(request: OnboardRequest): OnboardReport["understood"] {
  const { provider, callAt, timeZone, hrEmails } = request;
  return { provider, providerName: providerDisplayName(provider), callAt, timeZone, hrEmails };
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
    understood: understoodOf(request),
  };
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
  const people = [...new Set([onboarding.ownerUserId, actor.userId])].filter(
    (u) => u !== ctx.identity.botUserId,
  );
  try {
    // force: invite the others even when one of them is already in the channel.
    await ctx.slack.conversations.invite({ channel: channelId, users: people.join(","), force: true });
  } catch (err) {
    const code = slackErrorCode(err);
    if (code !== "already_in_channel" && code !== "cant_invite_self") {
      report.problems.push(
        `Adding you to <#${channelId}>: ${adviceFor(code, `<@${onboarding.ownerUserId}>`)}`,
      );
    }
  }

  // 3. Slack Connect invitations, one email per call (Slack's rule), each remembered with its invite id.
  const invites = await ctx.db.prisma.invite.findMany({
    where: { onboardingId: onboarding.id },
    orderBy: { createdAt: "asc" },
  });
  let invitedNow = 0;
  for (const invite of invites) {
    if (invite.slackInviteId || invite.adopted || ["accepted", "approved"].includes(invite.status)) continue;
    // Recorded as sending first: a run that dies before storing Slack's answer is reconciled, not re-sent.
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
        },
      });
      invitedNow++;
      await audit(ctx, {
        onboardingId: onboarding.id,
        action: "invite.sent",
        actor,
        detail: { email: invite.email, limited: sent.limited, ...(sent.adopted ? { adopted: true } : {}) },
      });
    } else {
      const { code } = sent;
      if (code === "already_in_channel") {
        await ctx.db.prisma.invite.update({
          where: { id: invite.id },
          data: { status: "accepted", lastError: null },
        });
        continue;
      }
      if (code === "connection_limit_exceeded_pending") {
        // Slack still holds an invitation for this address (a run that stopped before saving it): it counts
        // as sent, and re-sending would only be refused again.
        await ctx.db.prisma.invite.update({
          where: { id: invite.id },
          data: { status: "sent", lastError: null },
        });
        report.lines.push(`${invite.email} already has a pending Slack Connect invitation.`);
        continue;
      }
      await ctx.db.prisma.invite.update({
        where: { id: invite.id },
        data: { status: "failed", lastError: code },
      });
      report.problems.push(`Inviting ${invite.email}: ${adviceFor(code, invite.email)}`);
      // A rate limit or outage hits every following call too: stop here and let the rep resume.
      if (isTransientSlackError(code)) break;
    }
  }
  if (invitedNow > 0)
    report.lines.push(
      `Invited ${invitedNow} HR ${invitedNow === 1 ? "admin" : "admins"} over Slack Connect.`,
    );
  if (await ctx.db.prisma.invite.count({ where: { onboardingId: onboarding.id, externalLimited: true } })) {
    report.lines.push(
      "Our Slack settings only allow *limited* Slack Connect guests: HR admins can post but not add colleagues, so add anyone else they need with `/fleet onboard … hr=` yourself.",
    );
  }

  // 4. The checklist, posted once and pinned.
  const checklistTs = onboarding.checklistTs ?? (await postChecklist(ctx, onboarding.id, channelId, report));
  if (!checklistTs) return report;

  const stillPending = await ctx.db.prisma.invite.count({
    where: { onboardingId: onboarding.id, status: { in: ["pending", "sending", "failed"] } },
  });
  report.complete = report.problems.length === 0 && stillPending === 0;
  await ctx.db.prisma.onboarding.update({
    where: { id: onboarding.id },
    data: { setupStage: report.complete ? "ready" : "checklist" },
  });
  report.lines.push(`Checklist pinned in <#${channelId}>.`);
  // The call's calendar file goes out when this run booked or moved it, or when the channel it was booked
  // for only now got its checklist (an earlier run stopped before).
  const calendar = callChange ?? (!onboarding.checklistTs && onboarding.callAt ? "booked" : null);
  if (calendar) {
    for (const warning of await shareCallCalendar(ctx, onboarding.id, calendar))
      report.lines.push(`:warning: ${warning}`);
  }
  return report;
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
  const emailTemplate = ctx.config.integrationUser.email ?? "integrations+{slug}@fleet.example";
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

async function postChecklist(
  ctx: AppContext,
  onboardingId: string,
  channelId: string,
  report: OnboardReport,
) {
  // After a crash between posting and storing the ts, the checklist is found again by its metadata.
  const existingTs = await findChecklistInChannel(ctx, channelId, onboardingId);
  let ts = existingTs;
  try {
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
    report.problems.push(`Posting the checklist: ${adviceFor(slackErrorCode(err))}`);
    return null;
  }
  try {
    await ctx.slack.pins.add({ channel: channelId, timestamp: ts });
  } catch (err) {
    const code = slackErrorCode(err);
    if (code !== "already_pinned") report.problems.push(`Pinning the checklist: ${adviceFor(code)}`);
  }
  return ts;
}

/** Finds the checklist message of an onboarding in a channel through its metadata. */
export async function findChecklistInChannel(ctx: AppContext, channelId: string, onboardingId: string) {
  const history = await ctx.slack.conversations.history({
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
