/**
 * The Finch journey end to end, like a customer's browser, on both databases: onboard → accept the Slack
 * Connect invite → click "Connect Justworks" in the pinned checklist → Finch's page → our callback → the
 * verification lands in the checklist's thread and the pinned checklist shows the proven items ticked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";
import { connectInBrowser, FINCH_STEPS, tickedItems, verifications } from "./helpers.ts";

describe.each(["pglite", "postgres"] as const)("Finch journey on %s", (db) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db });
  });
  afterAll(async () => h?.stop());

  it("onboard → invite accepted → Connect in the browser → verified in the thread, steps ticked", async () => {
    const sales = h.slack.addChannel({ name: "sales", members: [REP.id] });
    const cmd = await h.driver.command({
      text: `onboard Acme hr=${HR.email}`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: sales.id,
    });
    expect(cmd.status).toBe(200);
    await h.driver.waitForResponse(cmd.responseUrl, 15_000);
    const onboarding = await h.db.prisma.onboarding.findFirstOrThrow();
    const channelId = onboarding.channelId!;
    const checklistTs = onboarding.checklistTs!;

    const invite = h.slack.invites.find((i) => i.email === HR.email && i.status === "pending")!;
    for (const event of h.slack.acceptSharedInvite(invite.id, { userId: HR.id, teamId: HR.teamId })) {
      expect((await h.driver.event(event, { teamId: HOME_TEAM.id })).status).toBe(200);
    }

    // The customer clicks the button in the pinned checklist.
    const pinned = h.slack.messages(channelId).find((m) => m.ts === checklistTs)!;
    expect(h.slack.pins(channelId)).toContain(checklistTs);
    const url = /"url":"([^"]+\/connect\/[^"]+)"/.exec(JSON.stringify(pinned.blocks))?.[1];
    expect(url).toBeDefined();
    const browser = await connectInBrowser(url!);
    expect(browser.status).toBe(200);
    expect(browser.html).toContain("Connected — you can return to Slack");
    expect(browser.html).not.toContain(browser.code);

    const o = { id: onboarding.id, company: "Acme", channelId, checklistTs };
    const report = await eventually(() => verifications(h, o)[0], 15_000, "the verification in the thread");
    expect(report.thread_ts).toBe(checklistTs);
    expect(report.metadata).toMatchObject({
      event_type: MetadataEventType.verification,
      event_payload: { onboarding_id: onboarding.id, outcome: "verified", connection_status: "connected" },
    });
    const ticked = await eventually(
      () => {
        const t = tickedItems(h, o);
        return FINCH_STEPS.every((k) => t.get(k)) ? t : null;
      },
      15_000,
      "the proven steps ticked in the pinned message",
    );
    expect(ticked.get("payments-view")).toBe(true);
    expect(ticked.get("hr-view-basic")).toBe(true);
    expect(ticked.get("benefits-manage")).toBe(false);
    const checklist = h.slack.messages(channelId).find((m) => m.ts === checklistTs)!;
    expect(checklist.text).toContain("5 of 6 steps done");
    expect(JSON.stringify(checklist.blocks)).toContain("Verified by Finch");
  });
});
