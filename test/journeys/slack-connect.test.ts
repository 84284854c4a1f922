/**
 * Slack Connect as Slack does it: full-member invites (limited where our workspace forbids them), the private
 * channel's id changing when it is shared, and customers using buttons instead of our slash command.
 */
import { afterEach, describe, expect, it, vi } from "vitest";

// Each test starts its own harness (stand-ins, database, app): slow on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

import { ActionId } from "../../src/slack-gateway/ids.ts";
import { onboard } from "../helpers/fixtures.ts";
import {
  acceptInvite,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  HR2,
  latestOnboardingChannel,
  STRANGER,
  startHarness,
} from "../helpers/harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** The pinned checklist of the newest onboarding. */
async function checklistOf(harness: Harness) {
  const channel = await latestOnboardingChannel(harness);
  return harness.slack.messages(channel.id).find((m) => m.metadata?.event_type === "onboarding_checklist");
}

describe("Slack Connect invitations", () => {
  it("invites HR admins as full members, so they can add colleagues", async () => {
    h = await startHarness();
    await onboard(h, `onboard Acme hr=${HR.email}`);
    const [call] = h.slack.callsTo("conversations.inviteShared");
    expect(call?.args.emails).toEqual([HR.email]);
    expect(String(call?.args.external_limited)).toBe("false");
    expect(h.slack.invites.map((i) => i.externalLimited)).toEqual([false]);
    expect((await h.db.prisma.invite.findFirstOrThrow()).externalLimited).toBe(false);
    expect(JSON.stringify((await checklistOf(h))?.blocks)).not.toContain("Adding colleagues");
  });

  it("falls back to limited invitations where our workspace forbids full ones, and tells the rep", async () => {
    h = await startHarness({ slackConnect: "limited" });
    const report = await onboard(h, `onboard Acme hr=${HR.email},${HR2.email}`);
    // One pending invitation per channel: HR2's goes out once HR's is accepted.
    await acceptInvite(h, HR.email, HR);
    await eventually(() => h?.slack.invites.some((i) => i.email === HR2.email), 15_000, "HR2 invited");
    const calls = h.slack.callsTo("conversations.inviteShared");
    expect(calls.map((c) => [String(c.args.external_limited), c.error ?? "ok"])).toEqual([
      ["false", "restricted_action"],
      ["true", "ok"],
      ["false", "restricted_action"],
      ["true", "ok"],
    ]);
    expect(h.slack.invites.every((i) => i.externalLimited)).toBe(true);
    expect(report.text).toContain("limited");
    const stored = await h.db.prisma.invite.findMany();
    expect(stored.every((i) => i.externalLimited && ["sent", "approved"].includes(i.status))).toBe(true);
    // The guide is worded for it: the HR admins cannot add colleagues themselves.
    expect(JSON.stringify((await checklistOf(h))?.blocks)).toContain("ask your Fleet rep to invite them");
  });

  it("gives the rep advice when our workspace has no Slack Connect", async () => {
    h = await startHarness({ slackConnect: "none" });
    const report = await onboard(h, `onboard Acme hr=${HR.email}`);
    expect(report.text).toContain("Slack Connect is not enabled for our workspace");
    expect((await h.db.prisma.invite.findFirstOrThrow()).lastError).toBe("not_allowed_for_grid_workspace");
  });

  it("does not re-send to an HR admin whose invitation is still pending", async () => {
    h = await startHarness();
    await onboard(h, `onboard Acme hr=${HR.email}`);
    // A run that died between Slack's answer and our write: the row is still `sending`, Slack holds the invitation.
    await h.db.prisma.invite.updateMany({ data: { slackInviteId: null, status: "sending" } });
    await onboard(h, `onboard Acme hr=${HR.email}`);
    expect(h.slack.callsTo("conversations.inviteShared").at(-1)?.error).toBe(
      "connection_limit_exceeded_pending",
    );
    expect(h.slack.invites).toHaveLength(1);
    // Nothing else of ours is pending in the channel, so the pending invitation is the interrupted one: adopted.
    const invite = await h.db.prisma.invite.findFirstOrThrow();
    expect([invite.status, invite.adopted]).toEqual(["sent", true]);
  });
});

