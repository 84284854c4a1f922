/**
 * What the scheduler's parts (plan, drain, deliver, prepare) share while it runs: who it is, its clients,
 * its limits and the signal that stop() raises. Built once by {@link startScheduler} in ./index.ts.
 */
import type { WebClient } from "@slack/web-api";
import type { AppContext } from "../../context.ts";
import type { Logger } from "../../logger.ts";
import type { ChannelPacer, RepTimeZones } from "../slack-delivery.ts";
import type { QueueWrites } from "./coalesce.ts";

/** The resolved knobs of a running scheduler (see SchedulerOptions for what each means). */
export interface SchedulerLimits {
  batchSize: number;
  maxBatchesPerTick: number;
  concurrency: number;
  leaseMs: number;
  maxRateLimitRetries: number;
  maxRateLimitWaitSec: number;
  maxAttempts: number;
  planDaily: boolean;
}

/** One running scheduler, as its parts see it. */
export interface SchedulerRuntime {
  ctx: AppContext;
  /** Lease owner id: every claim, renewal and release names it. */
  owner: string;
  /** The jobs' Web API client (no automatic retries, 429s come back). */
  slack: WebClient;
  log: Logger;
  limits: SchedulerLimits;
  pacer: ChannelPacer;
  repZones: RepTimeZones;
  /** The workers' lease renewals and sent records, coalesced into one statement per turn (./coalesce.ts). */
  writes: QueueWrites;
  /**
   * Aborted by stop(): no new work starts, and waits for a channel (pacing, Retry-After) end, so those
   * reminders go back to the queue.
   */
  stopSignal: AbortSignal;
}

/** Whether stop() has been called. */
export function isStopping(rt: SchedulerRuntime): boolean {
  return rt.stopSignal.aborted;
}

/** The app clock's now, plus `ms`. */
export function after(rt: SchedulerRuntime, ms: number): Date {
  return new Date(rt.ctx.clock.now().getTime() + ms);
}
