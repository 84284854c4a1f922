/**
 * "What is open, and who acts", in words. Every surface that says something is open (the checklist header,
 * the verification report, the day-before reminder, the App Home and the rep's alerts) reads
 * `ChecklistProgress.openItems` and phrases it here, so they all name the same boxes.
 * Returns Slack mrkdwn; labels are escaped.
 */
import type { ChecklistProgress, OpenItem } from "./progress.ts";
import type { ChecklistItem } from "./template-format.ts";

/** Who reads the sentence: the customer in their channel ("you"), or a rep ("the customer"). */
export type OpenAudience = "customer" | "rep";

/** Items named one by one before "and N more". */
const NAMED = 4;

const NUMBER_WORDS = ["No", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"];

/** Escapes Slack's control characters in a label (same rule as blocks/mrkdwn.ts, kept here: pure domain). */
function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** "One thing", "Two things", "12 things". */
export function thingsCount(n: number): string {
  const word = NUMBER_WORDS[n] ?? String(n);
  return `${word} ${n === 1 ? "thing" : "things"}`;
}

/** How an open item is named: a permission by its label, a whole step by its title (what people do). */
export function openItemName(item: OpenItem): string {
  return `*${esc(item.kind === "step" ? item.stepTitle : item.label)}*`;
}

/** One open item as an action: "tick *Manage company benefits* in step 3". */
export function openItemAction(item: OpenItem): string {
  const name = openItemName(item);
  if (item.verifiedBy === "finch")
    return `${name} in step ${item.stepNumber} (Fleet checks it through Finch)`;
  return item.kind === "step"
    ? `${name} in step ${item.stepNumber} — tick it when done`
    : `tick ${name} in step ${item.stepNumber}`;
}

function listActions(items: readonly OpenItem[]): string {
  const named = items.slice(0, NAMED).map(openItemAction);
  const rest = items.length - named.length;
  return rest > 0 ? `${named.join("; ")}; and ${rest} more` : named.join("; ");
}

/** The customer's open items, as one sentence, or "" when none is open. */
export function customerOpenSentence(progress: Pick<ChecklistProgress, "openItems">, audience: OpenAudience) {
  const mine = progress.openItems.filter((i) => i.owner === "customer");
  if (mine.length === 0) return "";
  const who = audience === "customer" ? "you" : "the customer";
  return `${thingsCount(mine.length)} left for ${who}: ${listActions(mine)}.`;
}

/** Fleet's open items, as one sentence, or "" when none is open. */
export function fleetOpenSentence(progress: Pick<ChecklistProgress, "openItems">): string {
  const fleet = progress.openItems.filter((i) => i.owner === "fleet");
  if (fleet.length === 0) return "";
  const named = fleet.slice(0, NAMED).map((i) => `${openItemName(i)} in step ${i.stepNumber}`);
  const rest = fleet.length - named.length;
  return `${thingsCount(fleet.length)} left for Fleet: ${named.join("; ")}${rest > 0 ? `; and ${rest} more` : ""}.`;
}

/** Everything open, customer first then Fleet, or "" when all is done. */
export function openSentence(progress: Pick<ChecklistProgress, "openItems">, audience: OpenAudience) {
  return [customerOpenSentence(progress, audience), fleetOpenSentence(progress)].filter(Boolean).join(" ");
}

/** True when everything the customer still has open is a box only a person can confirm (Finch can't read it). */
export function onlySelfConfirmOpen(progress: Pick<ChecklistProgress, "openItems">): boolean {
  const mine = progress.openItems.filter((i) => i.owner === "customer");
  return mine.length > 0 && mine.every((i) => i.verifiedBy === "person");
}

/** Under a box: whether Fleet checks it through Finch or a person ticks it (and who). */
export function whoChecks(item: Pick<ChecklistItem, "kind" | "owner" | "verifiedBy">): string {
  if (item.verifiedBy === "finch") {
    if (item.owner === "fleet") return "Ticks itself when Finch verifies the connection";
    return item.kind === "step"
      ? "Tick when done · Fleet checks it through Finch once connected"
      : "Fleet checks it through Finch";
  }
  return item.owner === "fleet" ? "Fleet ticks it" : "You tick it";
}
