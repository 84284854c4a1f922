/**
 * What the sandbox page's routes share: the page notes, the response_url targets, the open modals, the
 * live-update clients, and the helpers that act as a person of the sandbox through the Slack driver.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { ManualClock } from "../../context.ts";
import type { FinchStandIn } from "../finch/index.ts";
import type { SlackStandIn, StandInUser, StoredMessage, StoredView } from "../slack/index.ts";
import type { SinkEntry, SlackDriver } from "../slack-driver/index.ts";
import type { SandboxPeople, SandboxRouteDeps } from "./deps.ts";

const MAX_NOTES = 200;
/** Response URLs and triggers remembered (Slack's response_url lives 30 minutes anyway). */
const MAX_REMEMBERED = 1000;

/** An answer only the acting person sees: a command's ack or a response_url post, as Slack shows them. */
export interface PageNote {
  id: string;
  /** A message ts for block_actions from the note's buttons (Slack gives ephemeral messages one too). */
  ts: string;
  userId: string;
  channelId: string;
  threadTs?: string;
  text: string;
  blocks?: unknown[];
  source: "ack" | "response";
}

/** Where a response_url's posts belong, and the message they may replace. */
export interface ResponseTarget {
  userId: string;
  channelId: string;
  threadTs?: string;
  origin?: { kind: "note"; id: string } | { kind: "ephemeral"; ts: string };
}

/** Thrown by handlers: becomes a JSON error the page shows as a toast. */
export class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** One sandbox page server's state; created when the routes are mounted, used by the route groups. */
export class PageSession {
  readonly slack: SlackStandIn;
  readonly finch: FinchStandIn;
  readonly sandbox: SandboxPeople;
  readonly clock: ManualClock;
  /** Open Server-Sent Events streams. */
  readonly clients = new Set<ServerResponse>();
  readonly notes: PageNote[] = [];
  readonly hiddenEphemerals = new Set<string>();
  readonly responseTargets = new Map<string, ResponseTarget>();
  readonly triggerOwners = new Map<string, string>();
  readonly closedViews = new Set<string>();
  readonly viewErrors = new Map<string, Record<string, string>>();
  heartbeat: NodeJS.Timeout | undefined;
  closed = false;
  private noteCounter = 0;
  private attached: SlackDriver | undefined;
  private readonly onSlack = {
    message: (m: StoredMessage) => this.broadcast("message", { channel: m.channel }),
    message_changed: (m: StoredMessage) => this.broadcast("message_changed", { channel: m.channel }),
    ephemeral: () => this.broadcast("ephemeral"),
    view: () => this.broadcast("view"),
    invite: () => this.broadcast("invite"),
    channel: () => this.broadcast("channel"),
  };
  private readonly onFinch = () => this.broadcast("finch");
  private readonly onResponse = (entry: SinkEntry) => {
    try {
      this.receiveResponse(entry);
    } catch (err) {
      this.deps.ctx.logger.warn({ err }, "sandbox: could not show a response_url answer");
    }
  };

  constructor(readonly deps: SandboxRouteDeps) {
    this.slack = deps.slack;
    this.finch = deps.finch;
    this.sandbox = deps.sandbox;
    this.clock = deps.clock;
    for (const [event, listener] of this.slackListeners()) this.slack.events.on(event, listener);
    this.finch.events.on("connected", this.onFinch);
    this.finch.events.on("disconnected", this.onFinch);
  }

  /** Starts showing what the app posts to response URLs (the driver starts after the routes). */
  attachDriver(driver: SlackDriver): void {
    this.attached?.events.off("response", this.onResponse);
    this.attached = driver;
    driver.events.on("response", this.onResponse);
  }

  /** Ends the live streams and stops listening to the stand-ins and the driver. */
  close(): void {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
    for (const [event, listener] of this.slackListeners()) this.slack.events.off(event, listener);
    this.finch.events.off("connected", this.onFinch);
    this.finch.events.off("disconnected", this.onFinch);
    this.attached?.events.off("response", this.onResponse);
  }

  private slackListeners() {
    const on = this.onSlack;
    return [
      ["message", on.message],
      ["message_changed", on.message_changed],
      ["ephemeral", on.ephemeral],
      ["view", on.view],
      ["invite", on.invite],
      ["channel", on.channel],
    ] as const;
  }

  /** Tells every open page that something changed (the page then fetches the state again). */
  broadcast(kind: string, detail: Record<string, unknown> = {}): void {
    if (this.clients.size === 0) return;
    const frame = `event: change\ndata: ${JSON.stringify({ kind, ...detail })}\n\n`;
    for (const res of this.clients) res.write(frame);
  }

  requireDriver(): SlackDriver {
    const driver = this.deps.driver();
    if (!driver) throw new PageError(503, "The sandbox is still starting; try again in a moment.");
    return driver;
  }

  person(userId: string): StandInUser {
    const user = this.slack.user(userId);
    if (!user || user.isBot) throw new PageError(400, `There is no person ${userId} in the sandbox.`);
    return user;
  }

  driverUser(user: StandInUser) {
    return { id: user.id, teamId: user.teamId, name: user.name };
  }

