/**
 * Slack's per-channel rate limit (the stand-in allows 2 posts/s per channel, bursts of 3): the scheduler
 * paces posts per channel, honours 429 + Retry-After, retries a bounded number of times, and never posts
 * a reminder twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { startScheduler } from "../../src/reminders/scheduler/index.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { metadataMessages, seedOnboarding } from "./helpers.ts";

describe("rate limits", () => {
  const clock = new ManualClock(new Date("2026-04-01T12:00:00Z"));
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clock, postMessagePerChannelPerSecond: 2 });
  });
  afterAll(async () => h?.stop());

  /** One onboarding whose channel gets `count` due reminders (as if several were queued for it). */
  async function channelWithReminders(count: number) {
    clock.set(new Date("2026-04-01T12:00:00Z"));
    const callAt = new Date("2026-04-01T20:00:00Z");
    const seeded = await seedOnboarding(h, { callAt, timeZone: "America/New_York", schedule: h.app.ctx });
    await h.db.prisma.reminder.createMany({
      data: Array.from({ length: count - 1 }, (_, i) => ({
        onboardingId: seeded.onboardingId,
        kind: "day_before",
        dedupeKey: `test-extra:${seeded.onboardingId}:${i}`,
        dueAt: new Date("2026-03-31T14:00:00Z"),
        callAt,
      })),
    });
    return seeded;
  }

  /** The reminder posts (with metadata) the stand-in saw for a channel; the seeded checklist is not one. */
  const postsTo = (channelId: string) =>
    h.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === channelId && c.args.metadata);

  it("paces posts to one channel, so Slack never has to say 429", async () => {
    const { channelId } = await channelWithReminders(5);
    const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "paced", perChannelIntervalMs: 500 });
    const started = Date.now();
    expect(await scheduler.tick()).toBe(5);
    await scheduler.stop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(postsTo(channelId).map((c) => c.status)).toEqual([200, 200, 200, 200, 200]);
    expect(metadataMessages(h.slack, channelId)).toHaveLength(5);
  });

  it("without pacing, honours 429 + Retry-After and still posts each reminder once", async () => {
    const { channelId } = await channelWithReminders(6);
    const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "unpaced", perChannelIntervalMs: 0 });
    expect(await scheduler.tick()).toBe(6);
    await scheduler.stop();
    const statuses = postsTo(channelId).map((c) => c.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    const ids = metadataMessages(h.slack, channelId).map((m) => m.metadata?.event_payload.reminder_id);
    expect(new Set(ids).size).toBe(6);
    expect(ids).toHaveLength(6);
  });

  it("gives up after a bounded number of 429s, re-queues, and delivers once Slack lets it", async () => {
    const { channelId, onboardingId } = await channelWithReminders(1);
    const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "bounded", maxRateLimitRetries: 1 });
    h.slack.injectFault({ method: "chat.postMessage", retryAfterSeconds: 1, times: 4 });
    expect(await scheduler.tick()).toBe(0); // 429, wait 1 s, 429: back to the queue for Retry-After
    const row = await h.db.prisma.reminder.findFirstOrThrow({ where: { onboardingId } });
    expect(row).toMatchObject({ status: "pending", lastError: "ratelimited", attempts: 2 });
    expect(await scheduler.tick()).toBe(0); // not before Retry-After has passed (app clock)
    clock.advance(2_000);
    expect(await scheduler.tick()).toBe(0); // two more 429s
    clock.advance(2_000);
    expect(await scheduler.tick()).toBe(1);
    await scheduler.stop();
    expect(postsTo(channelId).map((c) => c.status)).toEqual([429, 429, 429, 429, 200]);
    expect(metadataMessages(h.slack, channelId)).toHaveLength(1);
    // A reminder with attempts behind it is looked up in the channel before it is posted again.
    expect(h.slack.callsTo("conversations.history").some((c) => c.args.channel === channelId)).toBe(true);
  });
});
