/**
 * Issue 23, updates by email for customers who work by email: the day-before reminder (same content as in
 * Slack, HTML and text, iMIP REQUEST with the Slack .ics's UID and SEQUENCE, List-Unsubscribe one-click), an
 * unsubscribe that stops nudges (recorded) but not the verification outcome, the verification outcome once per
 * result, and iMIP CANCEL when the call moves (then a new REQUEST) or is cancelled. Mail read back with
 * mailparser (the SMTP stand-in) and calendar parts with ical.js.
 *
 * Issue 22 point 10, no silent drop: the day-before reminder's email, refused by the mail server (the SMTP
 * stand-in answering 451 for a while), is tried again with backoff like the Slack post, and arrives once the
 * server accepts it, without posting the Slack reminder again; refused until two hours before the call, it
 * fails for good and the rep is told by direct message.
 */
import ICAL from "ical.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { callUid } from "../../src/onboarding/calendar.ts";
import { emailReminderCopies, emailVerificationOutcome } from "../../src/onboarding/email-updates.ts";
import { startScheduler } from "../../src/reminders/scheduler/index.ts";
import {
  dmMessages,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  REP,
  startHarness,
} from "../helpers/harness.ts";
import { type ReceivedMail, type SmtpStandIn, startSmtpStandIn } from "../helpers/smtp-stand-in.ts";

vi.setConfig({ testTimeout: 120_000 });

let h: Harness | undefined;
let smtp: SmtpStandIn | undefined;
afterEach(async () => {
  await h?.stop();
  await smtp?.stop();
  h = undefined;
  smtp = undefined;
});

async function command(harness: Harness, text: string) {
  const res = await harness.driver.command({
    text,
    userId: REP.id,
    teamId: HOME_TEAM.id,
    channelId: "C0SALES",
  });
  return (await harness.driver.waitForResponse(res.responseUrl, 15_000)) as { text: string };
}

async function withSmtp(clock?: ManualClock) {
  smtp = await startSmtpStandIn();
  h = await startHarness({
    ...(clock ? { clock } : {}),
    env: { SMTP_URL: smtp.url, EMAIL_FROM: "Fleet onboarding <onboarding@fleet.example>" },
  });
  return { h, smtp };
}

function calendarOf(mail: ReceivedMail) {
  const part = mail.parsed.attachments.find((a) => a.contentType.startsWith("text/calendar"));
  const calendar = new ICAL.Component(ICAL.parse(part?.content.toString("utf8") ?? ""));
  const event = calendar.getFirstSubcomponent("vevent");
  return {
    method: calendar.getFirstPropertyValue("method"),
    uid: event?.getFirstPropertyValue("uid"),
    sequence: Number(event?.getFirstPropertyValue("sequence")),
    start: (event?.getFirstPropertyValue("dtstart") as { toJSDate(): Date } | null)?.toJSDate(),
  };
}

const CALL = "2031-03-04T10:00";

