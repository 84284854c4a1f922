/**
 * Delivering one claimed reminder, exactly once:
 * - a reminder claimed after an attempt or an expired lease is first looked up in its channel by its
 *   metadata: found means sent, nothing is re-posted;
 * - before each post the lease is renewed and the attempt counted, in one statement, with no transaction
 *   or lock held while Slack answers;
 * - posts to one channel go one at a time, paced (ChannelPacer); a 429 waits Retry-After and retries a
 *   bounded number of times; other failures go back to the queue with backoff, or fail for good — and then
 *   the scheduler says so through the app's hooks (src/hooks.ts), and the cockpit, which subscribes, tells the
 *   rep (src/cockpit/reminder-failures.ts): nothing is dropped silently.
 */

import { audit } from "../../audit/audit.ts";
import { observeReminderSent } from "../../metrics/instruments.ts";
import { slackErrorCode } from "../../slack-gateway/errors.ts";
import { MetadataEventType } from "../../slack-gateway/ids.ts";
import { retryBackoffMs, retryPlan } from "../rules.ts";
import { findPostedMessage, retryAfterSeconds } from "../slack-delivery.ts";
import { type ClaimedReminder, finishUnsent, markSent, releaseReminder } from "../store.ts";
import { deliverEmailRetry, emailCopies, mailedKindOfRetry } from "./deliver-email.ts";
import { type KnownOnboardings, prepare, type ReadyToSend } from "./prepare.ts";
import { after, isStopping, type SchedulerRuntime } from "./runtime.ts";

/** What became of a claimed reminder. */
export type Outcome = "sent" | "cancelled" | "deferred" | "failed" | "lost";

/** Event types of everything the scheduler posts (what the crash lookup searches for). */
const OUR_EVENT_TYPES = [MetadataEventType.reminder, MetadataEventType.nudge, MetadataEventType.repDigest];

/** Slack errors a retry cannot fix for this reminder: it is marked failed and logged. */
const PERMANENT_ERRORS = new Set([
  // The app lacks a scope (reinstall from manifest.yml): retrying forever would not help.
  "missing_scope",
  "not_allowed_token_type",
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "invalid_blocks",
  "invalid_blocks_format",
  "invalid_metadata_format",
  "invalid_metadata_schema",
  "msg_too_long",
  "no_text",
  "user_not_found",
  "user_disabled",
  "cannot_dm_bot",
  "restricted_action",
]);

/**
 * Delivers a reminder; a Slack failure outside the post itself (e.g. opening a DM) marks it failed or
 * hands it back with backoff. Rejects only on unexpected trouble (the database).
 */
export async function deliverSafely(
  rt: SchedulerRuntime,
  r: ClaimedReminder,
  known?: KnownOnboardings,
): Promise<Outcome> {
  const { ctx, owner, log } = rt;
  try {
    return await deliver(rt, r, known);
  } catch (err) {
    const code = slackErrorCode(err);
    if (PERMANENT_ERRORS.has(code)) {
      // E.g. the DM of a rep Slack does not know cannot be opened: retrying will not help.
      log.error({ err, reminderId: r.id, kind: r.kind, code }, "reminder cannot be delivered");
      await finishUnsent(ctx.db, { id: r.id, owner, status: "failed", reason: code });
      await ctx.hooks.reminderFailed({ reminderId: r.id });
      return "failed";
    }
    const wait = code === "ratelimited" ? retryAfterSeconds(err) * 1000 : retryBackoffMs(r.attempts + 1);
    log.error({ err, reminderId: r.id, kind: r.kind }, "delivering a reminder failed; retrying later");
    await releaseReminder(ctx.db, {
      id: r.id,
      owner,
      notBefore: after(rt, wait),
      error: code === "unexpected_error" ? String((err as Error)?.message ?? err).slice(0, 300) : code,
    }).catch((releaseErr: unknown) => log.error({ err: releaseErr }, "could not release a reminder"));
    return "deferred";
  }
}

