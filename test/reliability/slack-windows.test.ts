/**
 * Slack's windows: a response_url takes 5 posts within 30 minutes, a trigger_id opens a modal within 3 s.
 * A command the intake applies after its window (a rep's Retry of a dead letter, a long outage) answers the
 * person by DM, does its work once, and leaves no stale "Working on it…" behind its answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { ActionId, MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { eventually, type Harness, HOME_TEAM, REP, startHarness } from "../helpers/harness.ts";
import { onboardToChecklist } from "../helpers/onboard-to-checklist.ts";

describe("Slack's windows (response_url, trigger_id)", () => {
  let h: Harness;
  const clock = new ManualClock();
  beforeAll(async () => {
    h = await startHarness({
      clock,
      env: { INTAKE_MAX_ATTEMPTS: "2", INTAKE_POLL_MS: "100", FLEET_REP_USER_IDS: REP.id },
    });
  });
  afterAll(async () => h?.stop());

  /** Texts posted to a person by DM (addressed by user id, as the app does). */
  const dmsTo = (userId: string) =>
    h.slack
      .callsTo("chat.postMessage")
      .filter((c) => c.args.channel === userId)
      .map((c) => String(c.args.text ?? ""));

  it("a command retried 31 minutes after it was typed answers by DM, once, and posts its link once", async () => {
    const { channel } = await onboardToChecklist(h, "Late Co");
    const links = () =>
      h.slack.messages(channel.id).filter((m) => m.metadata?.event_type === MetadataEventType.connectLink);

    // Slack refuses the link's post on both attempts: the command becomes a dead letter.
    h.slack.injectFault({ method: "chat.postMessage", error: "not_in_channel", times: 2 });
    const typed = await h.driver.command({
      text: "link Late Co",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    const row = await eventually(
      () => h.db.prisma.intakeDelivery.findFirst({ where: { status: "dead", kind: "slash_command" } }),
      20_000,
      "the dead command",
    );
    expect(links()).toHaveLength(0);
    const answeredBefore = h.driver.responses(typed.responseUrl).length;

    // 31 minutes later (the response_url has expired), the rep retries it from the App Home.
    clock.advance(31 * 60_000);
    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      view: { id: h.slack.homeView(REP.id)?.id ?? "V0HOME", type: "home", blocks: [] },
      actions: [{ action_id: ActionId.deadLetterRetry, type: "button", value: row.key }],
    });
    await eventually(
      async () =>
        (await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: row.key } })).status === "done",
      20_000,
      "the command applied on the rep's Retry",
    );
    await eventually(
      () => dmsTo(REP.id).some((t) => t.includes("Posted the Justworks Connect link")),
      10_000,
      "the answer by DM",
    );
    // Give a wrong retry time to show itself.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(links()).toHaveLength(1);
    expect(dmsTo(REP.id).filter((t) => t.includes("Connect link"))).toHaveLength(1);
    expect(dmsTo(REP.id).some((t) => t.includes("Working on it"))).toBe(false);
    expect(h.driver.responses(typed.responseUrl)).toHaveLength(answeredBefore);
    const after = await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: row.key } });
    expect(after.status).toBe("done");
  }, 90_000);

  it("a modal whose trigger expired tells the person at once, and is not retried", async () => {
    h.slack.injectFault({ method: "views.open", error: "expired_trigger_id" });
    const opens = h.slack.callsTo("views.open").length;
    const typed = await h.driver.command({
      text: "onboard",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    const told = (await h.driver.waitForResponse(typed.responseUrl, 10_000)) as { text?: string };
    expect(told.text).toContain("could not be opened in time");
    const row = await eventually(
      () => h.db.prisma.intakeDelivery.findFirst({ where: { key: `cmd:${typed.triggerId}` } }),
      10_000,
      "the stored command",
    );
    await eventually(
      async () =>
        (await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: row.key } })).status === "done",
      10_000,
      "the command done",
    );
    await new Promise((r) => setTimeout(r, 1_500));
    const after = await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: row.key } });
    expect(after.attempts).toBe(1);
    expect(h.slack.callsTo("views.open").length - opens).toBe(1);
  }, 60_000);

  it("a command retried within its window answers through the response_url, last, with no stale 'Working on it…'", async () => {
    const { channel } = await onboardToChecklist(h, "Soon Co");
    h.slack.injectFault({ method: "chat.postMessage", error: "not_in_channel" });
    const typed = await h.driver.command({
      text: "link Soon Co",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    const texts = () =>
      (h.driver.responses(typed.responseUrl) as Array<{ text?: string }>).map((r) => r.text ?? "");
    await eventually(
      () => texts().some((t) => t.includes("Posted the Justworks Connect link")),
      20_000,
      "the answer",
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(texts().at(-1)).toContain("Posted the Justworks Connect link");
    expect(texts().some((t) => t.includes("Working on it"))).toBe(false);
    const links = h.slack
      .messages(channel.id)
      .filter((m) => m.metadata?.event_type === MetadataEventType.connectLink);
    expect(links).toHaveLength(1);
  }, 60_000);
});
