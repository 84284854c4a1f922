/**
 * Private alerts to the owning rep (never in the customer channel): Slack Connect invites about to expire
 * unaccepted, customers gone quiet, a call tomorrow with customer steps still open. Each alert is claimed
 * in the database before it is sent (exactly one replica sends it) and released again if Slack fails.
 */
import cron from "node-cron";
import {
  type AlertSubject,
  buildInviteExpiryAlert,
  callRiskAlertText,
  stallAlertText,
} from "../blocks/alerts.ts";
import { progressOf } from "../checklist/state.ts";
import type { AppContext } from "../context.ts";
import { claimDelivery, pruneDeliveries, releaseQuietly } from "../db/claims.ts";
import { everyRow } from "../db/paging.ts";
import { MetadataEventType } from "../slack-gateway/ids.ts";
import { postOnce } from "../slack-gateway/post-once.ts";
import { alertFailedReminders } from "./reminder-failures.ts";

const DAY = 86_400_000;
/** Slack expires unaccepted Slack Connect invitations after 14 days. */
export const INVITE_EXPIRY_DAYS = 14;

const subject = (o: {
  id: string;
  customer: { name: string };
  timeZone: string;
  channelId: string | null;
}): AlertSubject => ({
  id: o.id,
  companyName: o.customer.name,
  timeZone: o.timeZone,
  channelId: o.channelId,
});

/** Runs every check once; returns how many alerts went out. */
export async function runAlerts(ctx: AppContext): Promise<number> {
  await pruneDeliveries(ctx, ctx.clock.now());
  return (
    (await inviteExpiryAlerts(ctx)) +
    (await stallAlerts(ctx)) +
    (await callRiskAlerts(ctx)) +
    // Reminders that failed for good and whose rep could not be told at the time.
    (await alertFailedReminders(ctx))
  );
}

async function sendOnce(ctx: AppContext, key: string, send: () => Promise<void>): Promise<boolean> {
  if (!(await claimDelivery(ctx, key))) return false;
  try {
    await send();
    return true;
  } catch (err) {
    // Release the claim so the next run retries.
    await releaseQuietly(ctx, key);
    ctx.logger.warn({ err, key }, "alert not delivered; will retry");
    return false;
  }
}

/** Invites sent INVITE_ALERT_AFTER_DAYS ago and still not accepted: a one-click re-invite for the rep. */
export async function inviteExpiryAlerts(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const cutoff = new Date(now.getTime() - ctx.config.thresholds.inviteAlertAfterDays * DAY);
  const stale = everyRow((after, take) =>
    ctx.db.prisma.invite.findMany({
      where: {
        status: "sent",
        sentAt: { lte: cutoff },
        alertedAt: null,
        onboarding: { status: "active" },
        ...(after ? { id: { gt: after } } : {}),
      },
      include: { onboarding: { include: { customer: true } } },
      orderBy: { id: "asc" },
      take,
    }),
  );
  let sent = 0;
  for await (const invite of stale) {
    const o = invite.onboarding;
    const expires = new Date((invite.sentAt ?? now).getTime() + INVITE_EXPIRY_DAYS * DAY);
    const ok = await sendOnce(ctx, `alert:invite:${invite.id}:${invite.sentAt?.toISOString()}`, async () => {
      await postOnce(ctx, {
        channel: o.ownerUserId,
        ...buildInviteExpiryAlert(subject(o), {
          email: invite.email,
          sentAt: invite.sentAt ?? now,
          expiresAt: expires,
        }),
        metadata: repAlert(`alert:invite:${invite.id}:${invite.sentAt?.toISOString()}`),
      });
      await ctx.db.prisma.invite.update({ where: { id: invite.id }, data: { alertedAt: now } });
    });
    if (ok) sent++;
  }
  return sent;
}

/** Metadata of an alert: its claim key doubles as the idempotency key a lost answer is looked up by. */
function repAlert(key: string) {
  return { event_type: MetadataEventType.repAlert, event_payload: { idempotency_key: key } };
}

/** No customer activity for STALL_AFTER_DAYS while customer steps are open: once per quiet spell. */
export async function stallAlerts(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const cutoff = new Date(now.getTime() - ctx.config.thresholds.stallAfterDays * DAY);
  // Every page, not only the first: onboardings alerted already (claimed) must not hide the rest.
  const quiet = everyRow((after, take) =>
    ctx.db.prisma.onboarding.findMany({
      where: {
        status: "active",
        customerStepsDoneAt: null,
        OR: [
          { lastCustomerActivityAt: { lte: cutoff } },
          { lastCustomerActivityAt: null, createdAt: { lte: cutoff } },
        ],
        ...(after ? { id: { gt: after } } : {}),
      },
      include: { customer: true },
      orderBy: { id: "asc" },
      take,
    }),
  );
  let sent = 0;
  for await (const o of quiet) {
    const since = o.lastCustomerActivityAt ?? o.createdAt;
    const ok = await sendOnce(ctx, `alert:stall:${o.id}:${since.toISOString()}`, async () => {
      const progress = await progressOf(ctx, o);
      await postOnce(ctx, {
        channel: o.ownerUserId,
        text: stallAlertText(subject(o), since, progress),
        metadata: repAlert(`alert:stall:${o.id}:${since.toISOString()}`),
      });
    });
    if (ok) sent++;
  }
  return sent;
}

/** A call within the next 48 hours with customer steps still open: tell the rep once per call. */
export async function callRiskAlerts(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const soon = everyRow((after, take) =>
    ctx.db.prisma.onboarding.findMany({
      where: {
        status: "active",
        customerStepsDoneAt: null,
        callAt: { gt: now, lte: new Date(now.getTime() + 2 * DAY) },
        ...(after ? { id: { gt: after } } : {}),
      },
      include: { customer: true },
      orderBy: { id: "asc" },
      take,
    }),
  );
  let sent = 0;
  for await (const o of soon) {
    const progress = await progressOf(ctx, o);
    if (progress.customerStepsDone) continue;
    const ok = await sendOnce(ctx, `alert:risk:${o.id}:${o.callAt?.toISOString()}`, async () => {
      await postOnce(ctx, {
        channel: o.ownerUserId,
        text: callRiskAlertText(subject(o), o.callAt ?? now, progress),
        metadata: repAlert(`alert:risk:${o.id}:${o.callAt?.toISOString()}`),
      });
    });
    if (ok) sent++;
  }
  return sent;
}

/** Runs the alert checks every 15 minutes (node-cron, no overlapping runs). */
export function startAlertJob(ctx: AppContext): { stop(): Promise<void> } {
  const task = cron.schedule(
    "*/15 * * * *",
    async () => {
      try {
        await runAlerts(ctx);
      } catch (err) {
        ctx.logger.error({ err }, "alert checks failed");
      }
    },
    { noOverlap: true, name: "cockpit-alerts" },
  );
  return {
    stop: async () => {
      await task.stop();
    },
  };
}
