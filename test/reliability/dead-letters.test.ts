/**
 * A tick the database keeps refusing: the HR admin who ticked is told privately, the rep sees the dead
 * letter in the App Home (another internal user who is not a rep does not), and the rep's Retry applies it
 * once the cause is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import {
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  homeAfter as homeAfterAction,
  REP,
  REP2,
  startHarness,
} from "../helpers/harness.ts";
import { onboardToChecklist } from "../helpers/onboard-to-checklist.ts";
import { checkboxes } from "../journeys/onboarding-journey.ts";

type Block = Parameters<typeof checkboxes>[0][number];
type HomeBlock = {
  block_id?: string;
  text?: { text: string };
  accessory?: { action_id?: string; value?: string };
};

describe("dead letters", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { INTAKE_MAX_ATTEMPTS: "2", INTAKE_POLL_MS: "100", FLEET_REP_USER_IDS: REP.id },
    });
  });
  afterAll(async () => h?.stop());

  const openHome = (userId: string) =>
    homeAfterAction<HomeBlock>(
      h,
      () =>
        h.driver.event(
          { type: "app_home_opened", user: userId, channel: "D0HOME", tab: "home", event_ts: "1.1" },
          { teamId: HOME_TEAM.id },
        ),
      userId,
    );

  it("tells the person, shows reps the delivery, and applies it on a rep's Retry", async () => {
    const { channel, checklist } = await onboardToChecklist(h, "Refused Co");
    const item = checklistItems(getTemplate("justworks")).find((i) => i.owner === "customer");
    const box = checkboxes(checklist.blocks as Block[]).find((b) => b.value === item?.key);
    if (!item || !box) throw new Error("no customer step");

    // The database refuses this one step's row (a stand-in for a constraint or a broken migration).
    await h.db.sql.exec(`
      create or replace function refuse_step() returns trigger language plpgsql as $$
      begin raise exception 'step_state is read-only during maintenance'; end $$;
      create trigger refuse_step before insert or update on step_state
        for each row when (new.item_key = '${item.key}') execute function refuse_step();`);
    const res = await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: channel.id,
      message: checklist,
      actions: [{ action_id: box.actionId, block_id: box.blockId, selected_options: [{ value: item.key }] }],
    });
    expect(res.status).toBe(200);

    // Tried twice (live, then after 1 s), then dead: the HR admin is told, privately, once.
    const notes = () =>
      h.slack
        .callsTo("chat.postEphemeral")
        .filter((c) => c.args.user === HR.id && String(c.args.text).includes("could not be saved"));
    await eventually(() => notes().length > 0, 15_000, "the private note to the HR admin");
    await new Promise((r) => setTimeout(r, 500));
    const told = notes();
    expect(told).toHaveLength(1);
    expect(told[0]?.args.channel).toBe(channel.id);
    const row = await h.db.prisma.intakeDelivery.findFirstOrThrow({ where: { status: "dead" } });
    expect(row).toMatchObject({ attempts: 2, userId: HR.id, channelId: channel.id });
    expect(row.lastError).toContain("read-only during maintenance");

    // The rep sees it with a Retry button; an internal user who is not a rep does not.
    const repHome = await openHome(REP.id);
    expect(repHome.find((b) => b.block_id === "dead_letters")?.text?.text).toContain(
      "1 delivery could not be applied",
    );
    const retry = repHome.find((b) => b.accessory?.action_id === ActionId.deadLetterRetry);
    expect(retry?.text?.text).toContain("read-only during maintenance");
    expect(retry?.accessory?.value).toBe(row.key);
    const otherHome = await openHome(REP2.id);
    expect(otherHome.some((b) => b.block_id === "dead_letters")).toBe(false);

    // A non-rep's Retry is refused; the rep's, once the cause is gone, applies the tick.
    const press = (user: { id: string; teamId: string }) =>
      h.driver.blockActions({
        user,
        view: { id: h.slack.homeView(user.id)?.id ?? "V0HOME", type: "home", blocks: repHome as never },
        actions: [{ action_id: ActionId.deadLetterRetry, type: "button", value: row.key }],
      });
    await press({ id: REP2.id, teamId: HOME_TEAM.id });
    await eventually(
      async () => (await h.db.prisma.auditEvent.count({ where: { action: "intake.retry.refused" } })) === 1,
      10_000,
      "the refusal",
    );
    expect((await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: row.key } })).status).toBe(
      "dead",
    );
    await h.db.sql.exec("drop trigger refuse_step on step_state");
    await press({ id: REP.id, teamId: HOME_TEAM.id });
    await eventually(
      async () =>
        (await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: row.key } })).status === "done",
      15_000,
      "applied after the rep's retry",
    );
    const onboarding = await h.db.prisma.onboarding.findFirstOrThrow({ where: { channelId: channel.id } });
    const state = await h.db.prisma.stepState.findUnique({
      where: { onboardingId_itemKey: { onboardingId: onboarding.id, itemKey: item.key } },
    });
    expect(state?.done).toBe(true);
    await eventually(
      () => {
        const shown = h.slack.messages(channel.id).find((m) => m.ts === checklist.ts);
        return checkboxes((shown?.blocks ?? []) as Block[]).find((c) => c.value === item.key)?.ticked;
      },
      10_000,
      "the tick in the pinned checklist",
    );
    const after = await openHome(REP.id);
    expect(after.some((b) => b.block_id === "dead_letters")).toBe(false);
  }, 120_000);
});
