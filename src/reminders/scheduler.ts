/**
 * The reminder job: every minute (node-cron, no overlapping runs) it plans what is due — day-before
 * reminders, rep digests, nudges — then claims due reminders from the database with a lease and posts
 * them, so any number of replicas can run it and each reminder goes out exactly once:
 *
 * - claim: one UPDATE over a `FOR UPDATE SKIP LOCKED` sub-select (src/reminders/store.ts); a replica
 *   that dies leaves a lease that runs out, and the reminder becomes claimable again;
 * - before each post the lease is renewed and the attempt counted, in one statement, with no
 *   transaction or lock held while Slack answers;
 * - a reminder claimed after an attempt or an expired lease is first looked up in its channel by its
 *   metadata (`conversations.history` with `include_all_metadata`): found means sent, nothing is re-posted;
 * - 429: wait Retry-After for that channel and retry, a bounded number of times; other failures go back to
 *   the queue with backoff (the lookup then prevents a duplicate if the failed post had landed after all);
 * - concurrency: up to `concurrency` reminders are in progress at once, so a fan-out to many channels is not
 *   paced by one post's round trip. Posts to one channel still go one at a time, in claim order, ≥ 1 s
 *   apart (ChannelPacer); a 429 holds back only its channel, unless it looks like the workspace-wide cap
 *   (a channel we had not just posted to), which pauses every channel for Retry-After. Claimed reminders
 *   wait locally for at most one batch, so their leases stay far from running out, and the rest of the
 *   queue stays claimable by other replicas.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { KnownBlock, MessageMetadata } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { schedule as cronSchedule, type ScheduledTask } from "node-cron";
import type { AppContext } from "../context.ts";
import { audit } from "../onboarding/audit.ts";
import { connectUrlFor } from "../onboarding/connect-links.ts";
import { buildNudgeMessage } from "../slack/views/nudge.ts";
import { buildCallReminderMessage } from "../slack/views/reminder.ts";
import { buildRepDigestMessage } from "../slack/views/rep-digest.ts";
import { slackErrorCode } from "../slack-gateway/errors.ts";
import { MetadataEventType } from "../slack-gateway/ids.ts";
import { callPrepFor } from "./call-prep.ts";
import { callReminderFacts, digestCalls, nudgeFacts } from "./facts.ts";
import { DIGEST_GRACE_HOURS, localDayBounds, nextLocalDate, ReminderKind, retryBackoffMs } from "./rules.ts";
import { planNudges, planRepDigests, reconcileCallReminders } from "./schedule.ts";
import {
  ChannelPacer,
  createJobsSlackClient,
  findPostedMessage,
  RepTimeZones,
  retryAfterSeconds,
} from "./slack-delivery.ts";
import {
  beginAttempt,
  type ClaimedReminder,
  claimDueReminders,
  finishUnsent,
  markSent,
  releaseReminder,
} from "./store.ts";

/** Knobs of {@link startScheduler}; the defaults suit production. */
export interface SchedulerOptions {
  /** Lease owner id (default: host, pid and a random suffix). */
  owner?: string;
  /** Web API client for the jobs (default: {@link createJobsSlackClient}). */
  slack?: WebClient;
  /** Run every minute with node-cron (default true); tests call `tick()` themselves. */
  cron?: boolean;
  /** Reminders claimed per batch (default 10): small, so leases of later ones do not run out while waiting. */
  batchSize?: number;
  /** Batches per tick at most (default 50). */
  maxBatchesPerTick?: number;
  /**
   * Reminders in progress at once (default 8). Each holds at most one database connection at a time, so
   * keep it below the pool size (10 by default), which the app's request handlers share.
   */
  concurrency?: number;
  /** Lease length (default 2 min): far longer than one post (timeout 10 s), renewed before each post. */
  leaseMs?: number;
  /** 429s answered for one reminder before it goes back to the queue (default 5). */
  maxRateLimitRetries?: number;
  /** Longest Retry-After waited inside a tick (default 30 s); longer ones go back to the queue. */
  maxRateLimitWaitSec?: number;
  /** Attempts before a reminder is given up as failed (default 8, ~45 min of backoff). */
  maxAttempts?: number;
  /** Minimum time between two posts to one channel (default 1000 ms). */
  perChannelIntervalMs?: number;
  /** Plan digests and nudges (default true; day-before reminders are always reconciled). */
  planDaily?: boolean;
}

