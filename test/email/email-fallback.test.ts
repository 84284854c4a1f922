/**
 * Issue 23, email: a declined, refused or unanswered Slack Connect invitation — or the rep's `via=email` —
 * sends the HR admin an email (to an SMTP stand-in, read back with mailparser) whose link opens their private
 * page without changing anything; without SMTP_URL the rep is told why no email went out.
 */
import ICAL from "ical.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { inviteExpiryAlerts } from "../../src/cockpit/alerts.ts";
import { ManualClock } from "../../src/context.ts";
import { callUid } from "../../src/onboarding/calendar.ts";
import { sweepUnansweredInvites } from "../../src/onboarding/email-fallback.ts";
import { sweepInviteQueues } from "../../src/onboarding/invite-queue.ts";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import {
  dmMessages,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  HR2,
  REP,
  startHarness,
} from "../helpers/harness.ts";
import { type SmtpStandIn, startSmtpStandIn } from "../helpers/smtp-stand-in.ts";

vi.setConfig({ testTimeout: 120_000 });

const DAY = 86_400_000;
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

async function withSmtp(options: Parameters<typeof startHarness>[0] = {}) {
  smtp = await startSmtpStandIn();
  h = await startHarness({
    ...options,
    env: { SMTP_URL: smtp.url, EMAIL_FROM: "Fleet onboarding <onboarding@fleet.example>", ...options.env },
  });
  return { h, smtp };
}

