/**
 * Slack Connect as Slack documents it: one pending invitation per *channel*
 * (`connection_limit_exceeded_pending`: "This channel already has a pending invite"), a private channel's new id
 * once it is first shared (`channel_id_changed`), and no Slack Connect without a paid plan (`not_paid`).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { sweepInviteQueues } from "../../src/onboarding/invite-queue.ts";

// Each test starts its own harness (stand-ins, database, app): slow on a loaded machine.
vi.setConfig({ testTimeout: 120_000 });

import {
  ACME_TEAM,
  acceptInvite,
  dmMessages,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  HR2,
  latestOnboardingChannel,
  REP,
  startHarness,
} from "../helpers/harness.ts";

const DAY = 86_400_000;
const HR3 = { id: "U0HR3", teamId: ACME_TEAM.id, email: "kim@acme.example" };

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function command(harness: Harness, text: string) {
  const res = await harness.driver.command({
    text,
    userId: REP.id,
    teamId: HOME_TEAM.id,
    channelId: "C0SALES",
  });
  return (await harness.driver.waitForResponse(res.responseUrl, 15_000)) as { text: string };
}

/** Every invitation stored as sent is one Slack holds as pending (or has accepted): none is sent while refused. */
async function noneSentWhileRefused(harness: Harness): Promise<void> {
  const stored = await harness.db.prisma.invite.findMany({ where: { status: "sent" } });
  const inSlack = new Set(harness.slack.invites.map((i) => i.email));
  for (const invite of stored) expect(inSlack, `${invite.email} marked sent`).toContain(invite.email);
}

const statusOf = async (harness: Harness) =>
  Object.fromEntries(
    (await harness.db.prisma.invite.findMany({ orderBy: { createdAt: "asc" } })).map((i) => [
      i.email,
      i.status,
    ]),
  );

describe("one pending Slack Connect invitation per channel", () => {
  it("onboards three HR admins: the next invitation waits for the pending one, then goes out by itself", async () => {
    h = await startHarness();
    const report = await command(h, `onboard Acme hr=${HR.email},${HR2.email},${HR3.email}`);
    // Slack holds one pending invitation for the channel; the other two wait in our database.
    expect(h.slack.invites.map((i) => [i.email, i.status])).toEqual([[HR.email, "pending"]]);
    expect(await statusOf(h)).toEqual({ [HR.email]: "sent", [HR2.email]: "waiting", [HR3.email]: "waiting" });
    expect(report.text).toContain(`Waiting to be invited: ${HR2.email}, ${HR3.email}`);
    await noneSentWhileRefused(h);

    // The rep sees who is waiting in /fleet status.
    const status = await command(h, "status Acme");
    expect(status.text).toContain(`Waiting to be invited: ${HR2.email}, ${HR3.email}`);
    expect(status.text).toContain(`once ${HR.email}'s is accepted`);

    // Accepted: the next one goes out by itself, and the rep is told privately.
    await acceptInvite(h, HR.email, HR);
    await eventually(() => h?.slack.invites.some((i) => i.email === HR2.email), 15_000, "HR2 invited");
    await noneSentWhileRefused(h);
    expect((await statusOf(h))[HR3.email]).toBe("waiting");
    await eventually(
      () => dmMessages(h!.slack, REP.id).some((m) => m.text?.includes(`invitation to ${HR2.email} went out`)),
      10_000,
      "the rep told",
    );
    await acceptInvite(h, HR2.email, HR2);
    await eventually(() => h?.slack.invites.some((i) => i.email === HR3.email), 15_000, "HR3 invited");
    await acceptInvite(h, HR3.email, HR3);

    expect(await statusOf(h)).toEqual({
      [HR.email]: "approved",
      [HR2.email]: "approved",
      [HR3.email]: "approved",
    });
    const channel = await latestOnboardingChannel(h);
    expect(channel.members).toEqual(expect.arrayContaining([HR.id, HR2.id, HR3.id]));
    // Never asked while one was pending: every call went out and was answered ok.
    expect(h.slack.callsTo("conversations.inviteShared").map((c) => c.error ?? "ok")).toEqual([
      "ok",
      "ok",
      "ok",
    ]);
  });

  it("a declined invitation frees the channel for the next one", async () => {
    h = await startHarness();
    await command(h, `onboard Acme hr=${HR.email},${HR2.email}`);
    const [first] = h.slack.invites;
    const declined = h.slack.declineSharedInvite(first?.id ?? "", { userId: HR.id, teamId: HR.teamId });
    expect((await h.driver.event(declined, { teamId: HOME_TEAM.id })).status).toBe(200);
    await eventually(() => h?.slack.invites.some((i) => i.email === HR2.email), 15_000, "HR2 invited");
    // Slack holds the invitation as soon as it answers; the app records it as sent just after.
    const settled = (s: Record<string, string>) => s[HR.email] === "declined" && s[HR2.email] === "sent";
    await eventually(async () => settled(await statusOf(h as Harness)), 15_000, "HR2 stored as sent");
    expect(await statusOf(h)).toEqual({ [HR.email]: "declined", [HR2.email]: "sent" });
  });

  it("an invitation Slack refuses because another is pending is stored as waiting, never as sent", async () => {
    h = await startHarness();
    await command(h, `onboard Acme hr=${HR.email}`);
    // Someone invited a colleague from Slack itself: the channel's pending invitation is not ours.
    await h.db.prisma.invite.updateMany({ data: { status: "approved" } });
    h.slack.injectFault({ method: "conversations.inviteShared", error: "connection_limit_exceeded_pending" });
    const report = await command(h, `onboard Acme hr=${HR2.email}`);
    expect(h.slack.callsTo("conversations.inviteShared").at(-1)?.error).toBe(
      "connection_limit_exceeded_pending",
    );
    expect((await statusOf(h))[HR2.email]).toBe("waiting");
    expect(report.text).toContain("once the channel's pending invitation is accepted");
    await noneSentWhileRefused(h);
  });
});