async function deliver(rt: SchedulerRuntime, r: ClaimedReminder, known?: KnownOnboardings): Promise<Outcome> {
  const { ctx, owner, log } = rt;
  // The email copies of a reminder posted earlier, tried again: no Slack post of their own.
  const mailed = mailedKindOfRetry(r.kind);
  if (mailed) return deliverEmailRetry(rt, r, mailed, known);
  // 1. It may have gone out already: a post was begun, or the replica holding it died. Look first.
  if ((r.attempts > 0 || r.leaseExpired) && r.channelId && (await recordIfPosted(rt, r, r.channelId))) {
    return "sent";
  }
  // 2. Is it still wanted, and what does it say now?
  const prepared = await prepare(rt, r, known);
  if (prepared.kind === "cancel") {
    await finishUnsent(ctx.db, { id: r.id, owner, status: "cancelled", reason: prepared.reason });
    log.info({ reminderId: r.id, kind: r.kind, reason: prepared.reason }, "reminder cancelled");
    return "cancelled";
  }
  if (prepared.kind === "defer") {
    await releaseReminder(ctx.db, {
      id: r.id,
      owner,
      notBefore: prepared.notBefore,
      error: prepared.reason,
    });
    return "deferred";
  }
  // 3. One post at a time per channel, in claim order; other channels' reminders go on meanwhile.
  const outcome = await rt.pacer.inTurn(prepared.channel, () => postInTurn(rt, r, prepared));
  // 4. Those who work by email get the same reminder by email (once each; a refusal is retried, ./deliver-email.ts).
  if (outcome === "sent") await emailCopies(rt, r, prepared);
  return outcome;
}

/** Looks for the reminder's message in its channel; if it is there, records it as sent. */
async function recordIfPosted(rt: SchedulerRuntime, r: ClaimedReminder, channelId: string): Promise<boolean> {
  const { ctx, owner, log } = rt;
  const ts = await findPostedMessage(rt.slack, {
    channelId,
    eventTypes: OUR_EVENT_TYPES,
    reminderId: r.id,
    // Slack's clock, not the app clock: nothing of this reminder can predate the row (minus skew).
    oldest: new Date(r.createdAt.getTime() - 3_600_000),
  });
  if (!ts) return false;
  await markSent(ctx.db, { id: r.id, owner, channelId, messageTs: ts, sentAt: ctx.clock.now() });
  log.info({ reminderId: r.id, kind: r.kind, ts }, "reminder had been posted before a crash; recorded it");
  await audit(ctx, {
    onboardingId: r.onboardingId,
    action: "reminder.recovered",
    detail: { kind: r.kind, reminderId: r.id },
  });
  return true;
}

/** Posts once the channel is ready, retrying 429s a bounded number of times. */
async function postInTurn(rt: SchedulerRuntime, r: ClaimedReminder, p: ReadyToSend): Promise<Outcome> {
  const { ctx, owner, log } = rt;
  for (let limited = 0; ; limited++) {
    if (!(await rt.pacer.ready(p.channel, rt.stopSignal))) {
      // stop() while waiting for the channel (or a Retry-After): not in flight, so it goes back now.
      await releaseReminder(ctx.db, { id: r.id, owner, notBefore: null });
      return "deferred";
    }
    // Renew the lease and count the attempt before posting: if we die mid-post, whoever takes over
    // knows to look in this channel first.
    const held = await rt.writes.beginAttempt({
      id: r.id,
      owner,
      channelId: p.channel,
      leaseUntil: after(rt, rt.limits.leaseMs),
    });
    if (!held) {
      log.warn({ reminderId: r.id }, "lease lost before posting (another replica took over); not posting");
      return "lost";
    }
    try {
      const posted = await rt.slack.chat.postMessage({
        channel: p.channel,
        text: p.message.text,
        blocks: p.message.blocks,
        metadata: p.message.metadata,
        unfurl_links: false,
        unfurl_media: false,
      });
      // Inside the try: trouble recording the post counts as a failed attempt (the next claim looks first).
      return await recordSent(rt, r, p, posted);
    } catch (err) {
      const outcome = await postFailed(rt, r, p, err, limited);
      if (outcome === "retry") continue;
      return outcome;
    }
  }
}

/**
 * After a successful post: marks the reminder sent, records the message as the onboarding's and audits, in
 * one statement (src/reminders/store.ts, `markSentAndRecord`, coalesced with other workers'); should that
 * fail, the same writes one by one.
 */
