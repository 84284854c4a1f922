/**
 * The report's "where customers stall" reads `onboarding.customer_stage` and `last_step` (migration
 * 0075_hK_onboarding_stage) instead of deriving them from the invitations, the connection and the ticks. This
 * walks one customer through every transition the app makes, through Slack and Finch as a customer would, and
 * after each one checks the stored pair twice: against the expected value, and against the derivation from the
 * source rows (the report's former SQL). A writer that changed one of those rows without the stage following
 * fails here, on both databases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stalls } from "../../src/analytics/figures.ts";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import { connect, type Onboarded, onboard } from "../finch/helpers.ts";
import { DB_KINDS } from "../helpers/db.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";
import { checkboxes } from "../journeys/onboarding-journey.ts";

type Block = Parameters<typeof checkboxes>[0][number];

/** The stage and last step as the report derived them before migration 0075 (the oracle). */
const DERIVED = `select case
    when exists(select 1 from finch_connection c where c.onboarding_id = o.id and c.verified_at is not null) then 'verified'
    when exists(select 1 from finch_connection c where c.onboarding_id = o.id) then 'connected'
    when exists(select 1 from invite i where i.onboarding_id = o.id and i.status in ('accepted', 'approved')) then 'accepted'
    else 'invited' end as stage,
  (select t.item_key from tick t where t.onboarding_id = o.id and t.checked order by t.at desc, t.id desc limit 1) as step
  from onboarding o where o.id = $1::uuid`;

describe.each(DB_KINDS)("the onboarding's customer stage on %s", (kind) => {
  let h: Harness;
  let o: Onboarded;
  beforeAll(async () => {
    h = await startHarness({ db: kind });
  });
  afterAll(async () => h?.stop());

  /**
   * The stored pair, once it equals `expected` (`step` undefined: whatever the source rows say); and it must
   * equal the derivation from the source rows.
   */
  async function expectStage(want: { stage: string; step?: string | null }, what: string) {
    const [derived] = (await h.db.sql.query(DERIVED, [o.id])) as Array<{
      stage: string;
      step: string | null;
    }>;
    const expected = {
      stage: want.stage,
      step: want.step === undefined ? (derived?.step ?? null) : want.step,
    };
    const read = async () => {
      const [stored] = (await h.db.sql.query(
        "select customer_stage as stage, last_step as step from onboarding where id = $1::uuid",
        [o.id],
      )) as Array<{ stage: string; step: string | null }>;
      return stored;
    };
    await eventually(
      async () => {
        const s = await read();
        return s?.stage === expected.stage && s.step === expected.step ? s : null;
      },
      15_000,
      `${what}: ${JSON.stringify(expected)}`,
    ).catch(async (err) => {
      throw new Error(`${err}; stored ${JSON.stringify(await read())}`);
    });
    expect(await h.db.sql.query(DERIVED, [o.id]), what).toEqual([expected]);
    return expected;
  }

  async function tick(itemKey: string, checked: boolean) {
    const current = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs)!;
    const box = checkboxes(current.blocks as Block[]).find((c) => c.value === itemKey)!;
    const res = await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: o.channelId,
      message: current,
      actions: [
        {
          action_id: box.actionId,
          block_id: box.blockId,
          selected_options: checked ? [{ value: itemKey }] : [],
        },
      ],
    });
    expect(res.status).toBe(200);
    await eventually(
      async () =>
        ((
          await h.db.prisma.stepState.findUnique({
            where: { onboardingId_itemKey: { onboardingId: o.id, itemKey } },
          })
        )?.done ?? false) === checked,
      10_000,
      `${checked ? "tick" : "untick"} of ${itemKey}`,
    );
  }

  /** Waits for the n-th verification's audit row: written after its ticks (src/finch/verify.ts). */
  async function verifications(n: number) {
    await eventually(
      async () =>
        (await h.db.prisma.auditEvent.count({
          where: { onboardingId: o.id, action: "finch.verification" },
        })) >= n,
      20_000,
      `verification ${n}`,
    );
  }

  async function command(text: string) {
    const res = await h.driver.command({
      text,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    expect(res.status).toBe(200);
    return res;
  }

  it("follows invite accepted → connected → verified → ticks → disconnected → done", async () => {
    o = await onboard(h, "Stage Co");
    // The helper accepted the Slack Connect invitation (accepted, then approved).
    await expectStage({ stage: "accepted", step: null }, "invitation accepted");

    // Connected, but Finch cannot read payroll: not verified.
    await connect(h, o, { deniedProducts: ["pay_statement", "payment"] });
    await verifications(1);
    await expectStage({ stage: "connected" }, "connected, not verified");

    // Connected again with every product: verified; Finch's verification ticks the steps it proved.
    await connect(h, o);
    await verifications(2);
    await expectStage({ stage: "verified" }, "verified");

    // The customer ticks a step of its own, unticks it (the last step ticked stays), ticks another.
    await tick("note-details", true);
    await expectStage({ stage: "verified", step: "note-details" }, "tick");
    await tick("note-details", false);
    await expectStage({ stage: "verified", step: "note-details" }, "untick");
    await tick("benefits-manage", true);
    await expectStage({ stage: "verified", step: "benefits-manage" }, "another tick");

    // /fleet disconnect: the connection is gone, the customer is back to "accepted".
    const res = await command(`disconnect ${o.company}`);
    const confirmation = (await h.driver.waitForResponse(res.responseUrl, 10_000)) as { blocks: unknown[] };
    await h.driver.blockActions({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      channelId: o.channelId,
      message: { ts: "1700000000.000100", blocks: confirmation.blocks },
      isEphemeral: true,
      actions: [{ action_id: ActionId.confirmDisconnect }],
    });
    // (disconnecting unticks the Connect step: the last step ticked stays)
    await expectStage({ stage: "accepted", step: "benefits-manage" }, "disconnected");

    // Reconnected and verified, then closed: the stage stays, and the stalls no longer count it.
    await connect(h, o);
    await verifications(3);
    const { step } = await expectStage({ stage: "verified" }, "reconnected");
    const later = new Date(Date.now() + 30 * 86_400_000);
    expect(await stalls(h.db, later, 5)).toEqual([
      { stage: "verified, not closed", lastStep: step, count: 1 },
    ]);
    await command(`done ${o.company}`);
    await eventually(
      async () => (await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } })).status === "done",
      10_000,
      "the onboarding closed",
    );
    await expectStage({ stage: "verified", step }, "done");
    expect(await stalls(h.db, later, 5)).toEqual([]);
  }, 120_000);
});
