/** What callers of the Slack stand-in see: workspaces, users, stored messages and views, faults, events. */
import type { types as slackTypes } from "@slack/bolt";
import type { SocketModeOptions } from "./socket-mode.ts";
import { SlackStandIn } from "./stand-in.ts";

/** A workspace: the app's home team or a Slack Connect partner's team. */
export interface StandInTeam {
  id: string;
  name: string;
  domain: string;
}

/** A user of the home workspace or of an external (Slack Connect) workspace. */
export interface StandInUser {
  id: string;
  teamId: string;
  name: string;
  realName?: string;
  email?: string;
  tz?: string;
  isBot?: boolean;
  isAdmin?: boolean;
  /** A guest of its workspace: `multi` (is_restricted) or `single`-channel (is_ultra_restricted). */
  guest?: "multi" | "single";
  /** Its Enterprise Grid org: users.info then carries `enterprise_user` (as Slack does for org members). */
  enterpriseId?: string;
}

/** Options of {@link SlackStandIn}. */
export interface SlackStandInOptions {
  /** The only token accepted; any other gives `invalid_auth`, none gives `not_authed`. */
  botToken: string;
  homeTeam: StandInTeam;
  botUserId: string;
  botId: string;
  /** Bot user name reported by auth.test (default "fleet-concierge"). */
  botName?: string;
  appId?: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** chat.postMessage rate per channel (Slack: about 1/s); Infinity disables the limit. */
  postMessagePerChannelPerSecond?: number;
  /** Burst allowed above the rate before 429s start (token bucket capacity, default 3). */
  postMessageBurst?: number;
  /**
   * chat.postMessage rate for the whole workspace (Slack keeps "a workspace-wide limit" besides the 1/s per
   * channel, without publishing its value; default 10/s), and its burst (default 30).
   */
  postMessageWorkspacePerSecond?: number;
  postMessageWorkspaceBurst?: number;
  /**
   * The bot token's scopes (the `x-oauth-scopes` header); a method needing another one answers `missing_scope`
   * with `needed` and `provided`. Whoever starts the stand-in reads them from manifest.yml (manifestBotScopes).
   */
  scopes: string[];
  /**
   * What the workspace's Slack Connect settings allow the app: "full" invites, "limited" (external_limited:
   * false is refused with `restricted_action`) or "none" (`not_allowed_for_grid_workspace`). Default "full".
   */
  slackConnect?: "full" | "limited" | "none";
  /** conversations.inviteShared calls with `emails` per minute per calling user (Tier 2: 20; `ratelimit`). */
  inviteSharedPerMinute?: number;
  /** The home workspace is on a paid plan (default); without one, Slack Connect answers `not_paid`. */
  paidPlan?: boolean;
  /**
   * A private channel gets a new id on its first Slack Connect invitation and the stand-in emits
   * `channel_id_changed` on `events` ("slackEvent"), as Slack does (default true: stricter).
   */
  newIdOnShare?: boolean;
  /** The Enterprise Grid org of the home team (auth.test's `enterprise_id`); none for a standalone workspace. */
  enterpriseId?: string;
  /** Clock in milliseconds, for ts values, rate limits and invite expiry (default Date.now). */
  now?: () => number;
  /** The app-level token (xapp-…) apps.connections.open accepts; without one, Socket Mode is refused. */
  appToken?: string;
  /** Socket Mode timing: ack timeout, redelivery pauses, URL lifetime. */
  socketMode?: Pick<SocketModeOptions, "ackTimeoutMs" | "retryDelaysMs" | "ticketTtlMs">;
}

/** One Web API call as the stand-in saw it; `args` has the token removed and JSON arguments decoded. */
export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  ok: boolean;
  error?: string;
  status: number;
}

/** Slack message metadata as stored with a message. */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** A message as stored in a channel (bot or user message, top-level or thread reply). */
export interface StoredMessage {
  type: "message";
  subtype?: string;
  channel: string;
  ts: string;
  thread_ts?: string;
  reply_broadcast?: boolean;
  user: string;
  bot_id?: string;
  app_id?: string;
  team: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: MessageMetadata;
  files?: Array<{ id: string; name: string; title: string }>;
  edited?: { user: string; ts: string };
}

