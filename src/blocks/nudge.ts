/** A gentle nudge in the customer's channel when their checklist steps sat untouched for days. Pure. */
import type { KnownBlock } from "@slack/types";
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
  openCustomerSteps: readonly string[];
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

/** Builds the nudge: who, which steps, and (when booked) the call it prepares for. */
export function buildNudgeMessage(input: NudgeInput): NudgeMessage {
  const who = mentions(input.hrAdminUserIds);
  const steps = input.openCustomerSteps;
  const list = steps.map((s) => `• ${escapeMrkdwn(s)}`).join("\n");
  const call = input.callAt
    ? `\nThey are needed for our onboarding call ${formatCallTime(input.callAt, input.timeZone)}.`
    : "";
  const text =
    `:wave: ${who ? `${who} — a` : "A"} friendly nudge from Fleet: ${plural(steps.length, "step")} of the ` +
    `${escapeMrkdwn(input.companyName.trim())} setup ${steps.length === 1 ? "is" : "are"} still open:\n${list}${call}`;
  return {
    text: `A friendly nudge: ${plural(steps.length, "setup step")} still open.`,
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
            text: "The checklist is pinned in this channel — tick each step as you go. Stuck? Ask right here.",
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
