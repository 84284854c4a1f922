/**
 * Who is acting, decided only from the signed payload: a user whose team is our home team (auth.test) is
 * internal; anyone else — e.g. a customer's HR admin in a Slack Connect channel — is external.
 * Reps: internal users, optionally only those listed in FLEET_REP_USER_IDS or in FLEET_REP_USERGROUP_ID.
 */
import type { AppContext } from "../context.ts";
import { type Actor, isOurUser } from "../onboarding/actor.ts";
import { slackUserFacts } from "../slack-gateway/users.ts";

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

const groupCache = new Map<string, { members: Set<string>; until: number }>();

/** Is this actor allowed to run rep actions (onboard, link, call, done, owner, disconnect …)? */
export async function isRep(ctx: AppContext, actor: Actor): Promise<boolean> {
  return actor.internal && (await isListedRep(ctx, actor)) && (await isFullMember(ctx, actor.userId));
}

async function isListedRep(ctx: AppContext, actor: Actor): Promise<boolean> {
  const { repUserIds, repUserGroupId } = ctx.config.slack;
  if (repUserIds.length === 0 && !repUserGroupId) return true;
  if (repUserIds.includes(actor.userId)) return true;
  if (!repUserGroupId) return false;
  const cached = groupCache.get(repUserGroupId);
  // A known member list answers at once (Slack's 3 s ack must not wait on usergroups.users.list); a stale
  // one is refreshed in the background.
  if (cached) {
    if (cached.until < Date.now()) void refreshRepGroup(ctx, repUserGroupId);
    return cached.members.has(actor.userId);
  }
  const fresh = await refreshRepGroup(ctx, repUserGroupId);
  return fresh?.has(actor.userId) ?? false;
}

/**
 * Guests (`is_restricted`, `is_ultra_restricted`) of our own workspace are never reps, whatever the rep
 * list says; nor is anyone Slack cannot vouch for (users.info failed: refuse now, ask again next time).
 */
async function isFullMember(ctx: AppContext, userId: string): Promise<boolean> {
  const facts = await slackUserFacts(ctx, userId);
  return !!facts && !facts.guest && !facts.bot && !facts.deleted;
}

/** Could `userId` (e.g. a proposed owner) act as a rep? Looked up in Slack, then the rep rules above. */
export async function isRepUser(ctx: AppContext, userId: string): Promise<boolean> {
  const facts = await slackUserFacts(ctx, userId);
  if (!facts?.teamId) return false;
  const internal = isOurUser(ctx.identity, {
    teamId: facts.teamId,
    enterpriseId: facts.enterpriseId ?? undefined,
  });
  return isRep(ctx, { userId, teamId: facts.teamId, internal });
}

/** Reads the reps' user group (at start-up and every five minutes). */
export async function refreshRepGroup(ctx: AppContext, groupId: string): Promise<Set<string> | null> {
  try {
    const res = await ctx.slack.usergroups.users.list({ usergroup: groupId });
    const members = new Set(res.users ?? []);
    groupCache.set(groupId, { members, until: Date.now() + 5 * 60_000 });
    return members;
  } catch (err) {
    ctx.logger.warn({ err }, "could not read the reps' user group");
    // Keep the last known list a little longer rather than refusing every rep.
    const last = groupCache.get(groupId);
    if (last) last.until = Date.now() + 60_000;
    return last?.members ?? null;
  }
}

/** The polite refusal shown to someone who may not run a rep action. */
export function refusalFor(actor: Actor): string {
  return actor.internal
    ? "Sorry — only Fleet's account reps can do that. Ask your rep, or a Slack admin to add you to the reps group."
    : "Thanks for trying! That action is for Fleet's team. Your account rep will take care of it — you can ask them right here in the channel.";
}
