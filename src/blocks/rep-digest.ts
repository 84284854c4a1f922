/**
 * The rep's morning direct message: tomorrow's onboarding calls with each customer's readiness, and a
 * Reschedule button per call. Pure builder.
 */
import type { ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from "@slack/types";
import { customerOpenSentence, onlySelfConfirmOpen } from "../checklist/open-items.ts";
import { type OpenItem, progressBar } from "../checklist/progress.ts";
import { ActionId, MetadataEventType } from "../slack-gateway/ids.ts";
import { formatClockTime, yourTime } from "../time-zones.ts";
import { connectionWords } from "./finch.ts";
import { BLOCK_KIT_LIMITS } from "./limits.ts";
import { channelLink, clipText, escapeMrkdwn, plural } from "./mrkdwn.ts";

/** One call of tomorrow, with what the digest says about its readiness. */
export interface DigestCall {
  onboardingId: string;
  companyName: string;
  channelId: string | null;
  callAt: Date;
  timeZone: string;
  stepsDone: number;
  stepsTotal: number;
  /** Every open box with who acts (`ChecklistProgress.openItems`): the one truth the other surfaces name. */
  openItems: readonly OpenItem[];
  /** Finch connection status, or null when there is none yet. */
  connectionStatus: string | null;
  connectionVerified: boolean;
  invitesAccepted: number;
  invitesTotal: number;
}

/** What the digest is built from. */
export interface RepDigestInput {
  reminderId: string;
  userId: string;
  /** Tomorrow's local date in the rep's zone (YYYY-MM-DD). */
  date: string;
  calls: readonly DigestCall[];
}

/** Metadata of the digest DM (found again after a crash like the channel reminders). */
export interface RepDigestMetadata {
  event_type: typeof MetadataEventType.repDigest;
  event_payload: { kind: "rep_digest"; reminder_id: string; user_id: string; date: string };
}

/** Arguments for `chat.postMessage`, minus the channel. */
export interface RepDigestMessage {
  text: string;
  blocks: KnownBlock[];
  metadata: RepDigestMetadata;
}

/** Calls listed in one message: header + intro + one block per call + "more" stays within 50 blocks. */
export const MAX_DIGEST_CALLS = 45;

const customerOpen = (call: DigestCall) => call.openItems.filter((i) => i.owner === "customer");

/**
 * One line saying how ready the customer is: each open box named with who acts, as the checklist, reminder,
 * Home and alerts name it; amber when all that is left are boxes only the customer can confirm.
 */
export function readinessLine(call: DigestCall): string {
  const open = customerOpen(call).length;
  if (open === 0 && call.connectionVerified)
    return ":large_green_circle: Ready: every step done, Finch verified";
  if (open === 0) return ":large_yellow_circle: Customer steps done — Finch gets connected on the call";
  const items = { openItems: [...call.openItems] };
  const icon = onlySelfConfirmOpen(items) ? ":large_orange_circle:" : ":red_circle:";
  return `${icon} ${customerOpenSentence(items, "rep")}`;
}

function callBlock(call: DigestCall, index: number): SectionBlock {
  // The rep's own clock, labelled so, and the customer's ("3:00 PM Chicago time (CT)").
  const time = `*${yourTime(call.callAt, call.timeZone, "{time}")}* (${formatClockTime(call.callAt, call.timeZone)})`;
  const where = channelLink(call.channelId);
  // Plain words on the line; Finch's own status code only as the detail below it (as the verification DM).
  const finch = call.connectionVerified
    ? "verified"
    : call.connectionStatus
      ? `${connectionWords(call.connectionStatus)}, not verified`
      : "not connected";
  const detail =
    !call.connectionVerified && call.connectionStatus
      ? `\n_Finch's detail: status \`${escapeMrkdwn(call.connectionStatus)}\`_`
      : "";
  const invites =
    call.invitesTotal > 0 ? ` · invites accepted ${call.invitesAccepted}/${call.invitesTotal}` : "";
  const text = [
    `${time} · *${escapeMrkdwn(call.companyName.trim())}*${where ? ` in ${where}` : ""}`,
    readinessLine(call),
    `${progressBar(call.stepsDone, call.stepsTotal)} ${call.stepsDone}/${call.stepsTotal} steps · Finch: ${finch}${invites}${detail}`,
  ].join("\n");
  return {
    type: "section",
    block_id: `digest:call:${index}`,
    text: { type: "mrkdwn", text: clipText(text, BLOCK_KIT_LIMITS.sectionText) },
    accessory: {
      type: "button",
      action_id: ActionId.reschedule,
      text: { type: "plain_text", text: "Reschedule" },
      value: call.onboardingId,
    },
  };
}

/** Builds the digest, calls in time order. */
export function buildRepDigestMessage(input: RepDigestInput): RepDigestMessage {
  const calls = [...input.calls].sort((a, b) => a.callAt.getTime() - b.callAt.getTime());
  const shown = calls.slice(0, MAX_DIGEST_CALLS);
  const ready = calls.filter((c) => customerOpen(c).length === 0).length;
  const header: HeaderBlock = {
    type: "header",
    block_id: "digest:header",
    text: { type: "plain_text", text: `Tomorrow's onboarding calls (${calls.length})` },
  };
  const intro: ContextBlock = {
    type: "context",
    block_id: "digest:intro",
    elements: [
      {
        type: "mrkdwn",
        text: `${input.date} · ${ready} of ${calls.length} customers have done their steps · times in your time zone`,
      },
    ],
  };
  const blocks: KnownBlock[] = [header, intro, ...shown.map(callBlock)];
  if (calls.length > shown.length) {
    blocks.push({
      type: "context",
      block_id: "digest:more",
      elements: [
        { type: "mrkdwn", text: `…and ${calls.length - shown.length} more: \`/fleet status <company>\`` },
      ],
    });
  }
  return {
    text: `Tomorrow you have ${plural(calls.length, "onboarding call")}; ${ready} of ${calls.length} customers finished their steps.`,
    blocks,
    metadata: {
      event_type: MetadataEventType.repDigest,
      event_payload: {
        kind: "rep_digest",
        reminder_id: input.reminderId,
        user_id: input.userId,
        date: input.date,
      },
    },
  };
}
