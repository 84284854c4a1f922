/**
 * The reminder job: every minute (node-cron, no overlapping runs; REMINDER_TICK_SECONDS makes it more often) it plans what is due — day-before
 * reminders, rep digests, nudges — then claims due reminders from the database with a lease and posts
 * them, so any number of replicas can run it and each reminder goes out exactly once. Its parts:
 *
 * - ./plan.ts — what should be in the queue (src/reminders/schedule.ts writes the rows);
 * - ./drain.ts — claim: one UPDATE over a `FOR UPDATE SKIP LOCKED` sub-select (src/reminders/store.ts);
 *   a replica that dies leaves a lease that runs out, and the reminder becomes claimable again. Up to
 *   `concurrency` reminders are in progress at once, so a fan-out to many channels is not paced by one
 *   post's round trip; claimed reminders wait locally for at most one batch, so their leases stay far
 *   from running out, and the rest of the queue stays claimable by other replicas;
 * - ./deliver.ts — look before re-posting, renew the lease and count the attempt before each post, pace
 *   each channel (ChannelPacer: ≥ 1 s apart, in claim order; a 429 holds back its channel, or every channel
 *   when it looks like the workspace-wide cap), retry 429s a bounded number of times, back off otherwise;
 * - ./prepare.ts — is the reminder still wanted, and what does it say now.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { WebClient } from "@slack/web-api";
import { schedule as cronSchedule, type ScheduledTask } from "node-cron";
import type { AppContext } from "../../context.ts";
import { ChannelPacer, createJobsSlackClient, RepTimeZones } from "../slack-delivery.ts";
import { coalescedQueueWrites } from "./coalesce.ts";
import { drain } from "./drain.ts";
import { planDue } from "./plan.ts";
import { isStopping, type SchedulerLimits, type SchedulerRuntime } from "./runtime.ts";

/** Knobs of {@link startScheduler}; the defaults suit production. */
export interface SchedulerOptions {
  /** Lease owner id (default: host, pid and a random suffix). */
  owner?: string;
  /** Web API client for the jobs (default: {@link createJobsSlackClient}). */
  slack?: WebClient;
  /** Run with node-cron every `config.reminderTickSeconds` (default true); tests call `tick()` themselves. */
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

/** The options with their defaults filled in. */
function limitsOf(options: SchedulerOptions): SchedulerLimits {
  return {
    batchSize: options.batchSize ?? 10,
    maxBatchesPerTick: options.maxBatchesPerTick ?? 50,
    concurrency: Math.max(1, options.concurrency ?? 8),
    leaseMs: options.leaseMs ?? 120_000,
    maxRateLimitRetries: options.maxRateLimitRetries ?? 5,
    maxRateLimitWaitSec: options.maxRateLimitWaitSec ?? 30,
    maxAttempts: options.maxAttempts ?? 8,
    planDaily: options.planDaily ?? true,
  };
}

/** node-cron's expression for "every `seconds` seconds" (60: every minute, at second 0). */
export function cronEvery(seconds: number): string {
  return seconds >= 60 ? "* * * * *" : `*/${Math.max(1, Math.floor(seconds))} * * * * *`;
}

/** One tick: plan, then send what is due. */
async function runTick(rt: SchedulerRuntime): Promise<number> {
  try {
    await planDue(rt, rt.ctx.clock.now());
  } catch (err) {
    // Planning trouble (e.g. a deadlock with another replica's reconcile) must not stop sending.
    rt.log.error({ err }, "planning reminders failed; sending what is already queued");
  }
  return drain(rt);
}

/** Starts the reminder scheduler (cron every minute unless `cron: false`). */
export function startScheduler(ctx: AppContext, options: SchedulerOptions = {}): Scheduler {
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const slack = options.slack ?? createJobsSlackClient(ctx);
  const log = ctx.logger.child({ component: "reminders", owner });
  const stopSignal = new AbortController();
  const rt: SchedulerRuntime = {
    ctx,
    owner,
    slack,
    log,
    limits: limitsOf(options),
    pacer: new ChannelPacer(options.perChannelIntervalMs ?? 1_000),
    repZones: new RepTimeZones(slack, ctx.config.defaultTimeZone, log),
    writes: coalescedQueueWrites(ctx.db),
    stopSignal: stopSignal.signal,
  };

  let queue: Promise<unknown> = Promise.resolve();
  const tick = (): Promise<number> => {
    // One run at a time per instance (cron's noOverlap covers cron; this also covers manual calls).
    const run = queue.then(() => (isStopping(rt) ? 0 : runTick(rt)));
    queue = run.catch(() => undefined);
    return run;
  };

  let task: ScheduledTask | null = null;
  if (options.cron ?? true) {
    task = cronSchedule(
      cronEvery(ctx.config.reminderTickSeconds ?? 60),
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
