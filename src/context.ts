/**
 * The dependencies every listener, route and job receives: one object built by the composition root
 * (src/fleet.ts), so handlers stay thin and tests can build it with stand-ins.
 */
import type { WebClient } from "@slack/web-api";
import type { AppMemory } from "./app-memory.ts";
import type { Config } from "./config.ts";
import type { KeyRing } from "./crypto.ts";
import type { Database } from "./db/client.ts";
import type { OnboardingHooks } from "./hooks.ts";
import type { SetAsideLedger } from "./intake/set-aside-ledger.ts";
import type { Logger } from "./logger.ts";

/** The source of "now"; tests and the sandbox page move it. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that can be set and advanced (tests, the sandbox's clock control). */
export class ManualClock implements Clock {
  private offsetMs = 0;
  private fixed: number | null;
  constructor(start?: Date) {
    this.fixed = start ? start.getTime() : null;
  }
  now(): Date {
    return new Date((this.fixed ?? Date.now()) + this.offsetMs);
  }
  /** Moves the clock forward (or back with a negative value). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /** Jumps to a moment. */
  set(moment: Date): void {
    this.fixed = moment.getTime();
    this.offsetMs = 0;
  }
}

/** Who the bot is in its home workspace (from `auth.test`). */
export interface SlackIdentity {
  teamId: string;
  teamName?: string;
  /** Our Enterprise Grid org, when the workspace belongs to one (auth.test's `enterprise_id`). */
  enterpriseId?: string | undefined;
  botUserId: string;
  botId?: string;
}

/** Everything handlers need. */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Database;
  clock: Clock;
  slack: WebClient;
  identity: SlackIdentity;
  /** Keys for tokens at rest and for Connect links. */
  keys: KeyRing;
  /** Where browsers, Slack and Finch reach this app (with a trailing slash). */
  publicUrl: string;
  /** "An onboarding changed" (App Home refresh, celebration) and "a reminder failed" (rep alert): src/hooks.ts. */
  hooks: OnboardingHooks;
  /** Every instance's set-aside spool files, shown to reps in the App Home with Retry and Discard (src/cockpit). */
  setAside?: Pick<SetAsideLedger, "page" | "act">;
  /** This app's caches, timers and memos (src/app-memory.ts): never shared with another app in the process. */
  memory: AppMemory;
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
