/**
 * The Slack side of delivering scheduled messages: a dedicated Web API client that never repeats a post
 * on its own, per-channel pacing (Slack allows about one message per second per channel), finding a
 * message we may already have posted, and the reps' time zones.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type WebAPIRateLimitedError, WebClient } from "@slack/web-api";
import type { AppContext } from "../context.ts";
import type { Logger } from "../logger.ts";
import { webClientOptions } from "../slack/app.ts";
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

/**
 * Keeps posts to one channel at least `intervalMs` apart within this process (Slack: ~1 message/s per
 * channel), and holds a channel back after Slack answered 429 for it. Uses real time, not the app clock:
 * it is about request rates, not business time.
 */
export class ChannelPacer {
  private readonly nextAt = new Map<string, number>();
  constructor(
    private readonly intervalMs = 1_000,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
  ) {}

  /** Resolves when a post to `channel` is allowed. */
  async ready(channel: string): Promise<void> {
    const delay = (this.nextAt.get(channel) ?? 0) - this.now();
    if (delay > 0) await this.wait(delay);
  }

  /** Records a post to `channel`. */
  posted(channel: string): void {
    this.hold(channel, this.intervalMs);
  }

  /** Keeps `channel` quiet for `ms` (e.g. Retry-After). */
  hold(channel: string, ms: number): void {
    const now = this.now();
    this.nextAt.set(channel, Math.max(this.nextAt.get(channel) ?? 0, now + ms));
    // Forget channels whose pause is over, so the map stays small in a long-running process.
    if (this.nextAt.size > 1_000) {
      for (const [key, at] of this.nextAt) if (at <= now) this.nextAt.delete(key);
    }
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
  private readonly cache = new Map<string, { zone: string; until: number }>();
  constructor(
    private readonly slack: WebClient,
    private readonly fallback: string,
    private readonly logger: Logger,
    private readonly ttlMs = 6 * 3_600_000,
  ) {}

  /** The IANA zone of a Slack user. */
  async get(userId: string): Promise<string> {
    const hit = this.cache.get(userId);
    if (hit && hit.until > Date.now()) return hit.zone;
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
    this.cache.set(userId, { zone, until: Date.now() + ttl });
    return zone;
  }
}
