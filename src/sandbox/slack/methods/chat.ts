/** chat.postMessage, chat.update, chat.postEphemeral, pins.add and pins.remove. */
import type {
  ChatPostEphemeralResponse,
  ChatPostMessageResponse,
  ChatUpdateResponse,
  PinsAddResponse,
  PinsRemoveResponse,
} from "@slack/web-api";
import { historyMessage } from "../api-shapes.ts";
import { hasContent, parseContent, parseMetadata } from "../content.ts";
import type { StoredEphemeral, StoredMessage } from "../types.ts";
import { type Args, asApiShape, type MethodHandler, SlackApiError } from "../web-api-args.ts";
import type { SlackWorkspace } from "../workspace.ts";

/** chat.* and pins.* methods by Web API name. */
export function chatMethods(ws: SlackWorkspace): Array<[string, MethodHandler]> {
  return [
    ["chat.postMessage", (a) => chatPostMessage(ws, a)],
    ["chat.update", (a) => chatUpdate(ws, a)],
    ["chat.postEphemeral", (a) => chatPostEphemeral(ws, a)],
    ["pins.add", (a) => pinsAdd(ws, a)],
    ["pins.remove", (a) => pinsRemove(ws, a)],
  ];
}

function chatPostMessage(ws: SlackWorkspace, args: Args): ChatPostMessageResponse {
  const channel = ws.resolvePostTarget(args.string("channel"));
  if (channel.isArchived) throw new SlackApiError("is_archived");
  if (!channel.members.has(ws.botUserId)) throw new SlackApiError("not_in_channel");
  const content = parseContent(args);
  if (!hasContent(content)) throw new SlackApiError("no_text");
  const metadata = parseMetadata(args);
  const threadArg = args.string("thread_ts");
  const threadTs = threadArg ? ws.threadRoot(channel, threadArg) : undefined;
  const message: StoredMessage = {
    type: "message",
    channel: channel.id,
    ts: ws.nextTs(),
    user: ws.botUserId,
    bot_id: ws.botId,
    app_id: ws.appId,
    team: ws.homeTeam.id,
    text: content.text ?? "",
    ...(content.blocks ? { blocks: content.blocks } : {}),
    ...(content.attachments ? { attachments: content.attachments } : {}),
    ...(metadata ? { metadata } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...(threadTs && args.bool("reply_broadcast") ? { reply_broadcast: true } : {}),
  };
  ws.storeMessage(message);
  return {
    ok: true,
    channel: channel.id,
    ts: message.ts,
    message: asApiShape<ChatPostMessageResponse["message"]>(historyMessage(ws, message, true)),
  };
}

function chatUpdate(ws: SlackWorkspace, args: Args): ChatUpdateResponse {
  const channel = ws.requireChannel(args);
  if (channel.isArchived) throw new SlackApiError("is_archived");
  const message = ws.findMessage(channel.id, args.required("ts", "message_not_found"));
  if (!message) throw new SlackApiError("message_not_found");
  if (message.bot_id !== ws.botId) throw new SlackApiError("cant_update_message");
  const content = parseContent(args);
  const metadata = parseMetadata(args);
  if (content.text === undefined && content.blocks === undefined && content.attachments === undefined) {
    throw new SlackApiError("no_text");
  }
  // Like Slack, omitted fields keep their previous value; an empty blocks array removes the blocks.
  if (content.text !== undefined) message.text = content.text;
  if (content.blocks !== undefined) message.blocks = content.blocks;
  if (content.attachments !== undefined) message.attachments = content.attachments;
  if (metadata) message.metadata = metadata;
  message.edited = { user: ws.botUserId, ts: ws.nextTs() };
  ws.events.emit("message_changed", structuredClone(message));
  return {
    ok: true,
    channel: channel.id,
    ts: message.ts,
    text: message.text,
    message: asApiShape<ChatUpdateResponse["message"]>(historyMessage(ws, message, true)),
  };
}

function chatPostEphemeral(ws: SlackWorkspace, args: Args): ChatPostEphemeralResponse {
  const channel = ws.requireChannel(args);
  if (channel.isArchived) throw new SlackApiError("is_archived");
  if (!channel.members.has(ws.botUserId)) throw new SlackApiError("not_in_channel");
  const user = ws.requireUser(args.required("user", "user_not_found"));
  if (!channel.members.has(user.id)) throw new SlackApiError("user_not_in_channel");
  const content = parseContent(args);
  if (!hasContent(content)) throw new SlackApiError("no_text");
  const threadTs = args.string("thread_ts");
  const ephemeral: StoredEphemeral = {
    channel: channel.id,
    user: user.id,
    ts: ws.nextTs(),
    text: content.text ?? "",
    ...(content.blocks ? { blocks: content.blocks } : {}),
    ...(threadTs ? { thread_ts: threadTs } : {}),
  };
  ws.ephemeralLog.push(ephemeral);
  ws.events.emit("ephemeral", structuredClone(ephemeral));
  return { ok: true, message_ts: ephemeral.ts };
}

function pinsAdd(ws: SlackWorkspace, args: Args): PinsAddResponse {
  const channel = ws.requireChannel(args);
  if (!channel.members.has(ws.botUserId)) throw new SlackApiError("not_in_channel");
  const ts = args.required("timestamp", "no_item_specified");
  if (!ws.findMessage(channel.id, ts)) throw new SlackApiError("message_not_found");
  if (channel.pins.some((pin) => pin.ts === ts)) throw new SlackApiError("already_pinned");
  channel.pins.push({ ts, created: ws.nowSec(), createdBy: ws.botUserId });
  ws.events.emit("channel", ws.snapshot(channel));
  return { ok: true };
}

/** Slack's errors: `no_item_specified` without a timestamp, `no_pin` when that message is not pinned. */
function pinsRemove(ws: SlackWorkspace, args: Args): PinsRemoveResponse {
  const channel = ws.requireChannel(args);
  if (!channel.members.has(ws.botUserId)) throw new SlackApiError("not_in_channel");
  const ts = args.required("timestamp", "no_item_specified");
  if (!ws.findMessage(channel.id, ts)) throw new SlackApiError("message_not_found");
  const index = channel.pins.findIndex((pin) => pin.ts === ts);
  if (index < 0) throw new SlackApiError("no_pin");
  channel.pins.splice(index, 1);
  ws.events.emit("channel", ws.snapshot(channel));
  return { ok: true };
}
