/**
 * Who is acting, decided only from the signed payload: a user whose team is our home team (auth.test) is
 * internal; anyone else — e.g. a customer's HR admin in a Slack Connect channel — is external.
 * Reps: internal users, optionally only those listed in FLEET_REP_USER_IDS or in FLEET_REP_USERGROUP_ID.
 */
import type { AppContext } from "../context.ts";

/** The person behind a request. */
export interface Actor {
  userId: string;
  teamId: string;
  internal: boolean;
}

/** Builds the actor of a slash command (`user_team` is set when the user belongs to another team). */
export function commandActor(
  ctx: AppContext,
  body: { user_id: string; team_id: string; user_team?: string; enterprise_id?: string },
): Actor {
  const teamId = body.user_team ?? body.team_id;
  return { userId: body.user_id, teamId, internal: teamId === ctx.identity.teamId };
}

/** Builds the actor of an interaction (`user.team_id` is the user's own team in shared channels). */
export function interactionActor(
  ctx: AppContext,
  body: { user: { id: string; team_id?: string }; team?: { id: string } | null },
): Actor {
  const teamId = body.user.team_id ?? body.team?.id ?? "";
  return { userId: body.user.id, teamId, internal: teamId !== "" && teamId === ctx.identity.teamId };
}

const groupCache = new Map<string, { members: Set<string>; until: number }>();

/** Is this actor allowed to run rep actions (onboard, link, call, done, owner, disconnect …)? */
export async function isRep(ctx: AppContext, actor: Actor): Promise<boolean> {
  if (!actor.internal) return false;
  const { repUserIds, repUserGroupId } = ctx.config.slack;
  if (repUserIds.length === 0 && !repUserGroupId) return true;
  if (repUserIds.includes(actor.userId)) return true;
  if (!repUserGroupId) return false;
  const now = Date.now();
  let cached = groupCache.get(repUserGroupId);
  if (!cached || cached.until < now) {
    try {
      const res = await ctx.slack.usergroups.users.list({ usergroup: repUserGroupId });
      cached = { members: new Set(res.users ?? []), until: now + 5 * 60_000 };
      groupCache.set(repUserGroupId, cached);
    } catch (err) {
      ctx.logger.warn({ err }, "could not read the reps' user group; refusing rep actions for now");
      return false;
    }
  }
  return cached.members.has(actor.userId);
}

/** The polite refusal shown to someone who may not run a rep action. */
export function refusalFor(actor: Actor): string {
  return actor.internal
    ? "Sorry — only Fleet's account reps can do that. Ask your rep, or a Slack admin to add you to the reps group."
    : "Thanks for trying! That action is for Fleet's team. Your account rep will take care of it — you can ask them right here in the channel.";
}
