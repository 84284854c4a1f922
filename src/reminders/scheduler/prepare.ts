/**
 * Preparing a claimed reminder: is it still wanted, and what does it say now? The message is built from
 * today's facts (the call may have moved, the steps may be done), right before it is posted.
 */
import type { KnownBlock, MessageMetadata } from "@slack/types";
import { escapeMrkdwn } from "../../blocks/mrkdwn.ts";
import { buildNudgeMessage } from "../../blocks/nudge.ts";
import { buildCallReminderMessage } from "../../blocks/reminder.ts";
import { buildRepDigestMessage } from "../../blocks/rep-digest.ts";
import { providerCatalogue } from "../../checklist/provider-catalogue.ts";
import { googleCalendarLink } from "../../onboarding/calendar.ts";
import { connectUrlFor } from "../../onboarding/connect-links.ts";
import { callPrepFor } from "../call-prep.ts";
import {
  callReminderFacts,
  callReminderFactsOf,
  digestCalls,
  loadForReminders,
  nudgeFacts,
  nudgeFactsOf,
  type OnboardingForReminders,
} from "../facts.ts";
import { DIGEST_GRACE_HOURS, localDayBounds, nextLocalDate, ReminderKind } from "../rules.ts";
import type { ClaimedReminder } from "../store.ts";
import type { SchedulerRuntime } from "./runtime.ts";

/** A message ready to post. */
export interface ReadyToSend {
  kind: "send";
  channel: string;
  message: {
    text: string;
    blocks: KnownBlock[];
    metadata: MessageMetadata;
  };
  /**
   * Bookkeeping after a successful post: the message is recorded as the onboarding's (so later updates and
   * the history find it) under `messageKind`; `nudged` also records when the customer was last nudged.
   */
  record?: { onboardingId: string; messageKind: string; nudged: boolean };
}

/** A message ready to post, or why the reminder is not sent now. */
export type Prepared =
  | ReadyToSend
  | { kind: "cancel"; reason: string }
  | { kind: "defer"; reason: string; notBefore: Date };

/**
 * Onboardings read for a whole claimed batch at once (./drain.ts, {@link loadForReminders}): an id missing
 * from `rows` no longer exists. Without it each reminder reads its own onboarding.
 */
export interface KnownOnboardings {
  ids: ReadonlySet<string>;
  rows: ReadonlyMap<string, OnboardingForReminders>;
}

/** Reads the onboardings of a claimed batch's day-before reminders and nudges, in a few queries. */
export async function readBatch(
  rt: SchedulerRuntime,
  batch: readonly ClaimedReminder[],
): Promise<KnownOnboardings> {
  const ids = new Set(
    batch.flatMap((r) =>
      r.onboardingId && (r.kind === ReminderKind.dayBefore || r.kind === ReminderKind.nudge)
        ? [r.onboardingId]
        : [],
    ),
  );
  return { ids, rows: await loadForReminders(rt.ctx, [...ids]) };
}

/** Decides what to do with a claimed reminder, by its kind. */
export async function prepare(
  rt: SchedulerRuntime,
  r: ClaimedReminder,
  known?: KnownOnboardings,
  options: { copyOf?: boolean } = {},
): Promise<Prepared> {
  const now = rt.ctx.clock.now();
  const read =
    r.onboardingId && known?.ids.has(r.onboardingId) ? { row: known.rows.get(r.onboardingId) } : undefined;
  switch (r.kind) {
    case ReminderKind.dayBefore:
      return prepareDayBefore(rt, r, now, read);
    case ReminderKind.repDigest:
      return prepareDigest(rt, r, now);
    case ReminderKind.nudge:
      return prepareNudge(rt, r, now, read, options.copyOf === true);
    default:
      return { kind: "cancel", reason: `unknown reminder kind ${r.kind}` };
  }
}

