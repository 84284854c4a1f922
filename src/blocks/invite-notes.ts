/** The rep's words about the Slack Connect invitation queue (one pending invitation per channel). Pure. */

/** Who waits, and whose invitation is pending. */
export interface InviteQueueFacts {
  waiting: readonly string[];
  /** The email whose invitation is pending, when known. */
  pendingFor?: string | null;
}

/** The rep's words for who waits, or null when nobody does. */
export function waitingLine(report: InviteQueueFacts): string | null {
  if (report.waiting.length === 0) return null;
  const behind = report.pendingFor
    ? `${report.pendingFor}'s pending invitation`
    : "the channel's pending invitation";
  return `:hourglass: Waiting to be invited: ${report.waiting.join(", ")}. Slack allows one pending Slack Connect invitation per channel, so each goes out by itself once ${behind} is accepted, declined or expires.`;
}

/** The rep's direct message about what the queue did by itself: sent invitations, problems, who still waits. */
export function inviteQueueRepText(
  f: InviteQueueFacts & { companyName: string; sent: readonly string[]; problems: readonly string[] },
): string {
  return [
    ...f.sent.map(
      (email) => `:envelope: The waiting Slack Connect invitation to ${email} went out (*${f.companyName}*).`,
    ),
    ...f.problems.map((p) => `:x: ${p}`),
    waitingLine(f) ?? "",
  ]
    .filter(Boolean)
    .join("\n");
}
