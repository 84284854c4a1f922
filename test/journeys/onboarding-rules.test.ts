/**
 * Rules of onboarding over real HTTP: who may do what (authorization matrix), bad input creates nothing,
 * the saga resumes after a failure in the middle, every Slack error becomes a next step, the modal path,
 * status, and concurrent ticks on PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OnboardField } from "../../src/blocks/onboard-modal.ts";
import { adviceFor, KNOWN_SLACK_ERRORS } from "../../src/slack-gateway/errors.ts";
import {
  acceptInvite,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  HR2,
  latestOnboardingChannel,
  REP,
  REP2,
  STRANGER,
  startHarness,
} from "../helpers/harness.ts";

const text = (r: unknown) => JSON.stringify(r);

async function onboard(h: Harness, commandText: string, user: { id: string; teamId: string } = REP) {
  const res = await h.driver.command({
    text: commandText,
    userId: user.id,
    teamId: user.teamId,
    channelId: "C0SALES",
  });
  return {
    res,
    report: (await h.driver.waitForResponse(res.responseUrl, 10_000).catch(() => null)) as {
      text: string;
    } | null,
  };
}

async function reset(h: Harness) {
  await h.db.prisma.onboarding.deleteMany();
  await h.db.prisma.customer.deleteMany();
  h.slack.clearFaults();
}

describe("onboarding rules", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());
  afterEach(async () => {
    await h.db.prisma.onboarding.deleteMany();
    await h.db.prisma.customer.deleteMany();
    h.slack.clearFaults();
  });

  it("bad input gets a precise private answer with the usage and creates nothing", async () => {
    for (const bad of [
      "onboard hr=jane@acme.example",
      "onboard Acme hr=not-an-email",
      "onboard Acme hr=a@b.co call=2030-02-30T10:00",
      "onboard Acme hr=a@b.co tz=Nowhere/City",
      "onboard Acme hr=a@b.co provider=acmepay",
      "onboard Acme hr=a@b.co call=2001-01-01T10:00",
      `onboard ${"junk ".repeat(800)}`,
    ]) {
      const res = await h.driver.command({
        text: bad,
        userId: REP.id,
        teamId: HOME_TEAM.id,
        channelId: "C0SALES",
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ response_type: "ephemeral" });
      expect(text(res.body)).toContain("/fleet onboard <Company name>");
    }
    expect(await h.db.prisma.customer.count()).toBe(0);
    expect(h.slack.callsTo("conversations.create")).toHaveLength(0);
  });

  it("unknown subcommands answer with help, privately, well within 3 s", async () => {
    const res = await h.driver.command({
      text: "launch rockets",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    expect(res.body).toMatchObject({ response_type: "ephemeral" });
    expect(text(res.body)).toContain("I don't know `launch`");
  });

  describe("authorization matrix", () => {
    // The first two tests start a harness of their own (a fresh PGlite and its migrations) inside the test:
    // 30 s ran out on 2 cores shared with other test files, so they get the bound of a set-up hook and more.
    it("with a reps list, other members of our workspace are refused; listed reps pass", async () => {
      const limited = await startHarness({ env: { FLEET_REP_USER_IDS: REP.id } });
      try {
        const refused = await limited.driver.command({
          text: "onboard Acme hr=a@b.co",
          userId: REP2.id,
          teamId: HOME_TEAM.id,
          channelId: "C1",
        });
        expect(text(refused.body)).toContain("only Fleet's account reps");
        expect(await limited.db.prisma.customer.count()).toBe(0);
        const ok = await limited.driver.command({
          text: "onboard Acme hr=a@b.co",
          userId: REP.id,
          teamId: HOME_TEAM.id,
          channelId: "C1",
        });
        await limited.driver.waitForResponse(ok.responseUrl, 10_000);
        expect(await limited.db.prisma.customer.count()).toBe(1);
      } finally {
        await limited.stop();
      }
    }, 90_000);

    it("with a reps user group, only its members pass", async () => {
      const grouped = await startHarness({ env: { FLEET_REP_USERGROUP_ID: "S0REPS" } });
      try {
        grouped.slack.addUserGroup("S0REPS", "reps", [REP2.id]);
        const refused = await grouped.driver.command({
          text: "onboard",
          userId: REP.id,
          teamId: HOME_TEAM.id,
          channelId: "C1",
        });
        expect(text(refused.body)).toContain("only Fleet's account reps");
        const ok = await grouped.driver.command({
          text: "onboard",
          userId: REP2.id,
          teamId: HOME_TEAM.id,
          channelId: "C1",
        });
        expect(ok.status).toBe(200);
        await eventually(() => grouped.slack.openedViews.length === 1, 5_000, "modal");
      } finally {
        await grouped.stop();
      }
    }, 90_000);

    it("ticks from a workspace that is neither ours nor the customer's are refused", async () => {
      await onboard(h, `onboard Acme hr=${HR.email}`);
      const channel = await latestOnboardingChannel(h);
      await acceptInvite(h, HR.email, HR);
      const [checklist] = h.slack.messages(channel.id);
      const res = await h.driver.blockActions({
        user: { id: STRANGER.id, teamId: STRANGER.teamId },
        channelId: channel.id,
        message: checklist!,
        actions: [{ action_id: "tick:add-user", selected_options: [{ value: "add-user" }] }],
      });
      expect(res.status).toBe(200);
      await eventually(
        () => h.db.prisma.auditEvent.count({ where: { action: "tick.refused" } }),
        5_000,
        "refusal",
      );
      expect(await h.db.prisma.tick.count()).toBe(0);
      // The refusal is answered privately to the person who tried.
      const tried = await eventually(() => h.slack.callsTo("chat.postEphemeral").at(-1), 5_000, "ephemeral");
      expect(tried?.args).toMatchObject({ user: STRANGER.id, channel: channel.id });
      expect(String(tried?.args.text)).toContain("Only this customer's team and Fleet");
    });

    it("a tick on a message that is not this channel's checklist changes nothing", async () => {
      await onboard(h, `onboard Acme hr=${HR.email}`);
      const channel = await latestOnboardingChannel(h);
      await acceptInvite(h, HR.email, HR);
      const fake = { ts: "1700000000.000001", text: "x", blocks: [] };
      await h.driver.blockActions({
        user: { id: HR.id, teamId: HR.teamId },
        channelId: channel.id,
        message: fake,
        actions: [
          { action_id: "tick:add-user", type: "checkboxes", selected_options: [{ value: "add-user" }] },
        ],
      });
      await eventually(
        () => h.slack.ephemerals(channel.id).some((e) => e.text.includes("not an active checklist")),
        5_000,
        "refusal",
      );
      expect(await h.db.prisma.tick.count()).toBe(0);
    });
  });

  it("resumes after conversations.inviteShared fails once in the middle, without a second channel or checklist", async () => {
    h.slack.injectFault({ method: "conversations.inviteShared", times: 1, error: "ratelimited" });
    const first = await onboard(h, `onboard Resume Co hr=${HR.email},${HR2.email}`);
    expect(first.report?.text).toContain("some steps need you");
    expect(first.report?.text).toContain("Run the same `/fleet onboard` command again");
    const second = await onboard(h, `onboard Resume Co hr=${HR.email},${HR2.email}`);
    expect(second.report?.text).toContain("set up (resumed)");
    expect(h.slack.allChannels().filter((c) => c.name.startsWith("fleet-resume"))).toHaveLength(1);
    const invites = await h.db.prisma.invite.findMany();
    // One pending invitation per channel: the second HR admin waits for the first one's.
    expect(invites.map((i) => i.status).sort()).toEqual(["sent", "waiting"]);
    const channel = await latestOnboardingChannel(h);
    expect(
      h.slack.messages(channel.id).filter((m) => m.metadata?.event_type === "onboarding_checklist"),
    ).toHaveLength(1);
  });

  it("adopts its own channel after a crash between creating it and storing its id", async () => {
    // Simulate the crash: the channel exists in Slack and the planned name is stored, but not its id.
    await onboard(h, `onboard Crash Co hr=${HR.email}`);
    const o = await h.db.prisma.onboarding.findFirstOrThrow();
    await h.db.prisma.onboarding.update({
      where: { id: o.id },
      data: { channelId: null, checklistTs: null },
    });
    await onboard(h, `onboard Crash Co hr=${HR.email}`);
    expect(h.slack.allChannels().filter((c) => c.name.startsWith("fleet-crash-co"))).toHaveLength(1);
    const channel = await latestOnboardingChannel(h);
    expect(
      h.slack.messages(channel.id).filter((m) => m.metadata?.event_type === "onboarding_checklist"),
    ).toHaveLength(1);
    expect((await h.db.prisma.onboarding.findFirstOrThrow()).channelId).toBe(channel.id);
  });

  it("a name clash with an unrelated channel gets a suffix", async () => {
    h.slack.addChannel({ name: "fleet-globex", botIsMember: false });
    await onboard(h, `onboard Globex hr=${HR.email}`);
    expect(h.slack.channelByName("fleet-globex-2")?.members).toContain(REP.id);
  });

  it.each([
    ["conversations.create", "restricted_action", "Ask a Slack admin"],
    ["conversations.inviteShared", "not_paid", "paid Slack plan"],
    ["conversations.inviteShared", "restricted_action", "Ask a Slack admin"],
    ["conversations.inviteShared", "invalid_email", "Check the spelling"],
    [
      "conversations.inviteShared",
      "connection_limit_exceeded_pending",
      "one pending Slack Connect invitation per channel",
    ],
    ["conversations.inviteShared", "ratelimit", "per minute"],
    ["conversations.inviteShared", "not_allowed_for_grid_workspace", "Slack Connect is not enabled"],
    ["conversations.inviteShared", "recipients_not_specified", "hr="],
    ["conversations.inviteShared", "no_external_invite_permission", "may not send Slack Connect"],
    ["chat.postMessage", "ratelimited", "rate-limiting"],
  ])("%s failing with %s tells the rep what to do", async (method, error, advice) => {
    h.slack.injectFault({ method, error, times: 5 });
    const { report } = await onboard(h, `onboard Initech hr=${HR.email}`);
    expect(report?.text).toContain(advice);
    expect(report?.text).not.toContain("undefined");
  });

  it("already_in_channel counts as done, not as a problem", async () => {
    h.slack.injectFault({ method: "conversations.inviteShared", error: "already_in_channel", times: 1 });
    const { report } = await onboard(h, `onboard Hooli hr=${HR.email}`);
    expect(report?.text).toContain("is set up");
    expect((await h.db.prisma.invite.findFirstOrThrow()).status).toBe("accepted");
  });

  it("every mapped Slack error has specific advice", () => {
    for (const code of KNOWN_SLACK_ERRORS) expect(adviceFor(code, "x@y.z")).not.toContain("Slack answered");
    expect(adviceFor("something_new")).toContain("`something_new`");
  });

  it("the modal: /fleet onboard with no text opens it; a submission goes through the same use case", async () => {
    const res = await h.driver.command({
      text: "onboard",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    expect(res.status).toBe(200);
    const view = await eventually(() => h.slack.openedViews.at(-1), 5_000, "modal");
    expect(view.callback_id).toBe("onboard_modal");
    const values = (company: string, emails: string) => ({
      [OnboardField.company]: { [OnboardField.company]: { type: "plain_text_input", value: company } },
      [OnboardField.hrEmails]: { [OnboardField.hrEmails]: { type: "plain_text_input", value: emails } },
      [OnboardField.provider]: {
        [OnboardField.provider]: {
          type: "static_select",
          selected_option: { value: "justworks", text: { type: "plain_text", text: "Justworks" } },
        },
      },
      [OnboardField.call]: {
        [OnboardField.call]: {
          type: "datetimepicker",
          selected_date_time: Math.floor(Date.now() / 1000) + 86400 * 10,
        },
      },
      [OnboardField.timeZone]: {
        [OnboardField.timeZone]: { type: "plain_text_input", value: "Europe/Berlin" },
      },
      [OnboardField.owner]: { [OnboardField.owner]: { type: "users_select", selected_user: REP2.id } },
    });
    const bad = await h.driver.viewSubmission({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      view: { id: view.id, callback_id: "onboard_modal", state: { values: values("", "nope") } as never },
    });
    expect(bad.body).toMatchObject({ response_action: "errors" });
    expect(text(bad.body)).toContain("company name is missing");
    expect(text(bad.body)).toContain('\\"nope\\" is not an email');
    expect(await h.db.prisma.customer.count()).toBe(0);
    const good = await h.driver.viewSubmission({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      view: {
        id: view.id,
        callback_id: "onboard_modal",
        state: { values: values("Umbrella", `${HR.email}\n${HR2.email}`) } as never,
      },
    });
    expect(good.status).toBe(200);
    const o = await eventually(
      () => h.db.prisma.onboarding.findFirst({ where: { checklistTs: { not: null } } }),
      10_000,
      "onboarding",
    );
    expect(o.ownerUserId).toBe(REP2.id);
    expect(o.timeZone).toBe("Europe/Berlin");
    expect(await h.db.prisma.invite.count()).toBe(2);
  });

  it("/fleet status summarises progress, who ticked what, invites, call and connection — company optional in the channel", async () => {
    await onboard(h, `onboard Acme hr=${HR.email},${HR2.email} call=2030-06-04T15:00`);
    const channel = await latestOnboardingChannel(h);
    await acceptInvite(h, HR.email, HR);
    const [checklist] = h.slack.messages(channel.id);
    await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: channel.id,
      message: checklist!,
      actions: [{ action_id: "tick:add-user", selected_options: [{ value: "add-user" }] }],
    });
    await eventually(() => h.db.prisma.tick.count(), 5_000, "tick");
    // HR2's invitation goes out only once HR's is accepted (one pending invitation per channel), from the
    // invite queue after the acceptance event: wait for it, or the summary may still (rightly) say "queued".
    await eventually(
      () =>
        h.db.prisma.invite.findFirst({
          where: { email: HR2.email, status: "sent", onboarding: { channelId: channel.id } },
        }),
      10_000,
      "the second HR admin's invitation sent",
    );
    for (const [cmd, channelId] of [
      ["status Acme", "C0SALES"],
      ["status", channel.id],
    ] as const) {
      const res = await h.driver.command({ text: cmd, userId: REP.id, teamId: HOME_TEAM.id, channelId });
      const summary = (await h.driver.waitForResponse(res.responseUrl, 10_000)) as {
        text: string;
        response_type: string;
      };
      expect(summary.response_type).toBe("ephemeral");
      expect(summary.text).toContain("1 of 6 steps done");
      expect(summary.text).toContain(`<@${HR.id}>`);
      expect(summary.text).toContain(`${HR.email} (approved)`);
      expect(summary.text).toContain(`${HR2.email} (sent)`);
      expect(summary.text).toContain("<!date^");
      expect(summary.text).toContain("not connected yet");
    }
  });
});

describe("concurrent ticks on PostgreSQL", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ db: "postgres" });
  });
  afterAll(async () => h?.stop());

  it("two people ticking different items at the same moment both count, and Slack shows both", async () => {
    await reset(h);
    await onboard(h, `onboard Acme hr=${HR.email},${HR2.email}`);
    const channel = await latestOnboardingChannel(h);
    await acceptInvite(h, HR.email, HR);
    await acceptInvite(h, HR2.email, HR2);
    const [checklist] = h.slack.messages(channel.id);
    const all = [
      "settings-edit-employee-permissions",
      "settings-edit-company",
      "payments-invoices-reporting",
      "hr-manage",
      "hr-documents",
      "benefits-manage",
    ];
    await Promise.all(
      all.map((key, i) =>
        h.driver.blockActions({
          user: i % 2 ? { id: HR.id, teamId: HR.teamId } : { id: HR2.id, teamId: HR2.teamId },
          channelId: channel.id,
          message: checklist!,
          actions: [{ action_id: `tick:${key}`, type: "checkboxes", selected_options: [{ value: key }] }],
        }),
      ),
    );
    await eventually(
      async () => (await h.db.prisma.stepState.count({ where: { done: true } })) === all.length,
      10_000,
      "all ticks stored",
    );
    const o = await h.db.prisma.onboarding.findFirstOrThrow();
    expect(o.checklistVersion).toBe(all.length);
    // Once renders settle, the pinned message shows every tick (no lost update).
    await eventually(
      () => {
        const m = h.slack.messages(channel.id).find((x) => x.ts === checklist!.ts)!;
        const shown = JSON.stringify(m.blocks);
        return all.every((key) => new RegExp(`"initial_options":\\[\\{[^\\]]*"value":"${key}"`).test(shown));
      },
      10_000,
      "every tick visible",
    );
  });

  it("eight reps onboarding the same new customer at once get one customer, one channel, one checklist", async () => {
    await reset(h);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => onboard(h, `onboard Rush Hour Inc hr=${HR.email}`)),
    );
    for (const a of answers) expect(a.report?.text ?? "").not.toContain("Something went wrong");
    expect(await h.db.prisma.customer.count({ where: { name: "Rush Hour Inc" } })).toBe(1);
    expect(await h.db.prisma.onboarding.count()).toBe(1);
    expect(h.slack.allChannels().filter((c) => c.name.startsWith("fleet-rush-hour-inc"))).toHaveLength(1);
    const channel = await latestOnboardingChannel(h);
    expect(
      h.slack.messages(channel.id).filter((m) => m.metadata?.event_type === "onboarding_checklist"),
    ).toHaveLength(1);
  });

  it("a repeated delivery of the same tick changes nothing twice", async () => {
    await reset(h);
    await onboard(h, `onboard Acme hr=${HR.email}`);
    const channel = await latestOnboardingChannel(h);
    await acceptInvite(h, HR.email, HR);
    const [checklist] = h.slack.messages(channel.id);
    const input = {
      user: { id: HR.id, teamId: HR.teamId },
      channelId: channel.id,
      message: checklist!,
      triggerId: "111.222.same",
      actions: [
        {
          action_id: "tick:add-user",
          type: "checkboxes",
          selected_options: [{ value: "add-user" }],
          action_ts: "1700000000.123",
        },
      ],
    };
    for (let retry = 0; retry < 4; retry++)
      await h.driver.blockActions(input, retry ? { retryNum: retry } : {});
    await eventually(() => h.db.prisma.tick.count(), 15_000, "tick").catch((err) => {
      throw new Error(
        `${err.message}\n${h.logs
          .filter((l) => /"(warn|error)"/.test(l))
          .slice(-5)
          .join("\n")}`,
      );
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.db.prisma.tick.count()).toBe(1);
    expect(await h.db.prisma.auditEvent.count({ where: { action: "tick" } })).toBe(1);
  });
});
