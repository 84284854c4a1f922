/**
 * "The same thing" for absolute commands (issue 22): whether a late `/fleet call` (a rep's Retry of a dead
 * letter) is overtaken is decided on the onboarding it resolves to, not on how it was named. `/fleet call
 * Acme …` typed in the sales channel and `/fleet call …` typed in Acme's own channel set the same call, in
 * both orders. And an old `/fleet onboard` re-run retried after a newer `/fleet call` still invites its new HR
 * admin, but leaves the newer call where it is and says so.
 * `/fleet provider` and the reschedule form are judged the same way.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RescheduleField } from "../../src/blocks/reschedule-modal.ts";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import {
  dmMessages,
  eventually,
  type Harness,
  HOME_TEAM,
  HR,
  REP,
  REP2,
  startHarness,
} from "../helpers/harness.ts";
import { onboardToChecklist } from "../helpers/onboard-to-checklist.ts";

const ZONE = "America/Chicago";
const at = (hour: number) => DateTime.fromISO(`2027-03-02T${hour}:00`, { zone: ZONE }).toJSDate();
const SALES = "C0SALES";

describe("absolute fields judged on the resolved onboarding", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { INTAKE_MAX_ATTEMPTS: "2", INTAKE_POLL_MS: "100", FLEET_REP_USER_IDS: `${REP.id},${REP2.id}` },
    });
  });
  afterAll(async () => h?.stop());

  /** Runs `send` while the database refuses a change of `table` (a trigger), until its delivery is a dead letter. */
  async function deadWhile(
    on: "insert" | "update",
    table: string,
    when: string,
    send: () => Promise<unknown>,
  ) {
    await h.db.sql.exec(`
      create or replace function refuse_change() returns trigger language plpgsql as $$
      begin raise exception 'read-only during maintenance'; end $$;
      create trigger refuse_change before ${on} on ${table} for each row
        when (${when}) execute function refuse_change();`);
    const before = await h.db.prisma.intakeDelivery.count({ where: { status: "dead" } });
    await send();
    const dead = await eventually(
      async () =>
        (await h.db.prisma.intakeDelivery.count({ where: { status: "dead" } })) > before
          ? h.db.prisma.intakeDelivery.findFirst({
              where: { status: "dead" },
              orderBy: { receivedAt: "desc" },
            })
          : null,
      20_000,
      "a dead letter",
    );
    await h.db.sql.exec(`drop trigger refuse_change on ${table}`);
    return dead;
  }

  async function retry(key: string) {
    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      view: { id: h.slack.homeView(REP.id)?.id ?? "V0HOME", type: "home", blocks: [] as never },
      actions: [{ action_id: ActionId.deadLetterRetry, type: "button", value: key }],
    });
    return eventually(
      async () => {
        const r = await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key } });
        return r.status === "dead" || r.status === "pending" || r.status === "applying" ? null : r;
      },
      15_000,
      "the retried dead letter settled",
    );
  }

  const callAt = async (id: string) =>
    (await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id } })).callAt?.getTime();

  /** `/fleet call` at 5 PM typed in the customer's channel, applied. */
  async function callAtFiveInChannel(channelId: string, onboardingId: string) {
    await h.driver.command({
      text: "call 2027-03-02T17:00 tz=Central",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId,
    });
    await eventually(async () => (await callAt(onboardingId)) === at(17).getTime(), 15_000, "5 PM applied");
  }

  it.each([
    ["typed with the company in the sales channel, overtaken in the customer's channel", "sales", "channel"],
    ["typed in the customer's channel, overtaken with the company in the sales channel", "channel", "sales"],
  ] as const)(
    "an old /fleet call %s is obsolete",
    async (_name, oldDoor, newDoor) => {
      const company = `Door ${oldDoor} Co`;
      const { channel, onboarding } = await onboardToChecklist(h, company);
      const call = (door: "sales" | "channel", time: string) =>
        h.driver.command({
          text:
            door === "sales"
              ? `call ${company} 2027-03-02T${time} tz=Central`
              : `call 2027-03-02T${time} tz=Central`,
          userId: REP.id,
          teamId: HOME_TEAM.id,
          channelId: door === "sales" ? SALES : channel.id,
        });
      let typed: Awaited<ReturnType<typeof call>> | undefined;
      const dead = await deadWhile(
        "update",
        "onboarding",
        "new.call_at is distinct from old.call_at",
        async () => {
          typed = await call(oldDoor, "15:00");
        },
      );
      await call(newDoor, "17:00");
      await eventually(
        async () => (await callAt(onboarding.id)) === at(17).getTime(),
        15_000,
        "5 PM applied",
      );

      const dmsBefore = dmMessages(h.slack, REP.id).length;
      const row = await retry(dead.key);
      expect(row).toMatchObject({ status: "obsolete", payload: null });
      // The sender hears why (through the command's response_url while Slack takes it, else by DM).
      await eventually(
        () =>
          [
            ...(h.driver.responses(typed?.responseUrl ?? "") as Array<{ text?: string }>),
            ...dmMessages(h.slack, REP.id).slice(dmsBefore),
          ].some((m) =>
            /Not applied: .*call was changed by a newer command|was not applied: it arrived late/.test(
              m.text ?? "",
            ),
          ),
        10_000,
        "the sender told",
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(await callAt(onboarding.id)).toBe(at(17).getTime());
    },
    120_000,
  );

  it("an old /fleet onboard re-run invites its new HR admin but leaves a newer call where it is", async () => {
    const company = "Rerun Co";
    const { channel, onboarding } = await onboardToChecklist(h, company);
    // The re-run (new HR admin, call at 3 PM) dies while invites cannot be stored.
    let typed: Awaited<ReturnType<typeof h.driver.command>> | undefined;
    const dead = await deadWhile("insert", "invite", "new.email = 'late@rerun.example'", async () => {
      typed = await h.driver.command({
        text: `onboard ${company} hr=late@rerun.example call=2027-03-02T15:00 tz=Central`,
        userId: REP.id,
        teamId: HOME_TEAM.id,
        channelId: SALES,
      });
    });
    expect(await callAt(onboarding.id)).toBeUndefined();
    // Typed after it, applied first: the call at 5 PM, in the customer's channel.
    await callAtFiveInChannel(channel.id, onboarding.id);

    const dmsBefore = dmMessages(h.slack, REP.id).length;
    const row = await retry(dead.key);
    // Per field: what nobody changed since (the new HR admin) is applied; the call a newer command set stays.
    expect(row.status).toBe("done");
    await eventually(
      () =>
        h.db.prisma.invite.findFirst({ where: { onboardingId: onboarding.id, email: "late@rerun.example" } }),
      10_000,
      "the new HR admin invited",
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await callAt(onboarding.id)).toBe(at(17).getTime());
    await eventually(
      () =>
        [
          ...(h.driver.responses(typed?.responseUrl ?? "") as Array<{ text?: string }>),
          ...dmMessages(h.slack, REP.id).slice(dmsBefore),
        ].some((m) => /call was not moved: .*changed by a newer command/i.test(m.text ?? "")),
      10_000,
      "the rep told the call was kept",
    );
  }, 120_000);
  it("an old hand-over named with the company loses to a newer /fleet owner in the channel that kept the owner", async () => {
    const company = "Owner Co";
    const { channel, onboarding } = await onboardToChecklist(h, company);
    const dead = await deadWhile(
      "update",
      "onboarding",
      "new.owner_user_id is distinct from old.owner_user_id",
      () =>
        h.driver.command({
          text: `owner ${company} <@${REP2.id}>`,
          userId: REP.id,
          teamId: HOME_TEAM.id,
          channelId: SALES,
        }),
    );
    // Typed after it: the owner stays Rita (a change of nothing, yet the newest word on the owner).
    await h.driver.command({
      text: `owner <@${REP.id}>`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: channel.id,
    });
    await eventually(
      async () =>
        (await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboarding.id } })).ownerChangedAt &&
        (await h.db.prisma.intakeDelivery.count({ where: { status: { in: ["pending", "applying"] } } })) ===
          0,
      15_000,
      "the newer /fleet owner applied",
    );
    const row = await retry(dead.key);
    expect(row).toMatchObject({ status: "obsolete", payload: null });
    await new Promise((r) => setTimeout(r, 500));
    expect(
      (await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboarding.id } })).ownerUserId,
    ).toBe(REP.id);
  }, 120_000);

  it("an old re-run loses to a newer re-run that named the call as it already was", async () => {
    const company = "Twice Co";
    const { channel, onboarding } = await onboardToChecklist(h, company);
    await callAtFiveInChannel(channel.id, onboarding.id);
    const rerun = (hr: string, hour: number) =>
      h.driver.command({
        text: `onboard ${company} hr=${hr} call=2027-03-02T${hour}:00 tz=Central`,
        userId: REP.id,
        teamId: HOME_TEAM.id,
        channelId: SALES,
      });
    const dead = await deadWhile("insert", "invite", "new.email = 'late@twice.example'", () =>
      rerun("late@twice.example", 15),
    );
    const settled = await h.db.prisma.intakeDelivery.count({ where: { status: "done" } });
    await rerun(HR.email, 17);
    await eventually(
      async () => (await h.db.prisma.intakeDelivery.count({ where: { status: "done" } })) > settled,
      15_000,
      "the newer re-run applied",
    );
    const row = await retry(dead.key);
    expect(row.status).toBe("done");
    await new Promise((r) => setTimeout(r, 500));
    expect(await callAt(onboarding.id)).toBe(at(17).getTime());
  }, 120_000);
  it("an old /fleet provider named with the company loses to a newer one typed in the customer's channel", async () => {
    const company = "Provider Co";
    const { channel, onboarding } = await onboardToChecklist(h, company);
    const providerOf = async () =>
      (await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboarding.id } })).providerId;
    const dead = await deadWhile(
      "update",
      "onboarding",
      "new.provider_id is distinct from old.provider_id",
      () =>
        h.driver.command({
          text: `provider ${company} gusto`,
          userId: REP.id,
          teamId: HOME_TEAM.id,
          channelId: SALES,
        }),
    );
    await h.driver.command({
      text: "provider bamboo_hr",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: channel.id,
    });
    await eventually(async () => (await providerOf()) === "bamboo_hr", 15_000, "BambooHR applied");
    const row = await retry(dead.key);
    expect(row).toMatchObject({ status: "obsolete", payload: null });
    await new Promise((r) => setTimeout(r, 500));
    expect(await providerOf()).toBe("bamboo_hr");
  }, 120_000);

  it("an old reschedule form loses to a newer /fleet call in the customer's channel", async () => {
    const company = "Form Co";
    const { channel, onboarding } = await onboardToChecklist(h, company);
    const dead = await deadWhile("update", "onboarding", "new.call_at is distinct from old.call_at", () =>
      h.driver.viewSubmission({
        user: { id: REP.id, teamId: HOME_TEAM.id },
        view: {
          callback_id: "reschedule_modal",
          private_metadata: onboarding.id,
          state: {
            values: {
              [RescheduleField.call]: {
                [RescheduleField.call]: {
                  type: "datetimepicker",
                  selected_date_time: Math.floor(at(15).getTime() / 1000),
                },
              },
              [RescheduleField.timeZone]: {
                [RescheduleField.timeZone]: { type: "static_select", selected_option: { value: ZONE } },
              },
            },
          } as never,
        },
      }),
    );
    await callAtFiveInChannel(channel.id, onboarding.id);
    const row = await retry(dead.key);
    expect(row).toMatchObject({ status: "obsolete", payload: null });
    await new Promise((r) => setTimeout(r, 500));
    expect(await callAt(onboarding.id)).toBe(at(17).getTime());
  }, 120_000);
});
