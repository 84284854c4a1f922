/** The state of the Slack workspace the stand-in plays, and the helpers its method handlers share. */
import { EventEmitter } from "node:events";
import type { types as slackTypes } from "@slack/bolt";
import type { TokenBucket } from "./http.ts";
import type {
  ChannelInput,
  ChannelSnapshot,
  RecordedCall,
  SharedInvite,
  SlackStandInOptions,
  StandInEventMap,
  StandInTeam,
  StandInUser,
  StoredEphemeral,
  StoredFile,
  StoredMessage,
  StoredView,
} from "./types.ts";
import { Args, asApiShape, channelNameError, microsToTs, SlackApiError, tzInfo } from "./web-api-args.ts";

/** A channel as the stand-in keeps it (sets, not the arrays of {@link ChannelSnapshot}). */
export interface ChannelState {
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

/**
 * The Slack workspace the stand-in plays: its state, the registries tests fill, the getters they read, and
 * the helpers the method handlers share. Fields without `readonly` are the handlers' working state.
 */
export class SlackWorkspace {
  /** Emits "call" for every API call and "message" etc. for state changes. */
  readonly events = new EventEmitter<StandInEventMap>();
  /** Every Web API call, in arrival order. */
  readonly calls: RecordedCall[] = [];
  readonly homeTeam: StandInTeam;
  readonly botUserId: string;
  readonly botId: string;
  readonly botName: string;
  readonly appId: string;
  readonly now: () => number;
  readonly teams = new Map<string, StandInTeam>();
  readonly users = new Map<string, StandInUser>();
  readonly userGroups = new Map<string, { handle: string; users: string[] }>();
  readonly channels = new Map<string, ChannelState>();
  readonly channelMessages = new Map<string, StoredMessage[]>();
  readonly ephemeralLog: StoredEphemeral[] = [];
  readonly views = new Map<string, StoredView>();
  readonly homeViewIds = new Map<string, string>();
  readonly modalIds: string[] = [];
  readonly usedTriggers = new Set<string>();
  readonly inviteLog: SharedInvite[] = [];
  readonly fileStore = new Map<string, StoredFile>();
  readonly counters = new Map<string, number>();
  lastTsMicros = 0;
  port: number | undefined;
  readonly enterpriseId: string | undefined;
  readonly slackConnect: "full" | "limited" | "none";
  readonly inviteSharedPerMinute: number;
  readonly paidPlan: boolean;
  readonly newIdOnShare: boolean;
  /** conversations.inviteShared `ratelimit` buckets, per calling user. */
  readonly inviteBuckets = new Map<string, TokenBucket>();

  constructor(options: SlackStandInOptions) {
    this.homeTeam = { ...options.homeTeam };
    this.botUserId = options.botUserId;
    this.botId = options.botId;
    this.botName = options.botName ?? "fleet-concierge";
    this.appId = options.appId ?? "A0FLEETAPP";
    this.now = options.now ?? Date.now;
    this.enterpriseId = options.enterpriseId;
    this.slackConnect = options.slackConnect ?? "full";
    this.inviteSharedPerMinute = options.inviteSharedPerMinute ?? 20;
    this.paidPlan = options.paidPlan ?? true;
    this.newIdOnShare = options.newIdOnShare ?? true;
    this.teams.set(this.homeTeam.id, this.homeTeam);
    this.addUser({ id: this.botUserId, teamId: this.homeTeam.id, name: this.botName, isBot: true });
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

  // Shared by the method handlers (src/sandbox/slack/methods).

  nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Strictly increasing microsecond clock, so every ts is unique even with a frozen test clock. */
  nextTsMicros(): number {
    this.lastTsMicros = Math.max(this.lastTsMicros + 1, Math.floor(this.now() * 1000));
    return this.lastTsMicros;
  }

  nextTs(): string {
    return microsToTs(this.nextTsMicros());
  }

  nextId(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${n.toString(36).toUpperCase().padStart(10, "0")}`;
  }

  createChannelState(name: string, isPrivate: boolean, members: Set<string>, id?: string): ChannelState {
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

  openIm(user: StandInUser): ChannelState {
    const existing = [...this.channels.values()].find((c) => c.isIm && c.members.has(user.id));
    if (existing) return existing;
    const channel = this.createChannelState("", true, new Set([this.botUserId, user.id]), this.nextId("D"));
    channel.isIm = true;
    return channel;
  }

  findChannelByName(name: string): ChannelState | undefined {
    return [...this.channels.values()].find((c) => !c.isIm && c.name === name);
  }

  /** The channel named by `args[name]`; private channels the bot is not in are invisible, as in Slack. */
  requireChannel(args: Args, name = "channel"): ChannelState {
    const channel = this.channels.get(args.required(name, "channel_not_found"));
    if (!channel || (channel.isPrivate && !channel.members.has(this.botUserId))) {
      throw new SlackApiError("channel_not_found");
    }
    return channel;
  }

  /** chat.postMessage also takes `#name` or a user id (which opens a DM). */
  resolvePostTarget(target: string | undefined): ChannelState {
    if (!target) throw new SlackApiError("channel_not_found");
    const byName = target.startsWith("#") ? this.findChannelByName(target.slice(1)) : undefined;
    const user = this.users.get(target);
    const channel = byName ?? (user && user.teamId === this.homeTeam.id ? this.openIm(user) : undefined);
    return channel ?? this.requireChannel(new Args({ channel: target }));
  }

  requireUser(id: string): StandInUser {
    const user = this.users.get(id);
    if (!user) throw new SlackApiError("user_not_found");
    return user;
  }

  findUserByEmail(email: string): StandInUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((u) => u.email?.toLowerCase() === wanted);
  }

  findMessage(channelId: string, ts: string): StoredMessage | undefined {
    return this.channelMessages.get(channelId)?.find((m) => m.ts === ts);
  }

  /** A reply to a reply goes to the thread's root, as in Slack; an unknown parent is an error. */
  threadRoot(channel: ChannelState, threadTs: string): string {
    const parent = this.findMessage(channel.id, threadTs);
    if (!parent) throw new SlackApiError("invalid_thread_ts");
    return parent.thread_ts ?? parent.ts;
  }

  parentUser(channelId: string, threadTs: string): string {
    return this.findMessage(channelId, threadTs)?.user ?? "";
  }

  storeMessage(message: StoredMessage): void {
    const list = this.channelMessages.get(message.channel);
    if (!list) throw new Error(`no message list for ${message.channel}`);
    list.push(message);
    this.events.emit("message", structuredClone(message));
  }

  snapshot(channel: ChannelState): ChannelSnapshot {
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
}
