/** Private alerts to the owning rep (src/cockpit/alerts.ts decides when). Pure builders. */
import type { KnownBlock } from "@slack/types";
import { customerOpenSentence, onlySelfConfirmOpen, openSentence } from "../checklist/open-items.ts";
import type { ChecklistProgress } from "../checklist/progress.ts";
import { ActionId } from "../slack-gateway/ids.ts";
import { slackDate } from "../time.ts";

/** The customer an alert is about. */
export interface AlertSubject {
  id: string;
  companyName: string;
  timeZone: string;
  channelId: string | null;
}

const channelSuffix = (o: AlertSubject) => (o.channelId ? ` <#${o.channelId}>` : "");

/** An invitation still not accepted, with a one-click re-invite. */
export function buildInviteExpiryAlert(
  o: AlertSubject,
  invite: { email: string; sentAt: Date; expiresAt: Date },
): { text: string; blocks: KnownBlock[] } {
  return {
    text: `:hourglass: ${invite.email} has not accepted the Slack Connect invitation for ${o.companyName}; it expires ${invite.expiresAt.toISOString().slice(0, 10)}.`,
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `:hourglass: *${o.companyName}*: ${invite.email} has not accepted the Slack Connect invitation sent ${slackDate(invite.sentAt, o.timeZone, "{date_short_pretty}")}. Slack expires it ${slackDate(invite.expiresAt, o.timeZone, "{date_short_pretty}")}.`,
        },
        accessory: {
          type: "button",
          action_id: ActionId.reinvite,
          text: { type: "plain_text", text: "Re-invite" },
          style: "primary",
          value: o.id,
        },
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: ActionId.emailPortal,
            text: { type: "plain_text", text: "Email their private page instead" },
            value: o.id,
          },
        ],
      },
    ],
  };
}

/** A customer gone quiet with steps open: names each open box and who acts. */
export function stallAlertText(o: AlertSubject, since: Date, progress: ChecklistProgress): string {
  const open = openSentence(progress, "rep") || "Nothing is open.";
  return `:zzz: *${o.companyName}* has been quiet since ${slackDate(since, o.timeZone, "{date_short_pretty}")} — ${progress.stepsDone} of ${progress.stepsTotal} steps done. ${open}${channelSuffix(o)}`;
}

/**
 * A call soon with customer boxes still open: names each box and who acts. Amber, not red, when all that is
 * left are boxes only the customer can confirm (Finch cannot read them).
 */
export function callRiskAlertText(o: AlertSubject, callAt: Date, progress: ChecklistProgress): string {
  const icon = onlySelfConfirmOpen(progress) ? ":warning:" : ":rotating_light:";
  return `${icon} *${o.companyName}*'s call is ${slackDate(callAt, o.timeZone)}. ${customerOpenSentence(progress, "rep")}${channelSuffix(o)}`;
}