async function prepareDayBefore(
  rt: SchedulerRuntime,
  r: ClaimedReminder,
  now: Date,
  read?: { row: OnboardingForReminders | undefined },
): Promise<Prepared> {
  const { ctx } = rt;
  const f = read
    ? read.row && callReminderFactsOf(read.row, providerCatalogue(ctx).template(read.row.providerId))
    : r.onboardingId
      ? await callReminderFacts(ctx, r.onboardingId)
      : null;
  if (!f) return { kind: "cancel", reason: "the onboarding no longer exists" };
  if (f.status !== "active") return { kind: "cancel", reason: `the onboarding is ${f.status}` };
  if (!f.callAt || !r.callAt || f.callAt.getTime() !== r.callAt.getTime()) {
    return { kind: "cancel", reason: "the call moved" };
  }
  if (f.callAt <= now) return { kind: "cancel", reason: "the call has already started" };
  if (!f.channelId) {
    // The set-up saga has not created the channel yet (it resumes on the next /fleet onboard).
    return { kind: "defer", reason: "no channel yet", notBefore: new Date(now.getTime() + 10 * 60_000) };
  }
  const onboardingId = r.onboardingId as string;
  const message = buildCallReminderMessage({
    reminderId: r.id,
    onboardingId,
    companyName: f.companyName,
    providerName: f.providerName,
    callAt: f.callAt,
    timeZone: f.timeZone,
    openByOwner: f.openByOwner,
    openItems: f.openItems,
    allStepsDone: f.allStepsDone,
    connectionVerified: f.connectionVerified,
    connectUrl: f.connectionVerified ? null : connectUrlFor(ctx, onboardingId),
    hrAdminUserIds: f.hrAdminUserIds,
    ownerUserId: f.ownerUserId,
    haveReady: callPrepFor(
      providerCatalogue(ctx).template(f.providerId),
      {
        companyName: escapeMrkdwn(f.companyName),
        integrationUserName: escapeMrkdwn(ctx.config.integrationUser.name),
        integrationUserEmail: escapeMrkdwn(f.integrationUserEmail),
      },
      ctx.config.integrationUser.email,
    ),
    now,
    calendarUrl: googleCalendarLink({
      onboardingId,
      companyName: f.companyName,
      callAt: f.callAt,
      timeZone: f.timeZone,
      sequence: 0,
      cancelled: false,
    }),
  });
  return {
    kind: "send",
    channel: f.channelId,
    message,
    record: { onboardingId, messageKind: "reminder", nudged: false },
  };
}

async function prepareDigest(rt: SchedulerRuntime, r: ClaimedReminder, now: Date): Promise<Prepared> {
  if (!r.userId || !r.localDate) return { kind: "cancel", reason: "digest without rep or day" };
  if (now.getTime() - r.dueAt.getTime() >= DIGEST_GRACE_HOURS * 3_600_000) {
    return { kind: "cancel", reason: "too late in the day for the morning digest" };
  }
  const zone = await rt.repZones.get(r.userId);
  const tomorrow = localDayBounds(nextLocalDate(r.localDate), zone);
  const calls = (await digestCalls(rt.ctx, r.userId, tomorrow)).filter((c) => c.callAt > now);
  if (calls.length === 0) return { kind: "cancel", reason: "no calls tomorrow any more" };
  // Posting to a user id opens the DM; its channel id is needed up front for the crash lookup.
  const channel =
    r.channelId ?? (await rt.slack.conversations.open({ users: r.userId })).channel?.id ?? r.userId;
  return {
    kind: "send",
    channel,
    message: buildRepDigestMessage({
      reminderId: r.id,
      userId: r.userId,
      date: nextLocalDate(r.localDate),
      calls,
    }),
  };
}

/**
 * A nudge, or (`copyOf`) the email copy of a nudge already posted: that one is still owed while the customer
 * has boxes open, whatever the once-a-day and office-hours rules of a new nudge say.
 */
async function prepareNudge(
  rt: SchedulerRuntime,
  r: ClaimedReminder,
  now: Date,
  read: { row: OnboardingForReminders | undefined } | undefined,
  copyOf: boolean,
): Promise<Prepared> {
  const { ctx } = rt;
  if (!r.onboardingId) return { kind: "cancel", reason: "nudge without onboarding" };
  const onboardingId = r.onboardingId;
  if (read && !read.row) return { kind: "cancel", reason: "the onboarding no longer exists" };
  const f = read?.row ? nudgeFactsOf(ctx, read.row, now) : await nudgeFacts(ctx, onboardingId, now);
  const wanted = copyOf ? f.status === "active" && f.openCustomerItems.length > 0 : f.eligible;
  if (!wanted || !f.channelId) {
    const reason = copyOf ? "the onboarding is closed or the customer's steps are done" : f.reason;
    return { kind: "cancel", reason: reason ?? "no channel" };
  }
  return {
    kind: "send",
    channel: f.channelId,
    message: buildNudgeMessage({
      reminderId: r.id,
      onboardingId,
      companyName: f.companyName,
      date: r.localDate ?? "",
      hrAdminUserIds: f.hrAdminUserIds,
      openItems: f.openCustomerItems,
      callAt: f.callAt && f.callAt > now ? f.callAt : null,
      timeZone: f.timeZone,
    }),
    record: { onboardingId, messageKind: "nudge", nudged: true },
  };
}
