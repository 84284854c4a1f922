/**
 * Checklist progress, computed from a template and the stored state of its items. Pure: the Slack
 * message, reminders and the Home tab all read the same numbers from here.
 */
import { checklistItems } from "./items.ts";
import type { ProviderTemplate, StepOwner } from "./template-format.ts";

/** The stored state of one checklist item (one row of `step_state`). */
export interface ItemState {
  done: boolean;
  /** `finch` when verification proved it, `slack` when a person ticked it in Slack, `page` on the private page. */
  source: "slack" | "finch" | "page";
  byUserId?: string | null;
  at?: Date | null;
  note?: string | null;
}

/** Progress of one step. */
export interface StepProgress {
  key: string;
  /** 1-based, as shown to people. */
  number: number;
  title: string;
  owner: StepOwner;
  done: boolean;
  itemsDone: number;
  itemsTotal: number;
}

/** Progress of a whole checklist. */
export interface ChecklistProgress {
  stepsDone: number;
  stepsTotal: number;
  itemsDone: number;
  itemsTotal: number;
  perStep: StepProgress[];
  /** Titles of the steps still open, by who has to act. */
  openByOwner: { customer: string[]; fleet: string[] };
  customerStepsDone: boolean;
  allDone: boolean;
}

/** Computes progress; a step with permissions is done when all of them are; unknown keys are ignored. */
export function computeProgress(
  template: Pick<ProviderTemplate, "steps">,
  state: ReadonlyMap<string, ItemState>,
): ChecklistProgress {
  const items = checklistItems(template);
  const isDone = (itemKey: string) => state.get(itemKey)?.done === true;
  const perStep = template.steps.map((step, index): StepProgress => {
    const mine = items.filter((item) => item.stepKey === step.key);
    const itemsDone = mine.filter((item) => isDone(item.key)).length;
    return {
      key: step.key,
      number: index + 1,
      title: step.title,
      owner: step.owner,
      done: itemsDone === mine.length,
      itemsDone,
      itemsTotal: mine.length,
    };
  });
  const open = perStep.filter((step) => !step.done);
  const stepsDone = perStep.length - open.length;
  return {
    stepsDone,
    stepsTotal: perStep.length,
    itemsDone: perStep.reduce((sum, step) => sum + step.itemsDone, 0),
    itemsTotal: items.length,
    perStep,
    openByOwner: {
      customer: open.filter((step) => step.owner === "customer").map((step) => step.title),
      fleet: open.filter((step) => step.owner === "fleet").map((step) => step.title),
    },
    customerStepsDone: open.every((step) => step.owner !== "customer"),
    allDone: open.length === 0,
  };
}

/**
 * A text progress bar such as `▰▰▰▰▱▱`: one cell per step up to 12, otherwise `width` cells (default 10).
 * A started but small share shows at least one filled cell, and only a finished one fills every cell.
 */
export function progressBar(done: number, total: number, width?: number): string {
  if (!Number.isFinite(total) || total <= 0) return "";
  const cells = Math.max(1, Math.floor(width ?? (total <= 12 ? total : 10)));
  const share = Math.min(Math.max(done, 0), total) / total;
  let filled = Math.round(share * cells);
  if (share > 0 && filled === 0) filled = 1;
  if (share < 1 && filled === cells) filled = cells - 1;
  return "▰".repeat(filled) + "▱".repeat(cells - filled);
}
