/**
 * Nothing quietly forgotten (issue #12, point 4): a verified connection is re-checked on a slow schedule, so a
 * lost `reauth` webhook is still noticed; a closed onboarding ignores Finch callbacks and webhooks and posts
 * nothing; stall and call-risk alerts reach every onboarding, not only the first page.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callRiskAlerts, stallAlerts } from "../../src/cockpit/alerts.ts";
import { ManualClock } from "../../src/context.ts";
import { startFinchPolling } from "../../src/finch/polling.ts";
import { connectUrlFor } from "../../src/onboarding/connect-links.ts";
import { buildAccountUpdatedEvent, signFinchWebhook } from "../../src/sandbox/finch/index.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { connect, onboard, openLink } from "../finch/helpers.ts";
import { insertOnboarding } from "../helpers/fixtures.ts";
import { eventually, type Harness, HOME_TEAM, REP, startHarness } from "../helpers/harness.ts";

const DAY = 86_400_000;

describe("nothing quietly forgotten", () => {
  let h: Harness;
  const clock = new ManualClock(new Date("2030-05-06T14:00:00Z"));
  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(async () => h?.stop());

  const verifiedConnection = (onboardingId: string) =>
    eventually(
      () => h.db.prisma.finchConnection.findFirst({ where: { onboardingId, verifiedAt: { not: null } } }),
      10_000,
      "verified connection",
    );
  const reconnectLinks = (channelId: string) =>
    h.slack
      .messages(channelId)
      .filter(
        (m) =>
          m.metadata?.event_type === MetadataEventType.connectLink &&
          (m.metadata.event_payload as { kind?: string }).kind === "reconnect",
      );

  it("a verified connection whose reauth webhook was lost is noticed by the slow re-check", async () => {
    const o = await onboard(h, "Lostwebhook Co");
    const { connectionId } = await connect(h, o);
    await verifiedConnection(o.id);
    await h.app.inFlight.drain(5_000);
    // Finch loses access; its webhook never arrives.
    h.finch.setConnection(connectionId, { status: "reauth" });
    const poller = startFinchPolling(h.app.ctx, { intervalMs: 3_600_000 });
    try {
      clock.advance(2 * 3_600_000);
      await poller.runOnce();
      expect(reconnectLinks(o.channelId)).toHaveLength(0); // not due within the day
      clock.advance(DAY);
      await poller.runOnce();
      await eventually(() => reconnectLinks(o.channelId).length === 1, 5_000, "reconnect link");
      const row = await h.db.prisma.finchConnection.findFirstOrThrow({ where: { onboardingId: o.id } });
      expect(row).toMatchObject({ status: "reauth", verifiedAt: null });
    } finally {
      await poller.stop();
    }
  });

  it("a closed onboarding ignores Finch's callback and webhooks and posts nothing", async () => {
    const o = await onboard(h, "Closed Co");
    const { connectionId } = await connect(h, o);
    await verifiedConnection(o.id);
    // A second browser left for Finch before the onboarding closed (as a reconnect would).
    await h.db.prisma.finchConnection.updateMany({
      where: { onboardingId: o.id },
      data: { verifiedAt: null },
    });
    const opened = await openLink(connectUrlFor(h.app.ctx, o.id));
    expect(opened.status).toBe(302);
    const done = await h.driver.command({
      text: "done",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    await h.driver.waitForResponse(done.responseUrl, 10_000);
    await h.app.inFlight.drain(5_000);

    const snapshot = async () =>
      JSON.stringify({
        connection: await h.db.prisma.finchConnection.findFirst({
          where: { onboardingId: o.id },
          select: { connectionId: true, status: true, tokenCiphertext: true },
        }),
        verifications: await h.db.prisma.verification.count({ where: { onboardingId: o.id } }),
        posts: h.slack.callsTo("chat.postMessage").length,
        updates: h.slack.callsTo("chat.update").length,
        finchReads: h.finch.calls.filter((c) => c.path === "/introspect" || c.path.startsWith("/employer"))
          .length,
      });
    const before = await snapshot();

    const finished = h.finch.completeSession(opened.sessionId);
    const page = await fetch(finished.redirectUrl!, {
      redirect: "manual",
      headers: { cookie: opened.cookie },
    });
    expect(page.status).toBe(410);
    expect(await page.text()).toContain("onboarding is closed");

    for (const status of ["reauth", "connected"] as const) {
      h.finch.setConnection(connectionId, { status });
      const body = JSON.stringify(buildAccountUpdatedEvent(h.finch.connection(connectionId)!, status));
      const res = await fetch(`${h.app.url}/finch/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...signFinchWebhook({
            secret: h.secrets.finchWebhookSecret,
            id: `msg_closed_${status}`,
            timestamp: Math.floor(Date.now() / 1000),
            body,
          }),
        },
        body,
      });
      expect(res.status).toBe(200);
    }
    await h.app.inFlight.drain(5_000);
    expect(await snapshot()).toEqual(before);
  });

  it("stall and call-risk alerts reach every quiet onboarding, beyond the first page", async () => {
    const count = 230;
    const old = new Date(clock.now().getTime() - 30 * DAY);
    const callAt = new Date(clock.now().getTime() + DAY);
    for (let i = 0; i < count; i++) {
      await insertOnboarding(h.db, { timeZone: "UTC", createdAt: old, callAt }, { name: `Quiet ${i}` });
    }
    const quietIds = (
      await h.db.prisma.onboarding.findMany({
        where: { customer: { name: { startsWith: "Quiet " } } },
        select: { id: true },
      })
    ).map((o) => o.id);
    const claimed = async (kind: string) =>
      (
        await h.db.prisma.processedDelivery.findMany({
          where: { key: { startsWith: `alert:${kind}:` } },
          select: { key: true },
        })
      ).filter((r) => quietIds.some((id) => r.key.startsWith(`alert:${kind}:${id}:`))).length;
    // Two runs: the second must still find the ones the first did not reach (none, here).
    await stallAlerts(h.app.ctx);
    await stallAlerts(h.app.ctx);
    expect(await claimed("stall")).toBe(count);
    await callRiskAlerts(h.app.ctx);
    await callRiskAlerts(h.app.ctx);
    expect(await claimed("risk")).toBe(count);
  }, 120_000);
});
