/**
 * The dependencies every listener, route and job receives: one object built by the composition root
 * (src/fleet.ts), so handlers stay thin and tests can build it with stand-ins.
 */
import type { WebClient } from "@slack/web-api";
import type { Config } from "./config.ts";
import type { KeyRing } from "./crypto.ts";
import type { Database } from "./db/client.ts";
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
}
