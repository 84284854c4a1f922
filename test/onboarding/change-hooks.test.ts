/**
 * Effects behind hooks: a use case publishes "onboarding X changed (why)" once, and the App Home refresh and
 * the celebration follow as subscribers built at start-up (src/fleet.ts), not as calls inside the use case.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";
import { type OnboardingChange, OnboardingHooks } from "../../src/hooks.ts";
import { recordItemChange } from "../../src/onboarding/checklist-service.ts";
import { dmMessages, eventually, type Harness, HR, REP, startHarness } from "../helpers/harness.ts";
import { onboardToChecklist } from "../helpers/onboard-to-checklist.ts";
import { checkboxes } from "../journeys/onboarding-journey.ts";

describe("OnboardingHooks", () => {
  const change: OnboardingChange = { onboardingId: "o1", ownerUserId: "U0REP", reason: "checklist" };

  it("tells every subscriber in order, and a removed one no more", async () => {
    const hooks = new OnboardingHooks();
    const seen: string[] = [];
    hooks.subscribe(() => {
      seen.push("home");
    });
    const remove = hooks.subscribe(async (c) => {
      seen.push(`celebration:${c.onboardingId}`);
    });
    await hooks.changed(change);
    remove();
    await hooks.changed(change);
    expect(seen).toEqual(["home", "celebration:o1", "home"]);
  });

  it("lets a subscriber's failure reach the publisher (its delivery is retried)", async () => {
    const hooks = new OnboardingHooks();
    hooks.subscribe(() => {
      throw new Error("Slack is down");
    });
    await expect(hooks.changed(change)).rejects.toThrow("Slack is down");
  });

  it("keeps a reminder's failure apart from onboarding changes, each told to its own subscribers", async () => {
    const hooks = new OnboardingHooks();
    const seen: string[] = [];
    hooks.subscribe((c) => {
      seen.push(`change:${c.onboardingId}`);
    });
    const remove = hooks.onReminderFailed(async (f) => {
      seen.push(`failed:${f.reminderId}`);
    });
    await hooks.reminderFailed({ reminderId: "r1" });
    await hooks.changed(change);
    remove();
    await hooks.reminderFailed({ reminderId: "r2" });
    expect(seen).toEqual(["failed:r1", "change:o1"]);
    hooks.onReminderFailed(() => {
      throw new Error("database gone");
    });
    await expect(hooks.reminderFailed({ reminderId: "r3" })).rejects.toThrow("database gone");
  });
});

describe("a running app's hook", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  it("a tick publishes once; the rep's Home is refreshed by its subscriber", async () => {
    const { channel, checklist, onboarding } = await onboardToChecklist(h, "Hooked Co");
    const published: OnboardingChange[] = [];
    const stop = h.app.ctx.hooks.subscribe((c) => {
      published.push(c);
    });
    const homesBefore = h.slack.callsTo("views.publish").filter((c) => c.args.user_id === REP.id).length;
    const item = checklistItems(getTemplate(onboarding.providerId)).find((i) => i.owner === "customer")!;
    const box = checkboxes(checklist.blocks as Parameters<typeof checkboxes>[0]).find(
      (c) => c.value === item.key,
    )!;
    const res = await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId: channel.id,
      message: checklist,
      actions: [{ action_id: box.actionId, block_id: box.blockId, selected_options: [{ value: item.key }] }],
    });
    expect(res.status).toBe(200);
    await eventually(() => published.length > 0, 10_000, "the tick published");
    expect(published).toEqual([{ onboardingId: onboarding.id, ownerUserId: REP.id, reason: "checklist" }]);
    await eventually(
      () => h.slack.callsTo("views.publish").filter((c) => c.args.user_id === REP.id).length > homesBefore,
      10_000,
      "the rep's Home refreshed",
    );
    stop();
  });

  it("the celebration follows a published change, not the change itself", async () => {
    const { onboarding } = await onboardToChecklist(h, "Party Co");
    const told = () =>
      dmMessages(h.slack, REP.id).filter(
        (m) => m.text.includes("Party Co") && m.text.includes("finished every customer step"),
      );
    const customerSteps = checklistItems(getTemplate(onboarding.providerId)).filter(
      (i) => i.owner === "customer",
    );
    for (const item of customerSteps) {
      await recordItemChange(h.app.ctx, {
        onboardingId: onboarding.id,
        itemKey: item.key,
        done: true,
        source: "slack",
      });
    }
    expect(told()).toHaveLength(0);
    await h.app.ctx.hooks.changed({ onboardingId: onboarding.id, ownerUserId: REP.id, reason: "checklist" });
    expect(told()).toHaveLength(1);
  });
});
