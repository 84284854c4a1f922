/**
 * Slack Connect authorization: a customer's HR admin (an external workspace) tries every rep action —
 * each command and each rep button (every action the app registers but a short list open to everyone), with
 * action values tampered to point at ANOTHER customer — and
 * everything is refused, logged, and nothing changes: no row, no Finch call (re-checks read Finch), no
 * verification, no Slack post. A guest of our own workspace pressing Re-check is refused the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import { connect, onboard } from "../finch/helpers.ts";
import {
  ACME_TEAM,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  STRANGER,
  startHarness,
} from "../helpers/harness.ts";
import { registeredActions } from "../helpers/registered-actions.ts";

/**
 * The buttons anyone may press, and why; every other action the app registers is for reps only. Re-check is
 * not here: a customer may re-check their own channel, but not with another customer's id (pressed below).
 */
const OPEN_TO_EVERYONE: Record<string, string> = {
  [ActionId.connectLink]: "a link button: Slack opens the URL, the listener only acks",
  [ActionId.addToCalendar]: "a link button",
  [ActionId.homeOpenChannel]: "a link button",
  [ActionId.checklistStatus]: "the checklist's Status, privately, for the channel it is pressed in",
  [ActionId.homeScope]: "a non-rep asking for everyone's onboardings gets their own Home",
};

/** Patterns the app registers, each open to everyone: the tick (its own rule, pressed below) and paging. */
const OPEN_PATTERNS = [
  `^${ActionId.tickPrefix}(.+)$`,
  `^${ActionId.homePage}:`,
  `^${ActionId.setAsidePage}:`,
  `^${ActionId.deadLetterPage}:`,
];

/** Every action id the app registers that is not open to everyone. */
function repOnlyActions(): string[] {
  const { ids, patterns } = registeredActions();
  // A new pattern must be classified here first: it cannot be pressed by id.
  expect(patterns.map((p) => p.source).sort()).toEqual([...OPEN_PATTERNS].sort());
  return [...new Set(ids)].filter((id) => !(id in OPEN_TO_EVERYONE));
}

/** A guest of our own workspace: internal by team, but never a rep. */
const GUEST = { id: "U0GUESTX", teamId: HOME_TEAM.id, name: "gil.guest", guest: "single" as const };