describe("channel_id_changed", () => {
  // SKIPPED, open: the records move (asserted first), but the tick in the new channel is not re-rendered yet.
  it("follows the channel to its new id: ticks re-render there and the records point at it", async () => {
    h = await startHarness();
    await onboard(h, `onboard Acme hr=${HR.email} call=2030-06-04T15:00 tz=America/Chicago`);
    const channel = await latestOnboardingChannel(h);
    await acceptInvite(h, HR.email, HR);
    const event = h.slack.changeChannelId(channel.id);
    expect((await h.driver.event(event, { teamId: HOME_TEAM.id })).status).toBe(200);
    await eventually(
      async () => (await h?.db.prisma.onboarding.findFirstOrThrow())?.channelId === event.new_channel_id,
      10_000,
      "onboarding moved",
    );
    expect(await h.db.prisma.slackMessage.count({ where: { channelId: channel.id } })).toBe(0);
    expect(await h.db.prisma.reminder.count({ where: { channelId: channel.id } })).toBe(0);
    expect(
      await h.db.prisma.slackMessage.count({ where: { channelId: event.new_channel_id } }),
    ).toBeGreaterThan(0);

    const checklist = h.slack
      .messages(event.new_channel_id)
      .find((m) => m.metadata?.event_type === "onboarding_checklist");
    expect(checklist).toBeDefined();
    // The first checkbox of the checklist, as a client would send it back (its block and action ids).
    type Element = { type?: string; action_id?: string; options?: Array<{ value: string }> };
    const blocks = (checklist?.blocks ?? []) as Array<{
      block_id?: string;
      accessory?: Element;
      elements?: Element[];
    }>;
    const box = blocks
      .flatMap((block) =>
        [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])].map((el) => ({
          block,
          el,
        })),
      )
      .find(({ el }) => el.type === "checkboxes");
    const value = box?.el.options?.[0]?.value ?? "";
    const updatesBefore = h.slack.callsTo("chat.update").length;
    const tick = await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: event.new_channel_id,
      message: checklist!,
      actions: [
        {
          action_id: String(box?.el.action_id),
          block_id: String(box?.block.block_id),
          type: "checkboxes",
          selected_options: [{ value }],
        },
      ],
    });
    expect(tick.status).toBe(200);
    await eventually(
      async () => (await h?.db.prisma.stepState.count({ where: { itemKey: value, done: true } })) === 1,
      10_000,
      "the tick stored",
    );
    await eventually(
      () =>
        h?.slack
          .callsTo("chat.update")
          .slice(updatesBefore)
          .some((c) => c.args.channel === event.new_channel_id && c.args.ts === checklist?.ts),
      10_000,
      "checklist re-rendered in the new channel",
    );
  });
});

describe("customers use buttons, not commands", () => {
  it("the checklist's Status button answers privately, to the customer's team and to us, not to strangers", async () => {
    h = await startHarness();
    await onboard(h, `onboard Acme hr=${HR.email}`);
    const channel = await latestOnboardingChannel(h);
    await acceptInvite(h, HR.email, HR);
    const [checklist] = h.slack.messages(channel.id);
    const click = (user: { id: string; teamId: string }) =>
      h!.driver.blockActions({
        user,
        channelId: channel.id,
        message: checklist!,
        actions: [{ action_id: ActionId.checklistStatus, type: "button", value: "not-trusted" }],
      });
    const hr = await click(HR);
    const answer = (await h.driver.waitForResponse(hr.responseUrl, 10_000)) as Record<string, unknown>;
    expect(answer).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(String(answer.text)).toContain("*Acme*");
    expect(String(answer.text)).toContain("0 of 6 steps done");

    const stranger = await click(STRANGER);
    const refusal = (await h.driver.waitForResponse(stranger.responseUrl, 10_000)) as { text: string };
    expect(refusal.text).toContain("for Fleet and the customer's team");
  });
});
