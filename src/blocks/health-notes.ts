/**
 * What the customer and the rep read about a connection's health after go-live: the problem with its exact
 * fix, and the recovery. Pure: the Finch health check (src/finch/health-check.ts) passes the facts.
 */

/** A health problem as the sentences need it. */
export interface HealthProblemFacts {
  kind: "disconnected" | "reauth" | "lost_access" | "stale_sync";
  /** Products lost or stale (empty for reauth and disconnected). */
  products: readonly string[];
  /** The oldest last successful sync of a stale product. */
  lastSync?: Date;
}

/** What the customer and the rep read: the problem and the exact fix (mrkdwn-free plain sentences). */
export function healthReason(
  problem: HealthProblemFacts,
  input: { providerName: string; integrationUserEmail: string; staleDays: number },
): string {
  const { providerName: provider } = input;
  const list = problem.products.join(", ");
  switch (problem.kind) {
    case "disconnected":
      return `The ${provider} connection was closed on ${provider}'s or Finch's side, so Fleet no longer receives your HR data. Fix: click Reconnect ${provider} and sign in to ${provider} again as an admin.`;
    case "reauth":
      return `Finch can no longer sign in to ${provider} (a password changed, MFA was reset or access was revoked), so Fleet no longer receives your HR data. Fix: click Reconnect ${provider} and sign in again as the admin who connected it.`;
    case "lost_access":
      return list
        ? `Fleet lost access to ${list} in ${provider}. Fix: in ${provider}, give Fleet's integration user ${input.integrationUserEmail} back the permissions from the setup guide, then click Reconnect ${provider} and approve ${list} again.`
        : `Fleet's integration user ${input.integrationUserEmail} lost a permission in ${provider}. Fix: give it back the permissions from the setup guide in ${provider}, then click Reconnect ${provider}.`;
    case "stale_sync":
      return `${provider} data (${list}) has not synced for more than ${input.staleDays} days${problem.lastSync ? ` (last on ${problem.lastSync.toISOString().slice(0, 10)})` : ""}. Fix: check in ${provider} that the admin account Finch uses is still active and Fleet's integration user ${input.integrationUserEmail} still exists, then click Reconnect ${provider}.`;
  }
}

/** The rep's direct message about a new problem: the reason, and where the customer was told. */
export function healthProblemRepText(f: {
  companyName: string;
  reason: string;
  channelId: string | null;
  /** Someone was told by email (an email-only customer): no "contact them directly". */
  emailed?: boolean;
}): string {
  const where = f.channelId
    ? ` Posted in <#${f.channelId}> with a Reconnect button.`
    : f.emailed
      ? ""
      : " (no Slack channel: contact the customer directly.)";
  return `:rotating_light: *${f.companyName}* — ${f.reason}${where}`;
}

/** The customer's note (in the problem's thread) once the connection is healthy again. */
export function healthRecoveredText(f: { providerName: string; companyName: string }): string {
  return `:white_check_mark: ${f.providerName} is healthy again: Fleet receives ${f.companyName}'s HR data normally. Thank you!`;
}

/** The rep's direct message once the connection is healthy again. */
export function healthRecoveredRepText(f: { providerName: string; companyName: string }): string {
  return `:white_check_mark: *${f.companyName}* — ${f.providerName} is healthy again.`;
}
