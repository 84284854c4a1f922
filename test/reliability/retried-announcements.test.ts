/**
 * Announcements that used to be claimed before they were posted, and so were lost when Slack failed once:
 * the celebration after the last customer tick, and `/fleet done`'s closing note and calendar CANCEL. The
 * intake retries the delivery; the retry must post what the first attempt could not, once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import {
  dmMessages,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  REP,
  startHarness,
} from "../helpers/harness.ts";
import { onboardToChecklist } from "../helpers/onboard-to-checklist.ts";
import { checkboxes } from "../journeys/onboarding-journey.ts";

type Block = Parameters<typeof checkboxes>[0][number];

describe("announcements retried until posted", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { INTAKE_POLL_MS: "100", FLEET_REP_USER_IDS: REP.id } });
  });
  afterAll(async () => h?.stop());

  it("the celebration is posted on the tick's retry after Slack refused it once", async () => {
    const { channel, checklist, onboarding } = await onboardToChecklist(h, "Cheer Co");
    const items = checklistItems(getTemplate(onboarding.providerId)).filter((i) => i.owner === "customer");
    const last = items.at(-1);
    if (!last) throw new Error("no customer step");
    await h.db.prisma.stepState.createMany({
      data: items
        .slice(0, -1)
        .map((i) => ({ onboardingId: onboarding.id, itemKey: i.key, done: true, source: "slack" })),
    });
    const box = checkboxes(checklist.blocks as Block[]).find((b) => b.value === last.key);
    if (!box) throw new Error("no checkbox for the last step");

    h.slack.injectFault({ method: "chat.postMessage", error: "not_in_channel" });
    await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: channel.id,
      message: checklist,
      actions: [{ action_id: box.actionId, block_id: box.blockId, selected_options: [{ value: last.key }] }],
    });
    const toRep = () => dmMessages(h.slack, REP.id).filter((m) => m.text.includes("*Cheer Co* finished"));
    await eventually(() => toRep().length > 0, 20_000, "the celebration DM to the rep");
    await new Promise((r) => setTimeout(r, 1_000));
    expect(toRep()).toHaveLength(1);
    const thanks = h.slack.messages(channel.id).filter((m) => m.text.includes("All of your steps are done"));
    expect(thanks).toHaveLength(1);
  }, 90_000);

  it("/fleet done posts its closing note and the calendar CANCEL on the retry after Slack refused once", async () => {
    const { channel, onboarding } = await onboardToChecklist(h, "Closing Co");
    await h.db.prisma.onboarding.update({
      where: { id: onboarding.id },
      data: { callAt: new Date(Date.now() + 3 * 86_400_000) },
    });
    h.slack.injectFault({ method: "chat.postMessage", error: "not_in_channel" });
    const typed = await h.driver.command({
      text: "done Closing Co",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    const notes = () =>
      h.slack.messages(channel.id).filter((m) => m.text.includes("This onboarding is complete"));
    const cancels = () =>
      h.slack
        .messages(channel.id)
        .filter((m) => (m.files ?? []).some((f) => f.title.includes("(cancelled)")));
    await eventually(() => notes().length > 0 && cancels().length > 0, 20_000, "the closing note and CANCEL");
    await new Promise((r) => setTimeout(r, 1_000));
    expect(notes()).toHaveLength(1);
    expect(cancels()).toHaveLength(1);
    const answers = h.driver.responses(typed.responseUrl) as Array<{ text?: string }>;
    expect(answers.at(-1)?.text).toContain("*Closing Co* is closed");
  }, 90_000);
});
