/** The reps' cockpit over real HTTP against the Slack stand-in. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBlockKitViolations } from "../../src/blocks/limits.ts";
import { runAlerts } from "../../src/cockpit/alerts.ts";
import { csvField } from "../../src/cockpit/history.ts";
import { ManualClock } from "../../src/context.ts";
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
  REP2,
  startHarness,
} from "../helpers/harness.ts";

const DAY = 86_400_000;

async function onboard(h: Harness, text: string, user = REP) {
  const res = await h.driver.command({ text, userId: user.id, teamId: HOME_TEAM.id, channelId: "C0SALES" });
  return (await h.driver.waitForResponse(res.responseUrl, 10_000)) as { text: string };
}

async function openHome(h: Harness, userId: string) {
  const before = h.slack.homeView(userId)?.updates ?? -1;
  await h.driver.event(
    { type: "app_home_opened", user: userId, channel: "D0HOME", tab: "home", event_ts: "1.1" },
    { teamId: HOME_TEAM.id },
  );
  return eventually(
    () => {
      const v = h.slack.homeView(userId);
      return v && v.updates !== before ? v : null;
    },
    5_000,
    "home view",
  );
}

describe("the reps' cockpit", () => {
  let h: Harness;
  const clock = new ManualClock(new Date("2030-03-01T15:00:00Z"));
  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(async () => h?.stop());

  it("the Home shows a rep's onboardings in every state, sorted by next call, within Slack's limits", async () => {
    await onboard(h, `onboard Later Inc hr=${HR.email} call=2030-03-20T10:00`);
    await onboard(h, `onboard Soon Corp hr=${HR2.email} call=2030-03-02T14:00`);
    await onboard(h, "onboard No Call Ltd hr=x@nocall.example");
    await onboard(h, `onboard Not Mine hr=${HR.email}`, REP2);
    // Soon Corp: HR joined; Later Inc: a connection that broke; No Call Ltd: its invite failed.
    const soon = await h.db.prisma.onboarding.findFirstOrThrow({
      where: { customer: { name: "Soon Corp" } },
    });
    const later = await h.db.prisma.onboarding.findFirstOrThrow({
      where: { customer: { name: "Later Inc" } },
    });
    await h.db.prisma.invite.updateMany({ where: { onboardingId: soon.id }, data: { status: "approved" } });
    await h.db.prisma.finchConnection.create({
      data: {
        onboardingId: later.id,
        connectionId: "c1",
        providerId: "justworks",
        tokenCiphertext: "v1.x",
        tokenKeyId: "k1",
        status: "reauth",
        codeHash: "h1",
      },
    });
    await h.db.prisma.invite.updateMany({
      where: { email: "x@nocall.example" },
      data: { status: "failed", lastError: "invalid_email" },
    });

    const view = await openHome(h, REP.id);
    expect(findBlockKitViolations(view.blocks as never, { maxBlocks: 100 })).toEqual([]);
    const text = JSON.stringify(view.blocks);
    const order = ["Soon Corp", "Later Inc", "No Call Ltd"].map((name) => text.indexOf(name));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).not.toContain("Not Mine");
    expect(text).toContain("at risk for the call");
    expect(text).toContain("Finch connection broken");
    expect(text).toContain("1 failed");
    expect(text).toContain("1 joined");
    // Who acts, and why a row is flagged.
    expect(text).toContain("Waiting on x@nocall.example to accept the Slack Connect invitation");
    expect(text).toMatch(/at risk for the call\* — call in \d+ hours/);
    expect(text).toContain("0 of 6 steps");
    for (const id of [
      "home_resend_invite",
      "home_recheck",
      "home_reschedule",
      "home_open_channel",
      "home_new_onboarding",
    ]) {
      expect(text).toContain(id);
    }
  });

  it("toggles to everyone's onboardings, and pages within 100 blocks", async () => {
    const view = await openHome(h, REP.id);
    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      view: { id: view.id, type: "home", blocks: view.blocks as never },
      actions: [{ action_id: "home_scope", type: "static_select", selected_option: { value: "all" } }],
    });
    const all = await eventually(
      () => {
        const v = h.slack.homeView(REP.id);
        return v && JSON.stringify(v.blocks).includes("Not Mine") ? v : null;
      },
      5_000,
      "everyone's view",
    );
    expect(JSON.stringify(all.blocks)).toContain("4 active");

    // 25 more onboardings: three pages of 10.
    const customer = await h.db.prisma.customer.create({ data: { name: "Bulk", nameKey: "bulk" } });
    for (let i = 0; i < 25; i++) {
      const c = await h.db.prisma.customer.create({ data: { name: `Bulk ${i}`, nameKey: `bulk ${i}` } });
      await h.db.prisma.onboarding.create({
        data: {
          customerId: c.id,
          providerId: "justworks",
          ownerUserId: REP.id,
          createdByUserId: REP.id,
          homeTeamId: HOME_TEAM.id,
          integrationUserName: "F I",
          integrationUserEmail: "i@f.example",
          timeZone: "UTC",
        },
      });
    }
    void customer;
    const first = await openHome(h, REP.id);
    expect(first.blocks.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(first.blocks)).toContain("page 1 of 3");
    const next = (
      first.blocks as Array<{ block_id?: string; elements?: Array<{ action_id: string; value: string }> }>
    )
      .find((b) => b.block_id === "home_paging")!
      .elements!.find((e) => e.action_id === "home_page:next")!;
    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      view: { id: first.id, type: "home", blocks: first.blocks as never },
      actions: [{ action_id: "home_page:next", value: next.value }],
    });
    const second = await eventually(
      () => {
        const v = h.slack.homeView(REP.id);
        return v && JSON.stringify(v.blocks).includes("page 2 of 3") ? v : null;
      },
      5_000,
      "page 2",
    ).catch((err) => {
      throw new Error(
        `${err.message}\n${h.logs.filter((l) => l.includes('"error"') || l.includes('"warn"')).join("\n")}`,
      );
    });
    expect(findBlockKitViolations(second.blocks as never, { maxBlocks: 100 })).toEqual([]);
    await h.db.prisma.onboarding.deleteMany({ where: { customer: { name: { startsWith: "Bulk" } } } });
  });

  it("an external user opening the Home tab sees nothing internal", async () => {
    const view = await openHome(h, HR.id);
    const text = JSON.stringify(view.blocks);
    expect(text).not.toContain("Soon Corp");
    expect(text).not.toContain("home_");
    expect(text).toContain("checklist is pinned");
  });

  it("on Enterprise Grid, a colleague from another workspace of our org gets the cockpit; a customer does not", async () => {
    const grid = await startHarness({ enterpriseId: "E0FLEETORG" });
    try {
      grid.slack.addTeam({ id: "T0SIBLING", name: "Fleet Europe", domain: "fleet-eu" });
      grid.slack.addTeam({ id: "T0ELSE", name: "Else Inc", domain: "else" });
      grid.slack.addUser({
        id: "U0SIBLING",
        teamId: "T0SIBLING",
        name: "sam.sibling",
        enterpriseId: "E0FLEETORG",
      });
      grid.slack.addUser({
        id: "U0OTHERORG",
        teamId: "T0ELSE",
        name: "olga.other",
        enterpriseId: "E0OTHERORG",
      });
      const sibling = JSON.stringify((await openHome(grid, "U0SIBLING")).blocks);
      expect(sibling).toContain("home_");
      expect(sibling).not.toContain("checklist is pinned");
      const other = JSON.stringify((await openHome(grid, "U0OTHERORG")).blocks);
      expect(other).not.toContain("home_");
      expect(other).toContain("checklist is pinned");
    } finally {
      await grid.stop();
    }
  });

  it("invite events update each invite; an HR admin leaving alerts the rep", async () => {
    await onboard(h, `onboard Events Co hr=${HR.email},${HR2.email}`);
    const o = await h.db.prisma.onboarding.findFirstOrThrow({
      where: { customer: { name: "Events Co" } },
      include: { invites: true },
    });
    await acceptInvite(h, HR.email, HR);
    // HR2's invitation goes out once HR's is accepted (one pending invitation per channel).
    const channelId = (await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } })).channelId;
    const decline = await eventually(
      () =>
        h.slack.invites
          .filter((i) => i.email === HR2.email && i.status === "pending" && i.channelId === channelId)
          .at(-1),
      15_000,
      "HR2 invited",
    );
    const declined = h.slack.declineSharedInvite(decline.id, { userId: HR2.id, teamId: ACME_TEAM.id });
    await h.driver.event(declined, { teamId: HOME_TEAM.id });
    await eventually(
      async () => {
        const invites = await h.db.prisma.invite.findMany({
          where: { onboardingId: o.id },
          orderBy: { email: "asc" },
        });
        return invites.map((i) => i.status).join() === "approved,declined";
      },
      5_000,
      "invite states",
    );
    const jane = await h.db.prisma.invite.findFirstOrThrow({
      where: { onboardingId: o.id, email: HR.email },
    });
    expect(jane).toMatchObject({ slackUserId: HR.id, slackTeamId: ACME_TEAM.id });

    const channel = await latestOnboardingChannel(h);
    await h.driver.event(
      {
        type: "member_left_channel",
        user: HR.id,
        channel: channel.id,
        channel_type: "G",
        team: ACME_TEAM.id,
      },
      { teamId: HOME_TEAM.id },
    );
    await eventually(
      () => dmMessages(h.slack, REP.id).some((m) => m.text.includes("left") && m.text.includes(HR.email)),
      5_000,
      "left alert",
    );
    expect((await h.db.prisma.invite.findFirstOrThrow({ where: { id: jane.id } })).status).toBe("left");
  });

  it("an invite not accepted after the configured days alerts the rep once, with a one-click re-invite", async () => {
    await onboard(h, "onboard Slowpoke hr=slow@slowpoke.example");
    const o = await h.db.prisma.onboarding.findFirstOrThrow({ where: { customer: { name: "Slowpoke" } } });
    expect(await runAlerts(h.app.ctx)).toBeGreaterThanOrEqual(0);
    const alertsBefore = dmMessages(h.slack, REP.id).filter((m) =>
      m.text.includes("slow@slowpoke.example"),
    ).length;
    expect(alertsBefore).toBe(0);
    clock.advance(8 * DAY);
    await runAlerts(h.app.ctx);
    await runAlerts(h.app.ctx);
    const alerts = dmMessages(h.slack, REP.id).filter((m) => m.text.includes("slow@slowpoke.example"));
    expect(alerts).toHaveLength(1);
    const button = JSON.stringify(alerts[0]?.blocks);
    expect(button).toContain('"action_id":"reinvite"');
    expect(button).toContain(o.id);
    // One click re-sends it.
    const sentBefore = h.slack.callsTo("conversations.inviteShared").length;
    const imChannel = h.slack.allChannels().find((c) => c.isIm && c.members.includes(REP.id))!;
    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      channelId: imChannel.id,
      message: alerts[0]!,
      actions: [{ action_id: "reinvite", value: o.id }],
    });
    await eventually(
      () => h.slack.callsTo("conversations.inviteShared").length === sentBefore + 1,
      5_000,
      "re-invite",
    );
    // The same button value from an external user is refused and logged.
    await h.driver.blockActions({
      user: { id: HR.id, teamId: ACME_TEAM.id },
      channelId: imChannel.id,
      message: alerts[0]!,
      actions: [{ action_id: "reinvite", value: o.id }],
    });
    await eventually(
      () => h.db.prisma.auditEvent.count({ where: { action: "reinvite.refused" } }),
      5_000,
      "refusal",
    );
    expect(h.slack.callsTo("conversations.inviteShared").length).toBe(sentBefore + 1);
    // Quiet customers and calls at risk alert too (once each).
    const stalls = dmMessages(h.slack, REP.id).filter((m) => m.text.includes("has been quiet"));
    expect(stalls.length).toBeGreaterThan(0);
  });

  it("/fleet history shows the latest entries privately and exports the full history as CSV to the rep", async () => {
    const o = await h.db.prisma.onboarding.findFirstOrThrow({ where: { customer: { name: "Events Co" } } });
    const res = await h.driver.command({
      text: "history Events Co",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    const answer = (await h.driver.waitForResponse(res.responseUrl, 10_000)) as {
      response_type: string;
      blocks: unknown[];
    };
    expect(answer.response_type).toBe("ephemeral");
    const shown = JSON.stringify(answer.blocks);
    expect(shown).toContain("onboard.started");
    expect(shown).toContain("invite.approved");
    expect(shown).toContain("(customer)");
    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      channelId: "C0SALES",
      message: { ts: "1.2", text: "x", blocks: answer.blocks },
      actions: [{ action_id: "history_csv", value: o.id }],
    });
    const file = await eventually(
      () => h.slack.files.find((f) => f.name.startsWith("Events_Co") && f.completed),
      5_000,
      "csv file",
    );
    const csv = file.content?.toString("utf8") ?? "";
    const rows = csv.trim().split("\r\n");
    expect(rows[0]).toBe("at,action,actor_user_id,actor_team_id,external,detail");
    const entries = await h.db.prisma.auditEvent.count({
      where: { onboardingId: o.id, action: { not: "history.exported" } },
    });
    expect(rows.length).toBe(entries + 1);
    expect(csv).toContain(`invite.accepted,${HR.id},${ACME_TEAM.id},yes`);
    const dm = h.slack.allChannels().find((c) => c.isIm && c.members.includes(REP.id));
    expect(file.channels).toEqual([dm?.id]);
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField('a,"b"')).toBe('"a,""b"""');
  });

  it("/fleet owner hands over; /fleet done closes, stops reminders and keeps history", async () => {
    const o = await h.db.prisma.onboarding.findFirstOrThrow({ where: { customer: { name: "Events Co" } } });
    const res = await h.driver.command({
      text: `owner Events Co <@${REP2.id}>`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    const handed = (await h.driver.waitForResponse(res.responseUrl, 10_000)) as { text: string };
    expect(handed.text).toContain(`now belongs to <@${REP2.id}>`);
    expect((await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } })).ownerUserId).toBe(
      REP2.id,
    );
    expect(h.slack.channel(o.channelId!)?.members).toContain(REP2.id);
    expect(dmMessages(h.slack, REP2.id).some((m) => m.text.includes("handed *Events Co* over to you"))).toBe(
      true,
    );
    const ext = await h.driver.command({
      text: `owner Events Co <@${HR.id}>`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    expect(((await h.driver.waitForResponse(ext.responseUrl, 10_000)) as { text: string }).text).toContain(
      "not a member of our workspace",
    );

    await h.db.prisma.reminder.create({
      data: {
        onboardingId: o.id,
        kind: "day_before",
        dedupeKey: `t:${o.id}`,
        dueAt: new Date("2030-04-01T00:00:00Z"),
      },
    });
    const done = await h.driver.command({
      text: "done",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId!,
    });
    expect(((await h.driver.waitForResponse(done.responseUrl, 10_000)) as { text: string }).text).toContain(
      "is closed",
    );
    const closed = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
    expect(closed.status).toBe("done");
    expect((await h.db.prisma.reminder.findFirstOrThrow({ where: { onboardingId: o.id } })).status).toBe(
      "cancelled",
    );
    expect(h.slack.messages(o.channelId!).some((m) => m.text.includes("This onboarding is complete"))).toBe(
      true,
    );
    expect(await h.db.prisma.auditEvent.count({ where: { onboardingId: o.id } })).toBeGreaterThan(3);
    // Ticks on a closed onboarding are refused politely.
    const checklist = h.slack
      .messages(o.channelId!)
      .find((m) => m.metadata?.event_type === "onboarding_checklist")!;
    await h.driver.blockActions({
      user: { id: HR.id, teamId: ACME_TEAM.id },
      channelId: o.channelId!,
      message: checklist,
      actions: [{ action_id: "tick:add-user", selected_options: [{ value: "add-user" }] }],
    });
    await eventually(
      () => h.slack.callsTo("chat.postEphemeral").some((c) => String(c.args.text).includes("closed")),
      5_000,
      "closed note",
    );
  });
});
