/**
 * What Slack is told when Finch Connect comes back without a connection, and what the checklist's history
 * says when Finch ticks or unticks a step (src/finch/connect-callback.ts, src/finch/verify.ts). Pure: each
 * takes the facts it names.
 */

/** How Finch refused a code, as the rep is told. */
export interface RefusalFacts {
  kind: string;
  status?: number | null;
}

/** The thread note (customer) and the rep's direct message after Finch Connect came back without a connection. */
export const connectNotes = {
  cancelledThread:
    ":information_source: Finch Connect was closed before the connection was made — nothing changed. Use the Connect button whenever you're ready.",
  cancelledRep: (company: string, reason: string) =>
    `:information_source: Finch Connect for *${company}* was cancelled (${reason}).`,
  replayedThread:
    ":information_source: An already-used Finch sign-in link was opened again. It was ignored; nothing changed.",
  replayedRep: (company: string) =>
    `:warning: A Finch authorization for *${company}* was replayed and refused; nothing changed.`,
  refusedThread:
    ":information_source: The Finch sign-in could not be completed (the link had expired or was already used) — nothing changed. Please use the Connect button to start again.",
  refusedRep: (company: string, failure: RefusalFacts) =>
    `:warning: Finch refused the authorization for *${company}* (${failure.kind}${failure.status ? `, ${failure.status}` : ""}). The customer was asked to start again.`,
};

/** The notes a Finch verification leaves on the steps it ticks or unticks (the checklist's history). */
export const tickNotes = {
  verified: "verified by Finch",
  /** `day`: the check's date, YYYY-MM-DD. */
  foundMissing: (day: string) => `Finch found it missing on ${day}; see the thread`,
  lostAccess: (day: string) => `Finch lost access on ${day}; reconnect needed`,
};

/** Why a Reconnect link is posted: the connection's status at Finch (`disconnected`, else a lost sign-in). */
export function reauthReason(input: { status: string | null }): string {
  return input.status === "disconnected"
    ? "The connection was closed on the provider's or Finch's side."
    : "Finch can no longer sign in (the password changed, MFA was reset or access was revoked).";
}
