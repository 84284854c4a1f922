/**
 * `/fleet call`, `owner` and `provider` set an absolute state (issue 22, point 2): a rep's Retry of a dead one
 * that a newer change of the same thing overtook is recorded obsolete and not applied, and the rep is told —
 * like a stale tick. Here: a `/fleet call` for 3 PM the database refuses until it is dead, a newer one for
 * 5 PM is applied, then the rep retries the dead one: the call stays at 5 PM.
 */
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OVERTAKEN_TEXT } from "../../src/blocks/onboarding-notes.ts";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import { dmMessages, eventually, type Harness, HOME_TEAM, REP, startHarness } from "../helpers/harness.ts";
import { onboardToChecklist } from "../helpers/onboard-to-checklist.ts";

const ZONE = "America/Chicago";
const at = (hour: number) => DateTime.fromISO(`2027-03-02T${hour}:00`, { zone: ZONE }).toJSDate();

describe("a rep's Retry of an overtaken /fleet call", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { INTAKE_MAX_ATTEMPTS: "2", INTAKE_POLL_MS: "100", FLEET_REP_USER_IDS: REP.id },
    });
  });
  afterAll(async () => h?.stop());

  it("records it obsolete, keeps the newer call and tells the rep", async () => {
    const { channel, onboarding } = await onboardToChecklist(h, "Callback Co");
    const call = (time: string) =>
      h.driver.command({
        text: `call 2027-03-02T${time} tz=Central`,
        userId: REP.id,
        teamId: HOME_TEAM.id,
        channelId: channel.id,
      });

    // The database refuses any move of the call (a stand-in for a constraint or a broken migration).
    await h.db.sql.exec(`
      create or replace function refuse_call() returns trigger language plpgsql as $$
      begin raise exception 'onboarding calls are read-only during maintenance'; end $$;
      create trigger refuse_call before update on onboarding for each row
        when (new.call_at is distinct from old.call_at) execute function refuse_call();`);
    await call("15:00");
    const dead = await eventually(
      () => h.db.prisma.intakeDelivery.findFirst({ where: { status: "dead", kind: "slash_command" } }),
      20_000,
      "the 3 PM call dead",
    );
    expect(dead.summary).toContain("15:00");
    await h.db.sql.exec("drop trigger refuse_call on onboarding");

    await call("17:00");
    await eventually(
      async () =>
        (
          await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboarding.id } })
        ).callAt?.getTime() === at(17).getTime(),
      15_000,
      "the 5 PM call applied",
    );

    const dmsBefore = dmMessages(h.slack, REP.id).length;
    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      view: { id: h.slack.homeView(REP.id)?.id ?? "V0HOME", type: "home", blocks: [] as never },
      actions: [{ action_id: ActionId.deadLetterRetry, type: "button", value: dead.key }],
    });
    const row = await eventually(
      async () => {
        const r = await h.db.prisma.intakeDelivery.findUniqueOrThrow({ where: { key: dead.key } });
        return r.status === "dead" ? null : r;
      },
      10_000,
      "the retried dead letter settled",
    );
    expect(row).toMatchObject({ status: "obsolete", payload: null });
    await eventually(
      () =>
        dmMessages(h.slack, REP.id)
          .slice(dmsBefore)
          .some((m) => m.text === OVERTAKEN_TEXT),
      10_000,
      "the rep told it was not applied",
    );
    // Given the worker time to (wrongly) apply it: the call stays at 5 PM.
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboarding.id } });
    expect(after.callAt?.getTime()).toBe(at(17).getTime());
  }, 120_000);
});
