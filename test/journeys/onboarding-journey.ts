/**
 * The onboarding journey's steps, shared by the HTTP run (onboarding.test.ts) and the Socket Mode run
 * (socket-mode.test.ts): the same driver calls, whichever way the driver reaches the app.
 */
import { expect } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import {
  acceptInvite,
  dmMessages,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  HR2,
  REP,
} from "../helpers/harness.ts";

type Block = {
  type: string;
  block_id?: string;
  elements?: Array<Record<string, unknown>>;
  accessory?: Record<string, unknown>;
};

/** Every checkbox element of a message, with its item key and whether it is ticked. */
export function checkboxes(blocks: Block[]) {
  const out: Array<{ actionId: string; blockId: string; ticked: boolean; value: string }> = [];
  for (const block of blocks) {
    for (const el of [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])]) {
      if (el.type !== "checkboxes") continue;
      const options = el.options as Array<{ value: string }>;
      out.push({
        actionId: String(el.action_id),
        blockId: String(block.block_id),
        value: options[0]?.value ?? "",
        ticked: Array.isArray(el.initial_options) && el.initial_options.length > 0,
      });
    }
  }
  return out;
}

/** onboard → channel, invites, pinned checklist → HR ticks everything → 100% and the rep is told. */
export async function onboardAndTickEverything(h: Harness): Promise<void> {
  const general = h.slack.addChannel({ name: "sales", members: [REP.id] });
  const res = await h.driver.command({
    text: `onboard Acme Corp hr=${HR.email},${HR2.email} call=2030-06-04T15:00 tz=America/Chicago`,
    userId: REP.id,
    teamId: HOME_TEAM.id,
    channelId: general.id,
  });
  expect(res.status).toBe(200);
  expect(res.ms).toBeLessThan(3000);
  const report = (await h.driver.waitForResponse(res.responseUrl, 10_000)) as { text: string };
  expect(report.text).toContain("Acme Corp");
  expect(report.text).toContain("set up");

  // One private channel, the rep in it, one Slack Connect invite per HR email — one pending at a time per
  // channel (Slack's rule): the second waits for the first to be accepted.
  const channel = h.slack.channelByName("fleet-acme-corp");
  expect(channel?.isPrivate).toBe(true);
  expect(channel?.members).toContain(REP.id);
  const invites = h.slack.callsTo("conversations.inviteShared");
  expect(invites.map((c) => c.args.emails)).toEqual([[HR.email]]);
  const stored = await h.db.prisma.invite.findMany({ orderBy: { email: "asc" } });
  expect(stored.map((i) => [i.email, i.status, Boolean(i.slackInviteId)])).toEqual([
    [HR.email, "sent", true],
    [HR2.email, "waiting", false],
  ]);

  // The checklist: pinned, with its metadata, and every item as its own checkbox.
  const [checklist] = h.slack.messages(channel!.id);
  expect(checklist?.metadata?.event_type).toBe("onboarding_checklist");
  expect(h.slack.pins(channel!.id)).toContain(checklist!.ts);
  const items = checklistItems(getTemplate("justworks"));
  expect(checkboxes(checklist!.blocks as Block[]).map((c) => c.value)).toEqual(items.map((i) => i.key));

  // The HR admin accepts the invitation and ticks every customer step from the Acme workspace; Fleet's
  // own step (the connection, normally ticked by Finch's verification) is refused to them and ticked
  // by the rep.
  await acceptInvite(h, HR.email, HR);
  await eventually(
    () =>
      h.slack.callsTo("conversations.inviteShared").some((c) => String(c.args.emails).includes(HR2.email)),
    15_000,
    "the waiting invitation sent once the first is accepted",
  );
  const fleetStep = items.find((i) => i.owner === "fleet")!;
  const refused = await h.driver.blockActions({
    user: { id: HR.id, teamId: HR.teamId },
    channelId: channel!.id,
    message: checklist!,
    actions: [
      {
        action_id: `tick:${fleetStep.key}`,
        type: "checkboxes",
        selected_options: [{ value: fleetStep.key }],
      },
    ],
  });
  expect(refused.status).toBe(200);
  await eventually(
    () =>
      h.slack.callsTo("chat.postEphemeral").some((c) => String(c.args.text).includes("That step is Fleet's")),
    5_000,
    "refusal",
  );
  for (const item of [...items.filter((i) => i.owner === "customer"), fleetStep]) {
    const current = h.slack.messages(channel!.id).find((m) => m.ts === checklist!.ts)!;
    const box = checkboxes(current.blocks as Block[]).find((c) => c.value === item.key)!;
    const who = item.owner === "customer" ? HR : REP;
    const tick = await h.driver.blockActions({
      user: { id: who.id, teamId: who.teamId },
      channelId: channel!.id,
      message: current,
      actions: [{ action_id: box.actionId, block_id: box.blockId, selected_options: [{ value: item.key }] }],
    });
    expect(tick.status).toBe(200);
    await eventually(
      async () =>
        (
          await h.db.prisma.stepState.findUnique({
            where: {
              onboardingId_itemKey: {
                onboardingId: (await h.db.prisma.onboarding.findFirstOrThrow()).id,
                itemKey: item.key,
              },
            },
          })
        )?.done,
      5_000,
      `tick of ${item.key}`,
    );
  }

  // Progress reached 100% in the pinned message, the thread got a note, and the rep was told.
  const final = await eventually(
    () => {
      const m = h.slack.messages(channel!.id).find((x) => x.ts === checklist!.ts);
      return m?.text.includes("6 of 6") ? m : null;
    },
    10_000,
    "a checklist at 6 of 6",
  );
  expect(checkboxes(final.blocks as Block[]).every((c) => c.ticked)).toBe(true);
  expect(final.metadata?.event_payload).toMatchObject({ steps_done: 6, steps_total: 6 });
  const repDm = await eventually(
    () => dmMessages(h.slack, REP.id).find((m) => m.text.includes("finished every customer step")),
    5_000,
    "rep DM",
  );
  expect(repDm.text).toContain("Acme Corp");
  const thread = h.slack.messages(channel!.id).filter((m) => m.thread_ts === checklist!.ts);
  expect(thread.some((m) => m.text.includes("All of your steps are done"))).toBe(true);

  // Who ticked what is kept, including the external workspace.
  const ticks = await h.db.prisma.tick.findMany();
  expect(ticks).toHaveLength(items.length);
  const byHr = ticks.filter((t) => t.userId === HR.id && t.teamId === HR.teamId && t.external);
  expect(byHr).toHaveLength(items.length - 1);
  expect(ticks.find((t) => t.itemKey === fleetStep.key)).toMatchObject({ userId: REP.id, external: false });
}

/** Running the same command again resumes and never creates a second channel or checklist. */
export async function onboardAgainResumes(h: Harness): Promise<void> {
  const before = h.slack.callsTo("conversations.create").length;
  const posts = h.slack
    .callsTo("chat.postMessage")
    .filter((c) => String(c.args.channel).startsWith("C")).length;
  const res = await h.driver.command({
    text: `onboard acme corp hr=${HR.email}`,
    userId: REP.id,
    teamId: HOME_TEAM.id,
    channelId: "C0SALES",
  });
  const report = (await h.driver.waitForResponse(res.responseUrl, 10_000)) as { text: string };
  expect(report.text).toContain("resumed");
  expect(h.slack.callsTo("conversations.create").length).toBe(before);
  expect(await h.db.prisma.onboarding.count()).toBe(1);
  const checklistPosts = h.slack
    .callsTo("chat.postMessage")
    .filter(
      (c) => (c.args.metadata as { event_type?: string } | undefined)?.event_type === "onboarding_checklist",
    );
  expect(checklistPosts).toHaveLength(1);
  expect(
    h.slack.callsTo("chat.postMessage").filter((c) => String(c.args.channel).startsWith("C")).length,
  ).toBe(posts);
}