describe("updates by email for customers who work by email", () => {
  it("the day-before reminder arrives by email (HTML + text, iMIP REQUEST, one-click unsubscribe); unsubscribing stops nudges, not the verification outcome", async () => {
    const clock = new ManualClock();
    const { h, smtp } = await withSmtp(clock);
    await command(h, `onboard Acme hr=${HR.email} call=${CALL} tz=America/Chicago via=email`);
    await eventually(() => smtp.mails[0], 10_000, "the invitation email");
    const o = await h.db.prisma.onboarding.findFirstOrThrow();
    const reminder = await h.db.prisma.reminder.findFirstOrThrow({
      where: { onboardingId: o.id, kind: "day_before" },
    });
    const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "email-test" });
    try {
      clock.set(reminder.dueAt);
      expect(await scheduler.tick()).toBe(1);
    } finally {
      await scheduler.stop();
      clock.set(new Date());
    }
    const mail = await eventually(
      () => smtp.mails.find((m) => m.parsed.subject?.startsWith("Reminder")),
      10_000,
      "reminder",
    );
    expect(mail.to).toEqual([HR.email]);
    // The same content as in Slack, in both parts, with no Slack markup left.
    const slackText = h.slack.messages(o.channelId ?? "").find((m) => m.text?.startsWith("Reminder"))?.text;
    expect(mail.parsed.subject).toBe(slackText);
    const text = mail.parsed.text ?? "";
    expect(text).toContain("Have these ready for the call");
    expect(text).toContain("Can't make it?");
    expect(text).not.toMatch(/<@|<!date|:calendar:|\/connect\//);
    expect(String(mail.parsed.html)).toContain("<strong>Have these ready for the call</strong>");
    const calendar = calendarOf(mail);
    expect(calendar).toMatchObject({ method: "REQUEST", uid: callUid(o.id), sequence: o.callSequence });
    // RFC 8058 one-click unsubscribe.
    const unfolded = mail.raw.replace(/\r?\n[ \t]+/g, " ");
    const unsubscribe = /^List-Unsubscribe: <(https?:\/\/[^>]+\/u\/[^>]+)>/m.exec(unfolded)?.[1];
    expect(unsubscribe).toBeDefined();
    expect(mail.raw).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    // A nudge carries the same one-click unsubscribe (RFC 8058 §3.1: both headers).
    await emailReminderCopies(h.app.ctx, {
      onboardingId: o.id,
      reminderId: "r1",
      kind: "nudge",
      subject: "Nudge before unsubscribing",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Nudge*" } }],
    });
    const nudge = await eventually(
      () => smtp.mails.find((m) => m.parsed.subject === "Nudge before unsubscribing"),
      10_000,
      "nudge",
    );
    expect(nudge.raw.replace(/\r?\n[ \t]+/g, " ")).toContain(`List-Unsubscribe: <${unsubscribe}>`);
    expect(nudge.raw).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    // A GET (a scanner) changes nothing; the client's one-click POST stops nudges and is recorded.
    expect((await fetch(unsubscribe ?? "")).status).toBe(200);
    expect((await h.db.prisma.portalLink.findFirstOrThrow()).nudgesStoppedAt).toBeNull();
    const posted = await fetch(unsubscribe ?? "", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(posted.status).toBe(200);
    expect((await h.db.prisma.portalLink.findFirstOrThrow()).nudgesStoppedAt).not.toBeNull();
    expect(await h.db.prisma.auditEvent.count({ where: { action: "email.unsubscribed" } })).toBe(1);
    expect((await fetch(`${unsubscribe}x`, { method: "POST" })).status).toBe(404);

    const count = smtp.mails.length;
    const blocks = [{ type: "section" as const, text: { type: "mrkdwn" as const, text: "*Nudge*" } }];
    await emailReminderCopies(h.app.ctx, {
      onboardingId: o.id,
      reminderId: "r2",
      kind: "nudge",
      subject: "Nudge",
      blocks,
    });
    expect(smtp.mails.length).toBe(count);
    // The verification outcome still goes, once per verification.
    const outcome = {
      onboardingId: o.id,
      verificationId: "v1",
      companyName: "Acme",
      providerName: "Gusto",
      outcome: "missing",
      permissions: [
        { label: "Read employees", fix: "Settings → Permissions → *Employees*", result: "granted" },
        { label: "Read pay statements", fix: "Settings → Permissions → *Payroll*", result: "missing" },
      ],
    };
    await emailVerificationOutcome(h.app.ctx, outcome);
    await emailVerificationOutcome(h.app.ctx, outcome);
    const verdicts = () => smtp.mails.filter((m) => m.parsed.subject?.includes("permissions are missing"));
    await eventually(() => verdicts()[0], 5_000, "verdict");
    expect(verdicts()).toHaveLength(1);
    const verdict = verdicts()[0]?.parsed.text ?? "";
    expect(verdict).toContain("What to fix");
    expect(verdict).toContain("Read pay statements — Settings → Permissions → Payroll");
    expect(verdict).toContain("Already granted");
    expect(verdicts()[0]?.raw).not.toContain("List-Unsubscribe");
  });

  it("a moved call: iMIP CANCEL (same UID, SEQUENCE bumped), then a REQUEST at the new time; closing: a CANCEL", async () => {
    const { h, smtp } = await withSmtp();
    await command(h, `onboard Acme hr=${HR.email} call=${CALL} tz=America/Chicago via=email`);
    await eventually(() => smtp.mails[0], 10_000, "the invitation email");
    const first = await h.db.prisma.onboarding.findFirstOrThrow();
    expect((await command(h, "call Acme 2031-03-05T11:00 tz=America/Chicago")).text).toContain("2031");
    const cancel = await eventually(
      () => smtp.mails.find((m) => m.parsed.subject?.includes("moved")),
      10_000,
      "cancel",
    );
    const request = await eventually(
      () => smtp.mails.find((m) => m.parsed.subject?.includes("call —")),
      10_000,
      "req",
    );
    expect(calendarOf(cancel)).toMatchObject({
      method: "CANCEL",
      uid: callUid(first.id),
      sequence: first.callSequence + 1,
    });
    expect(calendarOf(request)).toMatchObject({
      method: "REQUEST",
      uid: callUid(first.id),
      sequence: first.callSequence + 1,
    });
    expect(calendarOf(request).start?.toISOString()).toBe("2031-03-05T17:00:00.000Z");

    expect((await command(h, "done Acme")).text).toContain("closed");
    const closed = await eventually(
      () => smtp.mails.find((m) => m.parsed.subject?.includes("cancelled")),
      10_000,
      "close",
    );
    expect(calendarOf(closed)).toMatchObject({
      method: "CANCEL",
      uid: callUid(first.id),
      sequence: first.callSequence + 2,
    });
    expect(closed.parsed.text).not.toMatch(/\/p\/[A-Za-z0-9_-]{43}/);
  });
});

/** An email-only customer with a call; the clock stands still until the test moves it. */
async function emailOnlyOnboarding() {
  const clock = new ManualClock();
  const { h, smtp } = await withSmtp(clock);
  await command(h, `onboard Acme hr=${HR.email} call=${CALL} tz=America/Chicago via=email`);
  const o = await h.db.prisma.onboarding.findFirstOrThrow();
  const reminder = await h.db.prisma.reminder.findFirstOrThrow({
    where: { onboardingId: o.id, kind: "day_before" },
  });
  const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "email-retry-test" });
  return {
    h,
    smtp,
    clock,
    o,
    reminder,
    scheduler,
    reminderMails: () => smtp.mails.filter((m) => m.parsed.subject?.startsWith("Reminder")),
    slackReminders: () => h.slack.messages(o.channelId ?? "").filter((m) => m.text?.startsWith("Reminder")),
    retryRow: () => h.db.prisma.reminder.findFirst({ where: { kind: "day_before_email" } }),
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
