/**
 * Who is acting, decided only from the signed payload: a user whose team is our home team (auth.test) is
 * internal; anyone else — e.g. a customer's HR admin in a Slack Connect channel — is external.
 * Reps: internal users, optionally only those listed in FLEET_REP_USER_IDS or in FLEET_REP_USERGROUP_ID.
 */

import { type Actor, isOurUser } from "../audit/actor.ts";
import type { AppContext } from "../context.ts";

/**
 * Builds the actor of a slash command (`user_team` is set when the user belongs to another team). Slack only
 * delivers our command from workspaces the app is installed in, so `enterprise_id` is the user's org here.
 */
export function commandActor(
  ctx: AppContext,
  body: { user_id: string; team_id: string; user_team?: string; enterprise_id?: string },
): Actor {
  const teamId = body.user_team ?? body.team_id;
  const internal = isOurUser(ctx.identity, { teamId, enterpriseId: body.enterprise_id });
  return { userId: body.user_id, teamId, internal };
}

/** Builds the actor of an interaction (`user.team_id` is the user's own team in shared channels). */
export function interactionActor(
  ctx: AppContext,
  body: { user: { id: string; team_id?: string; enterprise_id?: string }; team?: { id: string } | null },
): Actor {
  // Only the user's own team and org count: the payload's `team`, `enterprise` and `is_enterprise_install`
  // describe the channel's host (us) in Slack Connect, whoever clicked.
  const teamId = body.user.team_id ?? "";
  const internal = isOurUser(ctx.identity, { teamId, enterpriseId: body.user.enterprise_id });
  return { userId: body.user.id, teamId, internal };
}

export { isFullMember, isRep, isRepUser, refreshRepGroup } from "../slack-gateway/reps.ts";

/** The polite refusal shown to someone who may not run a rep action. */
export function refusalFor(actor: Actor): string {
  return actor.internal
    ? "Sorry — only Fleet's account reps can do that. Ask your rep, or a Slack admin to add you to the reps group."
    : "Thanks for trying! That action is for Fleet's team. Your account rep will take care of it — you can ask them right here in the channel.";
}
