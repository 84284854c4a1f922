/** The two calls behind WebClient.filesUploadV2; the bytes arrive at the stand-in's /upload/v1/ route. */
import type { FilesCompleteUploadExternalResponse, FilesGetUploadURLExternalResponse } from "@slack/web-api";
import { apiFile } from "../api-shapes.ts";
import { parseBlocks } from "../content.ts";
import { Args, isRecord, type MethodHandler, SlackApiError, stringOrUndefined } from "../web-api-args.ts";
import type { SlackWorkspace } from "../workspace.ts";

/** files.getUploadURLExternal and files.completeUploadExternal methods by Web API name. */
export function fileMethods(ws: SlackWorkspace): Array<[string, MethodHandler]> {
  return [
    ["files.getUploadURLExternal", (a) => filesGetUploadURLExternal(ws, a)],
    ["files.completeUploadExternal", (a) => filesCompleteUploadExternal(ws, a)],
  ];
}

function filesGetUploadURLExternal(ws: SlackWorkspace, args: Args): FilesGetUploadURLExternalResponse {
  const filename = args.required("filename");
  const length = args.int("length");
  if (length === undefined || length < 1) {
    throw new SlackApiError("invalid_arguments", { detail: "length" });
  }
  const id = ws.nextId("F");
  const altText = args.string("alt_text");
  const snippetType = args.string("snippet_type");
  ws.fileStore.set(id, {
    id,
    name: filename,
    title: filename,
    length,
    completed: false,
    channels: [],
    user: ws.botUserId,
    created: ws.nowSec(),
    ...(altText ? { altText } : {}),
    ...(snippetType ? { snippetType } : {}),
  });
  return { ok: true, file_id: id, upload_url: `${ws.origin}/upload/v1/${id}` };
}

function filesCompleteUploadExternal(ws: SlackWorkspace, args: Args): FilesCompleteUploadExternalResponse {
  const requested = args.json("files");
  if (!Array.isArray(requested) || requested.length === 0) throw new SlackApiError("invalid_arguments");
  const files = requested.map((entry) => {
    const file = isRecord(entry) ? ws.fileStore.get(String(entry.id)) : undefined;
    if (!file?.content) throw new SlackApiError("file_not_found");
    return { file, title: isRecord(entry) ? stringOrUndefined(entry.title) : undefined };
  });
  const channelArg = args.string("channel_id") ?? args.list("channels")?.[0];
  const channel = channelArg ? ws.requireChannel(new Args({ channel: channelArg })) : undefined;
  if (channel && !channel.members.has(ws.botUserId)) throw new SlackApiError("not_in_channel");
  const threadArg = args.string("thread_ts");
  const threadTs = channel && threadArg ? ws.threadRoot(channel, threadArg) : undefined;
  const initialComment = args.string("initial_comment");
  const blocks = initialComment === undefined ? parseBlocks(args) : undefined;
  for (const { file, title } of files) {
    file.completed = true;
    if (title) file.title = title;
    if (channel) file.channels = [...new Set([...file.channels, channel.id])];
    if (initialComment !== undefined) file.initialComment = initialComment;
    if (threadTs) file.threadTs = threadTs;
  }
  if (channel) {
    ws.storeMessage({
      type: "message",
      channel: channel.id,
      ts: ws.nextTs(),
      user: ws.botUserId,
      bot_id: ws.botId,
      app_id: ws.appId,
      team: ws.homeTeam.id,
      text: initialComment ?? "",
      files: files.map(({ file }) => ({ id: file.id, name: file.name, title: file.title })),
      ...(blocks ? { blocks } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
  }
  return { ok: true, files: files.map(({ file }) => apiFile(ws, file)) };
}
