/** The stand-in's state rendered in @slack/web-api's response types, so the shapes cannot drift from the SDK. */
import type {
  ConversationsHistoryResponse,
  ConversationsInfoResponse,
  FilesCompleteUploadExternalResponse,
  UsersInfoResponse,
  ViewsOpenResponse,
} from "@slack/web-api";
import { mimeType } from "./http.ts";
import type { StandInUser, StoredFile, StoredMessage, StoredView } from "./types.ts";
import { asApiShape, tzInfo } from "./web-api-args.ts";
import type { ChannelState, SlackWorkspace } from "./workspace.ts";

type ApiChannel = NonNullable<ConversationsInfoResponse["channel"]>;

type ApiUser = NonNullable<UsersInfoResponse["user"]>;

type HistoryMessage = NonNullable<ConversationsHistoryResponse["messages"]>[number];

type ApiView = NonNullable<ViewsOpenResponse["view"]>;

type ApiFile = NonNullable<FilesCompleteUploadExternalResponse["files"]>[number];

export function apiChannel(ws: SlackWorkspace, channel: ChannelState, withMemberCount = false): ApiChannel {
  const connected = [...channel.connectedTeamIds];
  const pending = ws.inviteLog.some((i) => i.channelId === channel.id && i.status === "pending");
  if (channel.isIm) {
    const user = [...channel.members].find((id) => id !== ws.botUserId) ?? "";
    return asApiShape<ApiChannel>({
      id: channel.id,
      created: channel.created,
      is_im: true,
      user,
      is_open: true,
    });
  }
  return {
    id: channel.id,
    name: channel.name,
    name_normalized: channel.name,
    created: channel.created,
    creator: channel.creator,
    updated: channel.created * 1000,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: channel.isPrivate,
    is_archived: channel.isArchived,
    is_general: channel.isGeneral,
    is_shared: connected.length > 0,
    is_ext_shared: connected.length > 0,
    is_org_shared: false,
    is_pending_ext_shared: pending,
    is_member: channel.members.has(ws.botUserId),
    context_team_id: ws.homeTeam.id,
    shared_team_ids: [ws.homeTeam.id, ...connected],
    connected_team_ids: connected,
    connected_limited_team_ids: [...channel.limitedTeamIds],
    internal_team_ids: [],
    pending_connected_team_ids: [],
    pending_shared: [],
    previous_names: [],
    topic: { value: channel.topic, creator: channel.topic ? ws.botUserId : "", last_set: 0 },
    purpose: { value: channel.purpose, creator: channel.purpose ? ws.botUserId : "", last_set: 0 },
    ...(withMemberCount ? { num_members: channel.members.size } : {}),
  };
}

export function apiUser(ws: SlackWorkspace, user: StandInUser): ApiUser {
  const realName = user.realName ?? user.name;
  const tz = user.tz ?? "America/Los_Angeles";
  const { label, offset } = tzInfo(tz, ws.now());
  return {
    id: user.id,
    team_id: user.teamId,
    name: user.name,
    real_name: realName,
    deleted: false,
    color: "9f69e7",
    tz,
    tz_label: label,
    tz_offset: offset,
    is_admin: user.isAdmin ?? false,
    is_owner: false,
    is_primary_owner: false,
    is_restricted: user.guest !== undefined,
    is_ultra_restricted: user.guest === "single",
    is_bot: user.isBot ?? false,
    is_app_user: false,
    is_email_confirmed: user.email !== undefined,
    ...(user.enterpriseId
      ? {
          enterprise_user: {
            id: user.id,
            enterprise_id: user.enterpriseId,
            enterprise_name: user.enterpriseId,
            is_admin: false,
            is_owner: false,
            teams: [user.teamId],
          },
        }
      : {}),
    // Slack marks users of other workspaces the viewer only knows through a shared channel.
    ...(user.teamId !== ws.homeTeam.id ? { is_stranger: true } : {}),
    updated: 0,
    profile: {
      real_name: realName,
      real_name_normalized: realName,
      display_name: user.name,
      display_name_normalized: user.name,
      team: user.teamId,
      ...(user.email ? { email: user.email } : {}),
      ...(user.isBot && user.id === ws.botUserId ? { bot_id: ws.botId, api_app_id: ws.appId } : {}),
    },
  };
}

