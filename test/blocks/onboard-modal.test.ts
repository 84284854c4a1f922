import { describe, expect, it } from "vitest";
import { buildOnboardModal, buildProviderOptions, OnboardField } from "../../src/blocks/onboard-modal.ts";

const providers = [
  { id: "bamboo_hr", name: "BambooHR" },
  { id: "justworks", name: "Justworks" },
  { id: "paylocity", name: "Paylocity" },
  { id: "gusto", name: "Gusto", shipped: false },
  { id: "paycor", name: "Paycor", shipped: false },
];

describe("the onboarding modal's provider menu", () => {
  it("is an external select loading options from the first keystroke, Justworks preselected", () => {
    const view = buildOnboardModal({ defaultTimeZone: "America/New_York", ownerUserId: "U1" });
    const block = view.blocks.find((b) => b.block_id === OnboardField.provider) as unknown as {
      element: Record<string, unknown>;
    };
    expect(block.element).toMatchObject({
      type: "external_select",
      action_id: OnboardField.provider,
      min_query_length: 0,
      initial_option: { text: { type: "plain_text", text: "Justworks" }, value: "justworks" },
    });
  });

  it("answers a search with the matching providers, templated ones first in their own group", () => {
    const answer = buildProviderOptions(providers, "pay");
    expect(answer.option_groups.map((g) => g.label.text)).toEqual([
      "Step-by-step checklist",
      "Other Finch providers (short guide)",
    ]);
    expect(answer.option_groups.map((g) => g.options.map((o) => o.value))).toEqual([
      ["paylocity"],
      ["paycor"],
    ]);
    expect(buildProviderOptions(providers, "GUS").option_groups).toEqual([
      {
        label: { type: "plain_text", text: "Other Finch providers (short guide)" },
        options: [{ text: { type: "plain_text", text: "Gusto" }, value: "gusto" }],
      },
    ]);
    expect(buildProviderOptions(providers, "zzz").option_groups).toEqual([]);
  });

  it("keeps within Slack's limits: 100 options, option text 75 characters", () => {
    const many = Array.from({ length: 250 }, (_, i) => ({
      id: `p${i}`,
      name: `Provider ${i} ${"y".repeat(100)}`,
      shipped: i < 30,
    }));
    const answer = buildProviderOptions(many, "");
    const options = answer.option_groups.flatMap((g) => g.options);
    expect(options).toHaveLength(100);
    expect(answer.option_groups[0]?.options).toHaveLength(30);
    for (const o of options) expect(o.text.text.length).toBeLessThanOrEqual(75);
  });
});
