/** `/fleet history`: the latest audit entries of one onboarding, with a button to export them all. Pure. */
import type { KnownBlock } from "@slack/types";
import { describeEntry, type HistoryEntry } from "../cockpit/history.ts";
import { ActionId } from "../slack-gateway/ids.ts";

/** The ephemeral history message. */
export function buildHistoryMessage(input: {
  onboardingId: string;
  companyName: string;
  entries: readonly HistoryEntry[];
}): { text: string; blocks: KnownBlock[] } {
  const { companyName, entries } = input;
  return {
    text: `History of ${companyName}`,
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `*History of ${companyName}* (latest ${entries.length})` },
      },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: entries.map(describeEntry).join("\n").slice(0, 2900) || "Nothing yet.",
        },
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: ActionId.historyCsv,
            text: { type: "plain_text", text: "Export full history (CSV)" },
            value: input.onboardingId,
          },
        ],
      },
    ],
  };
}
