// A local stand-in for the Slack Web API. The app talks to it through the real @slack/web-api WebClient
// (slackApiUrl = standIn.url), so tests and the offline sandbox exercise the same request encoding, retry
// and rate-limit handling as production. Responses are typed with @slack/web-api's response types so the
// shapes cannot drift from what the SDK declares.
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { types as slackTypes } from "@slack/bolt";
import type {
  AuthTestResponse,
  ChatPostEphemeralResponse,
  ChatPostMessageResponse,
  ChatUpdateResponse,
  ConversationsCreateResponse,
  ConversationsHistoryResponse,
  ConversationsInfoResponse,
  ConversationsInviteResponse,
  ConversationsInviteSharedResponse,
  ConversationsListResponse,
  ConversationsOpenResponse,
  FilesCompleteUploadExternalResponse,
  FilesGetUploadURLExternalResponse,
  PinsAddResponse,
  UsergroupsUsersListResponse,
  UsersInfoResponse,
  ViewsOpenResponse,
  ViewsPublishResponse,
  WebAPICallResult,
} from "@slack/web-api";

// ---------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------

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
  /** Scopes reported in the `x-oauth-scopes` header. */
  scopes?: string[];
  /** Clock in milliseconds, for ts values, rate limits and invite expiry (default Date.now). */
  now?: () => number;
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
}

/** The events Slack sends when an external user accepts an invite and it is approved, in delivery order. */
export type SharedInviteAcceptance = [
  slackTypes.SharedChannelInviteAcceptedEvent,
  slackTypes.SharedChannelInviteApprovedEvent,
  slackTypes.MemberJoinedChannelEvent,
];

// ---------------------------------------------------------------------------------------------------------
// Limits (Slack's documented values)
// ---------------------------------------------------------------------------------------------------------

const MESSAGE_MAX_BLOCKS = 50;
const VIEW_MAX_BLOCKS = 100;
const MESSAGE_MAX_TEXT = 40_000;
const CHANNEL_NAME_MAX = 80;
const INVITE_LIFETIME_SEC = 14 * 24 * 3600;
const MAX_API_BODY = 10 * 1024 * 1024;
const MAX_UPLOAD_BODY = 100 * 1024 * 1024;
const DEFAULT_SCOPES = [
  "app_mentions:read",
  "channels:history",
  "channels:join",
  "channels:manage",
  "channels:read",
  "chat:write",
  "commands",
  "conversations.connect:manage",
  "conversations.connect:read",
  "conversations.connect:write",
  "files:write",
  "groups:history",
  "groups:read",
  "groups:write",
  "im:write",
  "pins:write",
  "team:read",
  "usergroups:read",
  "users:read",
  "users:read.email",
];

const KNOWN_BLOCK_TYPES = new Set([
  "actions",
  "context",
  "divider",
  "file",
  "header",
  "image",
  "input",
  "markdown",
  "rich_text",
  "section",
  "table",
  "video",
]);

// ---------------------------------------------------------------------------------------------------------
// Pure validation helpers
// ---------------------------------------------------------------------------------------------------------

/** Slack's conversations.create name check; returns the error code or undefined when the name is valid. */
export function channelNameError(name: string): string | undefined {
  if (name.length === 0) return "invalid_name_required";
  if (name.length > CHANNEL_NAME_MAX) return "invalid_name_maxlength";
  if (!/^[a-z0-9_-]+$/.test(name)) return "invalid_name_specials";
  if (/^[-_]+$/.test(name)) return "invalid_name_punctuation";
  return undefined;
}

/** A deliberately simple check: Slack rejects obvious garbage (`invalid_email`), not RFC edge cases. */
export function isValidEmail(email: string): boolean {
  return /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/.test(email);
}

/** Block Kit checks Slack applies; returns Slack-style messages (`... [json-pointer:/blocks/0/...]`). */
export function validateBlocks(blocks: unknown[], maxBlocks: number, pointer = "/blocks"): string[] {
  const errors: string[] = [];
  if (blocks.length > maxBlocks) {
    errors.push(`no more than ${maxBlocks} items allowed [json-pointer:${pointer}]`);
  }
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const at = `${pointer}/${index}`;
    if (!isRecord(block) || typeof block.type !== "string") {
      errors.push(`missing required field: type [json-pointer:${at}]`);
      return;
    }
    if (!KNOWN_BLOCK_TYPES.has(block.type)) {
      errors.push(`unsupported type: ${block.type} [json-pointer:${at}/type]`);
      return;
    }
    if (block.block_id !== undefined) {
      const blockId = String(block.block_id);
      maxChars(errors, blockId, 255, `${at}/block_id`);
      if (blockIds.has(blockId)) errors.push(`duplicate block_id: ${blockId} [json-pointer:${at}/block_id]`);
      blockIds.add(blockId);
    }
    validateBlockBody(block, at, errors);
  });
  return errors;
}

function validateBlockBody(block: Record<string, unknown>, at: string, errors: string[]): void {
  const elements: Array<[unknown, string]> = [];
  switch (block.type) {
    case "header":
      maxChars(errors, textOf(block.text), 150, `${at}/text/text`);
      break;
    case "section":
      maxChars(errors, textOf(block.text), 3000, `${at}/text/text`);
      if (Array.isArray(block.fields)) {
        maxItems(errors, block.fields, 10, `${at}/fields`);
        block.fields.forEach((field, i) => {
          maxChars(errors, textOf(field), 2000, `${at}/fields/${i}/text`);
        });
      }
      if (block.accessory !== undefined) elements.push([block.accessory, `${at}/accessory`]);
      break;
    case "actions":
      if (Array.isArray(block.elements)) {
        maxItems(errors, block.elements, 25, `${at}/elements`);
        block.elements.forEach((element, i) => {
          elements.push([element, `${at}/elements/${i}`]);
        });
      }
      break;
    case "context":
      if (Array.isArray(block.elements)) maxItems(errors, block.elements, 10, `${at}/elements`);
      break;
    case "input":
      maxChars(errors, textOf(block.label), 2000, `${at}/label/text`);
      if (block.element !== undefined) elements.push([block.element, `${at}/element`]);
      break;
  }
  const actionIds = new Set<string>();
  for (const [element, elementAt] of elements) {
    validateElement(element, elementAt, errors);
    if (!isRecord(element) || element.action_id === undefined) continue;
    const actionId = String(element.action_id);
    if (actionIds.has(actionId)) {
      errors.push(`duplicate action_id: ${actionId} [json-pointer:${elementAt}/action_id]`);
    }
    actionIds.add(actionId);
  }
}

function validateElement(element: unknown, at: string, errors: string[]): void {
  if (!isRecord(element)) {
    errors.push(`must be an object [json-pointer:${at}]`);
    return;
  }
  if (element.action_id !== undefined) maxChars(errors, String(element.action_id), 255, `${at}/action_id`);
  switch (element.type) {
    case "button":
      maxChars(errors, textOf(element.text), 75, `${at}/text/text`);
      maxChars(errors, stringOrUndefined(element.url), 3000, `${at}/url`);
      maxChars(errors, stringOrUndefined(element.value), 2000, `${at}/value`);
      break;
    case "checkboxes":
    case "radio_buttons":
      validateOptions(element, at, 10, errors);
      break;
    case "overflow":
      validateOptions(element, at, 5, errors);
      break;
    case "static_select":
    case "multi_static_select":
      validateOptions(element, at, 100, errors);
      break;
  }
}

function validateOptions(element: Record<string, unknown>, at: string, max: number, errors: string[]): void {
  for (const key of ["options", "initial_options"] as const) {
    const options = element[key];
    if (!Array.isArray(options)) continue;
    if (key === "options") maxItems(errors, options, max, `${at}/options`);
    options.forEach((option, i) => {
      const optionAt = `${at}/${key}/${i}`;
      if (!isRecord(option)) return;
      maxChars(errors, textOf(option.text), 75, `${optionAt}/text/text`);
      maxChars(errors, stringOrUndefined(option.value), 150, `${optionAt}/value`);
      maxChars(errors, textOf(option.description), 75, `${optionAt}/description/text`);
    });
  }
}

