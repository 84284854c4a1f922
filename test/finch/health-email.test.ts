/**
 * Connection health after go-live for a customer who works by email (issue 24 with issue 23's path): an
 * email-only customer's onboarding is verified and closed; the stand-in's connection then needs
 * re-authentication. The daily check emails the HR admin (SMTP stand-in, read with mailparser) once, with the
 * fix and a link to their private page, whose Reconnect button (on the closed onboarding) re-authenticates the
 * same connection; the recovery is emailed too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { runHealthChecks } from "../../src/finch/health-watch.ts";
import {
  dmMessages,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  REP,
  startHarness,
} from "../helpers/harness.ts";
import { type SmtpStandIn, startSmtpStandIn } from "../helpers/smtp-stand-in.ts";
import { connect } from "./helpers.ts";

const DAY = 86_400_000;
const linkIn = (text: string) => /https?:\/\/\S+\/p\/[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? "";
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("connection health after go-live, by email", () => {
  const clock = new ManualClock();
  let h: Harness;
  let smtp: SmtpStandIn;
  let onboardingId = "";
  let connectionId = "";

  const command = async (text: string) => {
    const res = await h.driver.command({ text, userId: REP.id, teamId: HOME_TEAM.id, channelId: "C0SALES" });
    return (await h.driver.waitForResponse(res.responseUrl, 15_000)) as { text: string };
  };
  const healthMails = (subject: string) => smtp.mails.filter((m) => m.parsed.subject?.includes(subject));
  const nextDay = async () => {
    clock.advance(DAY + 60_000);
    return runHealthChecks(h.app.ctx);
  };

  beforeAll(async () => {
    smtp = await startSmtpStandIn();
    h = await startHarness({
      clock,
      env: { SMTP_URL: smtp.url, EMAIL_FROM: "Fleet onboarding <onboarding@fleet.example>" },
    });
    await command(`onboard Globex hr=${HR.email} via=email`);
    const o = await h.db.prisma.onboarding.findFirstOrThrow({ where: { customer: { name: "Globex" } } });
    onboardingId = o.id;
    await connect(h, o);
    const row = await eventually(
      () => h.db.prisma.finchConnection.findFirst({ where: { onboardingId, verifiedAt: { not: null } } }),
      20_000,
      "the verified connection",
    );
    connectionId = row.connectionId;
    await command("done Globex");
    await eventually(
      async () =>
        (await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } })).status === "done",
      10_000,
      "the onboarding closed",
    );
  }, 90_000);
  afterAll(async () => {
    await h?.stop();
    await smtp?.stop();
  });

  it("emails a reauth once, with the fix and the private page whose Reconnect button mends it; the recovery is emailed", async () => {
    expect(await runHealthChecks(h.app.ctx)).toBe(1);
    expect(healthMails("action needed")).toHaveLength(0);

    h.finch.setConnection(connectionId, { status: "reauth" });
    expect(await nextDay()).toBe(1);
    const mail = await eventually(() => healthMails("action needed")[0], 10_000, "the problem email");
    expect(mail.to).toEqual([HR.email]);
    expect(mail.parsed.subject).toContain("Globex");
    const body = mail.parsed.text ?? "";
    expect(body).toContain("Finch can no longer sign in to Justworks");
    expect(body).toContain("Fix: click Reconnect Justworks");
    const link = linkIn(body);
    expect(link).not.toBe("");
    expect(String(mail.parsed.html)).toContain(`href="${link}"`);
    expect(mail.raw).not.toMatch(/xox[bp]-|finch-client|sandbox-secret|access_token/);
    // The rep's alert says who was emailed.
    const dm = await eventually(
      () =>
        dmMessages(h.slack, REP.id).find(
          (m) => m.text.includes(":rotating_light:") && m.text.includes("Globex"),
        ),
      5_000,
      "the rep's alert",
    );
    expect(dm.text).toContain(`Emailed to ${HR.email}`);

    // Still broken the next day: no second email.
    expect(await nextDay()).toBe(1);
    expect(healthMails("action needed")).toHaveLength(1);

    // The private page of the closed onboarding offers Reconnect; its POST opens a reauthentication session.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Action needed: reconnect Justworks");
    const posted = await fetch(`${link}/reconnect`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: csrfOf(html) }).toString(),
    });
    expect(posted.status).toBe(302);
    const location = posted.headers.get("location") ?? "";
    const sessionId = new URL(location).searchParams.get("session") ?? "";
    const done = h.finch.completeSession(sessionId, {});
    const cookie = (posted.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const back = await fetch(done.redirectUrl!, { redirect: "manual", headers: { cookie } });
    expect(back.status).toBe(200);
    expect(await back.text()).toContain("Reconnected");
    expect(done.connectionId).toBe(connectionId);

    const recovered = await eventually(() => healthMails("works again")[0], 10_000, "the recovery email");
    expect(recovered.to).toEqual([HR.email]);
    expect(recovered.parsed.text).toContain("Justworks is healthy again");
    // The page no longer offers Reconnect.
    expect(await (await fetch(link)).text()).not.toContain("Action needed: reconnect");
  });
});
