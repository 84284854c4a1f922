/**
 * Slack redelivers (X-Slack-Retry-Num 1–3, also while the first delivery still runs) and several replicas
 * may receive the same delivery: exactly one effect, enforced by the database. The two replicas are real
 * app processes (src/main.ts) sharing one PostgreSQL database, so nothing in one Node process (a cache, a
 * lock in memory) can stand in for the database. A slow handler still acks within Slack's 3 seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackDriver } from "../../src/sandbox/slack-driver/index.ts";
import type { AppProcess } from "../helpers/app-process.ts";
import {
  acceptInvite,
  dmMessages,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  latestOnboardingChannel,
  REP,
  startHarness,
} from "../helpers/harness.ts";

describe("exactly one effect per delivery (PostgreSQL, two app processes)", () => {
  let h: Harness;
  let first: AppProcess;
  let second: AppProcess;
  /** A driver aimed at the second process (`h.driver` delivers to the first). */
  let other: SlackDriver;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres" });
    [first, second] = await Promise.all([
      h.startProcess({ label: "replica-1" }),
      h.startProcess({ label: "replica-2" }),
    ]);
    h.driver.retarget(`${first.url}/slack/events`);
    other = await h.driverFor(second.url);
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
  });

  it("the same slash command delivered four times, to both processes, creates one onboarding", async () => {
    const input = {
      text: `onboard Retry Co hr=${HR.email}`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
      triggerId: "13345224609.738474920.8088930838d88f008e0",
    };
    const answers = await Promise.all(
      [0, 1, 2, 3].map((n) =>
        (n % 2 ? other : h.driver).command(input, n ? { retryNum: n, retryReason: "http_timeout" } : {}),
      ),
    );
    for (const a of answers) expect(a.status).toBe(200);
    await eventually(
      () => h.db.prisma.onboarding.findFirst({ where: { checklistTs: { not: null } } }),
      15_000,
      "onboarding",
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await h.db.prisma.onboarding.count()).toBe(1);
    expect(h.slack.callsTo("conversations.create")).toHaveLength(1);
    expect(h.slack.callsTo("conversations.inviteShared")).toHaveLength(1);
  });

  it("the same tick delivered four times, to both processes at once, counts once", async () => {
    await acceptInvite(h, HR.email, HR);
    const channel = await latestOnboardingChannel(h);
    const [checklist] = h.slack.messages(channel.id);
    const input = {
      user: { id: HR.id, teamId: HR.teamId },
      channelId: channel.id,
      message: checklist!,
      triggerId: "222.333.tick",
      actions: [
        {
          action_id: "tick:add-user",
          type: "checkboxes",
          selected_options: [{ value: "add-user" }],
          action_ts: "1700000001.000001",
        },
      ],
    };
    await Promise.all([
      h.driver.blockActions(input),
      other.blockActions(input, { retryNum: 1 }),
      h.driver.blockActions(input, { retryNum: 2 }),
      other.blockActions(input, { retryNum: 3 }),
    ]);
    await eventually(() => h.db.prisma.tick.count(), 10_000, "tick");
    await new Promise((r) => setTimeout(r, 500));
    expect(await h.db.prisma.tick.count()).toBe(1);
    expect(await h.db.prisma.auditEvent.count({ where: { action: "tick" } })).toBe(1);
  });

  it("the same event delivered to both processes at once and retried has one effect", async () => {
    const channel = await latestOnboardingChannel(h);
    const event = {
      type: "member_left_channel",
      user: HR.id,
      channel: channel.id,
      channel_type: "G",
      team: HR.teamId,
    };
    const envelope = { teamId: HOME_TEAM.id, eventId: "Ev0SAMEEVENT1" };
    const results = await Promise.all([
      h.driver.event(event, envelope),
      other.event(event, envelope),
      h.driver.event(event, envelope, { retryNum: 1, retryReason: "http_timeout" }),
      other.event(event, envelope, { retryNum: 2, retryReason: "http_timeout" }),
      h.driver.event(event, envelope, { retryNum: 3, retryReason: "http_timeout" }),
    ]);
    for (const r of results) expect(r.status).toBe(200);
    await eventually(() => dmMessages(h.slack, REP.id).some((m) => m.text.includes("left")), 10_000, "alert");
    await new Promise((r) => setTimeout(r, 500));
    expect(dmMessages(h.slack, REP.id).filter((m) => m.text.includes("left"))).toHaveLength(1);
    expect(await h.db.prisma.auditEvent.count({ where: { action: "invite.left" } })).toBe(1);
    expect(await h.db.prisma.intakeDelivery.count({ where: { key: "evt:Ev0SAMEEVENT1" } })).toBe(1);
  });

  it("a handler slowed to 5 s still acknowledges within 3 s, and finishes its work afterwards", async () => {
    h.slack.injectFault({ method: "conversations.create", delayMs: 5_000 });
    const res = await h.driver.command({
      text: `onboard Slow Co hr=${HR.email}`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3_000);
    const report = (await h.driver.waitForResponse(res.responseUrl, 15_000)) as { text: string };
    expect(report.text).toContain("Slow Co");
    expect(h.slack.channelByName("fleet-slow-co")).toBeDefined();
  }, 30_000);
});
