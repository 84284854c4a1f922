/** The rep's words about the email path (HR admins who get their private page by email instead of Slack). Pure. */

/** Why an HR admin works by email (the same values as the invitation email's reason). */
export type EmailFallbackReason = "declined" | "refused" | "unanswered" | "rep";

const REASON_WORDS: Record<EmailFallbackReason, string> = {
  declined: "declined the Slack Connect invitation",
  refused: "could not be invited over Slack Connect",
  unanswered: "has not accepted the Slack Connect invitation",
  rep: "asked for by you",
};

/** A round of emails as the rep hears about it. */
export interface EmailRoundFacts {
  sent: readonly string[];
  problems: readonly string[];
  /** Set when the email path is off: why. */
  off: string | null;
}

/** The rep's words for a round of emails (empty when there is nothing to say). */
export function emailLines(company: string, report: EmailRoundFacts, reason: EmailFallbackReason): string[] {
  if (report.off) {
    return [
      `:warning: *${company}* would now get its private page by email (${REASON_WORDS[reason]}), but ${report.off}.`,
    ];
  }
  return [
    ...report.sent.map(
      (email) =>
        `:email: ${email} (${REASON_WORDS[reason]}) works by email now: their private-page link went out (*${company}*).`,
    ),
    ...report.problems.map((p) => `:x: ${p}`),
  ];
}

/** "Email who has not joined" on a closed onboarding. */
export function emailClosedText(company: string): string {
  return `*${company}* is closed: no email was sent.`;
}

/** "Email who has not joined" when nobody is left to email. */
export function emailNobodyLeftText(company: string): string {
  return `Every HR admin of *${company}* has joined or works by email already.`;
}

/** A round of emails for an onboarding that no longer exists. */
export const EMAIL_NO_SUCH_ONBOARDING = "There is no such onboarding.";

/** One address the round could not email, and why. */
export function emailProblemText(email: string, problem: string): string {
  return `Emailing ${email}: ${problem}`;
}
