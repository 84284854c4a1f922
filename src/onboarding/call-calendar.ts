/**
 * Sharing the call's calendar entry in the customer's channel: the .ics file (booked, moved, cancelled) goes up
 * through Slack's external upload (files.getUploadURLExternal → upload → files.completeUploadExternal), step by
 * step in slack-gateway/share-file.ts so the completion is never repeated blindly. A failed upload never undoes
 * the call change: it becomes a warning for the rep.
 */
import { callCalendarText } from "../blocks/onboarding-answers.ts";
import type { AppContext } from "../context.ts";
import { isTransientSlackError, slackErrorCode } from "../slack-gateway/errors.ts";
import { shareFileOnce } from "../slack-gateway/share-file.ts";
import { buildCallCalendar, type CallEntry, callCalendarFileName, googleCalendarLink } from "./calendar.ts";

/** What happened to the call. */
export type CallCalendarChange = "booked" | "moved" | "cancelled";

/** The calendar entry of an onboarding's call as stored now; null when no call is booked. */
export async function currentCallEntry(
  ctx: AppContext,
  onboardingId: string,
  cancelled = false,
): Promise<(CallEntry & { channelId: string | null }) | null> {
  const o = await ctx.db.prisma.onboarding.findUnique({
    where: { id: onboardingId },
    include: { customer: { select: { name: true } } },
  });
  if (!o?.callAt) return null;
  return {
    onboardingId,
    companyName: o.customer.name,
    callAt: o.callAt,
    timeZone: o.timeZone,
    sequence: o.callSequence,
    cancelled,
    channelId: o.channelId,
  };
}

/** The "Add to Google Calendar" link of the booked call, or null when none is booked. */
export async function callCalendarLink(ctx: AppContext, onboardingId: string): Promise<string | null> {
  const entry = await currentCallEntry(ctx, onboardingId);
  return entry ? googleCalendarLink(entry) : null;
}

const COMMENT: Record<CallCalendarChange, string> = callCalendarText.comment;

/**
 * Uploads the call's .ics file to the onboarding's channel. Returns what the rep should be told (nothing when
 * it worked, or when there is no channel or no call).
 */
export async function shareCallCalendar(
  ctx: AppContext,
  onboardingId: string,
  change: CallCalendarChange,
  options: {
    /** Throw a transient Slack failure (the caller's delivery is retried) instead of warning about it. */
    retryTransient?: boolean;
    /** Also give the "Add to Google Calendar" link (when no other message of this change carries it). */
    googleLink?: boolean;
  } = {},
): Promise<string[]> {
  const entry = await currentCallEntry(ctx, onboardingId, change === "cancelled");
  if (!entry?.channelId) return [];
  const google =
    options.googleLink && !entry.cancelled ? callCalendarText.googleLink(googleCalendarLink(entry)) : "";
  try {
    // Once: a share whose answer was lost is found in the channel by its file id, not shared again.
    await shareFileOnce(ctx, {
      channelId: entry.channelId,
      filename: callCalendarFileName(entry),
      title: callCalendarText.title(entry.companyName, !!entry.cancelled),
      content: buildCallCalendar(entry),
      initialComment: `${COMMENT[change]}${google}`,
    });
    return [];
  } catch (err) {
    if (options.retryTransient && isTransientSlackError(slackErrorCode(err))) throw err;
    ctx.logger.warn({ err, onboardingId, change }, "could not share the call's calendar file");
    return [callCalendarText.notShared(entry.channelId, slackErrorCode(err))];
  }
}