function maxChars(errors: string[], value: string | undefined, max: number, at: string): void {
  if (value !== undefined && value.length > max) {
    errors.push(`must be less than ${max + 1} characters [json-pointer:${at}]`);
  }
}

function maxItems(errors: string[], items: unknown[], max: number, at: string): void {
  if (items.length > max) errors.push(`no more than ${max} items allowed [json-pointer:${at}]`);
}

function textOf(textObject: unknown): string | undefined {
  return isRecord(textObject) ? stringOrUndefined(textObject.text) : undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Slack ts ("1700000000.000100") as integer microseconds, for ordering and range filters. */
export function tsToMicros(ts: string): number {
  const [sec = "0", micro = "0"] = ts.split(".");
  return Number(sec) * 1_000_000 + Number(micro.padEnd(6, "0").slice(0, 6));
}

function microsToTs(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`;
}

// ---------------------------------------------------------------------------------------------------------
// Internals: errors, argument access, rate limiting
// ---------------------------------------------------------------------------------------------------------

/** A Slack API error answered as `{ ok: false, error, ...extra }` with HTTP 200. */
class SlackApiError extends Error {
  readonly code: string;
  readonly extra: Record<string, unknown>;
  constructor(code: string, extra: Record<string, unknown> = {}) {
    super(code);
    this.code = code;
    this.extra = extra;
  }
}

function invalidBlocks(messages: string[]): SlackApiError {
  return new SlackApiError("invalid_blocks", {
    errors: messages,
    response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) },
  });
}

/** Uniform access to arguments sent form-encoded (strings, nested values as JSON) or as a JSON body. */
class Args {
  readonly raw: Record<string, unknown>;
  constructor(raw: Record<string, unknown>) {
    this.raw = raw;
  }

  string(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw new SlackApiError("invalid_arguments", { detail: `${name} must be a string` });
  }

  /** A non-empty string, else `error` (Slack uses e.g. channel_not_found for a missing channel). */
  required(name: string, error = "invalid_arguments"): string {
    const value = this.string(name);
    if (value === undefined || value === "") {
      throw new SlackApiError(error, { detail: `${name} is required` });
    }
    return value;
  }

  bool(name: string): boolean | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null || value === "") return undefined;
    return value === true || value === "true" || value === "1" || value === 1;
  }

  int(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined || value === "") return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed)) {
      throw new SlackApiError("invalid_arguments", { detail: `${name}: integer` });
    }
    return parsed;
  }

  /** Nested value: already decoded in a JSON body, a JSON string in a form body. */
  json(name: string, error = "invalid_arguments"): unknown {
    const value = this.raw[name];
    if (typeof value !== "string") return value ?? undefined;
    if (value === "") return undefined;
    try {
      return JSON.parse(value);
    } catch {
      throw new SlackApiError(error, { detail: `${name} is not valid JSON` });
    }
  }

  /** A list given as an array, a JSON array string or a comma-separated string. */
  list(name: string): string[] | undefined {
    const value = this.raw[name];
    if (value === undefined || value === null || value === "") return undefined;
    let items: unknown = value;
    if (typeof value === "string") items = value.trim().startsWith("[") ? this.json(name) : value.split(",");
    if (!Array.isArray(items)) {
      throw new SlackApiError("invalid_arguments", { detail: `${name} must be a list` });
    }
    return items.map((item) => String(item).trim()).filter((item) => item !== "");
  }
}

/** Token bucket: `capacity` requests at once, refilled at `perSecond`. */
class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  private readonly perSecond: number;

  constructor(capacity: number, perSecond: number, now: number) {
    this.capacity = capacity;
    this.perSecond = perSecond;
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes a token; returns 0 when allowed, else the seconds to wait (what Retry-After says). */
  take(now: number): number {
    const elapsedSec = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsedSec * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }
}

interface ChannelState {
  id: string;
  name: string;
  isIm: boolean;
  isPrivate: boolean;
  isArchived: boolean;
  isGeneral: boolean;
  created: number;
  creator: string;
  members: Set<string>;
  topic: string;
  purpose: string;
  connectedTeamIds: Set<string>;
  limitedTeamIds: Set<string>;
  pins: Array<{ ts: string; created: number; createdBy: string }>;
}

interface Reply {
  status: number;
  body: WebAPICallResult | string;
  headers?: Record<string, string>;
}

type MethodHandler = (args: Args) => WebAPICallResult;

type ApiChannel = NonNullable<ConversationsInfoResponse["channel"]>;
type ApiUser = NonNullable<UsersInfoResponse["user"]>;
type HistoryMessage = NonNullable<ConversationsHistoryResponse["messages"]>[number];
type ApiView = NonNullable<ViewsOpenResponse["view"]>;
type ApiFile = NonNullable<FilesCompleteUploadExternalResponse["files"]>[number];
type SharedTeamItem = slackTypes.SharedChannelInviteAcceptedEvent["teams_in_channel"][number];
type SharedUserItem = slackTypes.SharedChannelInviteAcceptedEvent["accepting_user"];
type SharedInviteItem = slackTypes.SharedChannelInviteAcceptedEvent["invite"];

/**
 * @slack/web-api generates its nested response types (blocks, files) from samples, with enums for every
 * `type` field; what the app sent is stored as plain JSON and passed back through this one explicit cast.
 */
function asApiShape<T>(value: unknown): T {
  return value as T;
}

const MIME_TYPES: Record<string, string> = {
  csv: "text/csv",
  json: "application/json",
  md: "text/markdown",
  pdf: "application/pdf",
  png: "image/png",
  txt: "text/plain",
};

// ---------------------------------------------------------------------------------------------------------
// The stand-in
// ---------------------------------------------------------------------------------------------------------

/** In-process Slack Web API on 127.0.0.1 with recorded calls, fault injection and Slack Connect helpers. */
export class SlackStandIn {
  /** Emits "call" for every API call and "message" etc. for state changes. */
  readonly events = new EventEmitter<StandInEventMap>();
  /** Every Web API call, in arrival order. */
  readonly calls: RecordedCall[] = [];
  readonly homeTeam: StandInTeam;
  readonly botUserId: string;
  readonly botId: string;
  readonly botName: string;
  readonly appId: string;

  private readonly botToken: string;
  private readonly now: () => number;
  private readonly requestedPort: number;
  private readonly postRate: number;
  private readonly postBurst: number;
  private readonly scopes: string[];

  private readonly teams = new Map<string, StandInTeam>();
  private readonly users = new Map<string, StandInUser>();
  private readonly userGroups = new Map<string, { handle: string; users: string[] }>();
  private readonly channels = new Map<string, ChannelState>();
  private readonly channelMessages = new Map<string, StoredMessage[]>();
  private readonly ephemeralLog: StoredEphemeral[] = [];
  private readonly views = new Map<string, StoredView>();
  private readonly homeViewIds = new Map<string, string>();
  private readonly modalIds: string[] = [];
  private readonly usedTriggers = new Set<string>();
  private readonly inviteLog: SharedInvite[] = [];
  private readonly fileStore = new Map<string, StoredFile>();
  private readonly faults: Array<FaultSpec & { remaining: number }> = [];
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly counters = new Map<string, number>();
  private shutdown = new AbortController();
  private lastTsMicros = 0;
  private server: Server | undefined;
  private port: number | undefined;

  private readonly methods: ReadonlyMap<string, MethodHandler> = new Map<string, MethodHandler>([
    ["auth.test", () => this.authTest()],
    ["users.info", (a) => this.usersInfo(a)],
    ["usergroups.users.list", (a) => this.usergroupsUsersList(a)],
    ["conversations.create", (a) => this.conversationsCreate(a)],
    ["conversations.info", (a) => this.conversationsInfo(a)],
    ["conversations.list", (a) => this.conversationsList(a)],
    ["conversations.invite", (a) => this.conversationsInvite(a)],
    ["conversations.inviteShared", (a) => this.conversationsInviteShared(a)],
    ["conversations.history", (a) => this.conversationsHistory(a)],
    ["conversations.open", (a) => this.conversationsOpen(a)],
    ["chat.postMessage", (a) => this.chatPostMessage(a)],
    ["chat.update", (a) => this.chatUpdate(a)],
    ["chat.postEphemeral", (a) => this.chatPostEphemeral(a)],
    ["pins.add", (a) => this.pinsAdd(a)],
    ["views.publish", (a) => this.viewsPublish(a)],
    ["views.open", (a) => this.viewsOpen(a)],
    ["files.getUploadURLExternal", (a) => this.filesGetUploadURLExternal(a)],
    ["files.completeUploadExternal", (a) => this.filesCompleteUploadExternal(a)],
  ]);

  constructor(options: SlackStandInOptions) {
    this.botToken = options.botToken;
    this.homeTeam = { ...options.homeTeam };
    this.botUserId = options.botUserId;
    this.botId = options.botId;
    this.botName = options.botName ?? "fleet-concierge";
    this.appId = options.appId ?? "A0FLEETAPP";
    this.requestedPort = options.port ?? 0;
    this.postRate = options.postMessagePerChannelPerSecond ?? 1;
    this.postBurst = options.postMessageBurst ?? 3;
    this.scopes = options.scopes ?? DEFAULT_SCOPES;
    this.now = options.now ?? Date.now;
    this.teams.set(this.homeTeam.id, this.homeTeam);
    this.addUser({ id: this.botUserId, teamId: this.homeTeam.id, name: this.botName, isBot: true });
  }

  /** Creates a stand-in and starts listening. */
  static async start(options: SlackStandInOptions): Promise<SlackStandIn> {
    return new SlackStandIn(options).listen();
  }

  /** Starts the HTTP server on 127.0.0.1. */
  async listen(): Promise<this> {
    if (this.server) throw new Error("SlackStandIn is already listening");
    this.shutdown = new AbortController();
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.requestedPort, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** `http://127.0.0.1:PORT` */
  get origin(): string {
    if (this.port === undefined) throw new Error("SlackStandIn is not listening: use SlackStandIn.start()");
    return `http://127.0.0.1:${this.port}`;
  }

  /** What the app passes as the WebClient's `slackApiUrl`. */
  get url(): string {
    return `${this.origin}/api/`;
  }

  /** Closes the server and its open sockets; pending fault delays end at once. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ------------------------------------------------------------------------------------------ registries

  /** Registers an external (Slack Connect) workspace. */
  addTeam(team: StandInTeam): void {
    this.teams.set(team.id, { ...team });
  }

  /** Registers a user of the home team or of a team added with {@link addTeam}. */
  addUser(user: StandInUser): void {
    if (!this.teams.has(user.teamId)) throw new Error(`unknown team ${user.teamId}: call addTeam first`);
    if (user.tz !== undefined) tzInfo(user.tz, this.now());
    this.users.set(user.id, { ...user });
  }

  /** Registers a user group (`S…` id) with its `@handle` and members. */
  addUserGroup(id: string, handle: string, userIds: string[]): void {
    this.userGroups.set(id, { handle, users: [...userIds] });
  }

  /** Creates a channel directly, e.g. one the bot is not in; throws on invalid or taken names. */
  addChannel(input: ChannelInput): ChannelSnapshot {
    const nameError = channelNameError(input.name);
    if (nameError) throw new Error(`${nameError}: ${input.name}`);
    if (this.findChannelByName(input.name)) throw new Error(`name_taken: ${input.name}`);
    const members = new Set(input.members ?? []);
    if (input.botIsMember ?? true) members.add(this.botUserId);
    const channel = this.createChannelState(input.name, input.isPrivate ?? false, members, input.id);
    channel.isGeneral = input.isGeneral ?? false;
    channel.isArchived = input.isArchived ?? false;
    return this.snapshot(channel);
  }

  /**
   * Stores a message from a human, as if typed in Slack, and returns the `message` event Slack would send;
   * feed it to the app with the driver.
   */
  postUserMessage(input: {
    channel: string;
    user: string;
    text: string;
    threadTs?: string;
    blocks?: unknown[];
  }): slackTypes.GenericMessageEvent {
    const channel = this.channels.get(input.channel);
    if (!channel) throw new Error(`channel_not_found: ${input.channel}`);
    const user = this.users.get(input.user);
    if (!user) throw new Error(`user_not_found: ${input.user}`);
    if (!channel.members.has(user.id)) throw new Error(`not_in_channel: ${user.id} in ${channel.id}`);
    const threadTs = input.threadTs === undefined ? undefined : this.threadRoot(channel, input.threadTs);
    const message: StoredMessage = {
      type: "message",
      channel: channel.id,
      ts: this.nextTs(),
      user: user.id,
      team: user.teamId,
      text: input.text,
      ...(input.blocks ? { blocks: input.blocks } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    };
    this.storeMessage(message);
    return {
      type: "message",
      subtype: undefined,
      channel: channel.id,
      user: user.id,
      text: message.text,
      ts: message.ts,
      event_ts: message.ts,
      team: user.teamId,
      channel_type: channel.isIm ? "im" : channel.isPrivate ? "group" : "channel",
      ...(threadTs ? { thread_ts: threadTs, parent_user_id: this.parentUser(channel.id, threadTs) } : {}),
      ...(input.blocks ? { blocks: asApiShape<slackTypes.GenericMessageEvent["blocks"]>(input.blocks) } : {}),
    };
  }

  // ------------------------------------------------------------------------------------------ state getters

  /** Calls to one method, in order. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** A channel or DM by id. */
  channel(id: string): ChannelSnapshot | undefined {
    const channel = this.channels.get(id);
    return channel ? this.snapshot(channel) : undefined;
  }

  /** A channel by name (without `#`). */
  channelByName(name: string): ChannelSnapshot | undefined {
    const channel = this.findChannelByName(name.replace(/^#/, ""));
    return channel ? this.snapshot(channel) : undefined;
  }

  /** All channels and DMs. */
  allChannels(): ChannelSnapshot[] {
    return [...this.channels.values()].map((channel) => this.snapshot(channel));
  }

  /** Messages of a channel oldest first, thread replies included (they carry `thread_ts`). */
  messages(channelId: string): StoredMessage[] {
    return structuredClone(this.channelMessages.get(channelId) ?? []);
  }

  /** Ephemeral messages, optionally of one channel. */
  ephemerals(channelId?: string): StoredEphemeral[] {
    return structuredClone(
      this.ephemeralLog.filter((e) => channelId === undefined || e.channel === channelId),
    );
  }

  /** The App Home last published for a user. */
  homeView(userId: string): StoredView | undefined {
    const id = this.homeViewIds.get(userId);
    const view = id === undefined ? undefined : this.views.get(id);
    return view ? structuredClone(view) : undefined;
  }

  /** Modals opened or pushed, in order, in their current (possibly updated) state. */
  get openedViews(): StoredView[] {
    return this.modalIds.flatMap((id) => {
      const view = this.views.get(id);
      return view ? [structuredClone(view)] : [];
    });
  }

  /** Slack Connect invitations sent. */
  get invites(): SharedInvite[] {
    return structuredClone(this.inviteLog);
  }

  /** Files registered for upload, with their bytes once uploaded. */
  get files(): StoredFile[] {
    return [...this.fileStore.values()].map((file) => ({
      ...structuredClone({ ...file, content: undefined }),
      ...(file.content ? { content: Buffer.from(file.content) } : {}),
    }));
  }

  /** Pinned message timestamps of a channel. */
  pins(channelId: string): string[] {
    return this.channels.get(channelId)?.pins.map((pin) => pin.ts) ?? [];
  }

  /** A registered user. */
  user(id: string): StandInUser | undefined {
    const user = this.users.get(id);
    return user ? { ...user } : undefined;
  }

  // ------------------------------------------------------------------------------------------ faults

  /** Makes the next `times` calls to `method` fail (or be slow). */
  injectFault(fault: FaultSpec): void {
    const { status, error, retryAfterSeconds, delayMs } = fault;
    if (
      status === undefined &&
      error === undefined &&
      retryAfterSeconds === undefined &&
      delayMs === undefined
    ) {
      throw new Error("injectFault needs status, error, retryAfterSeconds or delayMs");
    }
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Removes all pending faults. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  // ------------------------------------------------------------------------------------------ Slack Connect

  /**
   * The external user accepts an invite and the home team approves it: the user joins the channel, which
   * becomes externally shared. Returns the events Slack would deliver, in order.
   */
  acceptSharedInvite(inviteId: string, by: { userId: string; teamId: string }): SharedInviteAcceptance {
    const invite = this.pendingInvite(inviteId);
    const team = this.teams.get(by.teamId);
    if (!team || team.id === this.homeTeam.id) {
      throw new Error(`${by.teamId} is not an external team (addTeam)`);
    }
    const channel = this.channels.get(invite.channelId);
    if (!channel) throw new Error(`channel ${invite.channelId} no longer exists`);
    const existing = this.users.get(by.userId);
    if (existing && existing.teamId !== team.id) {
      throw new Error(`${by.userId} belongs to ${existing.teamId}`);
    }
    if (!existing) {
      const name = invite.email?.split("@")[0] ?? by.userId.toLowerCase();
      this.addUser({
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
    this.events.emit("invite", structuredClone(invite));
    this.events.emit("channel", this.snapshot(channel));

    const eventTs = () => microsToTs(this.nextTsMicros());
    const channelItem = { id: channel.id, is_private: channel.isPrivate, is_im: false, name: channel.name };
    const inviteItem = this.inviteItem(invite);
    const teamsInChannel = this.teamsInChannel(channel);
    const approver = [...this.users.values()].find((u) => u.teamId === this.homeTeam.id && u.isAdmin);
    return [
      {
        type: "shared_channel_invite_accepted",
        approval_required: true,
        invite: inviteItem,
        channel: channelItem,
        teams_in_channel: teamsInChannel,
        accepting_user: this.sharedUserItem(by.userId),
        event_ts: eventTs(),
      },
      {
        type: "shared_channel_invite_approved",
        invite: inviteItem,
        channel: channelItem,
        approving_team_id: this.homeTeam.id,
        teams_in_channel: teamsInChannel,
        approving_user: this.sharedUserItem(approver?.id ?? this.botUserId),
        event_ts: eventTs(),
      },
      {
        type: "member_joined_channel",
        user: by.userId,
        channel: channel.id,
        channel_type: channel.isPrivate ? "G" : "C",
        team: team.id,
        inviter: this.botUserId,
        event_ts: eventTs(),
      },
    ];
  }

  /** The invitee's team declines; returns the `shared_channel_invite_declined` event. */
  declineSharedInvite(
    inviteId: string,
    by: { userId: string; teamId: string },
  ): slackTypes.SharedChannelInviteDeclinedEvent {
    const invite = this.pendingInvite(inviteId);
    const channel = this.channels.get(invite.channelId);
    if (!channel) throw new Error(`channel ${invite.channelId} no longer exists`);
    invite.status = "declined";
    this.events.emit("invite", structuredClone(invite));
    return {
      type: "shared_channel_invite_declined",
      invite: this.inviteItem(invite),
      channel: { id: channel.id, is_private: channel.isPrivate, is_im: false, name: channel.name },
      declining_team_id: by.teamId,
      teams_in_channel: this.teamsInChannel(channel),
      declining_user: this.sharedUserItem(by.userId),
      event_ts: microsToTs(this.nextTsMicros()),
    };
  }

  private pendingInvite(inviteId: string): SharedInvite {
    const invite = this.inviteLog.find((i) => i.id === inviteId);
    if (!invite) throw new Error(`unknown invite ${inviteId}`);
    if (invite.status !== "pending") throw new Error(`invite ${inviteId} is already ${invite.status}`);
    if (this.nowSec() > invite.expiresAt) throw new Error(`invite ${inviteId} expired (14 days)`);
    return invite;
  }

  private inviteItem(invite: SharedInvite): SharedInviteItem {
    return {
      id: invite.id,
      date_created: invite.createdAt,
      date_invalid: invite.expiresAt,
      inviting_team: this.sharedTeamItem(this.homeTeam),
      inviting_user: this.sharedUserItem(invite.invitedBy),
      ...(invite.email ? { recipient_email: invite.email } : {}),
      ...(invite.userId ? { recipient_user_id: invite.userId } : {}),
    };
  }

  private teamsInChannel(channel: ChannelState): SharedTeamItem[] {
    return [this.homeTeam.id, ...channel.connectedTeamIds].flatMap((id) => {
      const team = this.teams.get(id);
      return team ? [this.sharedTeamItem(team)] : [];
    });
  }

  private sharedTeamItem(team: StandInTeam): SharedTeamItem {
    return {
      id: team.id,
      name: team.name,
      icon: {},
      is_verified: false,
      domain: team.domain,
      date_created: 0,
    };
  }

  private sharedUserItem(userId: string): SharedUserItem {
    const user = this.users.get(userId);
    const realName = user?.realName ?? user?.name ?? userId;
    const image = "https://a.slack-edge.com/80588/img/avatars/user_shapes/ava_0001-72.png";
    return {
      id: userId,
      team_id: user?.teamId ?? this.homeTeam.id,
      name: user?.name ?? userId,
      updated: 0,
      profile: {
        real_name: realName,
        display_name: user?.name ?? "",
        real_name_normalized: realName,
        display_name_normalized: user?.name ?? "",
        team: user?.teamId ?? this.homeTeam.id,
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

  // ------------------------------------------------------------------------------------------ HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (url.pathname.startsWith("/api/")) {
        await this.handleApi(url.pathname.slice("/api/".length), url, req, res);
      } else if (url.pathname.startsWith("/upload/v1/") && req.method === "POST") {
        await this.handleUpload(url.pathname.slice("/upload/v1/".length), req, res);
      } else if (url.pathname.startsWith("/files-pri/") && req.method === "GET") {
        this.handleDownload(url.pathname.slice("/files-pri/".length).split("/")[0] ?? "", req, res);
      } else {
        send(res, 404, "text/plain", "not_found");
      }
    } catch (error) {
      if (!res.headersSent) send(res, 500, "text/plain", String(error));
      else res.destroy();
    }
  }

  private async handleApi(
    method: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    let params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    let reply: Reply | undefined;
    try {
      const body = await readBody(req, MAX_API_BODY);
      params = { ...params, ...(await parseBody(req.headers["content-type"], body)) };
    } catch (error) {
      reply = okFalse(error instanceof SlackApiError ? error.code : "invalid_form_data");
    }
    const token = bearerToken(req.headers.authorization) ?? stringOrUndefined(params.token);
    reply ??= await this.dispatch(method, params, token);
    if (res.destroyed) return;
    const body = typeof reply.body === "string" ? undefined : reply.body;
    const call: RecordedCall = {
      method,
      args: recordableArgs(params),
      at: this.now(),
      ok: body?.ok === true,
      status: reply.status,
    };
    const error = body && !body.ok ? stringOrUndefined((body as { error?: unknown }).error) : undefined;
    if (error !== undefined) call.error = error;
    this.calls.push(call);
    this.events.emit("call", call);
    if (typeof reply.body === "string") {
      send(res, reply.status, "text/plain; charset=utf-8", reply.body, reply.headers);
    } else {
      const headers = { "x-oauth-scopes": this.scopes.join(","), ...reply.headers };
      send(res, reply.status, "application/json; charset=utf-8", JSON.stringify(reply.body), headers);
    }
  }

  private async dispatch(method: string, params: Record<string, unknown>, token?: string): Promise<Reply> {
    const fault = this.takeFault(method);
    if (fault?.delayMs) {
      // Aborted by stop(), so a test that ends mid-delay does not keep the process alive.
      await sleep(fault.delayMs, undefined, { signal: this.shutdown.signal }).catch(() => {});
    }
    if (fault?.retryAfterSeconds !== undefined) return rateLimited(fault.retryAfterSeconds);
    if (fault?.status === 429) return rateLimited(1);
    if (fault?.status !== undefined && fault.status !== 200) {
      return { status: fault.status, body: `stand-in fault: HTTP ${fault.status}` };
    }
    if (fault?.error !== undefined) return okFalse(fault.error);

    const handler = this.methods.get(method);
    if (!handler) return okFalse("unknown_method");
    if (!token) return okFalse("not_authed");
    if (token !== this.botToken) return okFalse("invalid_auth");
    if (method === "chat.postMessage") {
      const wait = this.takePostToken(String(params.channel ?? ""));
      if (wait > 0) return rateLimited(wait);
    }
    try {
      return { status: 200, body: handler(new Args(params)) };
    } catch (error) {
      if (error instanceof SlackApiError) {
        return { status: 200, body: { ok: false, error: error.code, ...error.extra } as WebAPICallResult };
      }
      // A bug in the stand-in must not look like a transient Slack failure (the WebClient would retry a 5xx).
      const detail = error instanceof Error ? error.message : String(error);
      return { status: 200, body: { ok: false, error: "internal_error", detail } as WebAPICallResult };
    }
  }

  private takeFault(method: string): FaultSpec | undefined {
    const index = this.faults.findIndex((f) => f.method === method || f.method === "*");
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private takePostToken(channel: string): number {
    if (!Number.isFinite(this.postRate)) return 0;
    let bucket = this.buckets.get(channel);
    if (!bucket) {
      bucket = new TokenBucket(this.postBurst, this.postRate, this.now());
      this.buckets.set(channel, bucket);
    }
    return bucket.take(this.now());
  }

  private async handleUpload(fileId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const file = this.fileStore.get(fileId);
    if (!file) {
      send(res, 404, "text/plain", "file_not_found");
      return;
    }
    const body = await readBody(req, MAX_UPLOAD_BODY);
    const contentType = req.headers["content-type"] ?? "";
    // The WebClient posts the bytes as multipart/form-data (field "body"); curl-style raw posts also work.
    file.content = contentType.includes("multipart/form-data")
      ? await firstFormFile(contentType, body)
      : body;
    send(res, 200, "text/plain", `OK - ${file.content.length}`);
  }

  private handleDownload(fileId: string, req: IncomingMessage, res: ServerResponse): void {
    const file = this.fileStore.get(fileId);
    if (bearerToken(req.headers.authorization) !== this.botToken) {
      send(res, 403, "text/plain", "forbidden");
    } else if (!file?.content) {
      send(res, 404, "text/plain", "file_not_found");
    } else {
      send(res, 200, mimeType(file.name), file.content);
    }
  }

  // ------------------------------------------------------------------------------------- auth, team, users

  private authTest(): AuthTestResponse {
    return {
      ok: true,
      url: `https://${this.homeTeam.domain}.slack.com/`,
      team: this.homeTeam.name,
      user: this.botName,
      team_id: this.homeTeam.id,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    };
  }

  private usersInfo(args: Args): UsersInfoResponse {
    return { ok: true, user: this.apiUser(this.requireUser(args.required("user", "user_not_found"))) };
  }

  private usergroupsUsersList(args: Args): UsergroupsUsersListResponse {
    const group = this.userGroups.get(args.required("usergroup", "no_such_subteam"));
    if (!group) throw new SlackApiError("no_such_subteam");
    return { ok: true, users: [...group.users] };
  }

  // ------------------------------------------------------------------------------------------ conversations

  private conversationsCreate(args: Args): ConversationsCreateResponse {
    const name = args.string("name") ?? "";
    const nameError = channelNameError(name);
    if (nameError) throw new SlackApiError(nameError);
    if (this.findChannelByName(name)) throw new SlackApiError("name_taken");
    const channel = this.createChannelState(
      name,
      args.bool("is_private") ?? false,
      new Set([this.botUserId]),
    );
    return { ok: true, channel: this.apiChannel(channel) };
  }

  private conversationsInfo(args: Args): ConversationsInfoResponse {
    const channel = this.requireChannel(args);
    return { ok: true, channel: this.apiChannel(channel, args.bool("include_num_members") ?? false) };
  }

  private conversationsList(args: Args): ConversationsListResponse {
    const types = new Set(args.list("types") ?? ["public_channel"]);
    const excludeArchived = args.bool("exclude_archived") ?? false;
    const visible = [...this.channels.values()].filter((c) => {
      if (excludeArchived && c.isArchived) return false;
      if (c.isIm) return types.has("im") && c.members.has(this.botUserId);
      if (c.isPrivate) return types.has("private_channel") && c.members.has(this.botUserId);
      return types.has("public_channel");
    });
    const { page, nextCursor } = paginate(visible, args, 100, 1000);
    return {
      ok: true,
      channels: page.map((c) => this.apiChannel(c, true)),
      response_metadata: { next_cursor: nextCursor },
    };
  }

  private conversationsInvite(args: Args): ConversationsInviteResponse {
    const channel = this.requireChannel(args);
    if (channel.isIm) throw new SlackApiError("method_not_supported_for_channel_type");
    if (channel.isArchived) throw new SlackApiError("is_archived");
    if (!channel.members.has(this.botUserId)) throw new SlackApiError("not_in_channel");
    const userIds = args.list("users") ?? [];
    if (userIds.length === 0) throw new SlackApiError("no_user");
    const errors: Array<{ user: string; ok: false; error: string }> = [];
    const toAdd: string[] = [];
    for (const id of userIds) {
      const user = this.users.get(id);
      const error =
        id === this.botUserId
          ? "cant_invite_self"
          : !user
            ? "user_not_found"
            : user.teamId !== this.homeTeam.id
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
    if (toAdd.length > 0) this.events.emit("channel", this.snapshot(channel));
    return { ok: true, channel: this.apiChannel(channel), ...(errors.length > 0 ? { errors } : {}) };
  }

  private conversationsInviteShared(args: Args): ConversationsInviteSharedResponse {
    const channel = this.requireChannel(args);
    if (channel.isIm) throw new SlackApiError("invalid_channel_type");
    if (channel.isArchived) throw new SlackApiError("channel_archived");
    if (!channel.members.has(this.botUserId)) throw new SlackApiError("not_in_channel");
    const emails = args.list("emails") ?? [];
    const userIds = args.list("user_ids") ?? [];
    // Slack takes arrays but only one recipient per call, given one way.
    const byEmail = emails.length > 0;
    const byUserId = userIds.length > 0;
    if (byEmail === byUserId) throw new SlackApiError("invalid_arguments");
    if (emails.length > 1) throw new SlackApiError("too_many_emails");
    if (userIds.length > 1) throw new SlackApiError("too_many_users");
    const email = emails[0];
    const userId = userIds[0];
    if (email !== undefined) {
      if (!isValidEmail(email)) throw new SlackApiError("invalid_email");
      const known = this.findUserByEmail(email);
      if (known && channel.members.has(known.id)) throw new SlackApiError("already_in_channel");
    }
    if (userId !== undefined) {
      if (!this.users.has(userId)) throw new SlackApiError("user_not_found");
      if (channel.members.has(userId)) throw new SlackApiError("already_in_channel");
    }
    const externalLimited = args.bool("external_limited") ?? true;
    const createdAt = this.nowSec();
    const invite: SharedInvite = {
      id: this.nextId("I"),
      channelId: channel.id,
      ...(email !== undefined ? { email } : {}),
      ...(userId !== undefined ? { userId } : {}),
      externalLimited,
      status: "pending",
      invitedBy: this.botUserId,
      createdAt,
      expiresAt: createdAt + INVITE_LIFETIME_SEC,
    };
    this.inviteLog.push(invite);
    this.events.emit("invite", structuredClone(invite));
    // Slack returns a shareable link only for email invites of full (non-limited) members.
    const link =
      email !== undefined && !externalLimited
        ? { url: `https://join.slack.com/share/${invite.id.toLowerCase()}`, conf_code: invite.id.slice(-6) }
        : {};
    return { ok: true, invite_id: invite.id, is_legacy_shared_channel: false, ...link };
  }

  private conversationsHistory(args: Args): ConversationsHistoryResponse {
    const channel = this.requireChannel(args);
    if (!channel.members.has(this.botUserId)) throw new SlackApiError("not_in_channel");
    const includeMetadata = args.bool("include_all_metadata") ?? false;
    const inRange = timeRange(args, this.nowSec());
    const topLevel = (this.channelMessages.get(channel.id) ?? [])
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.reply_broadcast)
      .filter((m) => inRange(m.ts))
      .reverse();
    const { page, nextCursor } = paginate(topLevel, args, 100, 999);
    return {
      ok: true,
      messages: page.map((m) => this.historyMessage(m, includeMetadata)),
      has_more: nextCursor !== "",
      pin_count: channel.pins.length,
      response_metadata: { next_cursor: nextCursor },
    };
  }

  private conversationsOpen(args: Args): ConversationsOpenResponse {
    const channelId = args.string("channel");
    if (channelId) return { ok: true, channel: { id: this.requireChannel(args).id } };
    const userIds = args.list("users") ?? [];
    // Group DMs (mpim) are not modelled: the app only ever DMs one person.
    if (userIds.length !== 1) {
      throw new SlackApiError(userIds.length === 0 ? "users_list_not_supplied" : "not_supported");
    }
    return { ok: true, channel: { id: this.openIm(this.requireUser(userIds[0] ?? "")).id } };
  }

  // ------------------------------------------------------------------------------------------ chat

  private chatPostMessage(args: Args): ChatPostMessageResponse {
    const channel = this.resolvePostTarget(args.string("channel"));
    if (channel.isArchived) throw new SlackApiError("is_archived");
    if (!channel.members.has(this.botUserId)) throw new SlackApiError("not_in_channel");
    const content = parseContent(args);
    if (!hasContent(content)) throw new SlackApiError("no_text");
    const metadata = parseMetadata(args);
    const threadArg = args.string("thread_ts");
    const threadTs = threadArg ? this.threadRoot(channel, threadArg) : undefined;
    const message: StoredMessage = {
      type: "message",
      channel: channel.id,
      ts: this.nextTs(),
      user: this.botUserId,
      bot_id: this.botId,
      app_id: this.appId,
      team: this.homeTeam.id,
      text: content.text ?? "",
      ...(content.blocks ? { blocks: content.blocks } : {}),
      ...(content.attachments ? { attachments: content.attachments } : {}),
      ...(metadata ? { metadata } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(threadTs && args.bool("reply_broadcast") ? { reply_broadcast: true } : {}),
    };
    this.storeMessage(message);
    return {
      ok: true,
      channel: channel.id,
      ts: message.ts,
      message: asApiShape<ChatPostMessageResponse["message"]>(this.historyMessage(message, true)),
    };
  }

  private chatUpdate(args: Args): ChatUpdateResponse {
    const channel = this.requireChannel(args);
    if (channel.isArchived) throw new SlackApiError("is_archived");
    const message = this.findMessage(channel.id, args.required("ts", "message_not_found"));
    if (!message) throw new SlackApiError("message_not_found");
    if (message.bot_id !== this.botId) throw new SlackApiError("cant_update_message");
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
    message.edited = { user: this.botUserId, ts: this.nextTs() };
    this.events.emit("message_changed", structuredClone(message));
    return {
      ok: true,
      channel: channel.id,
      ts: message.ts,
      text: message.text,
      message: asApiShape<ChatUpdateResponse["message"]>(this.historyMessage(message, true)),
    };
  }

  private chatPostEphemeral(args: Args): ChatPostEphemeralResponse {
    const channel = this.requireChannel(args);
    if (channel.isArchived) throw new SlackApiError("is_archived");
    if (!channel.members.has(this.botUserId)) throw new SlackApiError("not_in_channel");
    const user = this.requireUser(args.required("user", "user_not_found"));
    if (!channel.members.has(user.id)) throw new SlackApiError("user_not_in_channel");
    const content = parseContent(args);
    if (!hasContent(content)) throw new SlackApiError("no_text");
    const threadTs = args.string("thread_ts");
    const ephemeral: StoredEphemeral = {
      channel: channel.id,
      user: user.id,
      ts: this.nextTs(),
      text: content.text ?? "",
      ...(content.blocks ? { blocks: content.blocks } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    };
    this.ephemeralLog.push(ephemeral);
    this.events.emit("ephemeral", structuredClone(ephemeral));
    return { ok: true, message_ts: ephemeral.ts };
  }

  // ------------------------------------------------------------------------------------------ pins

  private pinsAdd(args: Args): PinsAddResponse {
    const channel = this.requireChannel(args);
    if (!channel.members.has(this.botUserId)) throw new SlackApiError("not_in_channel");
    const ts = args.required("timestamp", "no_item_specified");
    if (!this.findMessage(channel.id, ts)) throw new SlackApiError("message_not_found");
    if (channel.pins.some((pin) => pin.ts === ts)) throw new SlackApiError("already_pinned");
    channel.pins.push({ ts, created: this.nowSec(), createdBy: this.botUserId });
    this.events.emit("channel", this.snapshot(channel));
    return { ok: true };
  }

  // ------------------------------------------------------------------------------------------ views

  private viewsPublish(args: Args): ViewsPublishResponse {
    const user = this.requireUser(args.required("user_id", "user_not_found"));
    const view = parseView(args, "home");
    const existingId = this.homeViewIds.get(user.id);
    const existing = existingId === undefined ? undefined : this.views.get(existingId);
    const hash = args.string("hash");
    if (hash && existing && existing.hash !== hash) throw new SlackApiError("hash_conflict");
    const stored = this.storeView(view, { via: "publish", userId: user.id }, existing);
    this.homeViewIds.set(user.id, stored.id);
    return { ok: true, view: asApiShape<ViewsPublishResponse["view"]>(this.apiView(stored)) };
  }

  private viewsOpen(args: Args): ViewsOpenResponse {
    const triggerId = this.exchangeTrigger(args);
    const view = parseView(args, "modal");
    const stored = this.storeView(view, { via: "open", triggerId });
    this.modalIds.push(stored.id);
    return { ok: true, view: this.apiView(stored) };
  }

  private exchangeTrigger(args: Args): string {
    const triggerId = args.string("trigger_id");
    if (!triggerId) throw new SlackApiError("invalid_arguments", { detail: "trigger_id is required" });
    // Slack accepts each trigger_id once.
    if (this.usedTriggers.has(triggerId)) throw new SlackApiError("trigger_exchanged");
    this.usedTriggers.add(triggerId);
    return triggerId;
  }

  private storeView(
    view: Record<string, unknown>,
    how: {
      via: StoredView["via"];
      userId?: string;
      triggerId?: string;
      rootViewId?: string;
      previousViewId?: string;
    },
    existing?: StoredView,
  ): StoredView {
    const id = existing?.id ?? this.nextId("V");
    const stored: StoredView = {
      id,
      type: view.type === "home" ? "home" : "modal",
      via: existing?.via ?? how.via,
      callback_id: stringOrUndefined(view.callback_id) ?? "",
      private_metadata: stringOrUndefined(view.private_metadata) ?? "",
      blocks: Array.isArray(view.blocks) ? view.blocks : [],
      hash: `${this.nowSec()}.${this.nextId("h").slice(1).toLowerCase()}`,
      root_view_id: existing?.root_view_id ?? how.rootViewId ?? id,
      previous_view_id: existing?.previous_view_id ?? how.previousViewId ?? null,
      clear_on_close: view.clear_on_close === true,
      notify_on_close: view.notify_on_close === true,
      updates: existing ? existing.updates + 1 : 0,
    };
    const userId = existing?.userId ?? how.userId;
    if (userId) stored.userId = userId;
    const triggerId = existing?.triggerId ?? how.triggerId;
    if (triggerId) stored.triggerId = triggerId;
    if (typeof view.external_id === "string") stored.external_id = view.external_id;
    if (view.title !== undefined) stored.title = view.title;
    if (view.submit !== undefined) stored.submit = view.submit;
    if (view.close !== undefined) stored.close = view.close;
    this.views.set(id, stored);
    this.events.emit("view", structuredClone(stored));
    return stored;
  }

  // ------------------------------------------------------------------------------------------ files

  private filesGetUploadURLExternal(args: Args): FilesGetUploadURLExternalResponse {
    const filename = args.required("filename");
    const length = args.int("length");
    if (length === undefined || length < 1) {
      throw new SlackApiError("invalid_arguments", { detail: "length" });
    }
    const id = this.nextId("F");
    const altText = args.string("alt_text");
    const snippetType = args.string("snippet_type");
    this.fileStore.set(id, {
      id,
      name: filename,
      title: filename,
      length,
      completed: false,
      channels: [],
      user: this.botUserId,
      created: this.nowSec(),
      ...(altText ? { altText } : {}),
      ...(snippetType ? { snippetType } : {}),
    });
    return { ok: true, file_id: id, upload_url: `${this.origin}/upload/v1/${id}` };
  }

  private filesCompleteUploadExternal(args: Args): FilesCompleteUploadExternalResponse {
    const requested = args.json("files");
    if (!Array.isArray(requested) || requested.length === 0) throw new SlackApiError("invalid_arguments");
    const files = requested.map((entry) => {
      const file = isRecord(entry) ? this.fileStore.get(String(entry.id)) : undefined;
      if (!file?.content) throw new SlackApiError("file_not_found");
      return { file, title: isRecord(entry) ? stringOrUndefined(entry.title) : undefined };
    });
    const channelArg = args.string("channel_id") ?? args.list("channels")?.[0];
    const channel = channelArg ? this.requireChannel(new Args({ channel: channelArg })) : undefined;
    if (channel && !channel.members.has(this.botUserId)) throw new SlackApiError("not_in_channel");
    const threadArg = args.string("thread_ts");
    const threadTs = channel && threadArg ? this.threadRoot(channel, threadArg) : undefined;
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
      this.storeMessage({
        type: "message",
        channel: channel.id,
        ts: this.nextTs(),
        user: this.botUserId,
        bot_id: this.botId,
        app_id: this.appId,
        team: this.homeTeam.id,
        text: initialComment ?? "",
        files: files.map(({ file }) => ({ id: file.id, name: file.name, title: file.title })),
        ...(blocks ? { blocks } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    }
    return { ok: true, files: files.map(({ file }) => this.apiFile(file)) };
  }

  // ------------------------------------------------------------------------------------------ state helpers

  private nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Strictly increasing microsecond clock, so every ts is unique even with a frozen test clock. */
  private nextTsMicros(): number {
    this.lastTsMicros = Math.max(this.lastTsMicros + 1, Math.floor(this.now() * 1000));
    return this.lastTsMicros;
  }

  private nextTs(): string {
    return microsToTs(this.nextTsMicros());
  }

  private nextId(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${n.toString(36).toUpperCase().padStart(10, "0")}`;
  }

  private createChannelState(
    name: string,
    isPrivate: boolean,
    members: Set<string>,
    id?: string,
  ): ChannelState {
    const channel: ChannelState = {
      id: id ?? this.nextId("C"),
      name,
      isIm: false,
      isPrivate,
      isArchived: false,
      isGeneral: false,
      created: this.nowSec(),
      creator: this.botUserId,
      members,
      topic: "",
      purpose: "",
      connectedTeamIds: new Set(),
      limitedTeamIds: new Set(),
      pins: [],
    };
    this.channels.set(channel.id, channel);
    this.channelMessages.set(channel.id, []);
    this.events.emit("channel", this.snapshot(channel));
    return channel;
  }

  private openIm(user: StandInUser): ChannelState {
    const existing = [...this.channels.values()].find((c) => c.isIm && c.members.has(user.id));
    if (existing) return existing;
    const channel = this.createChannelState("", true, new Set([this.botUserId, user.id]), this.nextId("D"));
    channel.isIm = true;
    return channel;
  }

  private findChannelByName(name: string): ChannelState | undefined {
    return [...this.channels.values()].find((c) => !c.isIm && c.name === name);
  }

  /** The channel named by `args[name]`; private channels the bot is not in are invisible, as in Slack. */
  private requireChannel(args: Args, name = "channel"): ChannelState {
    const channel = this.channels.get(args.required(name, "channel_not_found"));
    if (!channel || (channel.isPrivate && !channel.members.has(this.botUserId))) {
      throw new SlackApiError("channel_not_found");
    }
    return channel;
  }

  /** chat.postMessage also takes `#name` or a user id (which opens a DM). */
  private resolvePostTarget(target: string | undefined): ChannelState {
    if (!target) throw new SlackApiError("channel_not_found");
    const byName = target.startsWith("#") ? this.findChannelByName(target.slice(1)) : undefined;
    const user = this.users.get(target);
    const channel = byName ?? (user && user.teamId === this.homeTeam.id ? this.openIm(user) : undefined);
    return channel ?? this.requireChannel(new Args({ channel: target }));
  }

  private requireUser(id: string): StandInUser {
    const user = this.users.get(id);
    if (!user) throw new SlackApiError("user_not_found");
    return user;
  }

  private findUserByEmail(email: string): StandInUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((u) => u.email?.toLowerCase() === wanted);
  }

  private findMessage(channelId: string, ts: string): StoredMessage | undefined {
    return this.channelMessages.get(channelId)?.find((m) => m.ts === ts);
  }

  /** A reply to a reply goes to the thread's root, as in Slack; an unknown parent is an error. */
  private threadRoot(channel: ChannelState, threadTs: string): string {
    const parent = this.findMessage(channel.id, threadTs);
    if (!parent) throw new SlackApiError("invalid_thread_ts");
    return parent.thread_ts ?? parent.ts;
  }

  private parentUser(channelId: string, threadTs: string): string {
    return this.findMessage(channelId, threadTs)?.user ?? "";
  }

  private storeMessage(message: StoredMessage): void {
    const list = this.channelMessages.get(message.channel);
    if (!list) throw new Error(`no message list for ${message.channel}`);
    list.push(message);
    this.events.emit("message", structuredClone(message));
  }

  private snapshot(channel: ChannelState): ChannelSnapshot {
    return {
      id: channel.id,
      name: channel.name,
      isPrivate: channel.isPrivate,
      isIm: channel.isIm,
      isArchived: channel.isArchived,
      isGeneral: channel.isGeneral,
      isExtShared: channel.connectedTeamIds.size > 0,
      created: channel.created,
      creator: channel.creator,
      members: [...channel.members],
      connectedTeamIds: [...channel.connectedTeamIds],
      limitedTeamIds: [...channel.limitedTeamIds],
      topic: channel.topic,
      purpose: channel.purpose,
      pins: channel.pins.map((pin) => pin.ts),
    };
  }

  // ------------------------------------------------------------------------------------------ API shapes

  private apiChannel(channel: ChannelState, withMemberCount = false): ApiChannel {
    const connected = [...channel.connectedTeamIds];
    const pending = this.inviteLog.some((i) => i.channelId === channel.id && i.status === "pending");
    if (channel.isIm) {
      const user = [...channel.members].find((id) => id !== this.botUserId) ?? "";
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
      is_member: channel.members.has(this.botUserId),
      context_team_id: this.homeTeam.id,
      shared_team_ids: [this.homeTeam.id, ...connected],
      connected_team_ids: connected,
      connected_limited_team_ids: [...channel.limitedTeamIds],
      internal_team_ids: [],
      pending_connected_team_ids: [],
      pending_shared: [],
      previous_names: [],
      topic: { value: channel.topic, creator: channel.topic ? this.botUserId : "", last_set: 0 },
      purpose: { value: channel.purpose, creator: channel.purpose ? this.botUserId : "", last_set: 0 },
      ...(withMemberCount ? { num_members: channel.members.size } : {}),
    };
  }

  private apiUser(user: StandInUser): ApiUser {
    const realName = user.realName ?? user.name;
    const tz = user.tz ?? "America/Los_Angeles";
    const { label, offset } = tzInfo(tz, this.now());
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
      is_restricted: false,
      is_ultra_restricted: false,
      is_bot: user.isBot ?? false,
      is_app_user: false,
      is_email_confirmed: user.email !== undefined,
      // Slack marks users of other workspaces the viewer only knows through a shared channel.
      ...(user.teamId !== this.homeTeam.id ? { is_stranger: true } : {}),
      updated: 0,
      profile: {
        real_name: realName,
        real_name_normalized: realName,
        display_name: user.name,
        display_name_normalized: user.name,
        team: user.teamId,
        ...(user.email ? { email: user.email } : {}),
        ...(user.isBot && user.id === this.botUserId ? { bot_id: this.botId, api_app_id: this.appId } : {}),
      },
    };
  }

  private historyMessage(message: StoredMessage, includeMetadata: boolean): HistoryMessage {
    const replies = (this.channelMessages.get(message.channel) ?? []).filter(
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
      result.app_id = message.app_id ?? this.appId;
      result.bot_profile = {
        id: this.botId,
        app_id: this.appId,
        name: this.botName,
        team_id: this.homeTeam.id,
        user_id: this.botUserId,
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
          const file = this.fileStore.get(id);
          return file ? [this.apiFile(file)] : [];
        }),
      );
      result.upload = true;
    }
    if (message.edited) result.edited = { ...message.edited };
    if (message.thread_ts) result.thread_ts = message.thread_ts;
    if (isReply) result.parent_user_id = this.parentUser(message.channel, message.thread_ts ?? "");
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

  private apiView(view: StoredView): ApiView {
    return {
      id: view.id,
      team_id: this.homeTeam.id,
      app_id: this.appId,
      app_installed_team_id: this.homeTeam.id,
      bot_id: this.botId,
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

  private apiFile(file: StoredFile): ApiFile {
    const extension = file.name.includes(".") ? (file.name.split(".").at(-1) ?? "").toLowerCase() : "text";
    const urlPrivate = `${this.origin}/files-pri/${file.id}/${encodeURIComponent(file.name)}`;
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
      user_team: this.homeTeam.id,
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
      permalink: `https://${this.homeTeam.domain}.slack.com/files/${file.user}/${file.id}/${file.name}`,
      channels: [...file.channels],
      groups: [],
      ims: [],
      comments_count: 0,
      ...(file.altText ? { alt_txt: file.altText } : {}),
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Request parsing and other module-level helpers
// ---------------------------------------------------------------------------------------------------------

function okFalse(error: string): Reply {
  return { status: 200, body: { ok: false, error } as WebAPICallResult };
}

function rateLimited(retryAfterSeconds: number): Reply {
  return {
    status: 429,
    body: { ok: false, error: "ratelimited" } as WebAPICallResult,
    headers: { "retry-after": String(retryAfterSeconds) },
  };
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": contentType, ...headers });
  res.end(body);
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new SlackApiError("request_too_large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Form-encoded, JSON and multipart bodies, as Slack accepts them. */
async function parseBody(contentType: string | undefined, body: Buffer): Promise<Record<string, unknown>> {
  const type = (contentType ?? "").toLowerCase();
  if (body.length === 0) return {};
  if (type.includes("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw new SlackApiError("invalid_json");
    }
    if (!isRecord(parsed)) throw new SlackApiError("invalid_json");
    return parsed;
  }
  if (type.includes("multipart/form-data")) {
    const form = await new Response(new Uint8Array(body), { headers: { "content-type": type } }).formData();
    const result: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) {
      result[key] = typeof value === "string" ? value : Buffer.from(await value.arrayBuffer());
    }
    return result;
  }
  return Object.fromEntries(new URLSearchParams(body.toString("utf8")));
}

async function firstFormFile(contentType: string, body: Buffer): Promise<Buffer> {
  const form = await new Response(new Uint8Array(body), {
    headers: { "content-type": contentType },
  }).formData();
  for (const value of form.values()) {
    return typeof value === "string" ? Buffer.from(value) : Buffer.from(await value.arrayBuffer());
  }
  return Buffer.alloc(0);
}

const JSON_ARGS = new Set(["blocks", "attachments", "metadata", "view", "files", "emails", "user_ids"]);

/** Call arguments for the log: no token, nested JSON decoded so tests can assert on structure. */
function recordableArgs(params: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "token") continue;
    if (JSON_ARGS.has(key) && typeof value === "string") {
      try {
        result[key] = JSON.parse(value);
        continue;
      } catch {
        // kept as sent: the method itself reports the malformed argument
      }
    }
    result[key] = Buffer.isBuffer(value) ? `<${value.length} bytes>` : value;
  }
  return result;
}

function parseBlocks(args: Args): unknown[] | undefined {
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
function parseContent(args: Args): MessageContent {
  const content: MessageContent = {};
  const text = args.string("text");
  if (text !== undefined) {
    if (text.length > MESSAGE_MAX_TEXT) throw new SlackApiError("msg_too_long");
    content.text = text;
  }
  const blocks = parseBlocks(args);
  if (blocks !== undefined) {
    const errors = validateBlocks(blocks, MESSAGE_MAX_BLOCKS);
    if (errors.length > 0) throw invalidBlocks(errors);
    content.blocks = blocks;
  }
  const attachments = args.json("attachments", "invalid_attachments");
  if (attachments !== undefined) {
    if (!Array.isArray(attachments)) throw new SlackApiError("invalid_attachments");
    content.attachments = attachments;
  }
  return content;
}

function hasContent(content: MessageContent): boolean {
  return Boolean(content.text) || (content.blocks?.length ?? 0) > 0 || (content.attachments?.length ?? 0) > 0;
}

function parseMetadata(args: Args): MessageMetadata | undefined {
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
function parseView(args: Args, type: "home" | "modal"): Record<string, unknown> {
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
  const blockErrors = validateBlocks(view.blocks as unknown[], VIEW_MAX_BLOCKS, "/view/blocks");
  if (blockErrors.length > 0) throw invalidBlocks(blockErrors);
  return view;
}

/** Cursor pagination over an in-memory list; cursors are opaque base64 like Slack's. */
function paginate<T>(
  items: T[],
  args: Args,
  defaultLimit: number,
  maxLimit: number,
): { page: T[]; nextCursor: string } {
  const limit = Math.min(Math.max(args.int("limit") || defaultLimit, 1), maxLimit);
  const cursor = args.string("cursor");
  let offset = 0;
  if (cursor) {
    const match = /^next:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
    if (!match?.[1]) throw new SlackApiError("invalid_cursor");
    offset = Number(match[1]);
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? Buffer.from(`next:${offset + limit}`).toString("base64") : "";
  return { page, nextCursor: next };
}

/** `oldest`/`latest` filter of history and replies (exclusive unless `inclusive`). */
function timeRange(args: Args, nowSec: number): (ts: string) => boolean {
  const oldest = tsToMicros(args.string("oldest") || "0");
  const latest = tsToMicros(args.string("latest") || String(nowSec + 1));
  const inclusive = args.bool("inclusive") ?? false;
  return (ts) => {
    const t = tsToMicros(ts);
    return inclusive ? t >= oldest && t <= latest : t > oldest && t < latest;
  };
}

/** tz_label and tz_offset (seconds) like users.info; throws on an unknown IANA zone. */
function tzInfo(tz: string, now: number): { label: string; offset: number } {
  const date = new Date(now);
  const part = (style: "long" | "longOffset") =>
    new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: style })
      .formatToParts(date)
      .find((p) => p.type === "timeZoneName")?.value ?? "";
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(part("longOffset"));
  const offset = match ? (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 3600 + Number(match[3]) * 60) : 0;
  return { label: part("long"), offset };
}

function mimeType(name: string): string {
  const extension = name.split(".").at(-1)?.toLowerCase() ?? "";
  return MIME_TYPES[extension] ?? "application/octet-stream";
}
