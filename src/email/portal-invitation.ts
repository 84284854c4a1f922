/**
 * The invitation email to a customer's private progress page (issue 23): what Slack's invitation would have
 * opened, by email. Plain-text and HTML parts say the same; nothing secret is in it beyond the link itself.
 */
import { escapeHtml } from "../html/escape.ts";
import type { OutgoingEmail } from "./mailer.ts";

/** Why the customer gets this email, in the words they read. */
export type PortalEmailReason = "declined" | "refused" | "unanswered" | "rep";

/** What the invitation email says. */
export interface PortalInvitationInput {
  to: string;
  company: string;
  providerName: string;
  url: string;
  expiresAt: Date;
  reason: PortalEmailReason;
}

const OPENING: Record<PortalEmailReason, string> = {
  declined:
    "You chose not to join our shared Slack channel — no problem: you can do everything from a private page.",
  refused: "Our Slack channel invitation could not reach you, so we made you a private page instead.",
  unanswered: "In case Slack is not for you, you can also do everything from a private page.",
  rep: "Your Fleet onboarding happens on a private page: no Slack needed.",
};

/** Builds the email (pure). */
export function buildPortalInvitationEmail(input: PortalInvitationInput): OutgoingEmail {
  const until = input.expiresAt.toISOString().slice(0, 10);
  const lines = [
    "Hello,",
    "",
    `${OPENING[input.reason]} It shows the steps to connect ${input.providerName} to Fleet for ${input.company}, what is done, the Connect button and your onboarding call.`,
    "",
    `Open your page: ${input.url}`,
    "",
    `The link is personal to ${input.to} — please do not forward it. It works until ${until}; ask us for a fresh one any time.`,
    "",
    "— The Fleet onboarding team",
  ];
  const html = [
    "<!doctype html>",
    '<html lang="en"><body style="font-family:sans-serif;line-height:1.5">',
    "<p>Hello,</p>",
    `<p>${escapeHtml(OPENING[input.reason])} It shows the steps to connect ${escapeHtml(input.providerName)} to Fleet for ${escapeHtml(input.company)}, what is done, the Connect button and your onboarding call.</p>`,
    `<p><a href="${escapeHtml(input.url)}">Open your private onboarding page</a></p>`,
    `<p>The link is personal to ${escapeHtml(input.to)} — please do not forward it. It works until ${until}; ask us for a fresh one any time.</p>`,
    "<p>— The Fleet onboarding team</p>",
    "</body></html>",
  ].join("\n");
  return {
    to: input.to,
    subject: `${input.company}: your Fleet onboarding page`,
    text: lines.join("\n"),
    html,
  };
}
