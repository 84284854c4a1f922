/**
 * Connection health after go-live, over real HTTP: a verified customer is closed with `/fleet done`; the
 * stand-in's connection then needs re-authentication. The daily check posts the problem once in the channel
 * with the fix and a Reconnect button, alerts the rep, lists it in the rep's App Home; the customer's click on
 * Reconnect (on the closed onboarding) re-authenticates the same connection and the problem's thread says so. A Finch webhook triggers the check at once; a
 * product not synced for FINCH_STALE_SYNC_DAYS is a problem of its own; once Fleet disconnects it, it is no longer watched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishHome } from "../../src/cockpit/home.ts";
import { ManualClock } from "../../src/context.ts";
import { disconnectFinch } from "../../src/finch/disconnect.ts";
import { runHealthChecks } from "../../src/finch/health-watch.ts";
import { dmMessages, eventually, type Harness, HOME_TEAM, REP, startHarness } from "../helpers/harness.ts";
import { connect, type Onboarded, onboard, verifications } from "./helpers.ts";

const DAY = 86_400_000;
const text = (m: unknown) => JSON.stringify(m);

describe("connection health after go-live", () => {
  const clock = new ManualClock();
  let h: Harness;
  let o: Onboarded;
  let connectionId = "";

  const healthAlerts = () =>
    h.slack
      .messages(o.channelId)
      .filter(
        (m) => !m.thread_ts && m.metadata?.event_type === "finch_connect_link" && text(m).includes("Fix:"),
      );
  const homeText = async () => {
    await publishHome(h.app.ctx, REP.id, { teamId: HOME_TEAM.id });
    const last = h.slack
      .callsTo("views.publish")
      .filter((c) => c.args.user_id === REP.id)
      .at(-1);
    return text(last?.args.view);
  };
  const nextDay = async () => {
    clock.advance(DAY + 60_000);
    return runHealthChecks(h.app.ctx);
  };

  beforeAll(async () => {
    h = await startHarness({ clock, env: { FINCH_STALE_SYNC_DAYS: "20" } });
    o = await onboard(h, "Initrode");
    await connect(h, o);
    await eventually(
      () => verifications(h, o).find((m) => text(m).includes('"outcome":"verified"')),
      20_000,
      "the verified report",
    );
    const row = await h.db.prisma.finchConnection.findUniqueOrThrow({ where: { onboardingId: o.id } });
    connectionId = row.connectionId;
    const res = await h.driver.command({
      text: `done ${o.company}`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    expect(res.status).toBe(200);
    await eventually(
      async () => (await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } })).status === "done",
      10_000,
      "the onboarding closed",
    );
  }, 60_000);
  afterAll(async () => h?.stop());

  it("stays quiet while the closed onboarding's connection is healthy", async () => {
    expect(await runHealthChecks(h.app.ctx)).toBe(1);
    expect(healthAlerts()).toHaveLength(0);
    // Checked once a day: the next pass the same day checks nothing.
    expect(await runHealthChecks(h.app.ctx)).toBe(0);
  });

  it("posts a reauth once with the fix and a Reconnect button, alerts the rep, lists it in the Home", async () => {
    h.finch.setConnection(connectionId, { status: "reauth" });
    expect(await nextDay()).toBe(1);
    const [alert] = healthAlerts();
    expect(healthAlerts()).toHaveLength(1);
    expect(text(alert)).toContain("needs to be reconnected for Initrode");
    expect(text(alert)).toContain("Fix: click Reconnect");
    expect(text(alert)).toMatch(/"url":"http[^"]+\/reconnect\//);
    const dm = await eventually(
      () =>
        dmMessages(h.slack, REP.id).find(
          (m) => m.text.includes(":rotating_light:") && m.text.includes("Initrode"),
        ),
      5_000,
      "the rep's alert",
    );
    expect(dm.text).toContain(`<#${o.channelId}>`);
    const home = await homeText();
    expect(home).toContain("Connections needing action");
    expect(home).toContain("*Initrode* needs a reconnect");

    // The next day, still broken: nothing is posted again.
    expect(await nextDay()).toBe(1);
    expect(healthAlerts()).toHaveLength(1);
  });

  it("the customer clicks Reconnect: the thread says it recovered, the Home entry is gone", async () => {
    const alert = healthAlerts()[0];
    const url = /"url":"(http[^"]+\/reconnect\/[^"]+)"/.exec(text(alert))?.[1] ?? "";
    const reconnected = await connect(h, o, {}, url);
    expect(reconnected.page.status).toBe(200);
    expect(reconnected.page.html).toContain("Reconnected");
    expect(reconnected.connectionId).toBe(connectionId);
    const replies = h.slack.messages(o.channelId).filter((m) => m.thread_ts === alert?.ts);
    expect(replies.some((m) => m.text.includes("healthy again"))).toBe(true);
    expect(
      dmMessages(h.slack, REP.id).some(
        (m) => m.text.includes("Initrode") && m.text.includes("healthy again"),
      ),
    ).toBe(true);
    expect(await homeText()).not.toContain("Connections needing action");
  });

  it("names a product that disappeared, and says when it is back", async () => {
    const full = h.finch.connection(connectionId)?.products ?? [];
    const before = healthAlerts().length;
    h.finch.setConnection(connectionId, { products: full.filter((p) => p !== "payment") });
    expect(await nextDay()).toBe(1);
    const alerts = healthAlerts();
    expect(alerts).toHaveLength(before + 1);
    expect(text(alerts.at(-1))).toContain("Fleet lost access to payment in Justworks");
    h.finch.setConnection(connectionId, { products: full });
    expect(await nextDay()).toBe(1);
    const replies = h.slack.messages(o.channelId).filter((m) => m.thread_ts === alerts.at(-1)?.ts);
    expect(replies.some((m) => m.text.includes("healthy again"))).toBe(true);
  });

  it("names a product not synced for FINCH_STALE_SYNC_DAYS", async () => {
    const before = healthAlerts().length;
    clock.advance(21 * DAY);
    expect(await runHealthChecks(h.app.ctx)).toBe(1);
    const alerts = healthAlerts();
    expect(alerts).toHaveLength(before + 1);
    expect(text(alerts.at(-1))).toContain("has not synced for more than 20 days");
  });
  it("checks at once on a Finch webhook after go-live", async () => {
    h.finch.setConnection(connectionId, { status: "disconnected" });
    const res = await h.finch.sendWebhook(`${h.app.url}/finch/webhooks`, h.secrets.finchWebhookSecret, {
      event_type: "account.updated",
      connection_id: connectionId,
      data: { status: "disconnected" },
    } as never);
    expect(res.status).toBe(200);
    await eventually(
      () => healthAlerts().find((m) => text(m).includes("was closed on")),
      10_000,
      "the disconnect post",
    );
    h.finch.setConnection(connectionId, { status: "connected" });
    expect(await nextDay()).toBe(1);
  });

  it("stops watching once Fleet disconnects it: no daily check, and a webhook posts nothing", async () => {
    const result = await disconnectFinch(h.app.ctx, o.id, {
      userId: REP.id,
      teamId: HOME_TEAM.id,
      internal: true,
    });
    expect(result.ok).toBe(true);
    const before = healthAlerts().length;
    h.finch.setConnection(connectionId, { status: "reauth" });
    expect(await nextDay()).toBe(0);
    const res = await h.finch.sendWebhook(`${h.app.url}/finch/webhooks`, h.secrets.finchWebhookSecret, {
      event_type: "account.updated",
      connection_id: connectionId,
      data: { status: "reauth" },
    } as never);
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(healthAlerts()).toHaveLength(before);
    expect(await homeText()).not.toContain("Connections needing action");
  });
});
