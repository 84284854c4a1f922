/**
 * Who is a rep: an internal user (our workspace or org), listed in FLEET_REP_USER_IDS or in the
 * FLEET_REP_USERGROUP_ID user group (when either is set), and a full member (never a guest, bot or deleted
 * user). Here, beside the users.info facts it reads, so both the Bolt surface and the cockpit can ask.
 */
import { memorySlot } from "../app-memory.ts";
import { type AppContext, isOurUser } from "../context.ts";
import { slackUserFacts } from "./users.ts";

/** The part of an actor the rep rules read. */
interface Acting {
  userId: string;
  internal: boolean;
}

/** Each app's known members of the reps' user group. */
const REP_GROUPS = memorySlot("rep groups", () => new Map<string, { members: Set<string>; until: number }>());

/** Is this actor allowed to run rep actions (onboard, link, call, done, owner, disconnect …)? */
export async function isRep(ctx: AppContext, actor: Acting): Promise<boolean> {
  return actor.internal && (await isListedRep(ctx, actor)) && (await isFullMember(ctx, actor.userId));
}

async function isListedRep(ctx: AppContext, actor: Acting): Promise<boolean> {
  const { repUserIds, repUserGroupId } = ctx.config.slack;
  if (repUserIds.length === 0 && !repUserGroupId) return true;
  if (repUserIds.includes(actor.userId)) return true;
  if (!repUserGroupId) return false;
  const cached = ctx.memory.of(REP_GROUPS).get(repUserGroupId);
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
 * Also what lets a colleague who is no rep run `/fleet status` or tick Fleet's own steps.
 */
export async function isFullMember(
  ctx: Pick<AppContext, "slack" | "logger" | "memory">,
  userId: string,
): Promise<boolean> {
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
  return isRep(ctx, { userId, internal });
}

/** Reads the reps' user group (at start-up and every five minutes). */
export async function refreshRepGroup(ctx: AppContext, groupId: string): Promise<Set<string> | null> {
  const groupCache = ctx.memory.of(REP_GROUPS);
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
