/**
 * Re-check without noise: a re-check that finds the same result answers in one line (no second full report,
 * no second alert to the rep); a new result posts the report, and the older reports are marked superseded
 * and lose their buttons; the rep is alerted once per distinct problem and told when it clears.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/context.ts";
import { buildAccountUpdatedEvent } from "../../src/sandbox/finch/index.ts";
import { ActionId } from "../../src/slack-gateway/ids.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";
import { connect, dms, nthVerification, onboard, threadReplies, verifications } from "./helpers.ts";

describe("re-check without noise", () => {
  let h: Harness;
  const clock = new ManualClock();
  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(async () => h?.stop());

  const json = (m: { blocks?: unknown[] }) => JSON.stringify(m.blocks ?? []);
  const hasRecheckButton = (m: { blocks?: unknown[] }) =>
    json(m).includes(`"action_id":"${ActionId.recheck}"`);

  it("same result: one line; new result: new report, older ones superseded; rep told once and when it clears", async () => {
    const o = await onboard(h);
    const { connectionId } = await connect(h, o, { deniedProducts: ["payment"] });
    const first = await nthVerification(h, o, 1);
    expect(hasRecheckButton(first)).toBe(true);
    const problemDms = () =>
      // Problem alerts only: the "Cleared … (before: permissions missing)" note is not one.
      dms(h, REP.id).filter(
        (m) => m.text.includes(o.company) && /missing/.test(m.text) && !m.text.includes("Cleared"),
      );
    await eventually(() => problemDms()[0], 5_000, "the rep's alert");

    // The customer presses Re-check without fixing anything: one line in the thread, nothing else.
    clock.set(new Date(Date.now() + 11_000));
    const repliesBefore = threadReplies(h, o).length;
    await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: o.channelId,
      message: first,
      actions: [{ action_id: ActionId.recheck }],
    });
    const same = await eventually(
      () =>
        threadReplies(h, o)
          .slice(repliesBefore)
          .find((m) => /same result/i.test(m.text ?? "")),
      10_000,
      "the one-line answer",
    );
    expect(same.text.split("\n")).toHaveLength(1);
    expect(same.text).toContain("View payments");
    expect(same.blocks ?? []).toHaveLength(0);
    expect(verifications(h, o)).toHaveLength(1);
    expect(problemDms()).toHaveLength(1);

    // The rep's /fleet verify finds the same too: still one report, still one alert.
    clock.set(new Date(Date.now() + 22_000));
    const res = await h.driver.command({
      text: `verify ${o.company}`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: o.channelId,
    });
    await h.driver.waitForResponse(res.responseUrl, 10_000);
    expect(verifications(h, o)).toHaveLength(1);
    expect(problemDms()).toHaveLength(1);

    // Fixed, re-checked: a new report; the first one is superseded and has no buttons; the rep hears it cleared.
    h.finch.setConnection(connectionId, { deniedProducts: [] });
    clock.set(new Date(Date.now() + 33_000));
    await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: o.channelId,
      message: first,
      actions: [{ action_id: ActionId.recheck }],
    });
    const second = await nthVerification(h, o, 2);
    expect(hasRecheckButton(second)).toBe(true);
    // Marked right after the new report is posted.
    const firstNow = await eventually(
      () => verifications(h, o).find((m) => m.ts === first.ts && !hasRecheckButton(m)),
      5_000,
      "the first report superseded",
    );
    expect(json(firstNow)).toMatch(/[Ss]uperseded/);
    const cleared = await eventually(
      () => dms(h, REP.id).find((m) => m.text.includes(o.company) && /cleared|resolved/i.test(m.text)),
      5_000,
      "the rep told it cleared",
    );
    expect(cleared.text).toContain("verified");

    // A different problem later: a new report and a new alert (one per distinct problem).
    h.finch.setConnection(connectionId, { deniedProducts: ["company"] });
    await h.finch.sendWebhook(
      `${h.app.url}/finch/webhooks`,
      h.secrets.finchWebhookSecret,
      buildAccountUpdatedEvent(h.finch.connection(connectionId)!, "error_permissions"),
    );
    await nthVerification(h, o, 3);
    await eventually(
      () => verifications(h, o).find((m) => m.ts === second.ts && !hasRecheckButton(m)),
      5_000,
      "the second report superseded",
    );
    await eventually(() => problemDms()[1], 5_000, "the second alert");
    expect(problemDms()).toHaveLength(2);
  });
});
