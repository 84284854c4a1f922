/**
 * No duplicate the customer can see (#12): Slack does the work, then answers 5xx, never answers, or drops the
 * connection. The checklist, the verification, the Connect link, the celebration, alerts, the channel and the invitation each happen once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stallAlerts } from "../../src/cockpit/alerts.ts";
import type { FaultSpec } from "../../src/sandbox/slack/types.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { connect, onboard as onboardAndAccept, verifications } from "../finch/helpers.ts";
import { onboard } from "../helpers/fixtures.ts";
import {
  dmMessages,
  type Harness,
  HOME_TEAM,
  HR,
  latestOnboardingChannel,
  REP,
  startHarness,
} from "../helpers/harness.ts";

/** The command's answer may wait out Slack's faults and retries. */
const SLOW = { timeoutMs: 20_000 };

const LOST_ANSWERS: Array<NonNullable<FaultSpec["after"]>> = ["5xx", "timeout", "drop"];

function withEventType(h: Harness, channelId: string, eventType: string) {
  return h.slack.messages(channelId).filter((m) => m.metadata?.event_type === eventType);
}

describe("Slack did the work, then the answer was lost", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { SLACK_API_TIMEOUT_MS: "400", SLACK_API_RETRIES: "2" } });
    h.slack.addChannel({ id: "C0SALES", name: "sales", members: [REP.id] });
  });
  afterAll(async () => h?.stop());

  it.each(LOST_ANSWERS)("checklist post, then %s: the channel has exactly one checklist", async (after) => {
    const company = `Once ${after} Co`;
    h.slack.injectFault({ method: "chat.postMessage", after });
    const report = await onboard(h, `onboard ${company} hr=${HR.email}`, SLOW);
    expect(report.text).not.toContain(":x:");
    const channel = await latestOnboardingChannel(h);
    const checklists = withEventType(h, channel.id, MetadataEventType.checklist);
    expect(checklists).toHaveLength(1);
    const stored = await h.db.prisma.onboarding.findFirstOrThrow({ where: { channelId: channel.id } });
    expect(stored.checklistTs).toBe(checklists[0]?.ts);
    expect(h.slack.pins(channel.id)).toEqual([checklists[0]?.ts]);
  });

  it.each(LOST_ANSWERS)("Connect link post, then %s: exactly one link", async (after) => {
    const o = await onboardAndAccept(h);
    h.slack.injectFault({ method: "chat.postMessage", after });
    const res = await h.driver.command({
      text: `link ${o.company}`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    const answer = (await h.driver.waitForResponse(res.responseUrl, 20_000)) as { text: string };
    expect(answer.text).toContain("Posted the");
    expect(withEventType(h, o.channelId, MetadataEventType.connectLink)).toHaveLength(1);
  });

  it.each(LOST_ANSWERS)("verification post, then %s: exactly one verification", async (after) => {
    const o = await onboardAndAccept(h);
    h.slack.injectFault({ method: "chat.postMessage", after });
    await connect(h, o);
    await expect.poll(() => verifications(h, o).length, { timeout: 15_000 }).toBeGreaterThan(0);
    // Give a blind retry the time it would need to land.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(verifications(h, o)).toHaveLength(1);
  });

  it("conversations.create makes the channel, then times out: no -2, the onboarding uses the channel made", async () => {
    h.slack.injectFault({ method: "conversations.create", after: "timeout" });
    const report = await onboard(h, `onboard Slowpoke Co hr=${HR.email}`, SLOW);
    expect(report.text).not.toContain(":x:");
    const made = h.slack.allChannels().filter((c) => c.name.startsWith("fleet-slowpoke-co"));
    expect(made.map((c) => c.name)).toEqual(["fleet-slowpoke-co"]);
    const stored = await h.db.prisma.onboarding.findFirstOrThrow({
      where: { channelName: "fleet-slowpoke-co" },
    });
    expect(stored.channelId).toBe(made[0]?.id);
  });

  it.each(["5xx", "drop"] as const)(
    "inviteShared invites, then %s: one invite, recorded as sent",
    async (after) => {
      const company = `Invite ${after} Co`;
      h.slack.injectFault({ method: "conversations.inviteShared", after });
      const report = await onboard(h, `onboard ${company} hr=${HR.email}`, SLOW);
      expect(report.text).not.toContain(":x:");
      const channel = await latestOnboardingChannel(h);
      expect(h.slack.invites.filter((i) => i.channelId === channel.id && i.email === HR.email)).toHaveLength(
        1,
      );
      const onboarding = await h.db.prisma.onboarding.findFirstOrThrow({ where: { channelId: channel.id } });
      const invite = await h.db.prisma.invite.findFirstOrThrow({ where: { onboardingId: onboarding.id } });
      expect(invite.status).toBe("sent");
      // Ours went out: the audit trail says so, and the rep is not told of some other pending invitation.
      expect(report.text).not.toContain("already has a pending");
      const sent = await h.db.prisma.auditEvent.findMany({
        where: { onboardingId: onboarding.id, action: "invite.sent" },
      });
      expect(sent).toHaveLength(1);
    },
  );

  it.each(LOST_ANSWERS)("a rep's alert (a DM), then %s: exactly one alert", async (after) => {
    await onboard(h, `onboard Quiet ${after} Co hr=${HR.email}`, SLOW);
    const channel = await latestOnboardingChannel(h);
    const longAgo = new Date(Date.now() - 30 * 86_400_000);
    await h.db.prisma.onboarding.updateMany({
      where: { channelId: channel.id },
      data: { createdAt: longAgo, lastCustomerActivityAt: longAgo },
    });
    const alerts = () => dmMessages(h.slack, REP.id).filter((m) => m.text.includes(`Quiet ${after} Co`));
    h.slack.injectFault({ method: "chat.postMessage", after });
    await stallAlerts(h.app.ctx);
    expect(alerts()).toHaveLength(1);
  });
});
