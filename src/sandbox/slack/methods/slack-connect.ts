/** Slack Connect: conversations.inviteShared and the partner's accept/decline, as the events Slack sends. */
import type { types as slackTypes } from "@slack/bolt";
import type {
  ConversationsInviteSharedResponse,
  ConversationsListConnectInvitesResponse,
} from "@slack/web-api";
import { TokenBucket } from "../http.ts";
import { SlackStandIn } from "../stand-in.ts";
import type { SharedInvite, SharedInviteAcceptance, StandInTeam } from "../types.ts";
import { type Args, isValidEmail, type MethodHandler, microsToTs, SlackApiError } from "../web-api-args.ts";
import type { ChannelState, SlackWorkspace } from "../workspace.ts";

const INVITE_LIFETIME_SEC = 14 * 24 * 3600;

type SharedTeamItem = slackTypes.SharedChannelInviteAcceptedEvent["teams_in_channel"][number];

type SharedUserItem = slackTypes.SharedChannelInviteAcceptedEvent["accepting_user"];

type SharedInviteItem = slackTypes.SharedChannelInviteAcceptedEvent["invite"];

/** conversations.inviteShared methods by Web API name. */
export function slackConnectMethods(ws: SlackWorkspace): Array<[string, MethodHandler]> {
  return [
    ["conversations.inviteShared", (a) => conversationsInviteShared(ws, a)],
    ["conversations.listConnectInvites", (a) => conversationsListConnectInvites(ws, a)],
  ];
}

/**
 * Pending shared channel invitations the workspace sent, newest first, paginated (`count`, default 100;
 * `cursor`). "This API method can only be used on Enterprise Grid workspaces"
 * (https://api.slack.com/methods/conversations.listConnectInvites); elsewhere the stand-in refuses it with
 * `restricted_action` (the exact error outside Grid is not documented).
 */
function conversationsListConnectInvites(
  ws: SlackWorkspace,
  args: Args,
): ConversationsListConnectInvitesResponse {
  if (!ws.enterpriseId) throw new SlackApiError("restricted_action");
  const count = Math.min(Math.max(args.int("count") ?? 100, 1), 1000);
  const offset = Number(
    args.string("cursor") ? Buffer.from(args.string("cursor") ?? "", "base64").toString() : 0,
  );
  if (!Number.isInteger(offset) || offset < 0) throw new SlackApiError("invalid_cursor");
  const pending = ws.inviteLog.filter((i) => i.status === "pending" && ws.nowSec() <= i.expiresAt).reverse();
  const page = pending.slice(offset, offset + count);
  const next = offset + count < pending.length ? Buffer.from(String(offset + count)).toString("base64") : "";
  return {
    ok: true,
    invites: page.map((invite) => {
      const channel = ws.channels.get(invite.channelId);
      return {
        direction: "outgoing",
        status: "sent",
        date_last_updated: invite.createdAt,
        invite_type: "channel",
        invite: inviteItem(ws, invite),
        channel: {
          id: invite.channelId,
          is_private: channel?.isPrivate ?? false,
          is_im: false,
          name: channel?.name ?? "",
        },
        acceptances: [],
      };
    }),
    response_metadata: { next_cursor: next },
  };
}

