/**
 * The email copies of a reminder or nudge, for customers who work by email (issue 22 point 10, no silent
 * drop): sent right after the Slack post; if the mail server refuses any, an email retry is queued (one more
 * reminder row, kind day_before_email or nudge_email) and tried with backoff like the Slack post itself — a
 * day-before reminder until two hours before the call, a nudge `maxAttempts` times — and when it finally
 * fails the rep is told (through the hooks, src/hooks.ts; src/cockpit/reminder-failures.ts listens). Each recipient gets each copy once: the email
 * keys (src/onboarding/email-updates.ts) skip those who already have it.
 */

import { audit } from "../../audit/audit.ts";
import { emailReminderCopies } from "../../onboarding/email-updates.ts";
import {
  EMAIL_RETRY_KIND,
  emailRetryDedupeKey,
  ReminderKind,
  reminderIdOfEmailRetry,
  retryPlan,
} from "../rules.ts";
import { type ClaimedReminder, finishUnsent, markSent, queueEmailRetry, releaseReminder } from "../store.ts";
import { type KnownOnboardings, prepare, type ReadyToSend } from "./prepare.ts";
import { after, type SchedulerRuntime } from "./runtime.ts";

type MailedKind = keyof typeof EMAIL_RETRY_KIND;

/** The kind an email retry sends the copies of; null for any other kind. */
export function mailedKindOfRetry(kind: string): MailedKind | null {
  if (kind === ReminderKind.dayBeforeEmail) return ReminderKind.dayBefore;
  if (kind === ReminderKind.nudgeEmail) return ReminderKind.nudge;
  return null;
}

/** Sends the copies; the problems in words (empty when every recipient has the copy, or email is off). */
async function sendCopies(
  rt: SchedulerRuntime,
  input: { onboardingId: string; reminderId: string; kind: MailedKind; p: ReadyToSend },
): Promise<string[]> {
  try {
    return await emailReminderCopies(rt.ctx, {
      onboardingId: input.onboardingId,
      reminderId: input.reminderId,
      kind: input.kind,
      subject: input.p.message.text,
      blocks: input.p.message.blocks,
    });
  } catch (err) {
    rt.log.error({ err, reminderId: input.reminderId }, "could not email the reminder");
    return [String((err as Error)?.message ?? err).slice(0, 200)];
  }
}

/** After the Slack post of `r`: its email copies, and a retry queued if any was refused. */
export async function emailCopies(rt: SchedulerRuntime, r: ClaimedReminder, p: ReadyToSend): Promise<void> {
  const kind = r.kind === ReminderKind.dayBefore || r.kind === ReminderKind.nudge ? r.kind : null;
  if (!kind || !r.onboardingId) return;
  const problems = await sendCopies(rt, { onboardingId: r.onboardingId, reminderId: r.id, kind, p });
  if (problems.length === 0) return;
  rt.log.warn({ reminderId: r.id, count: problems.length }, "reminder emails failed; retrying later");
  const plan = retryPlan({ ...r, attempts: 1, maxAttempts: rt.limits.maxAttempts, now: rt.ctx.clock.now() });
  await queueEmailRetry(rt.ctx.db, {
    reminder: r,
    kind: EMAIL_RETRY_KIND[kind],
    dedupeKey: emailRetryDedupeKey(r.id),
    // Past the last moment worth trying: one try at once, then the rep is told.
    dueAt: plan.giveUp ? rt.ctx.clock.now() : plan.notBefore,
    error: problems.join("; "),
  });
}

/** Delivers a claimed email retry: today's message, to those who do not have it yet. */
export async function deliverEmailRetry(
  rt: SchedulerRuntime,
  r: ClaimedReminder,
  mailed: MailedKind,
  known?: KnownOnboardings,
): Promise<"sent" | "cancelled" | "deferred" | "failed" | "lost"> {
  const { ctx, owner, log } = rt;
  const reminderId = reminderIdOfEmailRetry(r.dedupeKey);
  // The message as it would be posted now (the call may have moved, boxes been ticked); the nudge's once-a-day
  // rule is the Slack post's, already spent: the copy of a nudge that went out is still owed.
  const prepared = await prepare(rt, { ...r, id: reminderId, kind: mailed }, known, { copyOf: true });
  if (prepared.kind === "defer") {
    await releaseReminder(ctx.db, { id: r.id, owner, notBefore: prepared.notBefore });
    return "deferred";
  }
  if (prepared.kind !== "send" || !r.onboardingId) {
    const reason = prepared.kind === "send" ? "no onboarding" : prepared.reason;
    await finishUnsent(ctx.db, { id: r.id, owner, status: "cancelled", reason });
    log.info({ reminderId: r.id, kind: r.kind, reason }, "reminder email no longer wanted");
    return "cancelled";
  }
  const held = await rt.writes.beginAttempt({
    id: r.id,
    owner,
    channelId: prepared.channel,
    leaseUntil: after(rt, rt.limits.leaseMs),
  });
  if (!held) return "lost";
  const problems = await sendCopies(rt, {
    onboardingId: r.onboardingId,
    reminderId,
    kind: mailed,
    p: prepared,
  });
  if (problems.length === 0) {
    await markSent(ctx.db, {
      id: r.id,
      owner,
      channelId: prepared.channel,
      messageTs: "",
      sentAt: ctx.clock.now(),
    });
    log.info({ reminderId: r.id, kind: r.kind }, "reminder email sent on a retry");
    return "sent";
  }
  const error = problems.join("; ").slice(0, 500);
  const attempts = r.attempts + 2; // the first try came with the Slack post
  const plan = retryPlan({ ...r, attempts, maxAttempts: rt.limits.maxAttempts, now: ctx.clock.now() });
  if (plan.giveUp) {
    await finishUnsent(ctx.db, { id: r.id, owner, status: "failed", reason: error });
    log.error({ reminderId: r.id, kind: r.kind, attempts }, "reminder email failed for good");
    await audit(ctx, {
      onboardingId: r.onboardingId,
      action: "reminder.failed",
      detail: { kind: r.kind, code: "email_refused" },
    });
    await ctx.hooks.reminderFailed({ reminderId: r.id });
    return "failed";
  }
  log.warn({ reminderId: r.id, attempts }, "reminder email failed again; retrying later");
  await releaseReminder(ctx.db, { id: r.id, owner, notBefore: plan.notBefore, error });
  return "deferred";
}