describe("an external user trying every rep action", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres" });
    h.slack.addUser(GUEST);
  });
  afterAll(async () => h?.stop());

  /** Everything a refused action could have changed. */
  async function snapshot() {
    const [onboardings, invites, ticks, reminders, connections, sessions, files, verifications] =
      await Promise.all([
        h.db.prisma.onboarding.findMany({
          orderBy: { id: "asc" },
          select: { id: true, status: true, ownerUserId: true, callAt: true },
        }),
        h.db.prisma.invite.findMany({
          orderBy: { id: "asc" },
          select: { status: true, slackInviteId: true },
        }),
        h.db.prisma.tick.count(),
        h.db.prisma.reminder.findMany({ orderBy: { id: "asc" }, select: { status: true, dueAt: true } }),
        h.db.prisma.finchConnection.findMany({ select: { status: true, tokenCiphertext: true } }),
        h.db.prisma.finchConnectSession.count(),
        h.slack.files.length,
        h.db.prisma.verification.count(),
      ]);
    return JSON.stringify({
      onboardings,
      invites,
      ticks,
      reminders,
      connections,
      sessions,
      files,
      verifications,
      // Every message the bot posted, except a refusal sent privately to the person refused (a Home button
      // has no channel for an ephemeral). A refused tick re-renders the checklist (undoing the click), so
      // chat.update is not counted.
      posts: h.slack
        .callsTo("chat.postMessage")
        .filter((c) => ![HR.id, GUEST.id].includes(String(c.args.channel))).length,
      inviteShared: h.slack.callsTo("conversations.inviteShared").length,
      views: h.slack.openedViews.length,
      // Every Finch call, reads included: a re-check is introspect + one read per permission.
      finchCalls: h.finch.calls.length,
    });
  }

  it("every rep command and button is refused, logged, and changes nothing — even with another customer's id", async () => {
    const mine = await onboard(h, "Acme Own");
    const other = await onboard(h, "Globex Other");
    await connect(h, other);
    await h.app.inFlight.drain(5_000);
    // Past the re-check cool-down, so a wrongly allowed Re-check would really read Finch and post.
    await h.db.prisma.verification.updateMany({
      where: { onboardingId: other.id },
      data: { createdAt: new Date(Date.now() - 60_000) },
    });
    const before = await snapshot();
    const refusedBefore = await h.db.prisma.auditEvent.count({ where: { action: { endsWith: "refused" } } });

    for (const text of [
      "onboard Evil hr=e@evil.example",
      "onboard",
      "link",
      "verify",
      "call 2031-01-01T10:00",
      "done",
      "history",
      `owner <@${HR.id}>`,
      "disconnect",
      "link Globex Other",
      "done Globex Other",
    ]) {
      const res = await h.driver.command({
        text,
        userId: HR.id,
        teamId: ACME_TEAM.id,
        channelId: mine.channelId,
      });
      // A person's commands in a channel are applied in order: one typed while the previous is still being
      // applied is answered "catching up", and its refusal follows on the response_url.
      const answer = JSON.stringify(res.body).includes("catching up")
        ? await h.driver.waitForResponse(res.responseUrl, 10_000)
        : res.body;
      expect(JSON.stringify(answer), text).toContain("That action is for Fleet's team");
    }
    const checklist = h.slack.messages(mine.channelId).find((m) => m.ts === mine.checklistTs)!;
    // Every button the app listens to, read from its registrations, except those open to everyone: a new
    // rep-only button is pressed here without anyone adding it.
    const tampered = repOnlyActions();
    expect(tampered).toContain(ActionId.homeRevokePortal);
    for (const actionId of tampered) {
      const refused = await h.db.prisma.auditEvent.count({ where: { action: { endsWith: "refused" } } });
      await h.driver.blockActions({
        user: { id: HR.id, teamId: ACME_TEAM.id },
        channelId: mine.channelId,
        message: checklist,
        actions: [{ action_id: actionId, type: "button", value: other.id }],
      });
      // Each one refused and audited on its own, not just "enough refusals overall".
      await eventually(
        async () =>
          (await h.db.prisma.auditEvent.count({ where: { action: { endsWith: "refused" } } })) > refused,
        10_000,
        `${actionId} refused and audited`,
      );
    }
    // Re-check pressed on the other customer's own message, by another company's admin (not that customer's
    // team) and by a guest of our workspace; and from the guest's Home.
    const foreignMessage = h.slack.messages(other.channelId).find((m) => m.ts === other.checklistTs)!;
    for (const user of [
      { id: STRANGER.id, teamId: STRANGER.teamId },
      { id: GUEST.id, teamId: HOME_TEAM.id },
    ]) {
      await h.driver.blockActions({
        user,
        channelId: other.channelId,
        message: foreignMessage,
        actions: [{ action_id: ActionId.recheck, type: "button", value: other.id }],
      });
    }
    await h.driver.blockActions({
      user: { id: GUEST.id, teamId: HOME_TEAM.id },
      view: { id: "V0GUESTHOME", type: "home", blocks: [] },
      actions: [{ action_id: ActionId.homeRecheck, type: "button", value: other.id }],
    });
    // A tick sent for the other customer's channel and checklist.
    const foreignChecklist = h.slack.messages(other.channelId).find((m) => m.ts === other.checklistTs)!;
    await h.driver.blockActions({
      user: { id: "U0ACMEOTHER", teamId: "T0EVIL" },
      channelId: other.channelId,
      message: foreignChecklist,
      actions: [
        { action_id: "tick:add-user", type: "checkboxes", selected_options: [{ value: "add-user" }] },
      ],
    });
    await eventually(
      async () =>
        (await h.db.prisma.auditEvent.count({ where: { action: { endsWith: "refused" } } })) -
          refusedBefore >=
        tampered.length + 3,
      10_000,
      "every refusal audited",
    );
    await h.app.inFlight.drain(5_000);
    expect(JSON.parse(await snapshot())).toEqual(JSON.parse(before));
    const warnings = h.logs.filter((l) => l.includes('"level":"warn"') && /refused/.test(l));
    expect(warnings.length).toBeGreaterThanOrEqual(tampered.length + 1);
  }, 60_000);
});