function conversationsInviteShared(ws: SlackWorkspace, args: Args): ConversationsInviteSharedResponse {
  const channel = ws.requireChannel(args);
  if (channel.isIm) throw new SlackApiError("invalid_channel_type");
  if (channel.isArchived) throw new SlackApiError("channel_archived");
  if (!channel.members.has(ws.botUserId)) throw new SlackApiError("not_in_channel");
  // Slack Connect needs a paid plan ("not_paid": the workspace is on the free plan).
  if (!ws.paidPlan) throw new SlackApiError("not_paid");
  // "This workspace does not have Slack Connect enabled."
  if (ws.slackConnect === "none") throw new SlackApiError("not_allowed_for_grid_workspace");
  const emails = args.list("emails") ?? [];
  const userIds = args.list("user_ids") ?? [];
  // Slack takes arrays but only one recipient per call, given one way; a bot must name one.
  const byEmail = emails.length > 0;
  const byUserId = userIds.length > 0;
  if (!byEmail && !byUserId) throw new SlackApiError("recipients_not_specified");
  if (byEmail && byUserId) throw new SlackApiError("invalid_arguments");
  if (emails.length > 1) throw new SlackApiError("too_many_emails");
  if (userIds.length > 1) throw new SlackApiError("too_many_users");
  const email = emails[0];
  const userId = userIds[0];
  if (email !== undefined) {
    if (!isValidEmail(email)) throw new SlackApiError("invalid_email");
    const known = ws.findUserByEmail(email);
    if (known && channel.members.has(known.id)) throw new SlackApiError("already_in_channel");
  }
  if (userId !== undefined) {
    if (!ws.users.has(userId)) throw new SlackApiError("user_not_found");
    if (channel.members.has(userId)) throw new SlackApiError("already_in_channel");
  }
  // "Defaults to true." A workspace whose Slack Connect settings only allow limited guests refuses the rest.
  const externalLimited = args.bool("external_limited") ?? true;
  if (!externalLimited && ws.slackConnect === "limited") throw new SlackApiError("restricted_action");
  // "This channel already has a pending invite.": one per channel, whoever it is for.
  const pending = ws.inviteLog.find(
    (i) => i.channelId === channel.id && i.status === "pending" && ws.nowSec() <= i.expiresAt,
  );
  if (pending) throw new SlackApiError("connection_limit_exceeded_pending");
  const firstShare =
    channel.isPrivate &&
    channel.connectedTeamIds.size === 0 &&
    !ws.inviteLog.some((i) => i.channelId === channel.id);
  // "The ratelimit is applied on a per-user basis when you pass the emails parameter."
  if (email !== undefined && !takeInviteToken(ws, ws.botUserId)) throw new SlackApiError("ratelimit");
  const createdAt = ws.nowSec();
  const invite: SharedInvite = {
    id: ws.nextId("I"),
    channelId: channel.id,
    ...(email !== undefined ? { email } : {}),
    ...(userId !== undefined ? { userId } : {}),
    externalLimited,
    status: "pending",
    invitedBy: ws.botUserId,
    createdAt,
    expiresAt: createdAt + INVITE_LIFETIME_SEC,
  };
  ws.inviteLog.push(invite);
  ws.events.emit("invite", structuredClone(invite));
  // "When a private channel is shared, the existing private channel's unique channel ID changes to a new
  // identifier permanently": the invitation makes it a Slack Connect channel, and Slack tells the app by event.
  if (firstShare && ws.newIdOnShare) ws.events.emit("slackEvent", changeChannelId(ws, channel.id));
  // Slack returns a shareable link only for email invites of full (non-limited) members.
  const link =
    email !== undefined && !externalLimited
      ? { url: `https://join.slack.com/share/${invite.id.toLowerCase()}`, conf_code: invite.id.slice(-6) }
      : {};
  return { ok: true, invite_id: invite.id, is_legacy_shared_channel: false, ...link };
}

/**
 * {@link SlackStandIn.changeChannelId}: moves a channel and everything in it to a new id (the old one then
 * answers `channel_not_found`) and returns the `channel_id_changed` event Slack sends
 * (https://api.slack.com/events/channel_id_changed).
 */
export function changeChannelId(
  ws: SlackWorkspace,
  oldId: string,
  newId = ws.nextId("C"),
): slackTypes.ChannelIDChangedEvent {
  const channel = ws.channels.get(oldId);
  if (!channel) throw new Error(`unknown channel ${oldId}`);
  if (ws.channels.has(newId)) throw new Error(`channel ${newId} exists already`);
  const messages = ws.channelMessages.get(oldId) ?? [];
  ws.channels.delete(oldId);
  ws.channelMessages.delete(oldId);
  channel.id = newId;
  for (const message of messages) message.channel = newId;
  ws.channels.set(newId, channel);
  ws.channelMessages.set(newId, messages);
  for (const ephemeral of ws.ephemeralLog) if (ephemeral.channel === oldId) ephemeral.channel = newId;
  for (const invite of ws.inviteLog) if (invite.channelId === oldId) invite.channelId = newId;
  ws.events.emit("channel", ws.snapshot(channel));
  return {
    type: "channel_id_changed",
    old_channel_id: oldId,
    new_channel_id: newId,
    event_ts: microsToTs(ws.nextTsMicros()),
  };
}

function takeInviteToken(ws: SlackWorkspace, userId: string): boolean {
  if (!Number.isFinite(ws.inviteSharedPerMinute)) return true;
  let bucket = ws.inviteBuckets.get(userId);
  if (!bucket) {
    bucket = new TokenBucket(ws.inviteSharedPerMinute, ws.inviteSharedPerMinute / 60, ws.now());
    ws.inviteBuckets.set(userId, bucket);
  }
  return bucket.take(ws.now()) === 0;
}