const linkIn = (text: string) => /https?:\/\/\S+\/p\/[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? "";

/** What a GET must leave as it was. */
async function snapshot(harness: Harness) {
  return {
    ticks: await harness.db.prisma.tick.count(),
    steps: await harness.db.prisma.stepState.count({ where: { done: true } }),
    sessions: await harness.db.prisma.finchConnectSession.count(),
    audit: await harness.db.prisma.auditEvent.count(),
  };
}

async function openHome(harness: Harness, userId: string) {
  const before = harness.slack.homeView(userId)?.updates ?? -1;
  await harness.driver.event(
    { type: "app_home_opened", user: userId, channel: "D0HOME", tab: "home", event_ts: "1.1" },
    { teamId: HOME_TEAM.id },
  );
  return eventually(
    () => {
      const v = harness.slack.homeView(userId);
      return v && v.updates !== before ? v : null;
    },
    5_000,
    "home view",
  );
}

describe("email for customers without Slack", () => {
  it("a declined invitation: an email reaches the SMTP stand-in, and its link opens the page (GET changes nothing)", async () => {
    const { h, smtp } = await withSmtp();
    await command(h, `onboard Acme hr=${HR.email}`);
    const [invite] = h.slack.invites;
    const declined = h.slack.declineSharedInvite(invite?.id ?? "", { userId: HR.id, teamId: HR.teamId });
    expect((await h.driver.event(declined, { teamId: HOME_TEAM.id })).status).toBe(200);

    const mail = await eventually(() => smtp.mails.find((m) => m.to.includes(HR.email)), 15_000, "the email");
    expect(mail.from).toBe("onboarding@fleet.example");
    expect(mail.parsed.subject).toContain("Acme");
    // Both parts, each with the same personal link; nothing else secret (no Finch or Slack tokens).
    const link = linkIn(mail.parsed.text ?? "");
    expect(link).not.toBe("");
    expect(String(mail.parsed.html)).toContain(`href="${link}"`);
    expect(mail.raw).not.toMatch(/xox[bp]-|finch-client|sandbox-secret/);

    const before = await snapshot(h);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Acme");
    expect(await snapshot(h)).toEqual(before);

    // The rep is told who works by email now, and the invite row says so.
    await eventually(
      () => dmMessages(h.slack, REP.id).find((m) => m.text?.includes(`${HR.email} (declined`)),
      10_000,
      "the rep told",
    );
    const row = await h.db.prisma.invite.findFirstOrThrow({ where: { email: HR.email } });
    expect(row.status).toBe("email");
    // A repeated event sends no second email.
    await h.driver.event(declined, { teamId: HOME_TEAM.id });
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails.filter((m) => m.to.includes(HR.email))).toHaveLength(1);
  });

  it("via=email: no Slack Connect invitation, each HR admin gets an email; /fleet status and the App Home say so", async () => {
    const { h, smtp } = await withSmtp();
    const report = await command(h, `onboard Acme hr=${HR.email},${HR2.email} via=email`);
    expect(h.slack.callsTo("conversations.inviteShared")).toHaveLength(0);
    expect(report.text).toContain(`${HR.email} (asked for by you) works by email now`);
    await eventually(() => smtp.mails.length === 2 || null, 10_000, "two emails");
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual([HR2.email, HR.email].sort());
    const links = smtp.mails.map((m) => linkIn(m.parsed.text ?? ""));
    expect(new Set(links).size).toBe(2);
    for (const link of links) expect((await fetch(link)).status).toBe(200);

    const status = await command(h, "status Acme");
    expect(status.text).toContain(`Works by email (private page): ${HR.email}, ${HR2.email}`);
    const home = await openHome(h, REP.id);
    expect(JSON.stringify(home)).toContain("2 by email (private page)");
    // Nothing queued for Slack Connect: the hourly sweep sends nothing either.
    expect(await sweepInviteQueues(h.app.ctx)).toBe(0);
    expect(h.slack.callsTo("conversations.inviteShared")).toHaveLength(0);
  });

  it("the rep's invite alert has a button that emails the private page; a customer's click is refused", async () => {
    const clock = new ManualClock();
    const { h, smtp } = await withSmtp({ clock });
    await command(h, `onboard Acme hr=${HR.email}`);
    const o = await h.db.prisma.onboarding.findFirstOrThrow();
    clock.advance(8 * DAY);
    await inviteExpiryAlerts(h.app.ctx);
    const alert = await eventually(
      () => dmMessages(h.slack, REP.id).find((m) => m.text?.includes("has not accepted the Slack Connect")),
      5_000,
      "the invite alert",
    );
    expect(JSON.stringify(alert.blocks)).toContain(`"action_id":"${ActionId.emailPortal}"`);
    const im = h.slack.allChannels().find((c) => c.isIm && c.members.includes(REP.id));
    const press = (user: { id: string; teamId: string }) =>
      h.driver.blockActions({
        user,
        channelId: im?.id ?? "",
        message: alert,
        actions: [{ action_id: ActionId.emailPortal, value: o.id }],
      });
    await press({ id: REP.id, teamId: HOME_TEAM.id });
    const mail = await eventually(() => smtp.mails[0], 10_000, "the email");
    expect(mail.to).toEqual([HR.email]);
    await eventually(
      () =>
        h.slack
          .ephemerals(im?.id)
          .find((e) => e.text?.includes(`${HR.email} (asked for by you) works by email now`)),
      5_000,
      "the rep's answer",
    );
    // The same button pressed by the customer's HR admin is refused, and sends nothing.
    await press(HR);
    await eventually(
      () => h.db.prisma.auditEvent.count({ where: { action: `${ActionId.emailPortal}.refused` } }),
      5_000,
      "the customer's click refused",
    );
    expect(smtp.mails).toHaveLength(1);
  });

  it("a booked call goes with the email as an iMIP invitation (METHOD:REQUEST) with the Slack .ics's UID and SEQUENCE", async () => {
    const { h, smtp } = await withSmtp();
    await command(h, `onboard Acme hr=${HR.email} call=2031-03-04T10:00 tz=America/Chicago via=email`);
    const mail = await eventually(() => smtp.mails[0], 10_000, "the email");
    const part = mail.parsed.attachments.find((a) => a.contentType.startsWith("text/calendar"));
    expect(part?.contentType).toBe("text/calendar");
    const calendar = new ICAL.Component(ICAL.parse(part?.content.toString("utf8") ?? ""));
    expect(calendar.getFirstPropertyValue("method")).toBe("REQUEST");
    const event = calendar.getFirstSubcomponent("vevent");
    const o = await h.db.prisma.onboarding.findFirstOrThrow();
    expect(event?.getFirstPropertyValue("uid")).toBe(callUid(o.id));
    expect(Number(event?.getFirstPropertyValue("sequence"))).toBe(o.callSequence);
    expect(String(event?.getFirstPropertyValue("attendee")).toLowerCase()).toBe(`mailto:${HR.email}`);
    expect(String(event?.getFirstPropertyValue("organizer")).toLowerCase()).toBe(
      "mailto:onboarding@fleet.example",
    );
    const start = event?.getFirstPropertyValue("dtstart") as { toJSDate(): Date } | null;
    expect(start?.toJSDate().toISOString()).toBe("2031-03-04T16:00:00.000Z");
  });

  it("a refused invitation (not_paid) falls back to email", async () => {
    const { h, smtp } = await withSmtp({ paidPlan: false });
    await command(h, `onboard Acme hr=${HR.email}`);
    expect(h.slack.callsTo("conversations.inviteShared").map((c) => c.error)).toEqual(["not_paid"]);
    const mail = await eventually(() => smtp.mails.find((m) => m.to.includes(HR.email)), 15_000, "the email");
    expect((await fetch(linkIn(mail.parsed.text ?? ""))).status).toBe(200);
  });

  it.each([
    [
      "Slack Connect off for our workspace",
      "not_allowed_for_grid_workspace",
      { slackConnect: "none" as const },
      0,
    ],
    ["restricted_action on the full and then the limited invitation", "restricted_action", {}, 2],
    ["no_external_invite_permission", "no_external_invite_permission", {}, 1],
  ])("a refusal falls back to email: %s", async (_name, code, options, faults) => {
    const { h, smtp } = await withSmtp(options);
    if (faults > 0) h.slack.injectFault({ method: "conversations.inviteShared", error: code, times: faults });
    await command(h, `onboard Acme hr=${HR.email}`);
    const calls = h.slack.callsTo("conversations.inviteShared");
    expect(calls.map((c) => c.error)).toEqual(Array(Math.max(1, faults)).fill(code));
    const mail = await eventually(() => smtp.mails.find((m) => m.to.includes(HR.email)), 15_000, "the email");
    expect((await fetch(linkIn(mail.parsed.text ?? ""))).status).toBe(200);
    expect((await h.db.prisma.invite.findFirstOrThrow({ where: { email: HR.email } })).status).toBe("email");
  });

  it(`an invitation not accepted within INVITE_FALLBACK_AFTER_DAYS gets the page by email, once`, async () => {
    const clock = new ManualClock();
    const { h, smtp } = await withSmtp({ clock, env: { INVITE_FALLBACK_AFTER_DAYS: "3" } });
    await command(h, `onboard Acme hr=${HR.email}`);
    clock.advance(2 * DAY);
    expect(await sweepUnansweredInvites(h.app.ctx)).toBe(0);
    clock.advance(1 * DAY + 60_000);
    expect(await sweepUnansweredInvites(h.app.ctx)).toBe(1);
    expect(await sweepUnansweredInvites(h.app.ctx)).toBe(0);
    expect(smtp.mails.map((m) => m.to)).toEqual([[HR.email]]);
  });

  it("without SMTP_URL the email path is off and the rep is told why when it would have been used", async () => {
    h = await startHarness();
    await command(h, `onboard Acme hr=${HR.email},${HR2.email}`);
    const [invite] = h.slack.invites;
    const declined = h.slack.declineSharedInvite(invite?.id ?? "", { userId: HR.id, teamId: HR.teamId });
    await h.driver.event(declined, { teamId: HOME_TEAM.id });
    const told = await eventually(
      () => dmMessages(h!.slack, REP.id).find((m) => m.text?.includes("SMTP_URL is not set")),
      10_000,
      "the rep told email is off",
    );
    expect(told.text).toContain("Acme");
    // Nothing half-done: no link issued, the invite not marked as working by email.
    const [links] = await h.db.sql.query("select count(*)::int as n from portal_link", []);
    expect(Number(links?.n)).toBe(0);
    expect((await h.db.prisma.invite.findFirstOrThrow({ where: { email: HR.email } })).status).toBe(
      "declined",
    );
  });
});
