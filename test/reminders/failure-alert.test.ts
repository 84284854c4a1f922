/**
 * No silent drop (issue 22, point 10): a reminder whose Slack post keeps failing is retried — the customer's
 * day-before reminder until two hours before the call — and when it finally fails the owning rep is told by
 * direct message (retried by the alert job if that DM fails too) and sees it in the App Home. Sandbox clock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAlerts } from "../../src/cockpit/alerts.ts";
import { publishHome } from "../../src/cockpit/home.ts";
import { ManualClock } from "../../src/context.ts";
import { retryPlan } from "../../src/reminders/rules.ts";
import { startScheduler } from "../../src/reminders/scheduler/index.ts";
import { dms } from "../finch/helpers.ts";
import { type Harness, REP, startHarness } from "../helpers/harness.ts";
import { metadataMessages, seedOnboarding } from "./helpers.ts";

const MINUTE = 60_000;

describe("retry plan", () => {
  const now = new Date("2026-04-01T12:00:00Z");
  it("a day-before reminder retries until two hours before the call, never past it", () => {
    const callAt = new Date(now.getTime() + 2 * 3_600_000 + 10 * MINUTE);
    expect(retryPlan({ kind: "day_before", callAt, attempts: 20, maxAttempts: 8, now })).toEqual({
      giveUp: false,
      notBefore: new Date(now.getTime() + 10 * MINUTE),
    });
    const late = new Date(now.getTime() + 2 * 3_600_000);
    expect(retryPlan({ kind: "day_before", callAt: late, attempts: 1, maxAttempts: 8, now })).toEqual({
      giveUp: true,
    });
  });

  it("nudges and digests give up after their attempts", () => {
    expect(retryPlan({ kind: "nudge", callAt: null, attempts: 8, maxAttempts: 8, now })).toEqual({
      giveUp: true,
    });
    expect(retryPlan({ kind: "rep_digest", callAt: null, attempts: 2, maxAttempts: 8, now })).toEqual({
      giveUp: false,
      notBefore: new Date(now.getTime() + MINUTE),
    });
  });
});

describe("a reminder whose Slack fails for 50 minutes", () => {
  const start = new Date("2026-04-01T12:00:00Z");
  const clock = new ManualClock(start);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(async () => h?.stop());

  it("keeps trying until two hours before the call, then alerts the rep by DM and in the App Home", async () => {
    // The call is in 2 h 50 min: the day-before moment has passed (due now), and the last try is in 50 min.
    const callAt = new Date(start.getTime() + 170 * MINUTE);
    const seeded = await seedOnboarding(h, { callAt, timeZone: "America/New_York", schedule: h.app.ctx });
    const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "failing" });
    // Slack answers every post with an error (the rep's DM too, at first) for the whole 50 minutes.
    h.slack.injectFault({ method: "chat.postMessage", status: 500, times: 10_000 });
    let minutes = 0;
    for (; minutes <= 60; minutes++) {
      await scheduler.tick();
      const row = await h.db.prisma.reminder.findFirstOrThrow({
        where: { onboardingId: seeded.onboardingId },
      });
      if (row.status === "failed") break;
      expect(row.status).toBe("pending");
      clock.advance(MINUTE);
    }
    await scheduler.stop();
    // It gave up at the last try, two hours before the call — not after its eight attempts (~46 min).
    expect(minutes).toBe(50);
    const row = await h.db.prisma.reminder.findFirstOrThrow({ where: { onboardingId: seeded.onboardingId } });
    expect(row.attempts).toBeGreaterThan(8);
    expect(metadataMessages(h.slack, seeded.channelId)).toHaveLength(0);
    // The DM failed too (Slack is still down): the alert job tells the rep once Slack answers.
    expect(dms(h, REP.id).filter((m) => m.text.includes("could not be posted"))).toHaveLength(0);
    h.slack.clearFaults();
    await runAlerts(h.app.ctx);
    await runAlerts(h.app.ctx);
    const told = dms(h, REP.id).filter((m) => m.text.includes("could not be posted"));
    expect(told).toHaveLength(1);
    expect(told[0]?.text).toContain(seeded.company);
    expect(told[0]?.text).toContain("day-before reminder");
    // And the App Home lists it.
    await publishHome(h.app.ctx, REP.id);
    const home = h.slack
      .callsTo("views.publish")
      .filter((c) => c.args.user_id === REP.id)
      .at(-1);
    expect(JSON.stringify(home?.args.view)).toContain("could not be sent");
    expect(JSON.stringify(home?.args.view)).toContain(seeded.company);
  }, 120_000);

  it("a day-before reminder failing within two hours of the call gives up at once and the rep is told by DM", async () => {
    clock.set(new Date("2026-04-02T12:00:00Z"));
    const callAt = new Date(clock.now().getTime() + 90 * MINUTE);
    const seeded = await seedOnboarding(h, { callAt, timeZone: "America/New_York", schedule: h.app.ctx });
    const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "late" });
    // The scheduler only says so through the app's hooks; the cockpit, subscribed at start-up, tells the rep.
    const failures: string[] = [];
    const unsubscribe = h.app.ctx.hooks.onReminderFailed(({ reminderId }) => {
      failures.push(reminderId);
    });
    // Less than two hours before the call: one failed post is the last one, and the rep hears of it.
    h.slack.injectFault({ method: "chat.postMessage", status: 500, times: 1 });
    await scheduler.tick();
    await scheduler.stop();
    const row = await h.db.prisma.reminder.findFirstOrThrow({ where: { onboardingId: seeded.onboardingId } });
    expect(row.status).toBe("failed");
    expect(failures).toEqual([row.id]);
    unsubscribe();
    const told = dms(h, REP.id).filter((m) => m.text.includes(seeded.company));
    expect(told).toHaveLength(1);
  }, 60_000);
});
