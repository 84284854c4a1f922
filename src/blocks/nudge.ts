/**
 * A gentle nudge in the customer's channel when their checklist sat untouched for days: it names each open box
 * and what to do about it (src/checklist/open-items.ts), like every other surface that says something is open.
 * Pure.
 */
import type { KnownBlock } from "@slack/types";
import { openItemAction, thingsCount } from "../checklist/open-items.ts";
import type { OpenItem } from "../checklist/progress.ts";
import { MetadataEventType } from "../slack-gateway/ids.ts";
import { formatCallTime } from "../time-zones.ts";
import { BLOCK_KIT_LIMITS } from "./limits.ts";
import { clipText, escapeMrkdwn, mentions, plural } from "./mrkdwn.ts";

/** What the nudge says. */
export interface NudgeInput {
  reminderId: string;
  onboardingId: string;
  companyName: string;
  /** The local day it is for (YYYY-MM-DD in the customer's zone). */
  date: string;
  hrAdminUserIds: readonly string[];
  /** The customer's open boxes, in checklist order (`ChecklistProgress.openItems` of owner `customer`). */
  openItems: readonly OpenItem[];
  callAt: Date | null;
  timeZone: string;
}

/** Metadata of the nudge message. */
export interface NudgeMetadata {
  event_type: typeof MetadataEventType.nudge;
  event_payload: { kind: "nudge"; reminder_id: string; onboarding_id: string; date: string };
}

/** Arguments for `chat.postMessage`, minus the channel. */
export interface NudgeMessage {
  text: string;
  blocks: KnownBlock[];
  metadata: NudgeMetadata;
}

/** Boxes named one by one in the nudge before "and N more". */
const LISTED = 8;

/** Builds the nudge: who, which boxes and what to do, and (when booked) the call it prepares for. */
export function buildNudgeMessage(input: NudgeInput): NudgeMessage {
  const who = mentions(input.hrAdminUserIds);
  const open = input.openItems;
  const listed = open.slice(0, LISTED).map((item) => `• ${openItemAction(item)}`);
  if (open.length > LISTED) listed.push(`• and ${open.length - LISTED} more`);
  const call = input.callAt
    ? `\n${open.length === 1 ? "It is" : "They are"} needed for our onboarding call ${formatCallTime(input.callAt, input.timeZone)}.`
    : "";
  const text =
    `:wave: ${who ? `${who} — a` : "A"} friendly nudge from Fleet about the ` +
    `${escapeMrkdwn(input.companyName.trim())} setup. ${thingsCount(open.length)} left for you:\n${listed.join("\n")}${call}`;
  return {
    text: `A friendly nudge: ${plural(open.length, "thing")} left for you in the setup.`,
    blocks: [
      {
        type: "section",
        block_id: "nudge:body",
        text: { type: "mrkdwn", text: clipText(text, BLOCK_KIT_LIMITS.sectionText) },
      },
      {
        type: "context",
        block_id: "nudge:footer",
        elements: [
          {
            type: "mrkdwn",
            text: "The checklist is pinned in this channel — tick each box as you go. Stuck? Ask right here.",
          },
        ],
      },
    ],
    metadata: {
      event_type: MetadataEventType.nudge,
      event_payload: {
        kind: "nudge",
        reminder_id: input.reminderId,
        onboarding_id: input.onboardingId,
        date: input.date,
      },
    },
  };
}
