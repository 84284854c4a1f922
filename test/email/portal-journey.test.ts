/**
 * Issue 23's done-when journey, in one test: an invitation is declined → an email reaches the SMTP stand-in →
 * its link opens the page (the GET creates no Finch session and changes no tick) → two ticks by POST show in
 * the Slack checklist → Connect from the page → the verification shows on the page and in the Slack thread
 * and by email (and Re-check from the page, within Slack's cooldown) → the day-before reminder arrives by email with an
 * iMIP invitation that ical.js reads back. Mail is read back with mailparser.
 */
import ICAL from "ical.js";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { callUid } from "../../src/onboarding/calendar.ts";
import { startScheduler } from "../../src/reminders/scheduler/index.ts";
import { type Onboarded, tickedItems, verifications } from "../finch/helpers.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";
import { type SmtpStandIn, startSmtpStandIn } from "../helpers/smtp-stand-in.ts";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

let h: Harness | undefined;
let smtp: SmtpStandIn | undefined;
afterAll(async () => {
  await h?.stop();
  await smtp?.stop();
});

/** The page's forms: action → fields. */
function formsOf(html: string): Array<{ action: string; fields: URLSearchParams }> {
  return [...html.matchAll(/<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>(.*?)<\/form>/gs)].map((m) => {
    const fields = new URLSearchParams();
    for (const input of (m[2] ?? "").matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
      fields.set(input[1] ?? "", (input[2] ?? "").replace(/&#38;/g, "&"));
    }
    return { action: (m[1] ?? "").replace(/&#38;/g, "&"), fields };
  });
}

const post = (action: string, fields: URLSearchParams) =>
  fetch(action, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: fields.toString(),
  });

describe("a customer who never joins Slack", () => {
  it("declined → email → page → two ticks in Slack → Connect → verification on page and thread → reminder by email", async () => {
    const clock = new ManualClock();
    smtp = await startSmtpStandIn();
    h = await startHarness({
      clock,
      env: { SMTP_URL: smtp.url, EMAIL_FROM: "Fleet onboarding <onboarding@fleet.example>" },
    });
    const res = await h.driver.command({
      text: `onboard Acme hr=${HR.email} call=2031-03-04T10:00 tz=America/Chicago`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    await h.driver.waitForResponse(res.responseUrl, 15_000);
    const [invite] = h.slack.invites;
    await h.driver.event(
      h.slack.declineSharedInvite(invite?.id ?? "", { userId: HR.id, teamId: HR.teamId }),
      {
        teamId: HOME_TEAM.id,
      },
    );

    // 1. The email, and its link: the GET creates no Finch session and changes no tick.
    const mail = await eventually(() => smtp?.mails.find((m) => m.to.includes(HR.email)), 15_000, "email");
    const link = /https?:\/\/\S+\/p\/[A-Za-z0-9_-]{43}/.exec(mail.parsed.text ?? "")?.[0] ?? "";
    const db = h.db.prisma;
    const counts = async () => ({
      sessions: await db.finchConnectSession.count(),
      done: await db.stepState.count({ where: { done: true } }),
    });
    const before = await counts();
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(await counts()).toEqual(before);

    // 2. Two ticks by POST show in the Slack checklist.
    const o = await db.onboarding.findFirstOrThrow();
    const onboarded: Onboarded = {
      id: o.id,
      company: "Acme",
      channelId: o.channelId ?? "",
      checklistTs: o.checklistTs ?? "",
    };
    const ticks = formsOf(html).filter((f) => f.action.endsWith("/tick") && f.fields.get("done") === "1");
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    for (const form of ticks.slice(0, 2)) expect((await post(form.action, form.fields)).status).toBe(303);
    const keys = ticks.slice(0, 2).map((f) => f.fields.get("item") ?? "");
    await eventually(
      () => keys.every((k) => tickedItems(h as Harness, onboarded).get(k)),
      10_000,
      "ticks in Slack",
    );
    const ticked = await (await fetch(link)).text();
    expect(ticked.match(/Ticked by you on this page/g)?.length).toBe(2);

    // 3. Connect from the page: the POST makes the Finch session; Finch completes it; our callback verifies.
    const connect = formsOf(ticked).find((f) => f.action.endsWith("/connect"));
    const opened = await post(connect?.action ?? "", connect?.fields ?? new URLSearchParams());
    expect(opened.status).toBe(302);
    const sessionId = new URL(opened.headers.get("location") ?? "").searchParams.get("session") ?? "";
    const done = h.finch.completeSession(sessionId, {});
    const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    await fetch(done.redirectUrl ?? "", { redirect: "manual", headers: { cookie } });
    await eventually(() => verifications(h as Harness, onboarded)[0], 20_000, "verification in the thread");
    const verified = await (await fetch(link)).text();
    expect(verified).toContain("Re-check the connection");
    expect(verified).not.toContain("No check yet");
    // …and by email: the verification outcome reaches the HR admin who works by email.
    const outcome = await eventually(
      () => smtp?.mails.find((m) => m.to.includes(HR.email) && m.parsed.subject?.includes(" is connected")),
      10_000,
      "the verification outcome by email",
    );
    expect(outcome.parsed.text).toContain(link);

    // 4. Re-check from the page: within Slack's cooldown it says so; after it, a new report in the thread.
    const recheck = formsOf(verified).find((f) => f.action.endsWith("/recheck"));
    const soon = await post(recheck?.action ?? "", recheck?.fields ?? new URLSearchParams());
    expect(soon.status).toBe(409);
    expect(await soon.text()).toContain("Just checked a moment ago");
    const reports = await db.verification.count();
    await new Promise((r) => setTimeout(r, 10_500));
    expect((await post(recheck?.action ?? "", recheck?.fields ?? new URLSearchParams())).status).toBe(303);
    expect(await db.verification.count()).toBe(reports + 1);
    expect(
      await db.auditEvent.count({ where: { action: "finch.recheck", actorUserId: `email:${HR.email}` } }),
    ).toBe(1);

    // 5. The day-before reminder by email, with the call as an iMIP invitation ical.js reads back.
    const reminder = await db.reminder.findFirstOrThrow({
      where: { onboardingId: o.id, kind: "day_before" },
    });
    const scheduler = startScheduler(h.app.ctx, { cron: false, owner: "journey" });
    try {
      clock.set(reminder.dueAt);
      expect(await scheduler.tick()).toBe(1);
    } finally {
      await scheduler.stop();
      clock.set(new Date());
    }
    const reminderMail = await eventually(
      () =>
        smtp?.mails.find(
          (m) => m.parsed.subject?.startsWith("Reminder") || m.parsed.subject?.startsWith("All set"),
        ),
      10_000,
      "reminder email",
    );
    const part = reminderMail.parsed.attachments.find((a) => a.contentType.startsWith("text/calendar"));
    const calendar = new ICAL.Component(ICAL.parse(part?.content.toString("utf8") ?? ""));
    expect(calendar.getFirstPropertyValue("method")).toBe("REQUEST");
    const event = calendar.getFirstSubcomponent("vevent");
    expect(event?.getFirstPropertyValue("uid")).toBe(callUid(o.id));
    const start = event?.getFirstPropertyValue("dtstart") as { toJSDate(): Date } | undefined;
    expect(start?.toJSDate().toISOString()).toBe("2031-03-04T16:00:00.000Z");
  });
});
