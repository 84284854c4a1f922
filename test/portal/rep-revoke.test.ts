/**
 * Issue 23, "revoked by the rep": the App Home row of an onboarding with email-only HR admins carries a
 * rep-only "Revoke private page links" (behind a confirm dialog). The rep's press revokes every open link,
 * audited, and tells the rep how many; the customer's link then gets the "revoked" page (410) and changes
 * nothing. Anyone else's press is refused, audited, and leaves the links working.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import {
  dmMessages,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  HR2,
  REP,
  STRANGER,
  startHarness,
} from "../helpers/harness.ts";
import { type SmtpStandIn, startSmtpStandIn } from "../helpers/smtp-stand-in.ts";

vi.setConfig({ testTimeout: 120_000 });

const linkIn = (text: string) => /https?:\/\/\S+\/p\/[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? "";
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("the rep revokes an onboarding's private page links from the App Home", () => {
  let h: Harness;
  let smtp: SmtpStandIn;
  beforeAll(async () => {
    smtp = await startSmtpStandIn();
    h = await startHarness({
      env: {
        SMTP_URL: smtp.url,
        EMAIL_FROM: "Fleet onboarding <onboarding@fleet.example>",
        PORTAL_LIMIT_PER_MINUTE: "10000",
      },
    });
  });
  afterAll(async () => {
    await h?.stop();
    await smtp?.stop();
  });

  async function command(text: string) {
    const res = await h.driver.command({ text, userId: REP.id, teamId: HOME_TEAM.id, channelId: "C0SALES" });
    return (await h.driver.waitForResponse(res.responseUrl, 15_000)) as { text: string };
  }

  async function openHome(userId: string) {
    const before = h.slack.homeView(userId)?.updates ?? -1;
    await h.driver.event(
      { type: "app_home_opened", user: userId, channel: "D0HOME", tab: "home", event_ts: "1.1" },
      { teamId: HOME_TEAM.id },
    );
    return eventually(
      () => {
        const v = h.slack.homeView(userId);
        return v && v.updates !== before ? v : null;
      },
      5_000,
      "home view",
    );
  }

  it("the rep's press revokes both links (410, nothing changes) and says how many; a non-rep's is refused", async () => {
    await command(`onboard Acme hr=${HR.email},${HR2.email} via=email`);
    await eventually(() => smtp.mails.length === 2 || null, 10_000, "two emails");
    const links = smtp.mails.map((m) => linkIn(m.parsed.text ?? ""));
    const o = await h.db.prisma.onboarding.findFirstOrThrow();

    // The button is on the Home row, with a confirm dialog.
    const home = await openHome(REP.id);
    const elements = (home.blocks as Array<{ elements?: Array<Record<string, unknown>> }>).flatMap(
      (b) => b.elements ?? [],
    );
    const button = elements.find((e) => e.action_id === ActionId.homeRevokePortal);
    expect(button, "the revoke button on the Home row").toBeTruthy();
    expect(button?.value).toBe(o.id);
    expect(button?.confirm, "a confirm dialog").toBeTruthy();

    // A stranger's press (another company's user, tampering) is refused and audited; the links still open.
    await h.driver.blockActions({
      user: { id: STRANGER.id, teamId: STRANGER.teamId },
      view: { id: "V0STRANGERHOME", type: "home", blocks: [] },
      actions: [{ action_id: ActionId.homeRevokePortal, type: "button", value: o.id }],
    });
    await eventually(
      () => h.db.prisma.auditEvent.count({ where: { action: `${ActionId.homeRevokePortal}.refused` } }),
      5_000,
      "the stranger's press refused",
    );
    for (const link of links) expect((await fetch(link)).status).toBe(200);
    expect(await h.db.prisma.portalLink.count({ where: { onboardingId: o.id, revokedAt: null } })).toBe(2);

    const page = await fetch(links[0]!).then((r) => r.text());
    const csrf = csrfOf(page);
    const item = /name="item" value="([^"]+)"/.exec(page)?.[1] ?? "";
    expect(csrf && item).toBeTruthy();
    const ticksBefore = await h.db.prisma.tick.count({ where: { onboardingId: o.id } });

    // The rep's press, from the Home.
    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      view: { id: home.id, type: "home", blocks: [] },
      actions: [{ action_id: ActionId.homeRevokePortal, type: "button", value: o.id }],
    });
    await eventually(
      () => dmMessages(h.slack, REP.id).find((m) => m.text?.includes("Revoked 2 private page links")),
      5_000,
      "the rep told how many",
    );
    const audits = await h.db.prisma.auditEvent.findMany({
      where: { onboardingId: o.id, action: "portal.links_revoked" },
    });
    expect(audits.map((a) => a.actorUserId)).toEqual([REP.id]);
    for (const link of links) {
      const res = await fetch(link);
      expect(res.status).toBe(410);
      expect(await res.text()).toContain("This link no longer works");
    }
    const tick = await fetch(`${links[0]}/tick`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, item, done: "1" }).toString(),
    });
    expect(tick.status).toBe(410);
    expect(await h.db.prisma.tick.count({ where: { onboardingId: o.id } })).toBe(ticksBefore);
  });
});