export function historyMessage(
  ws: SlackWorkspace,
  message: StoredMessage,
  includeMetadata: boolean,
): HistoryMessage {
  const replies = (ws.channelMessages.get(message.channel) ?? []).filter(
    (m) => m.thread_ts === message.ts && m.ts !== message.ts,
  );
  const isReply = message.thread_ts !== undefined && message.thread_ts !== message.ts;
  const result: HistoryMessage = {
    type: "message",
    ts: message.ts,
    user: message.user,
    team: message.team,
    text: message.text,
  };
  if (message.subtype) result.subtype = message.subtype;
  if (message.bot_id) {
    result.bot_id = message.bot_id;
    result.app_id = message.app_id ?? ws.appId;
    result.bot_profile = {
      id: ws.botId,
      app_id: ws.appId,
      name: ws.botName,
      team_id: ws.homeTeam.id,
      user_id: ws.botUserId,
      deleted: false,
      updated: 0,
    };
  }
  if (message.blocks) result.blocks = asApiShape<HistoryMessage["blocks"]>(message.blocks);
  if (message.attachments) {
    result.attachments = asApiShape<HistoryMessage["attachments"]>(message.attachments);
  }
  if (message.files) {
    result.files = asApiShape<HistoryMessage["files"]>(
      message.files.flatMap(({ id }) => {
        const file = ws.fileStore.get(id);
        return file ? [apiFile(ws, file)] : [];
      }),
    );
    result.upload = true;
  }
  if (message.edited) result.edited = { ...message.edited };
  if (message.thread_ts) result.thread_ts = message.thread_ts;
  if (isReply) result.parent_user_id = ws.parentUser(message.channel, message.thread_ts ?? "");
  if (replies.length > 0) {
    const replyUsers = [...new Set(replies.map((r) => r.user))];
    result.thread_ts = message.ts;
    result.reply_count = replies.length;
    result.reply_users = replyUsers;
    result.reply_users_count = replyUsers.length;
    result.latest_reply = replies.at(-1)?.ts ?? message.ts;
  }
  if (includeMetadata && message.metadata) {
    result.metadata = asApiShape<HistoryMessage["metadata"]>(structuredClone(message.metadata));
  }
  return result;
}

export function apiView(ws: SlackWorkspace, view: StoredView): ApiView {
  return {
    id: view.id,
    team_id: ws.homeTeam.id,
    app_id: ws.appId,
    app_installed_team_id: ws.homeTeam.id,
    bot_id: ws.botId,
    type: view.type,
    callback_id: view.callback_id,
    private_metadata: view.private_metadata,
    blocks: asApiShape<ApiView["blocks"]>(structuredClone(view.blocks)),
    state: asApiShape<ApiView["state"]>({ values: {} }),
    hash: view.hash,
    root_view_id: view.root_view_id,
    ...(view.previous_view_id ? { previous_view_id: view.previous_view_id } : {}),
    clear_on_close: view.clear_on_close,
    notify_on_close: view.notify_on_close,
    ...(view.external_id ? { external_id: view.external_id } : {}),
    ...(view.title !== undefined ? { title: asApiShape<ApiView["title"]>(view.title) } : {}),
    ...(view.submit !== undefined ? { submit: asApiShape<ApiView["submit"]>(view.submit) } : {}),
    ...(view.close !== undefined ? { close: asApiShape<ApiView["close"]>(view.close) } : {}),
  };
}

export function apiFile(ws: SlackWorkspace, file: StoredFile): ApiFile {
  const extension = file.name.includes(".") ? (file.name.split(".").at(-1) ?? "").toLowerCase() : "text";
  const urlPrivate = `${ws.origin}/files-pri/${file.id}/${encodeURIComponent(file.name)}`;
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.name,
    title: file.title,
    mimetype: mimeType(file.name),
    filetype: extension,
    pretty_type: extension.toUpperCase(),
    user: file.user,
    user_team: ws.homeTeam.id,
    editable: false,
    size: file.content?.length ?? file.length,
    mode: "hosted",
    is_external: false,
    external_type: "",
    is_public: false,
    public_url_shared: false,
    display_as_bot: false,
    username: "",
    url_private: urlPrivate,
    url_private_download: `${urlPrivate}?download=1`,
    permalink: `https://${ws.homeTeam.domain}.slack.com/files/${file.user}/${file.id}/${file.name}`,
    channels: [...file.channels],
    groups: [],
    ims: [],
    comments_count: 0,
    ...(file.altText ? { alt_txt: file.altText } : {}),
  };
}