/** An ephemeral message: visible to one user only, so kept apart from channel history. */
export interface StoredEphemeral {
  channel: string;
  user: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
}

/** A published App Home or an opened/pushed modal, in its current state. */
export interface StoredView {
  id: string;
  type: "home" | "modal";
  via: "publish" | "open";
  /** App Home owner; modals are opened from a trigger, so Slack never tells the app the user here. */
  userId?: string;
  triggerId?: string;
  callback_id: string;
  private_metadata: string;
  external_id?: string;
  title?: unknown;
  submit?: unknown;
  close?: unknown;
  blocks: unknown[];
  hash: string;
  root_view_id: string;
  previous_view_id: string | null;
  clear_on_close: boolean;
  notify_on_close: boolean;
  updates: number;
}

/** A Slack Connect invitation sent with conversations.inviteShared. */
export interface SharedInvite {
  id: string;
  channelId: string;
  email?: string;
  userId?: string;
  externalLimited: boolean;
  status: "pending" | "approved" | "declined";
  invitedBy: string;
  createdAt: number;
  expiresAt: number;
  acceptedBy?: { userId: string; teamId: string };
}

/** A file registered with files.getUploadURLExternal, its bytes once uploaded, and where it was shared. */
export interface StoredFile {
  id: string;
  name: string;
  title: string;
  length: number;
  content?: Buffer;
  altText?: string;
  snippetType?: string;
  completed: boolean;
  channels: string[];
  initialComment?: string;
  threadTs?: string;
  user: string;
  created: number;
}

/** A channel (or DM) as seen from outside; members are user ids of any team. */
export interface ChannelSnapshot {
  id: string;
  name: string;
  isPrivate: boolean;
  isIm: boolean;
  isArchived: boolean;
  isGeneral: boolean;
  isExtShared: boolean;
  created: number;
  creator: string;
  members: string[];
  connectedTeamIds: string[];
  limitedTeamIds: string[];
  topic: string;
  purpose: string;
  pins: string[];
}

/** What tests and scripts register with {@link SlackStandIn.addChannel}. */
export interface ChannelInput {
  name: string;
  id?: string;
  isPrivate?: boolean;
  isGeneral?: boolean;
  /** Archived by a person in Slack (the app cannot archive channels). */
  isArchived?: boolean;
  members?: string[];
  /** Whether the bot is a member (default true). */
  botIsMember?: boolean;
}

/** A fault for {@link SlackStandIn.injectFault}. */
export interface FaultSpec {
  /** Method name, or "*" for any method. */
  method: string;
  times?: number;
  /** HTTP status to answer (e.g. 500, 503); 429 answers a rate limit. */
  status?: number;
  /** Slack error code answered as `{ ok: false, error }` with HTTP 200. */
  error?: string;
  /** Answer 429 with this `Retry-After`. */
  retryAfterSeconds?: number;
  /** Delay before answering (alone: the call then proceeds normally). */
  delayMs?: number;
  /**
   * Slack did the work, then the answer was lost: `"5xx"` answers `status` (default 503) with Slack's HTML
   * error page, `"timeout"` never answers (the client's timeout ends the call), `"drop"` destroys the socket.
   */
  after?: "5xx" | "timeout" | "drop";
}

/** Events emitted on {@link SlackStandIn.events}, for live pages and tests. */
export interface StandInEventMap {
  call: [RecordedCall];
  message: [StoredMessage];
  message_changed: [StoredMessage];
  ephemeral: [StoredEphemeral];
  view: [StoredView];
  invite: [SharedInvite];
  channel: [ChannelSnapshot];
  /** An Events API event Slack sends the app by itself (e.g. `channel_id_changed`); whoever runs the app delivers it. */
  slackEvent: [slackTypes.ChannelIDChangedEvent];
}

/** The events Slack sends when an external user accepts an invite and it is approved, in delivery order. */
export type SharedInviteAcceptance = [
  slackTypes.SharedChannelInviteAcceptedEvent,
  slackTypes.SharedChannelInviteApprovedEvent,
  slackTypes.MemberJoinedChannelEvent,
];
