/**
 * Slack Connect authorization: a customer's HR admin (an external workspace) tries every rep action —
 * each command and each rep button, with action values tampered to point at ANOTHER customer — and
 * everything is refused, logged, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import { connect, onboard } from "../finch/helpers.ts";
import { ACME_TEAM, eventually, type Harness, HR, startHarness } from "../helpers/harness.ts";

describe("an external user trying every rep action", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres" });
  });
  afterAll(async () => h?.stop());

  /** Everything a refused action could have changed. */
  async function snapshot() {
    const [onboardings, invites, ticks, reminders, connections, sessions, files] = await Promise.all([
      h.db.prisma.onboarding.findMany({
        orderBy: { id: "asc" },
        select: { id: true, status: true, ownerUserId: true, callAt: true },
      }),
      h.db.prisma.invite.findMany({ orderBy: { id: "asc" }, select: { status: true, slackInviteId: true } }),
      h.db.prisma.tick.count(),
      h.db.prisma.reminder.findMany({ orderBy: { id: "asc" }, select: { status: true, dueAt: true } }),
      h.db.prisma.finchConnection.findMany({ select: { status: true, tokenCiphertext: true } }),
      h.db.prisma.finchConnectSession.count(),
      h.slack.files.length,
    ]);
    return JSON.stringify({
      onboardings,
      invites,
      ticks,
      reminders,
      connections,
      sessions,
      files,
      inviteShared: h.slack.callsTo("conversations.inviteShared").length,
      views: h.slack.openedViews.length,
      finchCalls: h.finch.calls.filter((c) => !c.path.startsWith("/employer") && c.path !== "/introspect")
        .length,
    });
  }

  it("every rep command and button is refused, logged, and changes nothing — even with another customer's id", async () => {
    const mine = await onboard(h, "Acme Own");
    const other = await onboard(h, "Globex Other");
    await connect(h, other);
    await h.app.inFlight.drain(5_000);
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
      expect(JSON.stringify(res.body), text).toContain("That action is for Fleet's team");
    }
    const checklist = h.slack.messages(mine.channelId).find((m) => m.ts === mine.checklistTs)!;
    const tampered = [
      ActionId.homeResendInvite,
      ActionId.reinvite,
      ActionId.homeRecheck,
      ActionId.homeReschedule,
      ActionId.reschedule,
      ActionId.historyCsv,
      ActionId.confirmDisconnect,
      ActionId.recheck,
    ];
    for (const actionId of tampered) {
      await h.driver.blockActions({
        user: { id: HR.id, teamId: ACME_TEAM.id },
        channelId: mine.channelId,
        message: checklist,
        actions: [{ action_id: actionId, type: "button", value: other.id }],
      });
    }
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
        tampered.length,
      10_000,
      "every refusal audited",
    );
    await h.app.inFlight.drain(5_000);
    expect(await snapshot()).toEqual(before);
    const warnings = h.logs.filter((l) => l.includes('"level":"warn"') && /refused/.test(l));
    expect(warnings.length).toBeGreaterThanOrEqual(tampered.length + 1);
  }, 60_000);
});
