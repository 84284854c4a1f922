/** conversations.* methods the app calls: create, info, list, invite, history, replies, open. */
import type {
  ConversationsCreateResponse,
  ConversationsHistoryResponse,
  ConversationsInfoResponse,
  ConversationsInviteResponse,
  ConversationsListResponse,
  ConversationsOpenResponse,
  ConversationsRepliesResponse,
} from "@slack/web-api";
import { apiChannel, historyMessage } from "../api-shapes.ts";
import {
  type Args,
  channelNameError,
  type MethodHandler,
  paginate,
  SlackApiError,
  timeRange,
} from "../web-api-args.ts";
import type { SlackWorkspace } from "../workspace.ts";

/** conversations.* methods by Web API name. */
export function conversationMethods(ws: SlackWorkspace): Array<[string, MethodHandler]> {
  return [
    ["conversations.create", (a) => conversationsCreate(ws, a)],
    ["conversations.info", (a) => conversationsInfo(ws, a)],
    ["conversations.list", (a) => conversationsList(ws, a)],
    ["conversations.invite", (a) => conversationsInvite(ws, a)],
    ["conversations.history", (a) => conversationsHistory(ws, a)],
    ["conversations.open", (a) => conversationsOpen(ws, a)],
    ["conversations.replies", (a) => conversationsReplies(ws, a)],
  ];
}

function conversationsCreate(ws: SlackWorkspace, args: Args): ConversationsCreateResponse {
  const name = args.string("name") ?? "";
  const nameError = channelNameError(name);
  if (nameError) throw new SlackApiError(nameError);
  if (ws.findChannelByName(name)) throw new SlackApiError("name_taken");
  const channel = ws.createChannelState(name, args.bool("is_private") ?? false, new Set([ws.botUserId]));
  return { ok: true, channel: apiChannel(ws, channel) };
}

function conversationsInfo(ws: SlackWorkspace, args: Args): ConversationsInfoResponse {
  const channel = ws.requireChannel(args);
  return { ok: true, channel: apiChannel(ws, channel, args.bool("include_num_members") ?? false) };
}

function conversationsList(ws: SlackWorkspace, args: Args): ConversationsListResponse {
  const types = new Set(args.list("types") ?? ["public_channel"]);
  const excludeArchived = args.bool("exclude_archived") ?? false;
  const visible = [...ws.channels.values()].filter((c) => {
    if (excludeArchived && c.isArchived) return false;
    if (c.isIm) return types.has("im") && c.members.has(ws.botUserId);
    if (c.isPrivate) return types.has("private_channel") && c.members.has(ws.botUserId);
    return types.has("public_channel");
  });
  const { page, nextCursor } = paginate(visible, args, 100, 1000);
  return {
    ok: true,
    channels: page.map((c) => apiChannel(ws, c, true)),
    response_metadata: { next_cursor: nextCursor },
  };
}

function conversationsInvite(ws: SlackWorkspace, args: Args): ConversationsInviteResponse {
  const channel = ws.requireChannel(args);
  if (channel.isIm) throw new SlackApiError("method_not_supported_for_channel_type");
  if (channel.isArchived) throw new SlackApiError("is_archived");
  if (!channel.members.has(ws.botUserId)) throw new SlackApiError("not_in_channel");
  const userIds = args.list("users") ?? [];
  if (userIds.length === 0) throw new SlackApiError("no_user");
  const errors: Array<{ user: string; ok: false; error: string }> = [];
  const toAdd: string[] = [];
  for (const id of userIds) {
    const user = ws.users.get(id);
    const error =
      id === ws.botUserId
        ? "cant_invite_self"
        : !user
          ? "user_not_found"
          : user.teamId !== ws.homeTeam.id
            ? "cant_invite"
            : channel.members.has(id)
              ? "already_in_channel"
              : undefined;
    if (error) errors.push({ user: id, ok: false, error });
    else toAdd.push(id);
  }
  const first = errors[0];
  if (first && !(args.bool("force") ?? false)) throw new SlackApiError(first.error, { errors });
  for (const id of toAdd) channel.members.add(id);
  if (toAdd.length > 0) ws.events.emit("channel", ws.snapshot(channel));
  return { ok: true, channel: apiChannel(ws, channel), ...(errors.length > 0 ? { errors } : {}) };
}

function conversationsHistory(ws: SlackWorkspace, args: Args): ConversationsHistoryResponse {
  const channel = ws.requireChannel(args);
  if (!channel.members.has(ws.botUserId)) throw new SlackApiError("not_in_channel");
  const includeMetadata = args.bool("include_all_metadata") ?? false;
  const inRange = timeRange(args, ws.nowSec());
  const topLevel = (ws.channelMessages.get(channel.id) ?? [])
    .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.reply_broadcast)
    .filter((m) => inRange(m.ts))
    .reverse();
  const { page, nextCursor } = paginate(topLevel, args, 100, 999);
  return {
    ok: true,
    messages: page.map((m) => historyMessage(ws, m, includeMetadata)),
    has_more: nextCursor !== "",
    pin_count: channel.pins.length,
    response_metadata: { next_cursor: nextCursor },
  };
}

/** A thread: its parent first, then the replies oldest first (Slack's order). */
function conversationsReplies(ws: SlackWorkspace, args: Args): ConversationsRepliesResponse {
  const channel = ws.requireChannel(args);
  if (!channel.members.has(ws.botUserId)) throw new SlackApiError("not_in_channel");
  const ts = args.string("ts");
  if (!ts) throw new SlackApiError("invalid_arguments");
  const includeMetadata = args.bool("include_all_metadata") ?? false;
  const thread = (ws.channelMessages.get(channel.id) ?? []).filter((m) => m.ts === ts || m.thread_ts === ts);
  if (thread.length === 0) throw new SlackApiError("thread_not_found");
  const { page, nextCursor } = paginate(thread, args, 1000, 1000);
  return {
    ok: true,
    messages: page.map((m) => historyMessage(ws, m, includeMetadata)),
    has_more: nextCursor !== "",
    response_metadata: { next_cursor: nextCursor },
  };
}

function conversationsOpen(ws: SlackWorkspace, args: Args): ConversationsOpenResponse {
  const channelId = args.string("channel");
  if (channelId) return { ok: true, channel: { id: ws.requireChannel(args).id } };
  const userIds = args.list("users") ?? [];
  // Group DMs (mpim) are not modelled: the app only ever DMs one person.
  if (userIds.length !== 1) {
    throw new SlackApiError(userIds.length === 0 ? "users_list_not_supplied" : "not_supported");
  }
  return { ok: true, channel: { id: ws.openIm(ws.requireUser(userIds[0] ?? "")).id } };
}