/** {@link SlackStandIn.acceptSharedInvite}. */
export function acceptInvite(
  ws: SlackWorkspace,
  inviteId: string,
  by: { userId: string; teamId: string },
): SharedInviteAcceptance {
  const invite = pendingInvite(ws, inviteId);
  const team = ws.teams.get(by.teamId);
  if (!team || team.id === ws.homeTeam.id) {
    throw new Error(`${by.teamId} is not an external team (addTeam)`);
  }
  const channel = ws.channels.get(invite.channelId);
  if (!channel) throw new Error(`channel ${invite.channelId} no longer exists`);
  const existing = ws.users.get(by.userId);
  if (existing && existing.teamId !== team.id) {
    throw new Error(`${by.userId} belongs to ${existing.teamId}`);
  }
  if (!existing) {
    const name = invite.email?.split("@")[0] ?? by.userId.toLowerCase();
    ws.addUser({
      id: by.userId,
      teamId: team.id,
      name,
      ...(invite.email ? { email: invite.email } : {}),
    });
  }
  channel.members.add(by.userId);
  channel.connectedTeamIds.add(team.id);
  if (invite.externalLimited) channel.limitedTeamIds.add(team.id);
  invite.status = "approved";
  invite.acceptedBy = { userId: by.userId, teamId: team.id };
  ws.events.emit("invite", structuredClone(invite));
  ws.events.emit("channel", ws.snapshot(channel));

  const eventTs = () => microsToTs(ws.nextTsMicros());
  const channelItem = { id: channel.id, is_private: channel.isPrivate, is_im: false, name: channel.name };
  const inviteEventItem = inviteItem(ws, invite);
  const teamsInEvent = teamsInChannel(ws, channel);
  const approver = [...ws.users.values()].find((u) => u.teamId === ws.homeTeam.id && u.isAdmin);
  return [
    {
      type: "shared_channel_invite_accepted",
      approval_required: true,
      invite: inviteEventItem,
      channel: channelItem,
      teams_in_channel: teamsInEvent,
      accepting_user: sharedUserItem(ws, by.userId),
      event_ts: eventTs(),
    },
    {
      type: "shared_channel_invite_approved",
      invite: inviteEventItem,
      channel: channelItem,
      approving_team_id: ws.homeTeam.id,
      teams_in_channel: teamsInEvent,
      approving_user: sharedUserItem(ws, approver?.id ?? ws.botUserId),
      event_ts: eventTs(),
    },
    {
      type: "member_joined_channel",
      user: by.userId,
      channel: channel.id,
      channel_type: channel.isPrivate ? "G" : "C",
      team: team.id,
      inviter: ws.botUserId,
      event_ts: eventTs(),
    },
  ];
}

/** {@link SlackStandIn.declineSharedInvite}. */
export function declineInvite(
  ws: SlackWorkspace,
  inviteId: string,
  by: { userId: string; teamId: string },
): slackTypes.SharedChannelInviteDeclinedEvent {
  const invite = pendingInvite(ws, inviteId);
  const channel = ws.channels.get(invite.channelId);
  if (!channel) throw new Error(`channel ${invite.channelId} no longer exists`);
  invite.status = "declined";
  ws.events.emit("invite", structuredClone(invite));
  return {
    type: "shared_channel_invite_declined",
    invite: inviteItem(ws, invite),
    channel: { id: channel.id, is_private: channel.isPrivate, is_im: false, name: channel.name },
    declining_team_id: by.teamId,
    teams_in_channel: teamsInChannel(ws, channel),
    declining_user: sharedUserItem(ws, by.userId),
    event_ts: microsToTs(ws.nextTsMicros()),
  };
}

function pendingInvite(ws: SlackWorkspace, inviteId: string): SharedInvite {
  const invite = ws.inviteLog.find((i) => i.id === inviteId);
  if (!invite) throw new Error(`unknown invite ${inviteId}`);
  if (invite.status !== "pending") throw new Error(`invite ${inviteId} is already ${invite.status}`);
  if (ws.nowSec() > invite.expiresAt) throw new Error(`invite ${inviteId} expired (14 days)`);
  return invite;
}

function inviteItem(ws: SlackWorkspace, invite: SharedInvite): SharedInviteItem {
  return {
    id: invite.id,
    date_created: invite.createdAt,
    date_invalid: invite.expiresAt,
    inviting_team: sharedTeamItem(ws.homeTeam),
    inviting_user: sharedUserItem(ws, invite.invitedBy),
    ...(invite.email ? { recipient_email: invite.email } : {}),
    ...(invite.userId ? { recipient_user_id: invite.userId } : {}),
  };
}

function teamsInChannel(ws: SlackWorkspace, channel: ChannelState): SharedTeamItem[] {
  return [ws.homeTeam.id, ...channel.connectedTeamIds].flatMap((id) => {
    const team = ws.teams.get(id);
    return team ? [sharedTeamItem(team)] : [];
  });
}

function sharedTeamItem(team: StandInTeam): SharedTeamItem {
  return {
    id: team.id,
    name: team.name,
    icon: {},
    is_verified: false,
    domain: team.domain,
    date_created: 0,
  };
}

function sharedUserItem(ws: SlackWorkspace, userId: string): SharedUserItem {
  const user = ws.users.get(userId);
  const realName = user?.realName ?? user?.name ?? userId;
  const image = "https://a.slack-edge.com/80588/img/avatars/user_shapes/ava_0001-72.png";
  return {
    id: userId,
    team_id: user?.teamId ?? ws.homeTeam.id,
    name: user?.name ?? userId,
    updated: 0,
    profile: {
      real_name: realName,
      display_name: user?.name ?? "",
      real_name_normalized: realName,
      display_name_normalized: user?.name ?? "",
      team: user?.teamId ?? ws.homeTeam.id,
      avatar_hash: "g0000000000",
      email: user?.email ?? "",
      image_24: image,
      image_32: image,
      image_48: image,
      image_72: image,
      image_192: image,
      image_512: image,
    },
  };
}
