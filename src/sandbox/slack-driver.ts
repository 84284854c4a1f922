// Sends what Slack sends to an app's request URL (slash commands, interactivity payloads, Events API
// envelopes), signed with the app's signing secret exactly like Slack, and runs a local sink for the
// response_url links those payloads carry. Payloads are typed with Bolt's own request types.
import { createHmac, randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  BlockAction,
  EnvelopedEvent,
  SlashCommand,
  ViewOutput,
  ViewStateValue,
  ViewSubmitAction,
} from "@slack/bolt";

/** Slack's request signature: `v0=` + hex HMAC-SHA256(secret, `v0:{timestamp}:{raw body}`). */
export function signSlackRequest(signingSecret: string, rawBody: string, timestampSec: number): string {
  const digest = createHmac("sha256", signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest("hex");
  return `v0=${digest}`;
}

/** A workspace as the driver describes it in payloads (`team_domain`, `team.domain`). */
export interface DriverTeam {
  domain: string;
  name?: string;
}

/** Options of {@link SlackDriver}. */
export interface SlackDriverOptions {
  /** The app's request URL, e.g. http://127.0.0.1:3000/slack/events */
  url: string;
  signingSecret: string;
  /** Clock in milliseconds for timestamps (default Date.now). */
  now?: () => number;
  apiAppId?: string;
  /** The installation's bot user, reported in event `authorizations`. */
  botUserId?: string;
  /** The deprecated verification token Slack still puts in payloads. */
  verificationToken?: string;
  /** Domains of the teams that appear in payloads; unknown teams get a domain derived from the id. */
  teams?: Record<string, DriverTeam>;
  /** Per-request timeout (default 10 s; Slack itself gives up after 3 s). */
  timeoutMs?: number;
}

/** Redelivery headers and timestamp override for one request. */
export interface DeliveryOptions {
  retryNum?: number;
  retryReason?: string;
  timestampSec?: number;
}

/** What the app answered. */
export interface DriverResponse {
  status: number;
  /** Parsed JSON when the answer is JSON, else the text ("" for an empty ack). */
  body: unknown;
  text: string;
  headers: Record<string, string>;
  ms: number;
}

/** Answer to a slash command or block action, with the response_url the payload carried. */
export interface InteractionResponse extends DriverResponse {
  responseUrl: string;
  triggerId: string;
}

/** Answer to an Events API delivery, with the event id (reuse it to simulate a retry). */
export interface EventResponse extends DriverResponse {
  eventId: string;
}

/** The acting user; `teamId` is the user's own team (an external one in Slack Connect channels). */
export interface DriverUser {
  id: string;
  teamId: string;
  name?: string;
}

/** A slash command invocation. */
export interface CommandInput {
  command?: string;
  text: string;
  userId: string;
  teamId: string;
  channelId: string;
  channelName?: string;
  userName?: string;
  isEnterpriseInstall?: boolean;
  enterpriseId?: string;
  triggerId?: string;
}

/** One element interaction; missing fields are filled from the element found in the message or view. */
export interface ActionInput {
  action_id: string;
  block_id?: string;
  type?: string;
  value?: string;
  text?: string;
  selected_options?: Array<{ value: string; text?: string }>;
  selected_option?: { value: string; text?: string };
  [key: string]: unknown;
}

/** The payload's `message`, e.g. a stand-in StoredMessage (other fields are sent as they are). */
export interface DriverMessage {
  ts: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
  user?: string;
  bot_id?: string;
}

/** A view as the payload's `view`; missing ViewOutput fields get Slack's defaults. */
export type DriverView = Partial<ViewOutput> & { id: string };

/** A block_actions interaction. */
export interface BlockActionsInput {
  user: DriverUser;
  channelId?: string;
  channelName?: string;
  message?: DriverMessage;
  actions: ActionInput[];
  container?: Record<string, unknown>;
  view?: DriverView;
  triggerId?: string;
  /** Overrides the payload's `team` (Slack sends the acting user's team). */
  team?: { id: string; domain: string };
  /** Input values of the message/view at the time of the click. */
  stateValues?: Record<string, Record<string, ViewStateValue>>;
  isEphemeral?: boolean;
}

/** A view_submission interaction. */
export interface ViewSubmissionInput {
  user: DriverUser;
  view: Partial<ViewOutput> & {
    callback_id: string;
    state: { values: Record<string, Record<string, ViewStateValue>> };
  };
  triggerId?: string;
  team?: { id: string; domain: string };
  /** Inputs with `response_url_enabled`: each gets a response_url on the sink. */
  responseUrls?: Array<{ blockId: string; actionId: string; channelId: string }>;
}

/** Envelope fields of an Events API delivery. */
export interface EventEnvelopeInput {
  teamId: string;
  eventId?: string;
  eventTime?: number;
  authorizations?: EnvelopedEvent["authorizations"];
  isExtSharedChannel?: boolean;
  enterpriseId?: string;
}

/** A hand-made request for tests that forge or tamper with requests. */
export interface RawRequestInput {
  body: string;
  contentType: string;
  headers?: Record<string, string>;
  timestampSec?: number;
  /** Signature header to send instead of the correct one; null sends none. */
  signature?: string | null;
}

/** Bolt's block_actions body, with what Slack really sends where Bolt's type is narrower. */
export type BlockActionsPayload = Omit<BlockAction, "enterprise" | "response_url"> & {
  enterprise: BlockAction["enterprise"] | null;
  response_url?: string;
};

/** Bolt's view_submission body, with `enterprise: null` as Slack sends it. */
export type ViewSubmissionPayload = Omit<ViewSubmitAction, "enterprise"> & {
  enterprise: ViewSubmitAction["enterprise"] | null;
};

/** One body the app posted to a response_url. */
export interface SinkEntry {
  url: string;
  body: unknown;
  at: number;
}

interface SinkWaiter {
  count: number;
  resolve: (body: unknown) => void;
}

/** Drives an app over HTTP the way Slack does, and collects what it posts to response_url links. */
export class SlackDriver {
  /** Everything posted to the sink, in arrival order. */
  readonly responseLog: SinkEntry[] = [];
  /** Emits "response" for every body posted to the sink (the sandbox page shows them live). */
  readonly events = new EventEmitter<{ response: [SinkEntry] }>();

  private readonly url: string;
  private readonly signingSecret: string;
  private readonly now: () => number;
  private readonly apiAppId: string;
  private readonly botUserId: string;
  private readonly verificationToken: string;
  private readonly teams: Record<string, DriverTeam>;
  private readonly timeoutMs: number;
  private readonly sinkResponses = new Map<string, unknown[]>();
  private readonly waiters = new Map<string, SinkWaiter[]>();
  private server: Server | undefined;
  private sinkOrigin: string | undefined;
  private counter = 0;

  constructor(options: SlackDriverOptions) {
    this.url = options.url;
    this.signingSecret = options.signingSecret;
    this.now = options.now ?? Date.now;
    this.apiAppId = options.apiAppId ?? "A0FLEETAPP";
    this.botUserId = options.botUserId ?? "U0FLEETBOT";
    this.verificationToken = options.verificationToken ?? "sandbox-verification-token";
    this.teams = options.teams ?? {};
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** Starts the response_url sink on 127.0.0.1. */
  async start(): Promise<this> {
    if (this.server) return this;
    const server = createServer((req, res) => {
      void this.receive(req).then(
        (status) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(status === 200 ? { ok: true } : { ok: false, error: "no_service" }));
        },
        () => {
          res.writeHead(400, { "content-type": "application/json" });
          res.end(JSON.stringify({ ok: false, error: "invalid_payload" }));
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    this.sinkOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Stops the sink. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** JSON bodies the app posted to a response_url, in order. */
  responses(responseUrl: string): unknown[] {
    return [...(this.sinkResponses.get(sinkKey(responseUrl)) ?? [])];
  }

  /** Resolves with the `count`-th body posted to `responseUrl` (1 = first); rejects after the timeout. */
  waitForResponse(responseUrl: string, timeoutMs = 2000, count = 1): Promise<unknown> {
    const key = sinkKey(responseUrl);
    const already = this.sinkResponses.get(key)?.[count - 1];
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const waiter: SinkWaiter = {
        count,
        resolve: (body) => {
          clearTimeout(timer);
          resolve(body);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.set(
          key,
          (this.waiters.get(key) ?? []).filter((w) => w !== waiter),
        );
        reject(new Error(`no response #${count} at ${responseUrl} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(key, [...(this.waiters.get(key) ?? []), waiter]);
    });
  }

  // ------------------------------------------------------------------------------------------ requests

  /** A slash command, form-encoded like Slack's POST. */
  async command(input: CommandInput, opts: DeliveryOptions = {}): Promise<InteractionResponse> {
    const responseUrl = this.newResponseUrl("commands", input.teamId);
    const triggerId = input.triggerId ?? this.newTriggerId();
    const fields: SlashCommand = {
      token: this.verificationToken,
      team_id: input.teamId,
      team_domain: this.team(input.teamId).domain,
      ...(input.enterpriseId
        ? { enterprise_id: input.enterpriseId, enterprise_name: input.enterpriseId }
        : {}),
      channel_id: input.channelId,
      channel_name: input.channelName ?? defaultChannelName(input.channelId),
      user_id: input.userId,
      user_name: input.userName ?? input.userId.toLowerCase(),
      command: input.command ?? "/fleet",
      text: input.text,
      api_app_id: this.apiAppId,
      is_enterprise_install: String(input.isEnterpriseInstall ?? false),
      response_url: responseUrl,
      trigger_id: triggerId,
    };
    const body = new URLSearchParams(fields as Record<string, string>).toString();
    const response = await this.post(body, "application/x-www-form-urlencoded", opts);
    return { ...response, responseUrl, triggerId };
  }

  /** A block_actions payload (button click, checkbox change, ...), form-encoded as `payload=<json>`. */
  async blockActions(input: BlockActionsInput, opts: DeliveryOptions = {}): Promise<InteractionResponse> {
    const payload = this.blockActionsPayload(input);
    const response = await this.post(formPayload(payload), "application/x-www-form-urlencoded", opts);
    return { ...response, responseUrl: payload.response_url ?? "", triggerId: payload.trigger_id };
  }

  /** The payload {@link blockActions} sends, for tests that want to inspect or alter it first. */
  blockActionsPayload(input: BlockActionsInput): BlockActionsPayload {
    const team = input.team ?? { id: input.user.teamId, domain: this.team(input.user.teamId).domain };
    const blocks = input.view?.blocks ?? input.message?.blocks ?? [];
    const actions = input.actions.map((action) => this.action(action, blocks));
    const container = input.container ?? this.container(input);
    const inMessage = container.type === "message";
    const userName = input.user.name ?? input.user.id.toLowerCase();
    const payload: BlockActionsPayload = {
      type: "block_actions",
      user: { id: input.user.id, username: userName, name: userName, team_id: input.user.teamId },
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      container,
      trigger_id: input.triggerId ?? this.newTriggerId(),
      team,
      enterprise: null,
      is_enterprise_install: false,
      // Assembled from the element found in the blocks; Bolt's union of element actions is not worth
      // reconstructing here.
      actions: actions as unknown as BlockAction["actions"],
    };
    if (input.channelId) {
      payload.channel = {
        id: input.channelId,
        name: input.channelName ?? defaultChannelName(input.channelId),
      };
    }
    if (input.message) payload.message = { type: "message", ...input.message };
    if (input.view) payload.view = this.fullView(input.view, input.user.teamId);
    if (inMessage || input.stateValues) payload.state = { values: input.stateValues ?? {} };
    // Slack gives a response_url only for interactions in messages; view interactions have none.
    if (inMessage) payload.response_url = this.newResponseUrl("actions", team.id);
    return payload;
  }

  /** A view_submission payload, form-encoded as `payload=<json>`. */
  async viewSubmission(input: ViewSubmissionInput, opts: DeliveryOptions = {}): Promise<DriverResponse> {
    const team = input.team ?? { id: input.user.teamId, domain: this.team(input.user.teamId).domain };
    const payload: ViewSubmissionPayload = {
      type: "view_submission",
      team,
      user: {
        id: input.user.id,
        name: input.user.name ?? input.user.id.toLowerCase(),
        team_id: input.user.teamId,
      },
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      trigger_id: input.triggerId ?? this.newTriggerId(),
      view: this.fullView({ id: input.view.id ?? this.newViewId(), ...input.view }, input.user.teamId),
      enterprise: null,
      is_enterprise_install: false,
      response_urls: (input.responseUrls ?? []).map((r) => ({
        block_id: r.blockId,
        action_id: r.actionId,
        channel_id: r.channelId,
        response_url: this.newResponseUrl("app", team.id),
      })),
    };
    return this.post(formPayload(payload), "application/x-www-form-urlencoded", opts);
  }

  /** An Events API `event_callback` delivery of `event` (the inner event object). */
  async event<E extends { type: string }>(
    event: E,
    envelope: EventEnvelopeInput,
    opts: DeliveryOptions = {},
  ): Promise<EventResponse> {
    const body = this.eventEnvelope(event, envelope);
    const response = await this.post(JSON.stringify(body), "application/json", opts);
    return { ...response, eventId: body.event_id };
  }

  /** The envelope {@link event} sends. */
  eventEnvelope<E extends { type: string }>(event: E, envelope: EventEnvelopeInput): EnvelopedEvent<E> {
    const eventId = envelope.eventId ?? `Ev${this.uniqueSuffix(9)}`;
    const eventTime = envelope.eventTime ?? Math.floor(this.now() / 1000);
    const authorizations = envelope.authorizations ?? [
      {
        enterprise_id: envelope.enterpriseId ?? null,
        team_id: envelope.teamId,
        user_id: this.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ];
    return {
      token: this.verificationToken,
      team_id: envelope.teamId,
      context_team_id: envelope.teamId,
      ...(envelope.enterpriseId
        ? { enterprise_id: envelope.enterpriseId, context_enterprise_id: envelope.enterpriseId }
        : {}),
      api_app_id: this.apiAppId,
      event,
      type: "event_callback",
      event_id: eventId,
      event_time: eventTime,
      authorizations,
      is_ext_shared_channel: envelope.isExtSharedChannel ?? false,
      event_context: `4-${base64url({ et: event.type, tid: envelope.teamId, aid: this.apiAppId })}`,
    };
  }

  /** Slack's one-time URL check when the request URL is configured. */
  async urlVerification(challenge: string, opts: DeliveryOptions = {}): Promise<DriverResponse> {
    const body = JSON.stringify({ token: this.verificationToken, challenge, type: "url_verification" });
    return this.post(body, "application/json", opts);
  }

  /** Any body, signed unless `signature` says otherwise. */
  async raw(input: RawRequestInput, opts: DeliveryOptions = {}): Promise<DriverResponse> {
    return this.post(input.body, input.contentType, {
      ...opts,
      ...(input.timestampSec !== undefined ? { timestampSec: input.timestampSec } : {}),
      ...(input.signature !== undefined ? { signature: input.signature } : {}),
      ...(input.headers ? { headers: input.headers } : {}),
    });
  }

  // ------------------------------------------------------------------------------------------ internals

  private async post(
    body: string,
    contentType: string,
    opts: DeliveryOptions & { signature?: string | null; headers?: Record<string, string> },
  ): Promise<DriverResponse> {
    const timestampSec = opts.timestampSec ?? Math.floor(this.now() / 1000);
    const signature =
      opts.signature === undefined
        ? signSlackRequest(this.signingSecret, body, timestampSec)
        : opts.signature;
    const headers: Record<string, string> = {
      "content-type": contentType,
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      "x-slack-request-timestamp": String(timestampSec),
      ...(signature !== null ? { "x-slack-signature": signature } : {}),
      ...(opts.retryNum !== undefined
        ? {
            "x-slack-retry-num": String(opts.retryNum),
            "x-slack-retry-reason": opts.retryReason ?? "http_timeout",
          }
        : {}),
      ...opts.headers,
    };
    const started = performance.now();
    const response = await fetch(this.url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    const ms = performance.now() - started;
    return { status: response.status, body: parseAnswer(text), text, headers: headersOf(response), ms };
  }

  private async receive(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const key = sinkKey(`http://127.0.0.1${req.url ?? "/"}`);
    const list = this.sinkResponses.get(key);
    if (req.method !== "POST" || !list) return 404;
    const text = Buffer.concat(chunks).toString("utf8");
    const body: unknown = JSON.parse(text);
    list.push(body);
    const entry: SinkEntry = { url: `${this.sinkOrigin ?? ""}${key}`, body, at: this.now() };
    this.responseLog.push(entry);
    this.events.emit("response", entry);
    const waiting = this.waiters.get(key) ?? [];
    const ready = waiting.filter((w) => w.count <= list.length);
    this.waiters.set(
      key,
      waiting.filter((w) => w.count > list.length),
    );
    for (const waiter of ready) waiter.resolve(list[waiter.count - 1]);
    return 200;
  }

  /** A response_url on the sink, shaped like Slack's hooks.slack.com/{kind}/{team}/{id}/{secret}. */
  newResponseUrl(kind: string, teamId: string): string {
    if (!this.sinkOrigin) {
      throw new Error("SlackDriver: call start() first, the response_url sink is not running");
    }
    const secret = this.uniqueSuffix(24).toLowerCase();
    const path = `/${kind}/${teamId}/${Math.floor(this.now())}${this.counter}/${secret}`;
    this.sinkResponses.set(path, []);
    return `${this.sinkOrigin}${path}`;
  }

  private newTriggerId(): string {
    // Slack's shape: "13345224609.738474920.8088930838d88f008e0"
    const first = `${Math.floor(this.now() / 1000)}${this.uniqueSuffix(2).replace(/\D/g, "0")}`;
    return `${first}.${Date.now() % 1e9}.${randomBytes(16).toString("hex")}`;
  }

  private newViewId(): string {
    return `V${this.uniqueSuffix(10)}`;
  }

  private uniqueSuffix(length: number): string {
    this.counter += 1;
    const random = randomBytes(length).toString("hex").toUpperCase();
    return `${this.counter.toString(36).toUpperCase()}${random}`.slice(0, length);
  }

  private team(teamId: string): DriverTeam {
    return this.teams[teamId] ?? { domain: `team-${teamId.toLowerCase()}` };
  }

  private container(input: BlockActionsInput): Record<string, unknown> {
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

  /** The action as Slack reports it, completed from the element with that action_id in `blocks`. */
  private action(input: ActionInput, blocks: unknown[]): Record<string, unknown> {
    const found = findElement(blocks, input.action_id, input.block_id);
    const element = found?.element ?? {};
    const { text, selected_options, selected_option, ...rest } = input;
    const type = input.type ?? stringField(element, "type") ?? "button";
    const action: Record<string, unknown> = { ...rest };
    action.type = type;
    action.block_id = input.block_id ?? found?.blockId ?? `blk_${this.uniqueSuffix(6)}`;
    // A redelivery keeps the original action_ts (tests pass it); a new click gets a fresh one.
    action.action_ts = typeof input.action_ts === "string" ? input.action_ts : (this.now() / 1000).toFixed(6);
    const elementText = isObject(element.text) ? element.text : undefined;
    if (text !== undefined) action.text = { type: "plain_text", text, emoji: true };
    else if (elementText) action.text = elementText;
    if (type === "button" && action.value === undefined && typeof element.value === "string") {
      action.value = element.value;
    }
    const options = Array.isArray(element.options) ? element.options : [];
    if (selected_options) action.selected_options = selected_options.map((o) => fullOption(o, options));
    else if (type === "checkboxes" || type.startsWith("multi_")) action.selected_options = [];
    if (selected_option) action.selected_option = fullOption(selected_option, options);
    return action;
  }

  private fullView(view: DriverView, teamId: string): ViewOutput {
    return {
      team_id: teamId,
      type: "modal",
      blocks: [],
      private_metadata: "",
      callback_id: "",
      state: { values: {} },
      hash: `${Math.floor(this.now() / 1000)}.${this.uniqueSuffix(8).toLowerCase()}`,
      title: { type: "plain_text", text: "Fleet", emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: view.id,
      app_id: this.apiAppId,
      external_id: "",
      app_installed_team_id: teamId,
      bot_id: "B0FLEETBOT",
      ...view,
    };
  }
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function formPayload(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function parseAnswer(text: string): unknown {
  if (text === "") return "";
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  return headers;
}

function sinkKey(responseUrl: string): string {
  return new URL(responseUrl).pathname;
}

function defaultChannelName(channelId: string): string {
  return channelId.startsWith("D") ? "directmessage" : channelId.toLowerCase();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" ? value : undefined;
}

/** Finds an interactive element by action_id (and block_id) in section accessories, actions and inputs. */
function findElement(
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
function fullOption(selected: { value: string; text?: string }, options: unknown[]): Record<string, unknown> {
  const option = options.find((o) => isObject(o) && o.value === selected.value);
  if (isObject(option)) return option;
  return {
    text: { type: "plain_text", text: selected.text ?? selected.value, emoji: true },
    value: selected.value,
  };
}
