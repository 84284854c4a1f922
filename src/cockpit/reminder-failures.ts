/**
 * No silent drop: a reminder, nudge or digest that failed for good is told to the rep it concerns (the
 * onboarding's owner; the digest's rep) by direct message, once, and shown in their App Home for a week
 * (./failed-reminders.ts). The message is claimed before it is sent and released if Slack fails, so the alert
 * job (./alerts.ts) retries it. {@link alertFailedReminder} runs the moment the scheduler gives up
 * (src/reminders/scheduler/deliver.ts says so through the app's hooks; {@link subscribeReminderAlerts}).
 */

import { failedReminderAlertText } from "../blocks/reminder-failures.ts";
import type { AppContext } from "../context.ts";
import { claimDelivery, releaseQuietly } from "../db/claims.ts";
import { everyRow } from "../db/paging.ts";
import { noteMetadata, postOnce } from "../slack-gateway/post-once.ts";
import { type FailedRow, include, REP_DIGEST, SHOWN_FOR_MS, toView } from "./failed-reminders.ts";
import { refreshHomeSoon } from "./home.ts";

/** The rep a failed reminder concerns. */
function recipientOf(r: FailedRow): string | null {
  return r.kind === REP_DIGEST ? r.userId : (r.onboarding?.ownerUserId ?? null);
}

/** Tells the rep about one failed reminder (once); true if told now (false: told before, or Slack failed and
 * the alert job tries again). */
async function alertOne(ctx: AppContext, r: FailedRow): Promise<boolean> {
  const rep = recipientOf(r);
  if (!rep) return false;
  const key = `alert:reminder-failed:${r.id}`;
  if (!(await claimDelivery(ctx, key))) return false;
  refreshHomeSoon(ctx, rep);
  try {
    await postOnce(ctx, {
      channel: rep,
      text: failedReminderAlertText(toView(ctx, r)),
      metadata: noteMetadata(key),
      unfurl_links: false,
    });
    ctx.logger.info({ reminderId: r.id, kind: r.kind, rep }, "rep told of a reminder that could not be sent");
    return true;
  } catch (err) {
    await releaseQuietly(ctx, key);
    ctx.logger.warn({ err, reminderId: r.id }, "could not tell the rep of a failed reminder; will retry");
    return false;
  }
}

/** Right after a reminder failed for good (best effort: the alert job retries). */
export async function alertFailedReminder(ctx: AppContext, reminderId: string): Promise<void> {
  try {
    const r = await ctx.db.prisma.reminder.findUnique({ where: { id: reminderId }, include });
    if (r?.status === "failed") await alertOne(ctx, r);
  } catch (err) {
    ctx.logger.warn(
      { err, reminderId },
      "could not alert the rep of a failed reminder now; the alert job will",
    );
  }
}

/** Alerts the rep whenever the scheduler reports a reminder failed for good (subscribed at start-up). */
export function subscribeReminderAlerts(ctx: AppContext): () => void {
  return ctx.hooks.onReminderFailed(({ reminderId }) => alertFailedReminder(ctx, reminderId));
}

/** The alert job's sweep: every failed reminder of the last week whose rep was not told yet. */
export async function alertFailedReminders(ctx: AppContext): Promise<number> {
  const since = new Date(ctx.clock.now().getTime() - SHOWN_FOR_MS);
  const rows = everyRow((after, take) =>
    ctx.db.prisma.reminder.findMany({
      where: { status: "failed", dueAt: { gte: since }, ...(after ? { id: { gt: after } } : {}) },
      include,
      orderBy: { id: "asc" },
      take,
    }),
  );
  let told = 0;
  for await (const r of rows) if (await alertOne(ctx, r)) told++;
  return told;
}