async function recordSent(
  rt: SchedulerRuntime,
  r: ClaimedReminder,
  p: ReadyToSend,
  res: { channel?: string; ts?: string },
): Promise<Outcome> {
  const { ctx, owner, log } = rt;
  rt.pacer.posted(p.channel);
  const channelId = res.channel ?? p.channel;
  const ts = res.ts ?? "";
  const sent = { id: r.id, owner, channelId, messageTs: ts, sentAt: ctx.clock.now() };
  const auditEntry = { action: "reminder.sent", detail: { kind: r.kind, reminderId: r.id } };
  let recorded: boolean;
  try {
    recorded = await rt.writes.markSentAndRecord({
      ...sent,
      onboardingId: r.onboardingId,
      messageKind: p.record?.messageKind ?? null,
      nudged: p.record?.nudged ?? false,
      audit: auditEntry,
    });
  } catch (err) {
    log.warn({ err, reminderId: r.id }, "recording a sent reminder in one statement failed; step by step");
    recorded = await markSent(ctx.db, sent);
    await recordOneByOne(rt, p, channelId, ts);
    await audit(ctx, { onboardingId: r.onboardingId, ...auditEntry });
  }
  if (!recorded) log.warn({ reminderId: r.id }, "posted, but the lease had passed to another replica");
  else observeReminderSent(r.kind, r.dueAt, sent.sentAt);
  log.info({ reminderId: r.id, kind: r.kind, channel: channelId }, "reminder sent");
  return "sent";
}

/** The bookkeeping of `markSentAndRecord`, one write at a time. */
async function recordOneByOne(rt: SchedulerRuntime, p: ReadyToSend, channelId: string, ts: string) {
  const { prisma } = rt.ctx.db;
  if (!p.record) return;
  const { onboardingId, messageKind, nudged } = p.record;
  if (nudged) {
    await prisma.onboarding.update({
      where: { id: onboardingId },
      data: { lastNudgeAt: rt.ctx.clock.now() },
    });
  }
  if (!ts) return;
  await prisma.slackMessage.upsert({
    where: { channelId_ts: { channelId, ts } },
    create: { onboardingId, kind: messageKind, channelId, ts },
    update: {},
  });
}

/** A post that Slack refused or that got no answer: retry now (a short 429), later, or never. */
async function postFailed(
  rt: SchedulerRuntime,
  r: ClaimedReminder,
  p: ReadyToSend,
  err: unknown,
  limited: number,
): Promise<Outcome | "retry"> {
  const { ctx, owner, log, limits } = rt;
  const code = slackErrorCode(err);
  if (code === "ratelimited") {
    // Slack did not post: waiting and trying again is safe. Bounded, so one busy channel cannot
    // hold a worker (and the reminders queued behind it for this channel) for long.
    const seconds = retryAfterSeconds(err);
    const scope = rt.pacer.rateLimited(p.channel, seconds * 1000);
    log.info({ reminderId: r.id, retryAfter: seconds, limited: limited + 1, scope }, "rate limited by Slack");
    if (limited < limits.maxRateLimitRetries && seconds <= limits.maxRateLimitWaitSec && !isStopping(rt)) {
      return "retry";
    }
    await releaseReminder(ctx.db, {
      id: r.id,
      owner,
      notBefore: after(rt, seconds * 1000),
      error: code,
    });
    return "deferred";
  }
  const attempts = r.attempts + limited + 1;
  const plan = retryPlan({ ...r, attempts, maxAttempts: limits.maxAttempts, now: ctx.clock.now() });
  if (PERMANENT_ERRORS.has(code) || plan.giveUp) {
    await finishUnsent(ctx.db, { id: r.id, owner, status: "failed", reason: code });
    log.error({ err, reminderId: r.id, kind: r.kind, code, attempts }, "reminder failed for good");
    await audit(ctx, {
      onboardingId: r.onboardingId,
      action: "reminder.failed",
      detail: { kind: r.kind, code },
    });
    await ctx.hooks.reminderFailed({ reminderId: r.id });
    return "failed";
  }
  // Unknown outcome (timeout, 5xx) or a passing problem: back to the queue with backoff (a day-before
  // reminder: until two hours before the call). The next claim sees attempts > 0 and looks in the channel
  // before posting again.
  log.warn({ err, reminderId: r.id, code, attempts }, "posting a reminder failed; retrying later");
  await releaseReminder(ctx.db, { id: r.id, owner, notBefore: plan.notBefore, error: code });
  return "deferred";
}
