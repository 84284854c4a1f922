/** What Fleet needs to know about a Slack user (users.info), cached with a size cap and a time to live. */
import type { WebClient } from "@slack/web-api";
import { type AppMemory, memorySlot } from "../app-memory.ts";
import { BoundedCache } from "../bounded-cache.ts";
import type { Logger } from "../logger.ts";

/** A Slack user as the rep rules and the App Home see them. */
export interface SlackUserFacts {
  teamId: string | null;
  /** The user's Enterprise Grid org, if any: a member of another workspace of our org is one of ours. */
  enterpriseId: string | null;
  /** A single- or multi-channel guest (`is_ultra_restricted` / `is_restricted`): never a rep. */
  guest: boolean;
  bot: boolean;
  deleted: boolean;
  /** How Slack shows the person (display name, else real name), for the private page's "ticked by". */
  name: string | null;
}

const TTL_MS = 3_600_000;
/** Users looked up per app; the least recently used fall out first. */
const MAX_USERS = 5_000;
/** Each app's users: another app in the process may talk to another Slack, where the same id is someone else. */
const USERS = memorySlot("slack users", () => new BoundedCache<string, SlackUserFacts>(MAX_USERS, TTL_MS));

/** The facts of `userId`, or null when Slack cannot say (not cached, so the next call asks again). */
export async function slackUserFacts(
  ctx: { slack: WebClient; logger: Logger; memory: AppMemory },
  userId: string,
): Promise<SlackUserFacts | null> {
  const cache = ctx.memory.of(USERS);
  const hit = cache.get(userId);
  if (hit) return hit;
  try {
    const { user } = await ctx.slack.users.info({ user: userId });
    if (!user) return null;
    const facts: SlackUserFacts = {
      teamId: user.team_id ?? null,
      enterpriseId: user.enterprise_user?.enterprise_id ?? null,
      guest: user.is_restricted === true || user.is_ultra_restricted === true,
      bot: user.is_bot === true,
      deleted: user.deleted === true,
      name: user.profile?.display_name || user.profile?.real_name || user.real_name || null,
    };
    cache.set(userId, facts);
    return facts;
  } catch (err) {
    ctx.logger.warn({ err, user: userId }, "users.info failed");
    return null;
  }
}
