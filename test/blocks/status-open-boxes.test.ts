/**
 * `/fleet status` names the open boxes and who acts on each (issue 27: one truth about what is open), read
 * from `ChecklistProgress.openItems` like the checklist header, the report and the reminder — not step titles.
 */
import { describe, expect, it } from "vitest";
import { statusText } from "../../src/blocks/reports.ts";
import { checklistItems } from "../../src/checklist/items.ts";
import { computeProgress, type ItemState } from "../../src/checklist/progress.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";

describe("the status summary", () => {
  it("lists what is left box by box, with who acts, and every box open is named", () => {
    const template = getTemplate("justworks");
    const items = checklistItems(template);
    const customer = items.filter((i) => i.owner === "customer");
    // Everything done but one customer box.
    const open = customer.at(-1);
    if (!open) throw new Error("no customer box");
    const states = new Map<string, ItemState>(
      items.filter((i) => i.key !== open.key).map((i) => [i.key, { done: true, source: "slack" }]),
    );
    const progress = computeProgress(template, states);
    const text = statusText({
      company: "Acme",
      status: "active",
      channelId: "C1",
      ownerUserId: "U0REP",
      progress,
      ticks: [],
      invites: [],
      callAt: null,
      timeZone: "America/Chicago",
      connection: null,
    });
    expect(progress.openItems.map((i) => i.key)).toEqual([open.key]);
    const item = progress.openItems[0];
    const name = item?.kind === "step" ? item.stepTitle : item?.label;
    expect(text).toContain(`One thing left for the customer: `);
    expect(text).toContain(`*${name}* in step ${item?.stepNumber}`);
    expect(text).not.toContain("Open for the customer");
  });
});
