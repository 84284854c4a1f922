/**
 * Checklist progress, computed from a template and the stored state of its items. Pure: the Slack
 * message, reminders and the Home tab all read the same numbers from here.
 */
import { checklistItems } from "./items.ts";
import type { ProviderTemplate, StepOwner, VerifiedBy } from "./template-format.ts";

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

/** One box still open: what it is, where it sits and who acts. */
export interface OpenItem {
  key: string;
  label: string;
  kind: "step" | "permission";
  /** 1-based step number, as shown to people. */
  stepNumber: number;
  stepTitle: string;
  /** Who acts on it: the customer or Fleet. */
  owner: StepOwner;
  /** `finch`: Fleet checks it through Finch once connected; `person`: someone ticks it. */
  verifiedBy: VerifiedBy;
}

/** One box that is done, and how: Finch proved it, or a person confirmed it (and who). */
export interface DoneItem {
  key: string;
  label: string;
  by: "finch" | "person";
  /** The Slack user who ticked it, when a person did in Slack. */
  byUserId: string | null;
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
  /** Every open box in checklist order: the one truth every surface names ("what is open, and who acts"). */
  openItems: OpenItem[];
  /** Every done box, with who proved or confirmed it. */
  doneItems: DoneItem[];
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
  const { openItems, doneItems } = splitItems(template, items, state);
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
    openItems,
    doneItems,
    customerStepsDone: open.every((step) => step.owner !== "customer"),
    allDone: open.length === 0,
  };
}

function splitItems(
  template: Pick<ProviderTemplate, "steps">,
  items: ReturnType<typeof checklistItems>,
  state: ReadonlyMap<string, ItemState>,
): { openItems: OpenItem[]; doneItems: DoneItem[] } {
  const openItems: OpenItem[] = [];
  const doneItems: DoneItem[] = [];
  for (const item of items) {
    const s = state.get(item.key);
    if (s?.done) {
      const by = s.source === "finch" ? "finch" : "person";
      doneItems.push({ key: item.key, label: item.label, by, byUserId: s.byUserId ?? null });
      continue;
    }
    const index = template.steps.findIndex((step) => step.key === item.stepKey);
    openItems.push({
      key: item.key,
      label: item.label,
      kind: item.kind,
      stepNumber: index + 1,
      stepTitle: template.steps[index]?.title ?? "",
      owner: item.owner,
      verifiedBy: item.verifiedBy,
    });
  }
  return { openItems, doneItems };
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
