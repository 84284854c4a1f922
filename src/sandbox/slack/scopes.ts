/**
 * The OAuth scope each Web API method needs (per conversation type, as Slack's method pages list them), and the
 * bot scopes manifest.yml asks for: the stand-in refuses with `missing_scope` what the installed app could not do.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { Args } from "./web-api-args.ts";
import type { ChannelState, SlackWorkspace } from "./workspace.ts";

/** The bot scopes of manifest.yml (found from this file upwards: the repository root or the image's /app). */
export function manifestBotScopes(manifestPath?: string): string[] {
  const path = manifestPath ?? findManifest();
  const manifest = parse(readFileSync(path, "utf8")) as { oauth_config?: { scopes?: { bot?: unknown } } };
  const bot = manifest.oauth_config?.scopes?.bot;
  if (!Array.isArray(bot) || !bot.every((s) => typeof s === "string")) {
    throw new Error(`${path}: oauth_config.scopes.bot is not a list of scopes`);
  }
  return bot;
}

function findManifest(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "manifest.yml");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error("manifest.yml not found above src/sandbox/slack: pass the stand-in's scopes explicitly");
}

type Family = "read" | "history" | "write";

/** Slack's scope for a conversation type: public channels:*, private groups:*, DMs im:*. */
function conversationScope(channel: ChannelState, family: Family): string {
  const prefix = channel.isIm ? "im" : channel.isPrivate ? "groups" : "channels";
  // Public channels are managed with channels:manage, the others with <type>:write.
  if (family === "write" && prefix === "channels") return "channels:manage";
  return `${prefix}:${family}`;
}

const FIXED: Record<string, string | null> = {
  "auth.test": null,
  "views.open": null,
  "views.publish": null,
  "users.info": "users:read",
  "usergroups.users.list": "usergroups:read",
  "chat.postMessage": "chat:write",
  "chat.update": "chat:write",
  "chat.postEphemeral": "chat:write",
  "pins.add": "pins:write",
  "pins.remove": "pins:write",
  "conversations.inviteShared": "conversations.connect:write",
  "conversations.listConnectInvites": "conversations.connect:manage",
  "files.getUploadURLExternal": "files:write",
  "files.completeUploadExternal": "files:write",
};

const BY_CONVERSATION: Record<string, Family> = {
  "conversations.info": "read",
  "conversations.history": "history",
  "conversations.replies": "history",
  "conversations.invite": "write",
};

const LIST_TYPES: Record<string, string> = {
  public_channel: "channels:read",
  private_channel: "groups:read",
  im: "im:read",
  mpim: "mpim:read",
};

/**
 * The scope `method` needs with these arguments, or null when none (or when the target is unknown: the method
 * itself then answers `channel_not_found`, as Slack does).
 */
export function requiredScope(ws: SlackWorkspace, method: string, args: Args): string | null {
  if (method in FIXED) return FIXED[method] ?? null;
  const family = BY_CONVERSATION[method];
  if (family) {
    const channel = ws.channels.get(args.string("channel") ?? "");
    return channel ? conversationScope(channel, family) : null;
  }
  if (method === "conversations.create") return args.bool("is_private") ? "groups:write" : "channels:manage";
  if (method === "conversations.open") {
    const users = (args.string("users") ?? "").split(",").filter(Boolean);
    return users.length > 1 ? "mpim:write" : "im:write";
  }
  // A method without a rule is a stand-in bug, not a method that needs no scope.
  throw new Error(`no scope rule for ${method} (src/sandbox/slack/scopes.ts)`);
}

/** The first of the scopes `method` needs that `granted` lacks (conversations.list needs one per type). */
export function missingScope(
  ws: SlackWorkspace,
  method: string,
  args: Args,
  granted: ReadonlySet<string>,
): string | null {
  if (method === "conversations.list") {
    const types = (args.string("types") ?? "public_channel").split(",").map((t) => t.trim());
    return types.map((t) => LIST_TYPES[t]).find((s) => s !== undefined && !granted.has(s)) ?? null;
  }
  const needed = requiredScope(ws, method, args);
  return needed && !granted.has(needed) ? needed : null;
}