/** A running scheduler. */
export interface Scheduler {
  /** Stops the cron job, lets the posts in flight finish and hands the rest back to the queue. */
  stop(): Promise<void>;
  /** One run: plan, then claim and send everything due. Resolves with the number of reminders now sent. */
  tick(): Promise<number>;
}

/** The reminder kinds this scheduler sends (other features may queue kinds of their own). */
const KINDS: readonly string[] = Object.values(ReminderKind);

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

type Outcome = "sent" | "cancelled" | "deferred" | "failed" | "lost";

/** A message ready to post, or why the reminder is not sent now. */
type Prepared =
  | {
      kind: "send";
      channel: string;
      message: {
        text: string;
        blocks: KnownBlock[];
        metadata: MessageMetadata;
      };
      /** Bookkeeping after a successful post (e.g. when the customer was last nudged). */
      afterSent?: (channelId: string, ts: string) => Promise<void>;
    }
  | { kind: "cancel"; reason: string }
  | { kind: "defer"; reason: string; notBefore: Date };

/** Starts the reminder scheduler (cron every minute unless `cron: false`). */
export function startScheduler(ctx: AppContext, options: SchedulerOptions = {}): Scheduler {
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const slack = options.slack ?? createJobsSlackClient(ctx);
  const prisma = ctx.db.prisma;
  const log = ctx.logger.child({ component: "reminders", owner });
  const batchSize = options.batchSize ?? 10;
  const maxBatches = options.maxBatchesPerTick ?? 50;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const leaseMs = options.leaseMs ?? 120_000;
  const maxRateLimitRetries = options.maxRateLimitRetries ?? 5;
  const maxRateLimitWaitSec = options.maxRateLimitWaitSec ?? 30;
  const maxAttempts = options.maxAttempts ?? 8;
  const planDaily = options.planDaily ?? true;
  const pacer = new ChannelPacer(options.perChannelIntervalMs ?? 1_000);
  const repZones = new RepTimeZones(slack, ctx.config.defaultTimeZone, log);
  const after = (ms: number) => new Date(ctx.clock.now().getTime() + ms);

  let stopping = false;
  // Aborts the waits for a channel (pacing, Retry-After) on stop(): those reminders go back to the queue.
  const stopSignal = new AbortController();
  let queue: Promise<unknown> = Promise.resolve();

  async function plan(now: Date): Promise<void> {
    await reconcileCallReminders(ctx, now);
    if (!planDaily) return;
    await planRepDigests(ctx, now, (userId) => repZones.get(userId));
    await planNudges(ctx, now);
  }

  async function runTick(): Promise<number> {
    try {
      await plan(ctx.clock.now());
    } catch (err) {
      // Planning trouble (e.g. a deadlock with another replica's reconcile) must not stop sending.
      log.error({ err }, "planning reminders failed; sending what is already queued");
    }
    return drain();
  }

  /**
   * Claims batches and delivers them with up to `concurrency` reminders in progress. The next batch is
   * claimed only when a worker finds nothing left to start: claimed reminders never wait long (their
   * leases run from the claim), and what this replica has not claimed stays free for the others.
   */
  async function drain(): Promise<number> {
    const claimed: ClaimedReminder[] = [];
    let batches = 0;
    let exhausted = false;
    // The first unexpected error (database trouble): no new work starts, and the tick rejects with it.
    const failures: unknown[] = [];
    let claiming: Promise<void> | null = null;
    let sent = 0;

    async function claimBatch(): Promise<void> {
      batches++;
      const now = ctx.clock.now();
      const batch = await claimDueReminders(prisma, {
        owner,
        now,
        leaseUntil: new Date(now.getTime() + leaseMs),
        limit: batchSize,
        kinds: KINDS,
      });
      if (batch.length === 0) exhausted = true;
      claimed.push(...batch);
    }

    /** The next claimed reminder to work on, claiming a batch when none is left (one claim at a time). */
    async function next(): Promise<ClaimedReminder | undefined> {
      while (!stopping && failures.length === 0) {
        const reminder = claimed.shift();
        if (reminder) return reminder;
        if (exhausted || batches >= maxBatches) return undefined;
        claiming ??= claimBatch()
          .catch((err: unknown) => {
            failures.push(err);
          })
          .finally(() => {
            claiming = null;
          });
        await claiming;
      }
      return undefined;
    }

    async function worker(): Promise<void> {
      for (let r = await next(); r; r = await next()) {
        try {
          if ((await deliverSafely(r)) === "sent") sent++;
        } catch (err) {
          // E.g. the database went away: start nothing new; posts in flight in other workers finish.
          failures.push(err);
        }
      }
    }

    await Promise.all(Array.from({ length: concurrency }, worker));
    // Claimed but not started (stop() or a failure): hand them back at once, so another replica (or our
    // restart) takes them without waiting for the lease to run out.
    for (const rest of claimed.splice(0)) {
      await releaseReminder(prisma, { id: rest.id, owner, notBefore: null }).catch((err: unknown) =>
        log.error({ err, reminderId: rest.id }, "could not hand a reminder back; its lease will run out"),
      );
    }
    if (failures.length > 0) throw failures[0];
    return sent;
  }

  async function deliverSafely(r: ClaimedReminder): Promise<Outcome> {
    try {
      return await deliver(r);
    } catch (err) {
      const code = slackErrorCode(err);
      if (PERMANENT_ERRORS.has(code)) {
        // E.g. the DM of a rep Slack does not know cannot be opened: retrying will not help.
        log.error({ err, reminderId: r.id, kind: r.kind, code }, "reminder cannot be delivered");
        await finishUnsent(prisma, { id: r.id, owner, status: "failed", reason: code });
        return "failed";
      }
      const wait = code === "ratelimited" ? retryAfterSeconds(err) * 1000 : retryBackoffMs(r.attempts + 1);
      log.error({ err, reminderId: r.id, kind: r.kind }, "delivering a reminder failed; retrying later");
      await releaseReminder(prisma, {
        id: r.id,
        owner,
        notBefore: after(wait),
        error: code === "unexpected_error" ? String((err as Error)?.message ?? err).slice(0, 300) : code,
      }).catch((releaseErr: unknown) => log.error({ err: releaseErr }, "could not release a reminder"));
      return "deferred";
    }
  }

  async function deliver(r: ClaimedReminder): Promise<Outcome> {
    // 1. It may have gone out already: a post was begun, or the replica holding it died. Look first.
    if ((r.attempts > 0 || r.leaseExpired) && r.channelId) {
      const ts = await findPostedMessage(slack, {
        channelId: r.channelId,
        eventTypes: OUR_EVENT_TYPES,
        reminderId: r.id,
        // Slack's clock, not the app clock: nothing of this reminder can predate the row (minus skew).
        oldest: new Date(r.createdAt.getTime() - 3_600_000),
      });
      if (ts) {
        await markSent(prisma, {
          id: r.id,
          owner,
          channelId: r.channelId,
          messageTs: ts,
          sentAt: ctx.clock.now(),
        });
        log.info(
          { reminderId: r.id, kind: r.kind, ts },
          "reminder had been posted before a crash; recorded it",
        );
        await audit(ctx, {
          onboardingId: r.onboardingId,
          action: "reminder.recovered",
          detail: { kind: r.kind, reminderId: r.id },
        });
        return "sent";
      }
    }
    // 2. Is it still wanted, and what does it say now?
    const prepared = await prepare(r);
    if (prepared.kind === "cancel") {
      await finishUnsent(prisma, { id: r.id, owner, status: "cancelled", reason: prepared.reason });
      log.info({ reminderId: r.id, kind: r.kind, reason: prepared.reason }, "reminder cancelled");
      return "cancelled";
    }
    if (prepared.kind === "defer") {
      await releaseReminder(prisma, {
        id: r.id,
        owner,
        notBefore: prepared.notBefore,
        error: prepared.reason,
      });
      return "deferred";
    }
    return post(r, prepared);
  }

  function post(r: ClaimedReminder, p: Extract<Prepared, { kind: "send" }>): Promise<Outcome> {
    // One post at a time per channel, in claim order; other channels' reminders go on meanwhile.
    return pacer.inTurn(p.channel, () => postInTurn(r, p));
  }

  async function postInTurn(r: ClaimedReminder, p: Extract<Prepared, { kind: "send" }>): Promise<Outcome> {
    for (let limited = 0; ; limited++) {
      if (!(await pacer.ready(p.channel, stopSignal.signal))) {
        // stop() while waiting for the channel (or a Retry-After): not in flight, so it goes back now.
        await releaseReminder(prisma, { id: r.id, owner, notBefore: null });
        return "deferred";
      }
      // Renew the lease and count the attempt before posting: if we die mid-post, whoever takes over
      // knows to look in this channel first.
      const held = await beginAttempt(prisma, {
        id: r.id,
        owner,
        channelId: p.channel,
        leaseUntil: after(leaseMs),
      });
      if (!held) {
        log.warn({ reminderId: r.id }, "lease lost before posting (another replica took over); not posting");
        return "lost";
      }
      try {
        const res = await slack.chat.postMessage({
          channel: p.channel,
          text: p.message.text,
          blocks: p.message.blocks,
          metadata: p.message.metadata,
          unfurl_links: false,
          unfurl_media: false,
        });
        pacer.posted(p.channel);
        const channelId = res.channel ?? p.channel;
        const ts = res.ts ?? "";
        const recorded = await markSent(prisma, {
          id: r.id,
          owner,
          channelId,
          messageTs: ts,
          sentAt: ctx.clock.now(),
        });
        if (!recorded) log.warn({ reminderId: r.id }, "posted, but the lease had passed to another replica");
        await p.afterSent?.(channelId, ts);
        log.info({ reminderId: r.id, kind: r.kind, channel: channelId }, "reminder sent");
        await audit(ctx, {
          onboardingId: r.onboardingId,
          action: "reminder.sent",
          detail: { kind: r.kind, reminderId: r.id },
        });
        return "sent";
      } catch (err) {
        const code = slackErrorCode(err);
        if (code === "ratelimited") {
          // Slack did not post: waiting and trying again is safe. Bounded, so one busy channel cannot
          // hold a worker (and the reminders queued behind it for this channel) for long.
          const seconds = retryAfterSeconds(err);
          const scope = pacer.rateLimited(p.channel, seconds * 1000);
          log.info(
            { reminderId: r.id, retryAfter: seconds, limited: limited + 1, scope },
            "rate limited by Slack",
          );
          if (limited < maxRateLimitRetries && seconds <= maxRateLimitWaitSec && !stopping) continue;
          await releaseReminder(prisma, { id: r.id, owner, notBefore: after(seconds * 1000), error: code });
          return "deferred";
        }
        const attempts = r.attempts + limited + 1;
        if (PERMANENT_ERRORS.has(code) || attempts >= maxAttempts) {
          await finishUnsent(prisma, { id: r.id, owner, status: "failed", reason: code });
          log.error({ err, reminderId: r.id, kind: r.kind, code, attempts }, "reminder failed for good");
          await audit(ctx, {
            onboardingId: r.onboardingId,
            action: "reminder.failed",
            detail: { kind: r.kind, code },
          });
          return "failed";
        }
        // Unknown outcome (timeout, 5xx) or a passing problem: back to the queue with backoff. The next
        // claim sees attempts > 0 and looks in the channel before posting again.
        log.warn({ err, reminderId: r.id, code, attempts }, "posting a reminder failed; retrying later");
        await releaseReminder(prisma, {
          id: r.id,
          owner,
          notBefore: after(retryBackoffMs(attempts)),
          error: code,
        });
        return "deferred";
      }
    }
  }

  async function prepare(r: ClaimedReminder): Promise<Prepared> {
    const now = ctx.clock.now();
    switch (r.kind) {
      case ReminderKind.dayBefore:
        return prepareDayBefore(r, now);
      case ReminderKind.repDigest:
        return prepareDigest(r, now);
      case ReminderKind.nudge:
        return prepareNudge(r, now);
      default:
        return { kind: "cancel", reason: `unknown reminder kind ${r.kind}` };
    }
  }

  async function prepareDayBefore(r: ClaimedReminder, now: Date): Promise<Prepared> {
    const f = r.onboardingId ? await callReminderFacts(ctx, r.onboardingId) : null;
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
      allStepsDone: f.allStepsDone,
      connectionVerified: f.connectionVerified,
      connectUrl: f.connectionVerified ? null : connectUrlFor(ctx, onboardingId),
      hrAdminUserIds: f.hrAdminUserIds,
      ownerUserId: f.ownerUserId,
      haveReady: callPrepFor(f.providerId, { integrationUserEmail: f.integrationUserEmail }),
    });
    return {
      kind: "send",
      channel: f.channelId,
      message,
      afterSent: (channelId, ts) => rememberMessage(onboardingId, "reminder", channelId, ts),
    };
  }

  async function prepareDigest(r: ClaimedReminder, now: Date): Promise<Prepared> {
    if (!r.userId || !r.localDate) return { kind: "cancel", reason: "digest without rep or day" };
    if (now.getTime() - r.dueAt.getTime() >= DIGEST_GRACE_HOURS * 3_600_000) {
      return { kind: "cancel", reason: "too late in the day for the morning digest" };
    }
    const zone = await repZones.get(r.userId);
    const calls = (await digestCalls(ctx, r.userId, localDayBounds(nextLocalDate(r.localDate), zone))).filter(
      (c) => c.callAt > now,
    );
    if (calls.length === 0) return { kind: "cancel", reason: "no calls tomorrow any more" };
    // Posting to a user id opens the DM; its channel id is needed up front for the crash lookup.
    const channel =
      r.channelId ?? (await slack.conversations.open({ users: r.userId })).channel?.id ?? r.userId;
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

  async function prepareNudge(r: ClaimedReminder, now: Date): Promise<Prepared> {
    if (!r.onboardingId) return { kind: "cancel", reason: "nudge without onboarding" };
    const onboardingId = r.onboardingId;
    const f = await nudgeFacts(ctx, onboardingId, now);
    if (!f.eligible || !f.channelId) return { kind: "cancel", reason: f.reason ?? "no channel" };
    return {
      kind: "send",
      channel: f.channelId,
      message: buildNudgeMessage({
        reminderId: r.id,
        onboardingId,
        companyName: f.companyName,
        date: r.localDate ?? "",
        hrAdminUserIds: f.hrAdminUserIds,
        openCustomerSteps: f.openCustomerSteps,
        callAt: f.callAt && f.callAt > now ? f.callAt : null,
        timeZone: f.timeZone,
      }),
      afterSent: async (channelId, ts) => {
        await prisma.onboarding.update({
          where: { id: onboardingId },
          data: { lastNudgeAt: ctx.clock.now() },
        });
        await rememberMessage(onboardingId, "nudge", channelId, ts);
      },
    };
  }

  async function rememberMessage(onboardingId: string, kind: string, channelId: string, ts: string) {
    if (!ts) return;
    await prisma.slackMessage.upsert({
      where: { channelId_ts: { channelId, ts } },
      create: { onboardingId, kind, channelId, ts },
      update: {},
    });
  }

  const tick = (): Promise<number> => {
    // One run at a time per instance (cron's noOverlap covers cron; this also covers manual calls).
    const run = queue.then(() => (stopping ? 0 : runTick()));
    queue = run.catch(() => undefined);
    return run;
  };

  let task: ScheduledTask | null = null;
  if (options.cron ?? true) {
    task = cronSchedule(
      "* * * * *",
      async () => {
        try {
          const sent = await tick();
          if (sent > 0) log.debug({ sent }, "reminder tick");
        } catch (err) {
          log.error({ err }, "reminder tick failed");
        }
      },
      { noOverlap: true, name: `fleet-reminders-${owner}` },
    );
  }
  log.info({ cron: !!task }, "reminder scheduler started");

  let stopped: Promise<void> | null = null;
  return {
    tick,
    stop: () => {
      stopped ??= (async () => {
        stopping = true;
        stopSignal.abort();
        await task?.destroy();
        // Posts in flight are bounded by the client's timeout; do not hang a shutdown on more.
        await Promise.race([queue, new Promise((resolve) => setTimeout(resolve, 20_000).unref())]);
        log.info("reminder scheduler stopped");
      })();
      return stopped;
    },
  };
}
