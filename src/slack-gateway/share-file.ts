/**
 * Sharing a file in a channel once, through Slack's external upload: files.getUploadURLExternal, the bytes POSTed
 * to the upload URL, then files.completeUploadExternal, which shares the file and posts its message
 * (https://docs.slack.dev/reference/methods/files.completeuploadexternal). The WebClient's `filesUploadV2`
 * would retry the completion blindly; here a completion whose answer was lost is first looked for in the
 * channel (the message carrying our file id) and adopted, so the file is never shared twice.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { WebClient } from "@slack/web-api";
import type { AppContext } from "../context.ts";
import { isAnswerLost, nonRetryingClient } from "./post-once.ts";

type SlackCtx = Pick<AppContext, "slack" | "config" | "logger">;

/** What to share. */
export interface FileShare {
  channelId: string;
  filename: string;
  title: string;
  /** Text (UTF-8) or bytes (a PNG). */
  content: string | Buffer;
  initialComment?: string;
}

/** Uploads and shares `share.content`; returns the file id (adopted: it was shared by an unanswered call). */
export async function shareFileOnce(
  ctx: SlackCtx,
  share: FileShare,
): Promise<{ fileId: string; adopted: boolean }> {
  const client = nonRetryingClient(ctx);
  const bytes = typeof share.content === "string" ? Buffer.from(share.content, "utf8") : share.content;
  // Nothing is shared yet by these two steps: a lost answer here only leaves an unshared upload behind.
  const url = await ctx.slack.files.getUploadURLExternal({ filename: share.filename, length: bytes.length });
  if (!url.upload_url || !url.file_id) throw new Error("files.getUploadURLExternal returned no upload URL");
  const uploaded = await fetch(url.upload_url, {
    method: "POST",
    body: bytes,
    signal: AbortSignal.timeout(ctx.config.slack.timeoutMs),
  });
  if (!uploaded.ok) throw new Error(`uploading the file answered ${uploaded.status}`);
  const fileId = url.file_id;
  const attempts = Math.max(1, ctx.config.slack.retries) + 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      if (attempt > 0 && (await isShared(client, share.channelId, fileId))) return { fileId, adopted: true };
      await client.files.completeUploadExternal({
        files: [{ id: fileId, title: share.title }],
        channel_id: share.channelId,
        ...(share.initialComment !== undefined ? { initial_comment: share.initialComment } : {}),
      });
      return { fileId, adopted: false };
    } catch (err) {
      if (!isAnswerLost(err)) throw err;
      lastError = err;
      ctx.logger.warn(
        { channel: share.channelId, fileId, err },
        "Slack lost the answer to a file share; looking for it",
      );
      await sleep(Math.min(5_000, 250 * 2 ** attempt));
    }
  }
  throw lastError;
}

/** Is the message sharing `fileId` in the channel's recent history? */
async function isShared(client: WebClient, channelId: string, fileId: string): Promise<boolean> {
  const res = await client.conversations.history({ channel: channelId, limit: 100 });
  return (res.messages ?? []).some((m) => m.files?.some((f) => f.id === fileId));
}
