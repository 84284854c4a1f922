/**
 * Issue 22 point 10, no silent drop, for customers who work by email: the day-before reminder's email, refused
 * by the mail server (the SMTP stand-in answering 451 for a while), is tried again with backoff, like the Slack
 * post, and arrives once the server accepts it — without posting the Slack reminder again; refused until two
 * hours before the call, it fails for good and the rep is told by direct message.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { startScheduler } from "../../src/reminders/scheduler/index.ts";
import { dmMessages, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";
import { type SmtpStandIn, startSmtpStandIn } from "../helpers/smtp-stand-in.ts";

vi.setConfig({ testTimeout: 120_000 });

let h: Harness | undefined;
let smtp: SmtpStandIn | undefined;
afterEach(async () => {
  await h?.stop();
  await smtp?.stop();
  h = undefined;
  smtp = undefined;
});

/** An email-only customer with a call; the clock stands still until the test moves it. */
async function emailOnlyOnboarding() {
  const clock = new ManualClock();
  smtp = await startSmtpStandIn();
  h = await startHarness({
    clock,
    env: { SMTP_URL: smtp.url, EMAIL_FROM: "Fleet onboarding <onboarding@fleet.example>" },
  });
  const res = await h.driver.command({
    text: `onboard Acme hr=${HR.email} call=2031-03-04T10:00 tz=America/Chicago via=email`,
    userId: REP.id,
    teamId: HOME_TEAM.id,
    channelId: "C0SALES",
  });
  await h.driver.waitForResponse(res.responseUrl, 15_000);
  const o = await h.db.prisma.onboarding.findFirstOrThrow();
  const reminder = await h.db.prisma.reminder.findFirstOrThrow({
    where: { onboardingId: o.id, kind: "day_before" },
  });
  const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "email-retry-test" });
  const harness = h;
  return {
    h: harness,
    smtp,
    clock,
    o,
    reminder,
    scheduler,
    reminderMails: () => (smtp?.mails ?? []).filter((m) => m.parsed.subject?.startsWith("Reminder")),
    slackReminders: () =>
      harness.slack.messages(o.channelId ?? "").filter((m) => m.text?.startsWith("Reminder")),
    retryRow: () => harness.db.prisma.reminder.findFirst({ where: { kind: "day_before_email" } }),
  };
}

describe("the day-before reminder's email when the mail server refuses it", () => {
  it("is tried again with backoff and arrives once the server accepts it; Slack is posted once", async () => {
    const t = await emailOnlyOnboarding();
    try {
      t.smtp.refuseNext(3);
      t.clock.set(t.reminder.dueAt);
      expect(await t.scheduler.tick()).toBe(1);
      expect(t.slackReminders()).toHaveLength(1);
      expect(t.smtp.refused).toEqual([HR.email]);
      expect(t.reminderMails()).toHaveLength(0);
      const queued = await t.retryRow();
      expect(queued).toMatchObject({ status: "pending", callAt: t.reminder.callAt });
      expect(queued?.dueAt.getTime()).toBe(t.reminder.dueAt.getTime() + 30_000);
      expect(queued?.lastError).toContain("451");
      // Refused twice more: each time back to the queue, later each time (30 s, 1 min, then 2 min).
      for (const [refusedSoFar, backoff] of [
        [2, 60_000],
        [3, 120_000],
      ] as const) {
        const before = await t.retryRow();
        t.clock.set(before?.leaseUntil ?? before?.dueAt ?? new Date());
        await t.scheduler.tick();
        expect(t.smtp.refused).toHaveLength(refusedSoFar);
        const after = await t.retryRow();
        expect(after).toMatchObject({ status: "pending", attempts: refusedSoFar - 1 });
        expect((after?.leaseUntil?.getTime() ?? 0) - t.clock.now().getTime()).toBe(backoff);
      }
      const row = await t.retryRow();
      // Not before its time.
      await t.scheduler.tick();
      expect(t.reminderMails()).toHaveLength(0);
      t.clock.set(row?.leaseUntil ?? new Date());
      await t.scheduler.tick();
      expect(t.reminderMails()).toHaveLength(1);
      expect(t.reminderMails()[0]?.to).toEqual([HR.email]);
      expect(await t.retryRow()).toMatchObject({ status: "sent" });
      expect(t.slackReminders()).toHaveLength(1);
      // Sent means done: later ticks send nothing more.
      t.clock.set(new Date(t.clock.now().getTime() + 3_600_000));
      await t.scheduler.tick();
      expect(t.reminderMails()).toHaveLength(1);
      expect(dmMessages(t.h.slack, REP.id).filter((m) => m.text?.includes("could not be emailed"))).toEqual(
        [],
      );
    } finally {
      await t.scheduler.stop();
    }
  });

  it("refused until two hours before the call: fails for good and the rep is told", async () => {
    const t = await emailOnlyOnboarding();
    try {
      t.smtp.refuseNext(1_000);
      t.clock.set(t.reminder.dueAt);
      await t.scheduler.tick();
      const callAt = t.reminder.callAt as Date;
      const lastTry = new Date(callAt.getTime() - 2 * 3_600_000);
      // Shortly before the last moment: tried, refused, and brought forward to that moment, not past it.
      t.clock.set(new Date(lastTry.getTime() - 60_000));
      await t.scheduler.tick();
      expect(t.smtp.refused).toHaveLength(2);
      expect((await t.retryRow())?.leaseUntil?.getTime()).toBe(lastTry.getTime());
      expect(dmMessages(t.h.slack, REP.id).filter((m) => m.text?.includes("could not be emailed"))).toEqual(
        [],
      );
      t.clock.set(lastTry);
      await t.scheduler.tick();
      expect(t.smtp.refused).toHaveLength(3);
      expect(await t.retryRow()).toMatchObject({ status: "failed" });
      const told = dmMessages(t.h.slack, REP.id).filter((m) => m.text?.includes("could not be emailed"));
      expect(told).toHaveLength(1);
      expect(told[0]?.text).toContain("The day-before reminder email for *Acme*");
      expect(told[0]?.text).toContain("The mail server said:");
      expect(told[0]?.text).toContain("Please reach out to the customer yourself.");
      expect(
        await t.h.db.prisma.auditEvent.count({
          where: { action: "reminder.failed", onboardingId: t.o.id },
        }),
      ).toBe(1);
      // Given up: nothing more is tried.
      t.clock.set(new Date(lastTry.getTime() + 3_600_000));
      await t.scheduler.tick();
      expect(t.smtp.refused).toHaveLength(3);
      expect(t.reminderMails()).toHaveLength(0);
    } finally {
      await t.scheduler.stop();
    }
  });
});