describe("an expired invitation frees the channel", () => {
  it("after 14 days unaccepted, the hourly sweep sends the next one and tells the rep", async () => {
    const clock = new ManualClock(new Date());
    h = await startHarness({ clock });
    await command(h, `onboard Acme hr=${HR.email},${HR2.email}`);
    expect(await statusOf(h)).toEqual({ [HR.email]: "sent", [HR2.email]: "waiting" });
    // Not yet: a day before Slack's 14 days the sweep leaves it alone.
    clock.advance(13 * DAY);
    expect(await sweepInviteQueues(h.app.ctx)).toBe(0);
    expect((await statusOf(h))[HR2.email]).toBe("waiting");
    // Slack expires it (its own clock); ours agrees a day later.
    for (const invite of h.slack.inviteLog) invite.expiresAt = 0;
    clock.advance(2 * DAY);
    expect(await sweepInviteQueues(h.app.ctx)).toBe(1);
    expect(await statusOf(h)).toEqual({ [HR.email]: "expired", [HR2.email]: "sent" });
    expect(h.slack.invites.filter((i) => i.email === HR2.email)).toHaveLength(1);
    await noneSentWhileRefused(h);
    expect(
      dmMessages(h.slack, REP.id).some((m) => m.text?.includes(`invitation to ${HR2.email} went out`)),
    ).toBe(true);
  });
});

describe("a private channel's new id when it is first shared", () => {
  it("the stand-in changes the id on the first invitation; the checklist is posted and pinned on the new id", async () => {
    h = await startHarness();
    const changes: Array<{ old_channel_id: string; new_channel_id: string }> = [];
    h.slack.events.on("slackEvent", (event) => changes.push(event));
    const report = await command(h, `onboard Acme hr=${HR.email},${HR2.email}`);
    expect(changes).toHaveLength(1);
    const { old_channel_id: oldId, new_channel_id: newId } = changes[0]!;
    expect(h.slack.channel(oldId)).toBeUndefined();

    const onboarding = await h.db.prisma.onboarding.findFirstOrThrow();
    expect(onboarding.channelId).toBe(newId);
    const checklist = h.slack.messages(newId).find((m) => m.metadata?.event_type === "onboarding_checklist");
    expect(checklist).toBeDefined();
    expect(h.slack.channel(newId)?.pins).toContain(checklist?.ts);
    expect(h.slack.callsTo("pins.add").at(-1)?.args.channel).toBe(newId);
    expect(await h.db.prisma.slackMessage.count({ where: { channelId: oldId } })).toBe(0);
    expect(report.text).toContain(`Checklist pinned in <#${newId}>`);
    expect(report.text).not.toContain(":x:");

    // Later invitations go to the new id.
    await acceptInvite(h, HR.email, HR);
    await eventually(() => h?.slack.invites.some((i) => i.email === HR2.email), 15_000, "HR2 invited");
    expect(h.slack.callsTo("conversations.inviteShared").at(-1)?.args.channel).toBe(newId);
    expect(changes).toHaveLength(1);
  });

  it("an invitation that meets the old id (the event not handled yet) goes out on the new id once it is", async () => {
    h = await startHarness();
    await command(h, `onboard Acme hr=${HR.email}`);
    await acceptInvite(h, HR.email, HR);
    const before = await latestOnboardingChannel(h);
    // The id changes again and Slack's event arrives a second late: the next invitation first meets the old id.
    const late = h.slack.changeChannelId(before.id);
    setTimeout(() => void h?.driver.event(late, { teamId: HOME_TEAM.id }), 1_000);
    const report = await command(h, `onboard Acme hr=${HR2.email}`);
    // Whichever trigger sends it (this run, or the acceptance's queue pass still waiting for its turn), it meets
    // the old id at most once and goes out once, on the new id.
    const calls = h.slack
      .callsTo("conversations.inviteShared")
      .filter((c) => String(c.args.emails).includes(HR2.email));
    expect(calls.at(-1)).toMatchObject({ ok: true, args: { channel: late.new_channel_id } });
    expect(calls.filter((c) => c.error && c.error !== "channel_not_found")).toEqual([]);
    expect(h.slack.invites.filter((i) => i.email === HR2.email)).toHaveLength(1);
    expect((await statusOf(h))[HR2.email]).toBe("sent");
    expect(report.text).not.toContain(":x:");
  });
});

describe("Slack Connect needs a paid plan", () => {
  it("refuses a workspace on the free plan with not_paid, and the rep is told what to do", async () => {
    h = await startHarness({ paidPlan: false });
    const report = await command(h, `onboard Acme hr=${HR.email}`);
    expect(h.slack.callsTo("conversations.inviteShared").map((c) => c.error)).toEqual(["not_paid"]);
    expect(report.text).toContain("Slack Connect needs a paid Slack plan on our side");
    const invite = await h.db.prisma.invite.findFirstOrThrow();
    expect([invite.status, invite.lastError]).toEqual(["failed", "not_paid"]);
    // The channel was never shared, so the checklist is still posted in it for when the plan is sorted.
    const channel = await latestOnboardingChannel(h);
    expect(h.slack.messages(channel.id).some((m) => m.metadata?.event_type === "onboarding_checklist")).toBe(
      true,
    );
  });
});
