/**
 * Guests of Fleet's own workspace (users.info `is_restricted` / `is_ultra_restricted`) are members of our team
 * by the payload, but not Fleet's staff: they cannot run `/fleet status` nor tick Fleet's own steps. A
 * colleague who is a full member but no rep still can.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onboard } from "../finch/helpers.ts";
import { eventually, type Harness, HOME_TEAM, REP, startHarness } from "../helpers/harness.ts";

const GUEST = { id: "U0GUEST", teamId: HOME_TEAM.id, name: "gus.guest", guest: "multi" as const };
const SINGLE = { id: "U0SINGLE", teamId: HOME_TEAM.id, name: "sam.single", guest: "single" as const };
const COLLEAGUE = { id: "U0PAT", teamId: HOME_TEAM.id, name: "pat.finance" };

describe("guests of Fleet's workspace", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { FLEET_REP_USER_IDS: REP.id } });
    for (const user of [GUEST, SINGLE, COLLEAGUE]) h.slack.addUser(user);
  });
  afterAll(async () => h?.stop());

  async function status(userId: string, company: string): Promise<string> {
    const res = await h.driver.command({
      text: `status ${company}`,
      userId,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    const sync = JSON.stringify(res.body ?? "");
    if (!sync.includes("Working on it")) return sync;
    return JSON.stringify(await h.driver.waitForResponse(res.responseUrl, 10_000));
  }

  it("cannot run /fleet status (a colleague who is no rep can), and the refusal is audited", async () => {
    const o = await onboard(h, "Statusco");
    for (const guest of [GUEST, SINGLE]) {
      expect(await status(guest.id, o.company)).toContain("only Fleet's account reps");
    }
    expect(
      await h.db.prisma.auditEvent.count({ where: { action: "command.refused", actorUserId: GUEST.id } }),
    ).toBe(1);
    expect(await status(COLLEAGUE.id, o.company)).toContain("Statusco");
  });

  it("cannot tick Fleet's own step; the tick is refused privately and audited, nothing is recorded", async () => {
    const o = await onboard(h, "Tickco");
    const checklist = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs);
    const before = await h.db.prisma.auditEvent.count({ where: { action: "tick.refused" } });
    const res = await h.driver.blockActions({
      user: { id: GUEST.id, teamId: HOME_TEAM.id },
      channelId: o.channelId,
      message: checklist!,
      actions: [{ action_id: "tick:connect", selected_options: [{ value: "connect" }] }],
    });
    expect(res.status).toBe(200);
    await eventually(
      async () => (await h.db.prisma.auditEvent.count({ where: { action: "tick.refused" } })) > before,
      5_000,
      "refusal",
    );
    expect(await h.db.prisma.tick.count({ where: { onboardingId: o.id } })).toBe(0);
    const told = await eventually(
      () => h.slack.callsTo("chat.postEphemeral").find((c) => c.args.user === GUEST.id),
      5_000,
      "ephemeral",
    );
    expect(String(told?.args.text)).toContain("not guests of Fleet's workspace");
  });
});
