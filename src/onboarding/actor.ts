/** The person behind a request, as the domain sees it (the Slack surface decides who it is: src/slack/actors.ts). */
export interface Actor {
  userId: string;
  teamId: string;
  /** A member of Fleet's own workspace (not, e.g., a customer's HR admin in a Slack Connect channel). */
  internal: boolean;
}

/** What a payload says about where a user belongs. */
export interface UserOrigin {
  /** The user's own team (`user.team_id`, `user_team`, `accepting_user.team_id` …). */
  teamId?: string | undefined;
  /** The user's own Enterprise Grid org (`user.enterprise_id`, `enterprise_user.enterprise_id`), if known. */
  enterpriseId?: string | undefined;
}

/**
 * Is this user one of ours? Our workspace, or — when Fleet's Slack is an Enterprise Grid org (auth.test's
 * `enterprise_id`) — any workspace of our org. A team id equal to our org id counts too: org-wide users and
 * org installs carry the org id where a workspace id would be.
 */
export function isOurUser(
  home: { teamId: string; enterpriseId?: string | undefined },
  user: UserOrigin,
): boolean {
  if (user.teamId && user.teamId === home.teamId) return true;
  if (!home.enterpriseId) return false;
  return user.enterpriseId === home.enterpriseId || user.teamId === home.enterpriseId;
}
