/**
 * The Slack side of delivering scheduled messages: a dedicated Web API client that never repeats a post
 * on its own, per-channel pacing for concurrent senders (Slack allows about one message per second per
 * channel, plus a workspace-wide cap), finding a message we may already have posted, and the reps' time
 * zones.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type WebAPIRateLimitedError, WebClient } from "@slack/web-api";
import { BoundedCache } from "../bounded-cache.ts";
import type { AppContext } from "../context.ts";
import type { Logger } from "../logger.ts";
import { webClientOptions } from "../slack-gateway/client-options.ts";
import { isValidTimeZone } from "../time.ts";

/**
 * The jobs' Web API client. `retries: 0`: a post that timed out may have landed, so retrying it blindly
 * can post twice — the scheduler looks in the channel first instead. `rejectRateLimitedCalls`: a 429
 * comes back to the scheduler, which waits Retry-After for that channel only, a bounded number of times,
 * instead of the default client pausing every call for every channel.
 */
export function createJobsSlackClient(ctx: Pick<AppContext, "config" | "logger">): WebClient {
  return new WebClient(ctx.config.slack.botToken, {
    ...webClientOptions(ctx.config, ctx.logger),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
}

/** Seconds Slack asked us to wait in a rate-limit error (at least 1). */
export function retryAfterSeconds(err: unknown): number {
  const seconds = Number((err as Partial<WebAPIRateLimitedError>)?.retryAfter);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 1;
}

/** Whose limit a 429 for chat.postMessage was, as {@link ChannelPacer.rateLimited} judges it. */
export type RateLimitScope = "channel" | "workspace";

/**
 * Keeps posts to one channel at least `intervalMs` apart within this process (Slack: ~1 message/s per
 * channel), one post at a time per channel, and holds back one channel — or every channel, when Slack
 * limits the whole workspace — after a 429. Uses real time, not the app clock: it is about request rates,
 * not business time.
 */
export class ChannelPacer {
  private readonly nextAt = new Map<string, number>();
  /** Until when a 429 for a channel counts as that channel's own limit (it was just posted or limited). */
  private readonly activeUntil = new Map<string, number>();
  private readonly turns = new Map<string, Promise<unknown>>();
  /** Until when every channel waits (a workspace-wide 429). */
  private allNextAt = 0;
  constructor(
    private readonly intervalMs = 1_000,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number, signal?: AbortSignal) => Promise<unknown> = (ms, signal) =>
      sleep(ms, undefined, { signal }),
    /** A 429 for a channel posted to (or held for its own 429) within this long is that channel's limit. */
    private readonly recentMs = 3_000,
  ) {}

  /**
   * Runs `task` once the tasks queued before it for `channel` are done; other channels run meanwhile.
   * Concurrent senders post to one channel in order, and the spacing counts from the previous answer.
   */
  inTurn<T>(channel: string, task: () => Promise<T>): Promise<T> {
    const previous = this.turns.get(channel) ?? Promise.resolve();
    const result = previous.then(task);
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    this.turns.set(channel, done);
    void done.then(() => {
      if (this.turns.get(channel) === done) this.turns.delete(channel);
    });
    return result;
  }

  /** Waits until a post to `channel` is allowed: true then, false when `signal` aborted the wait. */
  async ready(channel: string, signal?: AbortSignal): Promise<boolean> {
    // A loop: a workspace-wide pause may begin while we wait for the channel.
    for (;;) {
      if (signal?.aborted) return false;
      const delay = Math.max(this.nextAt.get(channel) ?? 0, this.allNextAt) - this.now();
      if (delay <= 0) return true;
      await this.wait(delay, signal).catch(() => undefined);
    }
  }

  /** Records a post to `channel`. */
  posted(channel: string): void {
    this.activeUntil.set(channel, this.now() + this.recentMs);
    this.hold(channel, this.intervalMs);
  }

  /** Keeps `channel` quiet for `ms` (e.g. Retry-After). */
  hold(channel: string, ms: number): void {
    const now = this.now();
    this.nextAt.set(channel, Math.max(this.nextAt.get(channel) ?? 0, now + ms));
    // Forget channels whose pause is over, so the maps stay small in a long-running process.
    if (this.nextAt.size > 1_000) {
      for (const [key, at] of this.nextAt) if (at <= now) this.nextAt.delete(key);
    }
    if (this.activeUntil.size > 1_000) {
      for (const [key, at] of this.activeUntil) if (at <= now) this.activeUntil.delete(key);
    }
  }

  /**
   * Applies a chat.postMessage 429 for `channel` and says whose limit it was. Slack's answer does not tell
   * the per-channel limit (~1/s) from the workspace cap, so: a channel this process posted to moments ago
   * (or is already holding for its own 429) is held alone; a 429 for a channel we had left alone can only
   * be the workspace cap (or, rarely, another replica posting there), so every channel waits. A wrong
   * guess costs little: a needless workspace pause is as short as Retry-After, and a workspace limit
   * taken for one channel's shows up again on the next channel, which then pauses everything.
   */
  rateLimited(channel: string, ms: number): RateLimitScope {
    const now = this.now();
    this.hold(channel, ms);
    if ((this.activeUntil.get(channel) ?? 0) > now) {
      // Its retry after Retry-After is still about this channel's limit.
      this.activeUntil.set(channel, now + ms + this.recentMs);
      return "channel";
    }
    this.allNextAt = Math.max(this.allNextAt, now + ms);
    return "workspace";
  }
}

/** A message of the channel history, as far as the lookup needs it. */
interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/**
 * Looks for a message of ours in a channel by its metadata (`event_payload.reminder_id`), newest first,
 * among messages since `oldest`. Returns its ts, or null when it was never posted.
 */
export async function findPostedMessage(
  slack: WebClient,
  input: {
    channelId: string;
    eventTypes: readonly string[];
    reminderId: string;
    oldest: Date;
    maxPages?: number;
  },
): Promise<string | null> {
  let cursor: string | undefined;
  for (let page = 0; page < (input.maxPages ?? 5); page++) {
    const res = await slack.conversations.history({
      channel: input.channelId,
      include_all_metadata: true,
      oldest: (Math.floor(input.oldest.getTime() / 1000) - 1).toString(),
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    const found = ((res.messages ?? []) as HistoryMessage[]).find(
      (m) =>
        !!m.metadata?.event_type &&
        input.eventTypes.includes(m.metadata.event_type) &&
        m.metadata.event_payload?.reminder_id === input.reminderId,
    );
    if (found?.ts) return found.ts;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return null;
  }
  return null;
}

/** Reps' time zones from `users.info`, cached; DEFAULT_TIMEZONE when Slack has none or cannot answer. */
export class RepTimeZones {
  private readonly cache = new BoundedCache<string, string>(5_000, 6 * 3_600_000);
  constructor(
    private readonly slack: WebClient,
    private readonly fallback: string,
    private readonly logger: Logger,
    private readonly ttlMs = 6 * 3_600_000,
  ) {}

  /** The IANA zone of a Slack user. */
  async get(userId: string): Promise<string> {
    const hit = this.cache.get(userId);
    if (hit) return hit;
    let zone = this.fallback;
    let ttl = this.ttlMs;
    try {
      const res = await this.slack.users.info({ user: userId });
      const tz = res.user?.tz;
      if (tz && isValidTimeZone(tz)) zone = tz;
    } catch (err) {
      // Try again soon rather than keep a guess for hours.
      ttl = 10 * 60_000;
      this.logger.warn({ err, userId }, "users.info failed; using the default time zone for now");
    }
    this.cache.set(userId, zone, ttl);
    return zone;
  }
}
