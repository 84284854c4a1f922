/** Texts about a booked or moved onboarding call: the note in the customer's channel and the rep's answer. Pure. */
import type { KnownBlock } from "@slack/types";
import { ActionId } from "../slack-gateway/ids.ts";
import { formatCallTime, yourTime } from "../time-zones.ts";
import { BLOCK_KIT_LIMITS } from "./limits.ts";
import { clipText, escapeMrkdwn, mentions } from "./mrkdwn.ts";

/** A call change as the texts need it. */
export interface CallChangeFacts {
  companyName: string;
  callAt: Date;
  timeZone: string;
  previousCallAt: Date | null;
  previousTimeZone: string;
  /** When the day-before reminder goes out (null: none, e.g. the call is too close for a "day before"). */
  reminderAt: Date | null;
  now: Date;
  byUserId?: string;
}

/** The short note posted in the customer's channel: times in the call's own zone, labelled with it. */
export function callChangeNote(f: CallChangeFacts): string {
  const when = formatCallTime(f.callAt, f.timeZone);
  const by = f.byUserId ? ` — ${mentions([f.byUserId])}` : "";
  const head = f.previousCallAt
    ? `:calendar: The onboarding call moved to *${when}* (was ${formatCallTime(f.previousCallAt, f.previousTimeZone, "short")}).`
    : `:calendar: Onboarding call booked: *${when}*.`;
  return `${head} A reminder with what to have ready comes here the day before.${by}`;
}

/** The channel note as a message: the note, and a button that adds the call to Google Calendar. */
export function buildCallChangeMessage(f: CallChangeFacts & { calendarUrl: string }): {
  text: string;
  blocks: KnownBlock[];
} {
  const text = callChangeNote(f);
  return {
    text,
    blocks: [
      {
        type: "section",
        block_id: "call_change:note",
        text: { type: "mrkdwn", text: clipText(text, BLOCK_KIT_LIMITS.sectionText) },
      },
      {
        type: "actions",
        block_id: "call_change:calendar",
        elements: [
          {
            type: "button",
            action_id: ActionId.addToCalendar,
            text: { type: "plain_text", text: "Add to Google Calendar", emoji: true },
            url: f.calendarUrl,
          },
        ],
      },
    ],
  };
}

/**
 * The private answer to the rep who booked or moved the call: the time in the call's zone, then the same
 * instant in the rep's own ("your time", rendered by Slack in the reader's zone).
 */
export function callChangeReply(f: CallChangeFacts & { changed: boolean }): string {
  const when = `*${formatCallTime(f.callAt, f.timeZone)}* (${yourTime(f.callAt, f.timeZone)})`;
  if (!f.changed) return `:ok_hand: ${escapeMrkdwn(f.companyName)}'s call is already booked for ${when}.`;
  const reminder = !f.reminderAt
    ? ""
    : f.reminderAt <= f.now
      ? " The day-before reminder goes out within a minute."
      : ` The customer is reminded ${formatCallTime(f.reminderAt, f.timeZone, "short")}.`;
  const was = f.previousCallAt
    ? `, from ${formatCallTime(f.previousCallAt, f.previousTimeZone, "short")}`
    : "";
  return `:white_check_mark: ${escapeMrkdwn(f.companyName)}'s onboarding call is ${f.previousCallAt ? "moved to" : "booked for"} ${when}${was}.${reminder}`;
}

/** The rep's answers when a call cannot be booked or moved, and the warnings after a move. */
export const callChangeText = {
  pickDateTime: "Pick a date and time.",
  inThePast: "The call time is in the past: pick a time ahead.",
  noSuchOnboarding: "That onboarding no longer exists.",
  notActive: (company: string, status: string) =>
    `${company}'s onboarding is ${status}: there is no call to book any more.`,
  justClosed: (company: string) => `${company}'s onboarding was just closed.`,
  checklistShowsOldTime: (slackCode: string) =>
    `The pinned checklist still shows the old time (Slack: ${slackCode}).`,
  noteNotPosted: (channelId: string, slackCode: string) =>
    `The note in <#${channelId}> could not be posted (Slack: ${slackCode}).`,
};
