import type { ViewOutput } from "@slack/bolt";
import type { BlockActionsInput, DriverView } from "./types.ts";
/** Small helpers for building Slack's payloads and reading the app's answers. */

export function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function formPayload(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function parseAnswer(text: string): unknown {
  if (text === "") return "";
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return headers;
}

export function sinkKey(responseUrl: string): string {
  return new URL(responseUrl).pathname;
}

export function defaultChannelName(channelId: string): string {
  return channelId.startsWith("D") ? "directmessage" : channelId.toLowerCase();
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" ? value : undefined;
}

/** Finds an interactive element by action_id (and block_id) in section accessories, actions and inputs. */
export function findElement(
  blocks: unknown[],
  actionId: string,
  blockId?: string,
): { blockId: string; element: Record<string, unknown> } | undefined {
  for (const block of blocks) {
    if (!isObject(block)) continue;
    const id = stringField(block, "block_id");
    if (blockId !== undefined && id !== blockId) continue;
    const candidates = [
      block.accessory,
      block.element,
      ...(Array.isArray(block.elements) ? block.elements : []),
    ];
    const element = candidates.find((c) => isObject(c) && c.action_id === actionId);
    if (isObject(element)) return { blockId: id ?? "", element };
  }
  return undefined;
}

/** A selected option as Slack reports it: the option's own text object when the element has it. */
export function fullOption(
  selected: { value: string; text?: string },
  options: unknown[],
): Record<string, unknown> {
  const option = options.find((o) => isObject(o) && o.value === selected.value);
  if (isObject(option)) return option;
  return {
    text: { type: "plain_text", text: selected.text ?? selected.value, emoji: true },
    value: selected.value,
  };
}

/** Where a block action happened, as Slack reports it: a view, or a message in a channel. */
export function actionContainer(input: BlockActionsInput): Record<string, unknown> {
  if (input.view) return { type: "view", view_id: input.view.id };
  if (input.message && input.channelId) {
    return {
      type: "message",
      message_ts: input.message.ts,
      channel_id: input.channelId,
      is_ephemeral: input.isEphemeral ?? false,
      ...(input.message.thread_ts ? { thread_ts: input.message.thread_ts } : {}),
    };
  }
  throw new Error("blockActions needs a view, a message with channelId, or an explicit container");
}

/** A modal view as Slack reports it in payloads: every field, with the driver's own values on top. */
export function fullView(view: DriverView, teamId: string, ids: { appId: string; hash: string }): ViewOutput {
  return {
    team_id: teamId,
    type: "modal",
    blocks: [],
    private_metadata: "",
    callback_id: "",
    state: { values: {} },
    hash: ids.hash,
    title: { type: "plain_text", text: "Fleet", emoji: true },
    clear_on_close: false,
    notify_on_close: false,
    close: null,
    submit: null,
    previous_view_id: null,
    root_view_id: view.id,
    app_id: ids.appId,
    external_id: "",
    app_installed_team_id: teamId,
    bot_id: "B0FLEETBOT",
    ...view,
  };
}
