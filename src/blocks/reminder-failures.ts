/** What a rep is told about a reminder, nudge or digest that could not be sent (pure builders). */
import type { KnownBlock } from "@slack/types";
import { slackDate } from "../time.ts";
import { channelLink, escapeMrkdwn } from "./mrkdwn.ts";

/** A reminder that failed for good, as the rep sees it. */
export interface FailedReminderView {
  id: string;
  /** day_before | nudge | rep_digest | day_before_email | nudge_email. */
  kind: string;
  companyName: string | null;
  channelId: string | null;
  callAt: Date | null;
  dueAt: Date;
  timeZone: string;
  reason: string | null;
}

const WHAT: Record<string, string> = {
  day_before: "The day-before reminder",
  nudge: "The nudge",
  rep_digest: "Your morning digest",
  day_before_email: "The day-before reminder email",
  nudge_email: "The nudge email",
};

/** Kinds sent by email rather than posted in Slack. */
const BY_EMAIL = new Set(["day_before_email", "nudge_email"]);

/** One line: what, for whom, why. */
export function failedReminderLine(r: FailedReminderView): string {
  const what = WHAT[r.kind] ?? "A scheduled message";
  const whom = r.companyName ? ` for *${escapeMrkdwn(r.companyName)}*` : "";
  const call = r.callAt ? ` (call ${slackDate(r.callAt, r.timeZone)})` : "";
  const reason = (who: string) =>
    r.reason ? ` ${who} said: \`${escapeMrkdwn(r.reason).slice(0, 100)}\`.` : "";
  // The Slack copy was posted; the customer who works by email did not get theirs.
  if (BY_EMAIL.has(r.kind))
    return `${what}${whom}${call} could not be emailed to the customer.${reason("The mail server")}`;
  const where = r.channelId ? ` in ${channelLink(r.channelId)}` : "";
  return `${what}${whom}${call} could not be posted${where}.${reason("Slack")}`;
}

/** The direct message to the rep. */
export function failedReminderAlertText(r: FailedReminderView): string {
  const action =
    r.kind === "rep_digest"
      ? "Check your calls for tomorrow in the App Home."
      : "Please reach out to the customer yourself.";
  return `:warning: ${failedReminderLine(r)} Fleet kept trying and has given up. ${action}`;
}

/** The App Home's section listing the rep's recent failed reminders. */
export function failedReminderBlocks(items: readonly FailedReminderView[]): KnownBlock[] {
  if (items.length === 0) return [];
  return [
    { type: "divider" },
    {
      type: "section",
      block_id: "failed_reminders",
      text: {
        type: "mrkdwn",
        text: `:warning: *${items.length === 1 ? "A reminder" : `${items.length} reminders`} could not be sent* (last 7 days)\n${items
          .map((r) => `• ${failedReminderLine(r)}`)
          .join("\n")}`.slice(0, 3000),
      },
    },
  ];
}
