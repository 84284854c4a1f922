import { describe, expect, it } from "vitest";
import { checklistItems } from "../../src/checklist/items.ts";
import { computeProgress, type ItemState, progressBar } from "../../src/checklist/progress.ts";
import { getTemplate } from "../../src/checklist/template-registry.ts";

const template = getTemplate("justworks");
const allKeys = checklistItems(template).map((item) => item.key);
const permissionKeys = template.steps[2]!.permissions.map((p) => p.key);

function stateOf(keys: readonly string[], source: ItemState["source"] = "slack"): Map<string, ItemState> {
  return new Map(keys.map((k) => [k, { done: true, source }]));
}

describe("computeProgress", () => {
  it("starts with nothing done and every step open, by owner", () => {
    const p = computeProgress(template, new Map());
    expect(p).toMatchObject({
      stepsDone: 0,
      stepsTotal: 6,
      itemsDone: 0,
      itemsTotal: 18,
      customerStepsDone: false,
      allDone: false,
    });
    expect(p.openByOwner.customer).toEqual([
      "Add Fleet's integration user",
      "Make the integration user an administrator",
      "Turn on the permissions Fleet and Finch need",
      "Double-check the permissions",
      "Note the login details for the call",
    ]);
    expect(p.openByOwner.fleet).toEqual(["Complete the connection"]);
    expect(p.perStep.map((s) => [s.number, s.itemsTotal])).toEqual([
      [1, 1],
      [2, 1],
      [3, 13],
      [4, 1],
      [5, 1],
      [6, 1],
    ]);
  });

  it("counts a step with permissions as done only when all of them are", () => {
    const some = computeProgress(template, stateOf(permissionKeys.slice(0, 12)));
    expect(some.perStep[2]).toMatchObject({ done: false, itemsDone: 12, itemsTotal: 13 });
    expect(some.stepsDone).toBe(0);
    expect(some.itemsDone).toBe(12);

    const all = computeProgress(template, stateOf(permissionKeys, "finch"));
    expect(all.perStep[2]).toMatchObject({ done: true, itemsDone: 13 });
    expect(all.stepsDone).toBe(1);
    expect(all.openByOwner.customer).not.toContain("Turn on the permissions Fleet and Finch need");
  });

  it("treats unticked and unknown items as not done", () => {
    const state = new Map<string, ItemState>([
      ["add-user", { done: false, source: "slack", byUserId: "U1" }],
      ["no-such-item", { done: true, source: "slack" }],
      ["grant-admin", { done: true, source: "finch", at: new Date(), note: null }],
    ]);
    const p = computeProgress(template, state);
    expect(p.stepsDone).toBe(1);
    expect(p.itemsDone).toBe(1);
    expect(p.perStep[0]!.done).toBe(false);
  });

  it("knows when the customer's part is done but Fleet's is not", () => {
    const p = computeProgress(template, stateOf(allKeys.filter((k) => k !== "connect")));
    expect(p).toMatchObject({ stepsDone: 5, customerStepsDone: true, allDone: false });
    expect(p.openByOwner).toEqual({ customer: [], fleet: ["Complete the connection"] });
  });

  it("is all done when every item is", () => {
    const p = computeProgress(template, stateOf(allKeys));
    expect(p).toMatchObject({ stepsDone: 6, itemsDone: 18, customerStepsDone: true, allDone: true });
    expect(p.openByOwner).toEqual({ customer: [], fleet: [] });
  });
});

describe("progressBar", () => {
  it("draws one cell per step for short checklists", () => {
    expect(progressBar(0, 6)).toBe("▱▱▱▱▱▱");
    expect(progressBar(4, 6)).toBe("▰▰▰▰▱▱");
    expect(progressBar(6, 6)).toBe("▰▰▰▰▰▰");
  });

  it("scales long checklists to 10 cells, never looking finished or unstarted when it is not", () => {
    expect(progressBar(7, 14)).toBe("▰▰▰▰▰▱▱▱▱▱");
    expect(progressBar(1, 100)).toBe("▰▱▱▱▱▱▱▱▱▱");
    expect(progressBar(99, 100)).toBe("▰▰▰▰▰▰▰▰▰▱");
    expect(progressBar(3, 6, 4)).toBe("▰▰▱▱");
  });

  it("clamps nonsense", () => {
    expect(progressBar(9, 6)).toBe("▰▰▰▰▰▰");
    expect(progressBar(-1, 6)).toBe("▱▱▱▱▱▱");
    expect(progressBar(0, 0)).toBe("");
  });
});
