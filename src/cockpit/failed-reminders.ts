/** Reading the reminders that failed for good (./reminder-failures.ts alerts them; the App Home lists them). */

import type { FailedReminderView } from "../blocks/reminder-failures.ts";
import type { AppContext } from "../context.ts";

/** The digest's kind (src/reminders/rules.ts; not imported: the scheduler depends on the cockpit, not back). */
export const REP_DIGEST = "rep_digest";

/** Failed reminders are alerted and shown for this long. */
export const SHOWN_FOR_MS = 7 * 86_400_000;

export const include = {
  onboarding: { select: { ownerUserId: true, timeZone: true, customer: { select: { name: true } } } },
};

/** A failed reminder with what the rep is told about it. */
export type FailedRow = {
  id: string;
  kind: string;
  userId: string | null;
  channelId: string | null;
  callAt: Date | null;
  dueAt: Date;
  lastError: string | null;
  onboarding: { ownerUserId: string; timeZone: string; customer: { name: string } } | null;
};

/** The row as the views show it. */
export function toView(ctx: AppContext, r: FailedRow): FailedReminderView {
  return {
    id: r.id,
    kind: r.kind,
    companyName: r.onboarding?.customer.name ?? null,
    channelId: r.channelId,
    callAt: r.callAt,
    dueAt: r.dueAt,
    timeZone: r.onboarding?.timeZone ?? ctx.config.defaultTimeZone,
    reason: r.lastError,
  };
}

/** A rep's failed reminders of the last week, newest first, for the App Home. */
export async function failedRemindersOf(
  ctx: AppContext,
  userId: string,
  limit = 5,
): Promise<FailedReminderView[]> {
  const since = new Date(ctx.clock.now().getTime() - SHOWN_FOR_MS);
  const rows = await ctx.db.prisma.reminder.findMany({
    where: {
      status: "failed",
      dueAt: { gte: since },
      OR: [{ kind: REP_DIGEST, userId }, { onboarding: { ownerUserId: userId } }],
    },
    include,
    orderBy: { dueAt: "desc" },
    take: limit,
  });
  return rows.map((r) => toView(ctx, r));
}
