/**
 * No duplicate the customer or the rep can see (#12), for the notes and DMs besides the checklist: Slack does the
 * work, then answers 5xx, never answers, or drops the connection — each note, DM and file share lands once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import { postThreadNote, tellRep } from "../../src/finch/connections.ts";
import { celebrateIfCustomerDone } from "../../src/onboarding/checklist-service.ts";
import { closeOnboarding, handOver } from "../../src/onboarding/close.ts";
import { recordMemberLeft } from "../../src/onboarding/invites.ts";
import { switchProvider } from "../../src/onboarding/switch-provider.ts";
import { rescheduleCall } from "../../src/reminders/call.ts";
import type { FaultSpec } from "../../src/sandbox/slack/types.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { onboard, threadReplies } from "../finch/helpers.ts";
import { dmMessages, type Harness, HOME_TEAM, HR, REP, REP2, startHarness } from "../helpers/harness.ts";

const LOST_ANSWERS: Array<NonNullable<FaultSpec["after"]>> = ["5xx", "timeout", "drop"];
const ACTOR = { userId: REP.id, teamId: HOME_TEAM.id, internal: true };

describe("notes, DMs and files: Slack did the work, then the answer was lost", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { SLACK_API_TIMEOUT_MS: "400", SLACK_API_RETRIES: "2" } });
  });
  afterAll(async () => h?.stop());

  const inChannel = (channelId: string, text: string) =>
    h.slack.messages(channelId).filter((m) => m.text.includes(text));
  const lose = (method: string, after: NonNullable<FaultSpec["after"]>, times = 1) =>
    h.slack.injectFault({ method, after, times });

  it.each(LOST_ANSWERS)("closing, then %s: one closing note in the channel", async (after) => {
    const o = await onboard(h);
    lose("chat.postMessage", after);
    await closeOnboarding(h.app.ctx, o.id, ACTOR);
    expect(inChannel(o.channelId, "This onboarding is complete")).toHaveLength(1);
  });

  it.each(LOST_ANSWERS)("a hand-over, then %s twice: one note in the channel, one DM", async (after) => {
    const o = await onboard(h);
    lose("chat.postMessage", after, 2);
    await handOver(h.app.ctx, o.id, REP2.id, ACTOR);
    expect(inChannel(o.channelId, "is now your Fleet contact")).toHaveLength(1);
    expect(dmMessages(h.slack, REP2.id).filter((m) => m.text.includes(o.company))).toHaveLength(1);
  });

  it.each(LOST_ANSWERS)("the HR admin leaves, then %s: one DM to the rep", async (after) => {
    const o = await onboard(h);
    lose("chat.postMessage", after);
    await recordMemberLeft(h.app.ctx, o.channelId, HR.id);
    expect(dmMessages(h.slack, REP.id).filter((m) => m.text.includes(`left <#${o.channelId}>`))).toHaveLength(
      1,
    );
  });

  it.each(LOST_ANSWERS)("a Finch thread note and a rep note, then %s: each once", async (after) => {
    const o = await onboard(h);
    const target = { id: o.id, channelId: o.channelId, checklistTs: o.checklistTs, ownerUserId: REP.id };
    lose("chat.postMessage", after, 2);
    await postThreadNote(h.app.ctx, target, `thread note ${after} ${o.id}`);
    await tellRep(h.app.ctx, target, `rep note ${after} ${o.id}`);
    const thread = threadReplies(h, o);
    expect(thread.filter((m) => m.text === `thread note ${after} ${o.id}`)).toHaveLength(1);
    expect(dmMessages(h.slack, REP.id).filter((m) => m.text === `rep note ${after} ${o.id}`)).toHaveLength(1);
  });

  it.each(LOST_ANSWERS)("a call booked, then %s on the note and on the file: each once", async (after) => {
    const o = await onboard(h);
    lose("chat.postMessage", after);
    lose("files.completeUploadExternal", after);
    const result = await rescheduleCall(h.app.ctx, {
      onboardingId: o.id,
      callAt: new Date(Date.now() + 7 * 86_400_000),
      timeZone: "Europe/Berlin",
      actor: ACTOR,
      via: "command",
    });
    expect(result.ok).toBe(true);
    expect(inChannel(o.channelId, "Onboarding call booked")).toHaveLength(1);
    expect(h.slack.messages(o.channelId).filter((m) => (m.files?.length ?? 0) > 0)).toHaveLength(1);
  });

  it.each(LOST_ANSWERS)("switching provider, then %s: one new checklist", async (after) => {
    const o = await onboard(h);
    const stored = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
    const to = stored.providerId === "gusto" ? "justworks" : "gusto";
    lose("chat.postMessage", after);
    const result = await switchProvider(h.app.ctx, o.id, to, ACTOR);
    expect(result.ok).toBe(true);
    const checklists = h.slack
      .messages(o.channelId)
      .filter((m) => m.metadata?.event_type === MetadataEventType.checklist);
    expect(checklists).toHaveLength(1);
    const after_ = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
    expect(after_.checklistTs).toBe(checklists[0]?.ts);
  });

  it.each(LOST_ANSWERS)("the celebration, then %s twice: one thanks in the thread, one DM", async (after) => {
    const o = await onboard(h);
    const stored = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
    const customerItems = checklistItems(getTemplate(stored.providerId)).filter(
      (i) => i.owner === "customer",
    );
    await h.db.prisma.stepState.createMany({
      data: customerItems.map((i) => ({ onboardingId: o.id, itemKey: i.key, done: true, source: "slack" })),
    });
    lose("chat.postMessage", after, 2);
    await celebrateIfCustomerDone(h.app.ctx, o.id);
    const thanks = threadReplies(h, o).filter((m) => m.text.includes("All of your steps"));
    expect(thanks).toHaveLength(1);
    expect(
      dmMessages(h.slack, REP.id).filter((m) => m.text.includes(`*${o.company}* finished`)),
    ).toHaveLength(1);
  });
});
