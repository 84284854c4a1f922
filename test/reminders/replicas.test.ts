/**
 * Several replicas on one PostgreSQL database share the reminder queue: each reminder is claimed by exactly
 * one of them (FOR UPDATE SKIP LOCKED + lease), also while Slack answers 429 for a while. The replicas are
 * three real app processes (src/main.ts) whose own schedulers run every second (REMINDER_TICK_SECONDS=1,
 * node-cron, so all three tick at the same instants); the test only makes reminders due and watches.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import type { AppProcess } from "../helpers/app-process.ts";
import { eventually, type Harness, startHarness } from "../helpers/harness.ts";
import { allReminderMessages, metadataMessages, seedOnboarding } from "./helpers.ts";

describe("three replica processes on one PostgreSQL", () => {
  let h: Harness;
  let replicas: AppProcess[];

  beforeAll(async () => {
    h = await startHarness({ db: "postgres" });
    replicas = await Promise.all(
      [1, 2, 3].map((n) =>
        h.startProcess({
          label: `replica-${n}`,
          env: { SCHEDULER_ENABLED: "true", REMINDER_TICK_SECONDS: "1" },
        }),
      ),
    );
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  /**
   * Seeds onboardings whose day-before reminder is queued but days away (calls 4 days ahead: no rep digest
   * or nudge is due either); `makeDue()` then makes all of them due in one statement, so the replicas see
   * them at once. (Seeding posts each channel's checklist: inject Slack faults between the two.)
   */
  async function seed(count: number) {
    const callAt = new Date(Date.now() + 4 * 86_400_000);
    const seeded = await Promise.all(
      Array.from({ length: count }, () =>
        seedOnboarding(h, { callAt, timeZone: "America/New_York", schedule: h.app.ctx }),
      ),
    );
    const ids = seeded.map((s) => s.onboardingId);
    const reminders = await h.db.prisma.reminder.findMany({ where: { onboardingId: { in: ids } } });
    expect(reminders.map((r) => r.status)).toEqual(Array(count).fill("pending"));
    const makeDue = () =>
      h.db.prisma.reminder.updateMany({
        where: { id: { in: reminders.map((r) => r.id) } },
        data: { dueAt: new Date(Date.now() - 60_000) },
      });
    return { seeded, reminderIds: new Set(reminders.map((r) => r.id)), makeDue };
  }

  /** How many of `reminderIds` each replica logged as sent. */
  const sentPerReplica = (reminderIds: Set<string>) =>
    replicas.map(
      (p) =>
        p.logLines().filter((l) => l.msg === "reminder sent" && reminderIds.has(String(l.reminderId))).length,
    );

  const reminderPosts = () =>
    h.slack
      .callsTo("chat.postMessage")
      .filter(
        (c) =>
          (c.args.metadata as { event_type?: string } | undefined)?.event_type === MetadataEventType.reminder,
      );

  it("50 due reminders → exactly 50 messages, one per channel, shared by the replicas", async () => {
    const { seeded, reminderIds, makeDue } = await seed(50);
    // Slow posts (≥ 2 s for 50 on one replica) keep every replica busy over several of its ticks.
    h.slack.injectFault({ method: "chat.postMessage", delayMs: 300, times: 60 });
    await makeDue();
    await eventually(
      async () =>
        (await h.db.prisma.reminder.count({ where: { id: { in: [...reminderIds] }, status: "sent" } })) ===
        50,
      45_000,
      "50 reminders sent",
    );
    // A few more ticks of every replica: nothing more may go out.
    await new Promise((r) => setTimeout(r, 2_500));
    h.slack.clearFaults();

    for (const s of seeded) expect(metadataMessages(h.slack, s.channelId), s.company).toHaveLength(1);
    expect(allReminderMessages(h.slack)).toHaveLength(50);
    expect(reminderPosts()).toHaveLength(50);
    const perReplica = sentPerReplica(reminderIds);
    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(50);
    expect(
      perReplica.every((n) => n > 0),
      `work shared: ${perReplica.join(", ")}`,
    ).toBe(true);
    const rows = await h.db.prisma.reminder.groupBy({ by: ["status"], _count: true });
    expect(rows).toEqual([{ status: "sent", _count: 50 }]);
  }, 90_000);

  it("while Slack answers 429 for a while, every reminder still goes out exactly once", async () => {
    const { seeded, reminderIds, makeDue } = await seed(12);
    const before = h.slack.callsTo("chat.postMessage").length;
    // The next 8 posts, whoever makes them, get "429 Retry-After: 1".
    h.slack.injectFault({ method: "chat.postMessage", retryAfterSeconds: 1, times: 8 });
    await makeDue();
    await eventually(
      async () =>
        (await h.db.prisma.reminder.count({ where: { id: { in: [...reminderIds] }, status: "sent" } })) ===
        12,
      45_000,
      "12 reminders sent",
    );
    await new Promise((r) => setTimeout(r, 2_500));

    expect(sentPerReplica(reminderIds).reduce((a, b) => a + b, 0)).toBe(12);
    for (const s of seeded) expect(metadataMessages(h.slack, s.channelId), s.company).toHaveLength(1);
    const posts = h.slack
      .callsTo("chat.postMessage")
      .slice(before)
      .filter(
        (c) =>
          (c.args.metadata as { event_type?: string } | undefined)?.event_type === MetadataEventType.reminder,
      );
    expect(posts.filter((c) => c.status === 429)).toHaveLength(8);
    expect(posts.filter((c) => c.ok)).toHaveLength(12);
  }, 90_000);
});