  newTriggerId(userId: string): string {
    const now = Date.now();
    const id = `${Math.floor(now / 1000)}.${now % 1e9}.${randomBytes(16).toString("hex")}`;
    remember(this.triggerOwners, id, userId);
    return id;
  }

  visibleChannels(user: StandInUser) {
    return this.slack
      .allChannels()
      .filter(
        (c) =>
          c.members.includes(user.id) ||
          (user.teamId === this.sandbox.homeTeam.id && !c.isPrivate && !c.isIm && !c.isArchived),
      );
  }

  requireMember(user: StandInUser, channelId: string) {
    const channel = this.slack.channel(channelId);
    if (!channel) throw new PageError(404, "That channel no longer exists.");
    if (!channel.members.includes(user.id)) {
      throw new PageError(403, `${user.realName ?? user.name} is not a member of #${channel.name}.`);
    }
    return channel;
  }

  addNote(note: Omit<PageNote, "id" | "ts">): PageNote {
    this.noteCounter += 1;
    const micros = this.clock.now().getTime() * 1000 + (this.noteCounter % 1000);
    const full: PageNote = {
      id: `n${this.noteCounter}`,
      ts: `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`,
      ...note,
    };
    this.notes.push(full);
    if (this.notes.length > MAX_NOTES) this.notes.splice(0, this.notes.length - MAX_NOTES);
    this.broadcast("note");
    return full;
  }

  /** Shows what the app answered to a slash command (the HTTP body of the ack), as Slack does. */
  showAck(body: unknown, target: ResponseTarget) {
    if (body === "" || body === undefined || body === null) return;
    if (typeof body === "string") {
      this.addNote({ userId: target.userId, channelId: target.channelId, text: body, source: "ack" });
      return;
    }
    if (isRecord(body)) this.showMessagePayload(body, target, "ack");
  }

  /** A message payload from an ack or a response_url post, with Slack's replace/delete semantics. */
  showMessagePayload(body: Record<string, unknown>, target: ResponseTarget, source: PageNote["source"]) {
    const origin = target.origin;
    if (body.delete_original === true && origin) {
      this.removeOrigin(origin, target);
      return;
    }
    const text = typeof body.text === "string" ? body.text : "";
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    if (body.replace_original === true && origin) {
      if (origin.kind === "note") {
        const note = this.notes.find((n) => n.id === origin.id);
        if (note) {
          note.text = text;
          if (blocks) note.blocks = blocks;
          else delete note.blocks;
          this.broadcast("note");
          return;
        }
      } else {
        this.removeOrigin(origin, target);
      }
    }
    if (body.response_type === "in_channel") {
      // Slack posts it for everyone to see, in the bot's name.
      try {
        this.slack.postUserMessage({
          channel: target.channelId,
          user: this.sandbox.botUserId,
          text,
          ...(blocks ? { blocks } : {}),
          ...(target.threadTs ? { threadTs: target.threadTs } : {}),
        });
        return;
      } catch {
        // Not possible in this channel: show it to the person at least.
      }
    }
    this.addNote({
      userId: target.userId,
      channelId: target.channelId,
      ...(target.threadTs ? { threadTs: target.threadTs } : {}),
      text,
      ...(blocks ? { blocks } : {}),
      source,
    });
  }

  removeOrigin(origin: NonNullable<ResponseTarget["origin"]>, target: ResponseTarget) {
    if (origin.kind === "note") {
      const index = this.notes.findIndex((n) => n.id === origin.id);
      if (index >= 0) this.notes.splice(index, 1);
      this.broadcast("note");
    } else {
      this.hiddenEphemerals.add(ephemeralKey(target.channelId, target.userId, origin.ts));
      this.broadcast("ephemeral");
    }
  }

  receiveResponse(entry: SinkEntry): void {
    const target = this.responseTargets.get(entry.url);
    if (!target || !isRecord(entry.body)) return;
    this.showMessagePayload(entry.body, target, "response");
  }

  /** The modal on top of this person's stack (views opened from their triggers and not closed). */
  openModal(userId: string) {
    const views = this.slack.openedViews.filter(
      (v) =>
        v.triggerId !== undefined &&
        this.triggerOwners.get(v.triggerId) === userId &&
        !this.closedViews.has(v.id),
    );
    const top = views.at(-1);
    if (!top) return null;
    return { ...top, errors: this.viewErrors.get(top.id) ?? {} };
  }

  findModal(userId: string, viewId: string): StoredView {
    const view = this.slack.openedViews.find((v) => v.id === viewId);
    if (
      !view?.triggerId ||
      this.triggerOwners.get(view.triggerId) !== userId ||
      this.closedViews.has(view.id)
    ) {
      throw new PageError(404, "That dialog is no longer open.");
    }
    return view;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function stringRecord(value: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** Map.set that forgets the oldest entries beyond {@link MAX_REMEMBERED}. */
export function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= MAX_REMEMBERED) break;
    map.delete(oldest);
  }
}

export function ephemeralKey(channelId: string, userId: string, ts: string): string {
  return `${channelId}:${userId}:${ts}`;
}
