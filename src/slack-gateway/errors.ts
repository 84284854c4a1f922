/**
 * Slack Web API errors → what the rep should do next. Every error code we can meet on the onboarding path
 * has a plain-words next step; unknown ones still name the code so support can look it up.
 */

/** The Slack error code of a Web API failure (`ratelimited` for 429s, `http_<status>` for transport errors). */
export function slackErrorCode(err: unknown): string {
  const e = err as { code?: string; data?: { error?: string }; statusCode?: number; message?: string };
  if (e?.code === "slack_webapi_rate_limited_error") return "ratelimited";
  if (e?.data?.error) return e.data.error;
  if (e?.code === "slack_webapi_http_error") return `http_${e.statusCode ?? "error"}`;
  if (e?.code === "slack_webapi_request_error") return "request_failed";
  return "unexpected_error";
}

/** Is it worth trying again later (rate limits, Slack or network trouble)? */
export function isTransientSlackError(code: string): boolean {
  return (
    code === "ratelimited" ||
    code === "ratelimit" ||
    code === "request_failed" ||
    code.startsWith("http_5") ||
    ["internal_error", "fatal_error", "service_unavailable", "request_timeout"].includes(code)
  );
}

const ADVICE: Record<string, (subject: string) => string> = {
  not_paid: () =>
    "Slack Connect needs a paid Slack plan on our side. Ask a Slack admin to check the plan, then run the same command again — everything done so far is kept.",
  restricted_action: () =>
    "Our Slack settings don't let the app do this. Ask a Slack admin to allow apps to create private channels and send Slack Connect invitations (Admin → Settings & permissions → Slack Connect), then run the same command again.",
  no_external_invite_permission: () =>
    "The app may not send Slack Connect invitations. A Slack admin must allow it (Admin → Slack Connect → settings), then run the same command again.",
  invalid_email: (email) =>
    `Slack did not accept ${email || "that address"}. Check the spelling and run \`/fleet onboard\` again with the right address — everything else is kept.`,
  connection_limit_exceeded_pending: (email) =>
    `${email || "They"} already ${email ? "has" : "have"} a pending Slack Connect invitation to this channel, so it was not sent again. Ask them to accept it from the email Slack sent (it is valid for 14 days).`,
  ratelimit: () =>
    "Slack limits how many Slack Connect invitations we send per minute. Run the same command again in a minute to invite the rest.",
  not_allowed_for_grid_workspace: () =>
    "Slack Connect is not enabled for our workspace. A Slack admin (on Enterprise Grid: an org admin) must enable Slack Connect for this workspace, then run the same command again.",
  recipients_not_specified: () =>
    "Slack got no one to invite. Run `/fleet onboard` again with `hr=` and the HR admins' email addresses.",
  connection_limit_exceeded: () =>
    "This organisation has reached Slack's limit of Slack Connect connections. Ask their Slack admin to review connections.",
  already_in_channel: () => "Already in the channel — nothing to do.",
  not_in_channel: () =>
    "The app is no longer a member of the channel. Invite @Fleet Concierge back, then try again.",
  channel_not_found: () => "The channel no longer exists or the app cannot see it.",
  is_archived: () => "The channel is archived. Unarchive it or close this onboarding with `/fleet done`.",
  name_taken: () => "A channel with that name exists already; a suffix is added automatically.",
  invalid_name_specials: () => "The channel name has characters Slack does not allow.",
  missing_scope: () => "The Slack app is missing a permission: reinstall it from manifest.yml.",
  ratelimited: () =>
    "Slack is rate-limiting us right now. Run the same command again in a minute to resume where it stopped.",
  user_not_found: (who) => `Slack does not know ${who || "that person"}.`,
  cant_invite_self: () => "That's the app itself — nothing to do.",
  request_failed: () =>
    "Slack could not be reached. Run the same command again in a minute to resume where it stopped.",
};

/** A sentence telling the rep what to do about a Slack error. */
export function adviceFor(code: string, subject = ""): string {
  const advice = ADVICE[code]?.(subject);
  if (advice) return advice;
  if (code.startsWith("http_5")) return ADVICE.request_failed?.(subject) ?? "";
  return `Slack answered \`${code}\`. Run the same command again to retry; if it persists, share this code with engineering.`;
}

/** All codes with specific advice (tests check each has a mapping). */
export const KNOWN_SLACK_ERRORS = Object.keys(ADVICE);
