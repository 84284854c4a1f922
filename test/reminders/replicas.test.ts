/**
 * Several app instances on one PostgreSQL database share the reminder queue: each reminder is claimed by
 * exactly one of them (FOR UPDATE SKIP LOCKED + lease), also while Slack answers 429 for a while.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import type { RunningFleet } from "../../src/fleet.ts";
import { type Scheduler, startScheduler } from "../../src/reminders/scheduler/index.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { allReminderMessages, metadataMessages, seedOnboarding } from "./helpers.ts";

describe("three replicas on one PostgreSQL", () => {
  const clock = new ManualClock(new Date("2026-05-04T12:00:00Z"));
  let h: Harness;
  let instances: RunningFleet[];
  let schedulers: Scheduler[] = [];

  beforeAll(async () => {
    h = await startHarness({ db: "postgres", clock });
    instances = [h.app, await h.startInstance(), await h.startInstance()];
  });
  afterAll(async () => {
    await Promise.all(schedulers.map((s) => s.stop()));
    await h?.stop();
  });

  async function seed(count: number, callAt: Date) {
    const seeded = [];
    for (let i = 0; i < count; i++) {
      seeded.push(await seedOnboarding(h, { callAt, timeZone: "America/New_York", schedule: h.app.ctx }));
    }
    return seeded;
  }

  it("50 due reminders → exactly 50 messages, one per channel", async () => {
    clock.set(new Date("2026-05-04T12:00:00Z"));
    const seeded = await seed(50, new Date("2026-05-05T16:00:00Z")); // reminder due 2026-05-04 14:00Z
    expect(await h.db.prisma.reminder.count({ where: { status: "pending" } })).toBe(50);
    schedulers = instances.map((app, i) =>
      startScheduler(app.ctx, { cron: false, owner: `replica-${i}`, batchSize: 4, planDaily: false }),
    );
    // Slow posts keep all three replicas busy at the same time.
    h.slack.injectFault({ method: "chat.postMessage", delayMs: 15, times: 60 });
    clock.set(new Date("2026-05-04T14:00:00Z"));
    const perReplica = await Promise.all(schedulers.map((s) => s.tick()));
    h.slack.clearFaults();

    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(50);
    expect(
      perReplica.every((n) => n > 0),
      `work shared: ${perReplica.join(", ")}`,
    ).toBe(true);
    for (const s of seeded) expect(metadataMessages(h.slack, s.channelId), s.company).toHaveLength(1);
    expect(allReminderMessages(h.slack)).toHaveLength(50);
    expect(h.slack.callsTo("chat.postMessage").filter((c) => c.args.metadata).length).toBe(50);
    const rows = await h.db.prisma.reminder.groupBy({ by: ["status"], _count: true });
    expect(rows).toEqual([{ status: "sent", _count: 50 }]);
    // Nothing is left for a second round.
    expect(await Promise.all(schedulers.map((s) => s.tick()))).toEqual([0, 0, 0]);
  });

  it("while Slack answers 429 for a while, every reminder still goes out exactly once", async () => {
    clock.set(new Date("2026-05-06T12:00:00Z"));
    const seeded = await seed(12, new Date("2026-05-07T16:00:00Z"));
    const before = h.slack.callsTo("chat.postMessage").length;
    // The next 8 posts, whoever makes them, get "429 Retry-After: 1".
    h.slack.injectFault({ method: "chat.postMessage", retryAfterSeconds: 1, times: 8 });
    clock.set(new Date("2026-05-06T14:00:00Z"));
    const perReplica = await Promise.all(schedulers.map((s) => s.tick()));

    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(12);
    for (const s of seeded) expect(metadataMessages(h.slack, s.channelId), s.company).toHaveLength(1);
    const posts = h.slack.callsTo("chat.postMessage").slice(before);
    expect(posts.filter((c) => c.status === 429)).toHaveLength(8);
    expect(posts.filter((c) => c.ok)).toHaveLength(12);
  });
});
