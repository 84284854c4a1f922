/**
 * The verification outcome by email (issue 23), for customers who work by email: what Finch found, in plain
 * words — what is granted, what to fix and where — and the way back to the private page (its Re-check).
 * Pure; the same facts as the report in the Slack thread, without Finch's or Slack's codes.
 */
import type { OutgoingEmail } from "./mailer.ts";
import { mrkdwnEmailBody } from "./slack-message.ts";

/** What the email says. */
export interface VerificationEmailInput {
  to: string;
  company: string;
  providerName: string;
  outcome: "verified" | "missing" | "reauth" | "setup_required" | "error";
  granted: string[];
  /** Still missing: the permission's label and where to grant it (template mrkdwn). */
  fixes: Array<{ label: string; fix: string }>;
  pageUrl: string;
}

const OUTCOMES = new Set(["verified", "missing", "reauth", "setup_required", "error"]);

/** Outcomes worth an email (a passing "still syncing" or "try again" is not). */
export function isEmailedOutcome(outcome: string): outcome is VerificationEmailInput["outcome"] {
  return OUTCOMES.has(outcome);
}

function headline(input: VerificationEmailInput): { subject: string; opening: string } {
  const p = input.providerName;
  switch (input.outcome) {
    case "verified":
      return {
        subject: `${input.company}: ${p} is connected to Fleet`,
        opening: `Good news: ${p} is connected to Fleet and every permission we need is granted. There is nothing left to do on your side for the connection.`,
      };
    case "missing":
      return {
        subject: `${input.company}: ${p} is connected — a few permissions are missing`,
        opening: `${p} is connected to Fleet, but some permissions are still missing. Here is what to change in ${p}; then press Re-check on your page.`,
      };
    case "reauth":
      return {
        subject: `${input.company}: please connect ${p} again`,
        opening: `Fleet can no longer sign in to ${p} (a password, a security setting or the access changed). Please connect it again from your page.`,
      };
    case "setup_required":
      return {
        subject: `${input.company}: ${p} needs one more setup step`,
        opening: `${p} is not set up for Fleet's integration user yet. Your page shows the steps; then press Re-check.`,
      };
    default:
      return {
        subject: `${input.company}: we could not finish checking ${p}`,
        opening: `We could not finish checking the connection to ${p}. Your Fleet contact has been told and will follow up; you can also press Re-check on your page later.`,
      };
  }
}

/** Builds the email (pure). */
export function buildVerificationEmail(input: VerificationEmailInput): OutgoingEmail {
  const { subject, opening } = headline(input);
  const paragraphs = ["Hello,", opening];
  if (input.fixes.length > 0) {
    paragraphs.push(
      "*What to fix*",
      input.fixes.map((f) => `• *${f.label}* — ${f.fix.replace(/\n+/g, " ")}`).join("\n"),
    );
  }
  if (input.granted.length > 0) {
    paragraphs.push("*Already granted*", input.granted.map((g) => `• ${g}`).join("\n"));
  }
  paragraphs.push(`<${input.pageUrl}|Open your private onboarding page>`, "— The Fleet onboarding team");
  return { to: input.to, subject, ...mrkdwnEmailBody(paragraphs) };
}
