/** The content arguments of chat.* and views.* (text, blocks, metadata, view), checked as Slack checks them. */
import { checkBlocks, MESSAGE_MAX_BLOCKS, VIEW_MAX_BLOCKS } from "./block-kit.ts";
import type { MessageMetadata } from "./types.ts";
import { type Args, isRecord, maxChars, SlackApiError, stringOrUndefined, textOf } from "./web-api-args.ts";

const MESSAGE_MAX_TEXT = 40_000;

export function parseBlocks(args: Args): unknown[] | undefined {
  const blocks = args.json("blocks", "invalid_blocks_format");
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) throw new SlackApiError("invalid_blocks_format");
  return blocks;
}

interface MessageContent {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

/** text / blocks / attachments of chat.* calls, with Slack's size and Block Kit checks. */
export function parseContent(args: Args): MessageContent {
  const content: MessageContent = {};
  const text = args.string("text");
  if (text !== undefined) {
    if (text.length > MESSAGE_MAX_TEXT) throw new SlackApiError("msg_too_long");
    content.text = text;
  }
  const blocks = parseBlocks(args);
  if (blocks !== undefined) {
    checkBlocks(blocks, MESSAGE_MAX_BLOCKS);
    content.blocks = blocks;
  }
  const attachments = args.json("attachments", "invalid_attachments");
  if (attachments !== undefined) {
    if (!Array.isArray(attachments)) throw new SlackApiError("invalid_attachments");
    content.attachments = attachments;
  }
  return content;
}

export function hasContent(content: MessageContent): boolean {
  return Boolean(content.text) || (content.blocks?.length ?? 0) > 0 || (content.attachments?.length ?? 0) > 0;
}

export function parseMetadata(args: Args): MessageMetadata | undefined {
  const metadata = args.json("metadata", "invalid_metadata_format");
  if (metadata === undefined) return undefined;
  if (!isRecord(metadata) || typeof metadata.event_type !== "string" || metadata.event_type === "") {
    throw new SlackApiError("invalid_metadata_format");
  }
  const payload = metadata.event_payload ?? {};
  if (!isRecord(payload)) throw new SlackApiError("invalid_metadata_format");
  return { event_type: metadata.event_type, event_payload: payload };
}

/** The `view` argument of views.*: type, Block Kit and modal-field checks. */
export function parseView(args: Args, type: "home" | "modal"): Record<string, unknown> {
  const view = args.json("view");
  if (!isRecord(view)) throw new SlackApiError("invalid_arguments", { detail: "view is required" });
  const fieldErrors: string[] = [];
  if (view.type !== type) fieldErrors.push(`must be ${type} [json-pointer:/view/type]`);
  if (!Array.isArray(view.blocks)) {
    fieldErrors.push("missing required field: blocks [json-pointer:/view/blocks]");
  }
  if (type === "modal") {
    const title = textOf(view.title);
    if (title === undefined) fieldErrors.push("missing required field: title [json-pointer:/view/title]");
    maxChars(fieldErrors, title, 24, "/view/title/text");
    maxChars(fieldErrors, textOf(view.submit), 24, "/view/submit/text");
    maxChars(fieldErrors, textOf(view.close), 24, "/view/close/text");
  }
  maxChars(fieldErrors, stringOrUndefined(view.callback_id), 255, "/view/callback_id");
  maxChars(fieldErrors, stringOrUndefined(view.private_metadata), 3000, "/view/private_metadata");
  maxChars(fieldErrors, stringOrUndefined(view.external_id), 255, "/view/external_id");
  if (fieldErrors.length > 0) {
    throw new SlackApiError("invalid_arguments", {
      response_metadata: { messages: fieldErrors.map((m) => `[ERROR] ${m}`) },
    });
  }
  checkBlocks(view.blocks as unknown[], VIEW_MAX_BLOCKS, "/view/blocks");
  return view;
}
