/**
 * Choosing the provider over real HTTP: `provider=` takes a common name, an unknown one is answered with the
 * valid ones, `/fleet provider` re-posts and re-pins the new template's checklist once (the old one says it
 * was replaced and is unpinned), the switch is audited, and a switch after a tick is refused.
 */
import type { Block } from "@slack/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { getTemplate, providerChoices } from "../../src/checklist/template-registry.ts";
import { MetadataEventType } from "../../src/slack-gateway/ids.ts";
import { acceptInvite, eventually, type Harness, HR, REP, startHarness } from "../helpers/harness.ts";

const text = (value: unknown) => JSON.stringify(value ?? null);

describe("choosing and switching the HR provider", () => {
  let h: Harness;
  let onboardingId = "";
  let channelId = "";

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function fleet(commandText: string, user: { id: string; teamId: string } = REP) {
    const res = await h.driver.command({
      text: commandText,
      userId: user.id,
      teamId: user.teamId,
      channelId: "C0SALES",
    });
    const ack = text(res.body);
    if (!ack.includes("Working on it")) return ack;
    return text(await h.driver.waitForResponse(res.responseUrl, 10_000));
  }

  const checklists = () =>
    h.slack.messages(channelId).filter((m) => m.metadata?.event_type === MetadataEventType.checklist);
  const onboarding = () => h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });

  it("onboard with provider=BambooHR (a display name) uses the bamboo_hr template", async () => {
    expect(await fleet(`onboard Acme Corp hr=${HR.email} provider=BambooHR`)).toContain("Checklist pinned");
    const o = await h.db.prisma.onboarding.findFirstOrThrow();
    onboardingId = o.id;
    channelId = o.channelId ?? "";
    expect(o.providerId).toBe("bamboo_hr");
    expect(text(checklists()[0]?.blocks)).toContain(getTemplate("bamboo_hr").displayName);
  });

  it("an unknown provider gets a private answer listing the valid ones, and changes nothing", async () => {
    const messagesBefore = h.slack.messages(channelId).length;
    const answer = await fleet("provider Acme Corp Acmepay");
    // Finch lists more providers than fit one answer: those with a checklist, and examples of the others.
    expect(answer).toContain('\\"Acmepay\\" is not an HR provider Finch supports');
    expect(answer).toContain("Any other Finch provider id works too");
    expect(answer).toContain('"response_type":"ephemeral"');
    for (const p of providerChoices()) expect(answer).toContain(`${p.name} (${p.id})`);
    expect((await onboarding()).providerId).toBe("bamboo_hr");
    expect(h.slack.messages(channelId)).toHaveLength(messagesBefore);
  });

  it("/fleet provider … ADP Run re-posts and re-pins the checklist once, marks the old one, audits", async () => {
    const oldTs = (await onboarding()).checklistTs ?? "";
    expect(h.slack.pins(channelId)).toEqual([oldTs]);
    const reply = await fleet("provider Acme Corp ADP Run");
    expect(reply).toContain("now follows the ADP Run checklist");
    // ADP Run is an automated provider in Finch's list: no Finch Assist warning.
    expect(reply).not.toContain("Finch Assist");
    const o = await onboarding();
    expect(o.providerId).toBe("adp_run");
    expect(o.checklistTs).not.toBe(oldTs);
    // One checklist message, the new one, pinned alone; the old one says it was replaced.
    expect(checklists().map((m) => m.ts)).toEqual([o.checklistTs]);
    expect(h.slack.pins(channelId)).toEqual([o.checklistTs]);
    const old = h.slack.messages(channelId).find((m) => m.ts === oldTs);
    expect(old?.text).toContain("replaced by the ADP Run checklist");
    const keys = checklistItems(getTemplate("adp_run")).map((i) => i.key);
    for (const key of keys) expect(text(checklists()[0]?.blocks)).toContain(`tick:${key}`);
    const event = await h.db.prisma.auditEvent.findFirstOrThrow({
      where: { onboardingId, action: "onboarding.provider_changed" },
    });
    expect(event.detail).toEqual({ from: "bamboo_hr", to: "adp_run" });
    expect(event.actorUserId).toBe(REP.id);

    // The same command again does nothing more; resuming the onboarding does not post a second checklist.
    expect(await fleet("provider Acme Corp adp_run")).toContain("already uses the ADP Run checklist");
    await fleet(`onboard Acme Corp hr=${HR.email}`);
    expect(checklists()).toHaveLength(1);
    expect(await h.db.prisma.auditEvent.count({ where: { action: "onboarding.provider_changed" } })).toBe(1);
  });

  it("after a tick the switch is refused with the reason, and nothing changes", async () => {
    await acceptInvite(h, HR.email, HR);
    const checklist = checklists()[0];
    const item = checklistItems(getTemplate("adp_run")).find((i) => i.owner === "customer");
    if (!checklist || !item) throw new Error("no checklist or customer item");
    await h.driver.blockActions({
      user: { id: HR.id, teamId: HR.teamId },
      channelId,
      message: { ...checklist, blocks: checklist.blocks as Block[] },
      actions: [
        { action_id: `tick:${item.key}`, type: "checkboxes", selected_options: [{ value: item.key }] },
      ],
    });
    await eventually(() => h.db.prisma.tick.findFirst({ where: { onboardingId } }), 10_000, "tick stored");
    const messagesBefore = h.slack.messages(channelId).length;
    const reply = await fleet("provider Acme Corp justworks");
    expect(reply).toContain("already has ticks");
    expect((await onboarding()).providerId).toBe("adp_run");
    expect(h.slack.messages(channelId)).toHaveLength(messagesBefore);
    expect(h.slack.pins(channelId)).toEqual([checklist.ts]);
  });

  it("a customer's HR admin may not switch the provider", async () => {
    expect(await fleet("provider Acme Corp justworks", HR)).toContain("for Fleet's team");
    expect((await onboarding()).providerId).toBe("adp_run");
  });
});
