/**
 * Issue #14: any provider Finch supports can be onboarded. Without a template it gets the generic guide
 * ("Finch Connect will show you what to do for Gusto") and the same verification through the Finch
 * stand-in; an unknown name gets the valid ones; the modal's provider menu searches Finch's listing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OnboardField } from "../../src/blocks/onboard-modal.ts";
import type { StoredMessage } from "../../src/sandbox/slack/index.ts";
import { connect, onboard, tickedItems, verifications } from "../finch/helpers.ts";
import { eventually, type Harness, HOME_TEAM, HR, REP, startHarness } from "../helpers/harness.ts";

const text = (m: StoredMessage) => `${m.text ?? ""} ${JSON.stringify(m.blocks ?? [])}`;

describe("a Finch provider without a template", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.stop());

  it("`provider=gusto` posts the generic guide naming Gusto and ends verified through Finch", async () => {
    const o = await onboard(h, "Globex", "provider=gusto");
    const row = await h.db.prisma.onboarding.findUniqueOrThrow({ where: { id: o.id } });
    expect(row.providerId).toBe("gusto");
    const checklist = h.slack.messages(o.channelId).find((m) => m.ts === o.checklistTs)!;
    expect(checklist.text).toContain("Gusto setup checklist for Globex");
    expect(text(checklist)).toContain("Finch Connect will show you what to do for *Gusto*");
    expect(text(checklist)).not.toContain("Justworks");

    await connect(h, o);
    // Connect asked Finch for Gusto with the method and products Finch lists for it.
    const session = [...h.finch.sessions.values()].find((s) => s.customerId === o.id)!;
    expect(session.authMethod).toBe("oauth");
    expect(session.products).toEqual(expect.arrayContaining(["company", "directory", "benefits"]));
    const verified = await eventually(
      () => verifications(h, o).find((m) => m.metadata?.event_payload?.outcome === "verified"),
      20_000,
      "the verified report",
    );
    expect(text(verified)).toContain("Gusto");
    expect(text(verified)).not.toContain(":x:");
    await eventually(() => tickedItems(h, o).get("connect") || null, 10_000, "the connect step ticked");
  });

  it("an unknown provider id answers privately with the valid ones", async () => {
    const res = await h.driver.command({
      text: `onboard Initech hr=${HR.email} provider=acmepay`,
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    expect(res.status).toBe(200);
    const answer = JSON.stringify(res.body);
    expect(answer).toContain('"ephemeral"');
    expect(answer).toContain('\\"acmepay\\" is not an HR provider Finch supports');
    expect(answer).toContain("Justworks (justworks)");
    expect(answer).toMatch(/Any other Finch provider id works too \(\d+ more, e.g. [a-z_]+/);
    expect(await h.db.prisma.customer.count({ where: { name: "Initech" } })).toBe(0);
  });

  it("the modal's provider menu searches Finch's providers (block_suggestion), templated ones first", async () => {
    const ask = (value: string) =>
      h.driver.blockSuggestion({
        user: { id: REP.id, teamId: HOME_TEAM.id },
        actionId: OnboardField.provider,
        blockId: OnboardField.provider,
        value,
        view: { id: "V0MODAL", callback_id: "onboard_modal" },
      });
    const pay = await ask("pay");
    expect(pay.status).toBe(200);
    const groups = (
      pay.body as { option_groups: Array<{ label: { text: string }; options: Array<{ value: string }> }> }
    ).option_groups;
    expect(groups.map((g) => g.label.text)).toEqual([
      "Step-by-step checklist",
      "Other Finch providers (short guide)",
    ]);
    expect(groups[0]?.options.map((o) => o.value)).toEqual(
      expect.arrayContaining(["paychex_flex", "paylocity", "paycom"]),
    );
    expect(groups[0]?.options.map((o) => o.value)).not.toContain("paycor");
    expect(groups[1]?.options.map((o) => o.value)).toEqual(["paycor"]);
    const all = await ask("");
    const count = (all.body as { option_groups: Array<{ options: unknown[] }> }).option_groups.flatMap(
      (g) => g.options,
    ).length;
    expect(count).toBeGreaterThan(24);
    expect(count).toBeLessThanOrEqual(100);
  });

  it("the modal submitted with a provider chosen from the external select onboards with it", async () => {
    const res = await h.driver.command({
      text: "onboard",
      userId: REP.id,
      teamId: HOME_TEAM.id,
      channelId: "C0SALES",
    });
    expect(res.status).toBe(200);
    const view = await eventually(() => h.slack.openedViews.at(-1), 5_000, "modal");
    const values = {
      [OnboardField.company]: { [OnboardField.company]: { type: "plain_text_input", value: "Hooli" } },
      [OnboardField.hrEmails]: { [OnboardField.hrEmails]: { type: "plain_text_input", value: HR.email } },
      [OnboardField.provider]: {
        [OnboardField.provider]: {
          type: "external_select",
          selected_option: { value: "sequoia_one", text: { type: "plain_text", text: "Sequoia One" } },
        },
      },
    };
    const submitted = await h.driver.viewSubmission({
      user: { id: REP.id, teamId: HOME_TEAM.id },
      view: { id: view.id, callback_id: "onboard_modal", state: { values } as never },
    });
    expect(submitted.status).toBe(200);
    expect(submitted.text).toBe("");
    const o = await eventually(
      () =>
        h.db.prisma.onboarding.findFirst({
          where: { customer: { name: "Hooli" }, checklistTs: { not: null } },
        }),
      10_000,
      "the Hooli onboarding",
    );
    expect(o.providerId).toBe("sequoia_one");
    const checklist = h.slack.messages(o.channelId!).find((m) => m.ts === o.checklistTs)!;
    expect(checklist.text).toContain("Sequoia One setup checklist for Hooli");
  });
});
