/** The rep's answers to `/fleet provider`, and the note that replaces the old checklist. Pure. */
import type { KnownBlock } from "@slack/types";

/** The answers of a provider switch, each from the facts it names. */
export const switchProviderText = {
  notActive: (company: string, status: string) => `*${company}*'s onboarding is ${status}.`,
  alreadyUses: (company: string, toName: string) => `*${company}* already uses the ${toName} checklist.`,
  connected: (company: string, fromName: string) =>
    `*${company}* is already connected to Finch through ${fromName}: run \`/fleet disconnect\` first.`,
  hasTicks: (company: string, fromName: string, toName: string) =>
    `*${company}*'s ${fromName} checklist already has ticks, so it stays: a step ticked there ` +
    `means nothing in the ${toName} one. Close it (\`/fleet done\`) and onboard again instead.`,
  changedMeanwhile: (company: string) => `*${company}*'s onboarding changed meanwhile: try again.`,
  switched: (company: string, toName: string) =>
    `:arrows_counterclockwise: *${company}* now follows the ${toName} checklist.`,
  assist: (warning: string) => `:warning: ${warning}`,
  notMarkedReplaced: (advice: string) => `The old checklist could not be marked as replaced: ${advice}`,
  notUnpinned: (advice: string) => `The old checklist could not be unpinned: ${advice}`,
  postedNotPinned: (advice: string) => `The new checklist is posted but not pinned: ${advice}`,
  pinned: (channelId: string) => `New checklist pinned in <#${channelId}>.`,
  notPosted: (company: string, advice: string) =>
    `The new checklist could not be posted (${advice}): run \`/fleet onboard ${company}\` to post it.`,
};

/** What the old checklist message becomes once another provider's checklist replaces it. */
export function buildReplacedChecklistMessage(
  fromName: string,
  toName: string,
): {
  text: string;
  blocks: KnownBlock[];
} {
  const text = `:arrows_counterclockwise: This ${fromName} checklist was replaced by the ${toName} checklist below.`;
  return { text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] };
}
