/**
 * The scheduler sends reminders for different channels concurrently: a fan-out is not paced by one post's
 * round trip, while posts to one channel stay ≥ 1 s apart, a 429 for one channel holds back only that
 * channel, a workspace-wide 429 pauses every channel, and stop() lets posts in flight finish and hands the
 * rest back. Timings are compared with what serial sending or a stall would take, not with absolute budgets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { startScheduler } from "../../src/reminders/scheduler/index.ts";
import { createJobsSlackClient } from "../../src/reminders/slack-delivery.ts";
import type { RecordedCall } from "../../src/sandbox/slack/index.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { metadataMessages, seedOnboarding } from "./helpers.ts";

describe("concurrent sending", () => {
  const clock = new ManualClock(new Date("2026-03-02T12:00:00Z"));
  let h: Harness;
  // Slack's per-channel limit as the stand-in enforces it: the scheduler's pacing must keep clear of it.
  beforeAll(async () => {
    h = await startHarness({ db: "postgres", clock, postMessagePerChannelPerSecond: 1 });
  });
  afterAll(async () => h?.stop());

  let day = 0;
  /** `count` onboardings, each with its own channel and a day-before reminder due at the returned instant. */
  async function channels(count: number) {
    day++;
    const seedAt = new Date(Date.UTC(2026, 2, 2 + 2 * day, 12));
    clock.set(seedAt);
    const callAt = new Date(seedAt.getTime() + 28 * 3_600_000);
    const seeded = [];
    for (let i = 0; i < count; i++) {
      seeded.push(await seedOnboarding(h, { callAt, timeZone: "Europe/Berlin", schedule: h.app.ctx }));
    }
    const row = await h.db.prisma.reminder.findFirstOrThrow({
      where: { onboardingId: seeded[0]?.onboardingId },
    });
    return { seeded, dueAt: row.dueAt, callAt };
  }

  /** Adds `count` more reminders for one onboarding's channel, due before everything else. */
  async function extraReminders(onboardingId: string, callAt: Date, dueAt: Date, count: number) {
    await h.db.prisma.reminder.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        onboardingId,
        kind: "day_before",
        dedupeKey: `test-extra:${onboardingId}:${i}`,
        dueAt: new Date(dueAt.getTime() - 60_000 * (count - i)),
        callAt,
      })),
    });
  }

  /** Reminder posts (with metadata) made since `from`, in the order Slack answered them. */
  const reminderPosts = (from: number): RecordedCall[] =>
    h.slack
      .callsTo("chat.postMessage")
      .slice(from)
      .filter((c) => c.args.metadata);

  it("posts N reminders for N channels concurrently: far less than N × the post time", async () => {
    const n = 16;
    const delayMs = 500;
    const { seeded, dueAt } = await channels(n);
    const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "fan-out", planDaily: false });
    const before = h.slack.callsTo("chat.postMessage").length;
    h.slack.injectFault({ method: "chat.postMessage", delayMs, times: n });
    clock.set(dueAt);
    const started = Date.now();
    expect(await scheduler.tick()).toBe(n);
    const elapsed = Date.now() - started;
    await scheduler.stop();
    h.slack.clearFaults();

    const posts = reminderPosts(before);
    expect(posts.map((c) => c.status)).toEqual(Array(n).fill(200));
    for (const s of seeded) expect(metadataMessages(h.slack, s.channelId)).toHaveLength(1);
    // Each post spent ≥ delayMs in Slack, so posts answered within delayMs of each other overlapped: one at a
    // time, no two would; 8 at a time, most of a round does.
    const answered = posts.map((c) => c.at).sort((a, b) => a - b);
    const overlapping = Math.max(
      ...answered.map((at) => answered.filter((t) => t >= at && t < at + delayMs).length),
    );
    expect(
      overlapping,
      `answered at +${answered.map((t) => t - started).join(", +")} ms`,
    ).toBeGreaterThanOrEqual(4);
    // One at a time takes n × delayMs (8 s); 8 at a time about 2 × delayMs plus the database work.
    expect(elapsed, `drained ${n} in ${elapsed} ms`).toBeLessThan((n * delayMs) / 2);
  });

  it("renews the leases of reminders started together in one statement, and records their posts in fewer than N", async () => {
    const n = 8;
    const { seeded, dueAt } = await channels(n);
    const statements: string[] = [];
    const { db } = h.app.ctx;
    const sql = {
      ...db.sql,
      query: (text: string, params?: readonly unknown[]) => {
        statements.push(text);
        return db.sql.query(text, params);
      },
    };
    const ctx = { ...h.app.ctx, db: { ...db, sql } };
    const scheduler = startScheduler(ctx, {
      cron: false,
      owner: "coalesced",
      planDaily: false,
      batchSize: n,
    });
    // Posts answered about together, as in a fan-out: their records can share statements.
    h.slack.injectFault({ method: "chat.postMessage", delayMs: 200, times: n });
    clock.set(dueAt);
    expect(await scheduler.tick()).toBe(n);
    await scheduler.stop();
    h.slack.clearFaults();
    for (const s of seeded) expect(metadataMessages(h.slack, s.channelId)).toHaveLength(1);
    const begins = statements.filter((t) => /attempts = (r\.)?attempts \+ 1/.test(t)).length;
    const records = statements.filter((t) => /INSERT INTO audit_event/.test(t)).length;
    // One statement per reminder each before coalescing (8 + 8); all 8 workers begin in the same turn.
    expect(begins, statements.join("\n---\n")).toBe(1);
    expect(records).toBeGreaterThanOrEqual(1);
    expect(records).toBeLessThan(n);
  });

  it("keeps two reminders for the same channel ≥ 1 s apart while other channels go ahead", async () => {
    const { seeded, dueAt, callAt } = await channels(6);
    const busy = seeded[0];
    if (!busy) throw new Error("no channel");
    await extraReminders(busy.onboardingId, callAt, dueAt, 1);
    const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "same-channel", planDaily: false });
    const before = h.slack.callsTo("chat.postMessage").length;
    clock.set(dueAt);
    expect(await scheduler.tick()).toBe(7);
    await scheduler.stop();

    const posts = reminderPosts(before);
    const toBusy = posts.filter((c) => c.args.channel === busy.channelId);
    expect(toBusy.map((c) => c.status)).toEqual([200, 200]);
    const [first, second] = toBusy;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1_000);
    // The other channels did not queue behind the busy channel's second post.
    const others = posts.filter((c) => c.args.channel !== busy.channelId);
    expect(others).toHaveLength(5);
    for (const c of others) expect(c.at).toBeLessThan(second?.at ?? 0);
    expect(metadataMessages(h.slack, busy.channelId)).toHaveLength(2);
  });

  it("a 429 for one channel holds back only that channel", async () => {
    const { seeded, dueAt, callAt } = await channels(12);
    const limited = seeded[0];
    if (!limited) throw new Error("no channel");
    // Both of its reminders are due (and claimed) before the other channels' ones.
    await extraReminders(limited.onboardingId, callAt, new Date(dueAt.getTime() - 60_000), 1);
    await h.db.prisma.reminder.updateMany({
      where: { onboardingId: limited.onboardingId, dedupeKey: { not: { startsWith: "test-extra" } } },
      data: { dueAt: new Date(dueAt.getTime() - 60_000) },
    });
    // Slack answers the second post to `limited` (posted to a moment ago: its own limit) with 429 and
    // Retry-After 3 s; the stand-in's token bucket would make that wait anything from 1 to 4 s.
    const slack = createJobsSlackClient(h.app.ctx);
    const postMessage = slack.chat.postMessage.bind(slack.chat);
    let limitedAt = Number.NaN;
    slack.chat.postMessage = (async (args) => {
      if (args.channel === limited.channelId && metadataMessages(h.slack, limited.channelId).length === 1) {
        if (Number.isNaN(limitedAt)) {
          limitedAt = Date.now();
          throw Object.assign(new Error("rate limited"), {
            code: "slack_webapi_rate_limited_error",
            retryAfter: 3,
          });
        }
      }
      return postMessage(args);
    }) as typeof slack.chat.postMessage;
    // Two workers: one waits out the 429 (the limited channel's reminders are due first), one is left.
    const scheduler = startScheduler(h.app.ctx, {
      cron: false,
      owner: "channel-429",
      planDaily: false,
      slack,
      concurrency: 2,
      perChannelIntervalMs: 0,
    });
    const before = h.slack.callsTo("chat.postMessage").length;
    clock.set(dueAt);
    expect(await scheduler.tick()).toBe(13);
    await scheduler.stop();

    const posts = reminderPosts(before);
    const toLimited = posts.filter((c) => c.args.channel === limited.channelId);
    expect(toLimited.map((c) => c.status)).toEqual([200, 200]);
    const retriedAt = toLimited[1]?.at ?? Number.NaN;
    expect(retriedAt - limitedAt).toBeGreaterThanOrEqual(3_000);
    const others = posts.filter((c) => c.args.channel !== limited.channelId);
    expect(others.map((c) => c.status)).toEqual(Array(11).fill(200));
    // The other worker kept posting to other channels while the limited one waited; had the 429 stalled
    // everything, at most the one post in flight could have landed in that time.
    const duringHold = others.filter((c) => c.at > limitedAt && c.at < retriedAt);
    expect(duringHold.length).toBeGreaterThanOrEqual(3);
    expect(metadataMessages(h.slack, limited.channelId)).toHaveLength(2);
  });

  it("a 429 for a channel we had left alone is the workspace cap: every channel waits Retry-After", async () => {
    const n = 10;
    const concurrency = 4;
    const { seeded, dueAt } = await channels(n);
    const scheduler = startScheduler(h.app.ctx, {
      cron: false,
      owner: "workspace-429",
      planDaily: false,
      concurrency,
    });
    const before = h.slack.callsTo("chat.postMessage").length;
    h.slack.injectFault({ method: "chat.postMessage", retryAfterSeconds: 1, times: 1 });
    clock.set(dueAt);
    expect(await scheduler.tick()).toBe(n);
    await scheduler.stop();

    const posts = reminderPosts(before);
    const limitedAt = posts.find((c) => c.status === 429)?.at ?? Number.NaN;
    const ok = posts.filter((c) => c.status === 200);
    expect(ok).toHaveLength(n);
    // Only posts already in flight when Slack said 429 landed during the pause; everything else waited.
    const duringPause = ok.filter((c) => c.at < limitedAt + 1_000);
    expect(duringPause.length).toBeLessThanOrEqual(concurrency - 1);
    for (const s of seeded) expect(metadataMessages(h.slack, s.channelId)).toHaveLength(1);
  });

  it("stop() lets the posts in flight finish and hands the claimed rest back at once", async () => {
    const n = 10;
    const { seeded, dueAt } = await channels(n);
    const scheduler = startScheduler(h.app.ctx, {
      cron: false,
      owner: "stopping",
      planDaily: false,
      concurrency: 2,
    });
    h.slack.injectFault({ method: "chat.postMessage", delayMs: 300, times: n });
    clock.set(dueAt);
    const inFlight = new Promise<void>((resolve) => {
      const onCall = () => {
        h.slack.events.off("call", onCall);
        resolve();
      };
      h.slack.events.on("call", onCall);
    });
    const tick = scheduler.tick();
    await inFlight; // the first two posts have been sent (and the next ones prepared)
    await scheduler.stop();
    const sent = await tick;
    h.slack.clearFaults();

    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThan(n);
    const rows = await h.db.prisma.reminder.findMany({
      where: { onboardingId: { in: seeded.map((s) => s.onboardingId) } },
    });
    expect(rows.filter((r) => r.status === "sent")).toHaveLength(sent);
    // Nothing is left leased to a stopped scheduler: the rest is claimable by anyone right away.
    const rest = rows.filter((r) => r.status !== "sent");
    expect(rest).toHaveLength(n - sent);
    for (const r of rest) expect(r).toMatchObject({ status: "pending", leasedBy: null, leaseUntil: null });
    const posted = seeded.filter((s) => metadataMessages(h.slack, s.channelId).length > 0);
    expect(posted).toHaveLength(sent);

    // Another scheduler sends the rest, each once.
    const next = startScheduler(h.app.ctx, { cron: false, owner: "after-stop", planDaily: false });
    expect(await next.tick()).toBe(n - sent);
    await next.stop();
    for (const s of seeded) expect(metadataMessages(h.slack, s.channelId)).toHaveLength(1);
  });
});
