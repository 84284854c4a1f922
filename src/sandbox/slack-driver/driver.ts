// Sends what Slack sends to an app's request URL (slash commands, interactivity payloads, Events API
// envelopes), signed with the app's signing secret exactly like Slack; the response_url links those payloads
// carry point at the driver's own sink (response-sink.ts). Payloads are typed with Bolt's own request types.
import { randomBytes } from "node:crypto";
import type { BlockAction, EnvelopedEvent, SlashCommand } from "@slack/bolt";
import {
  actionContainer,
  base64url,
  defaultChannelName,
  findElement,
  formPayload,
  fullOption,
  fullView,
  headersOf,
  isObject,
  parseAnswer,
  stringField,
} from "./payload-helpers.ts";
import { ResponseSink } from "./response-sink.ts";
import { signSlackRequest } from "./signing.ts";
import type {
  ActionInput,
  BlockActionsInput,
  BlockActionsPayload,
  BlockSuggestionInput,
  CommandInput,
  DeliveryOptions,
  DriverResponse,
  DriverTeam,
  EventEnvelopeInput,
  EventResponse,
  InteractionResponse,
  RawRequestInput,
  SlackDriverOptions,
  SocketModeTransport,
  ViewSubmissionInput,
  ViewSubmissionPayload,
} from "./types.ts";

/**
 * Drives an app the way Slack does, over HTTP or Socket Mode (the same payloads either way), and collects
 * what it posts to response_url links.
 */
export class SlackDriver extends ResponseSink {
  private url: string;
  private readonly signingSecret: string;
  private readonly apiAppId: string;
  private readonly botUserId: string;
  private readonly verificationToken: string;
  private readonly teams: Record<string, DriverTeam>;
  private readonly timeoutMs: number;
  private readonly socketMode: SocketModeTransport | undefined;

  constructor(options: SlackDriverOptions) {
    super(options.now ?? Date.now, options.responseUrlNow);
    this.url = options.url;
    this.signingSecret = options.signingSecret;
    this.apiAppId = options.apiAppId ?? "A0FLEETAPP";
    this.botUserId = options.botUserId ?? "U0FLEETBOT";
    this.verificationToken = options.verificationToken ?? "sandbox-verification-token";
    this.teams = options.teams ?? {};
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.socketMode = options.socketMode;
  }

  /** Sends the next HTTP deliveries to another URL (e.g. an app started as a process of its own). */
  retarget(url: string): void {
    this.url = url;
  }

  /** How deliveries reach the app. */
  get transport(): "http" | "socket" {
    return this.socketMode ? "socket" : "http";
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
    const response = this.socketMode
      ? await this.overSocket("slash_commands", fields, true, opts)
      : await this.post(
          new URLSearchParams(fields as Record<string, string>).toString(),
          "application/x-www-form-urlencoded",
          opts,
        );
    return { ...response, responseUrl, triggerId };
  }

  /** A block_actions payload (button click, checkbox change, ...), form-encoded as `payload=<json>`. */
  async blockActions(input: BlockActionsInput, opts: DeliveryOptions = {}): Promise<InteractionResponse> {
    const payload = this.blockActionsPayload(input);
    const response = await this.interaction(payload, false, opts);
    return { ...response, responseUrl: payload.response_url ?? "", triggerId: payload.trigger_id };
  }

  /** The payload {@link blockActions} sends, for tests that want to inspect or alter it first. */
  blockActionsPayload(input: BlockActionsInput): BlockActionsPayload {
    const team = input.team ?? { id: input.user.teamId, domain: this.team(input.user.teamId).domain };
    const blocks = input.view?.blocks ?? input.message?.blocks ?? [];
    const actions = input.actions.map((action) => this.action(action, blocks));
    const container = input.container ?? actionContainer(input);
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
    if (input.view) payload.view = fullView(input.view, input.user.teamId, this.viewIds());
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
      view: fullView(
        { id: input.view.id ?? this.newViewId(), ...input.view },
        input.user.teamId,
        this.viewIds(),
      ),
      enterprise: null,
      is_enterprise_install: false,
      response_urls: (input.responseUrls ?? []).map((r) => ({
        block_id: r.blockId,
        action_id: r.actionId,
        channel_id: r.channelId,
        response_url: this.newResponseUrl("app", team.id),
      })),
    };
    return this.interaction(payload, true, opts);
  }

  /**
   * A `block_suggestion` payload: a person opened or typed into an `external_select`, and Slack asks the
   * options load URL (the manifest's `message_menu_options_url`) for at most 100 options or option groups;
   * the answer is the response body (over Socket Mode, the ack's payload).
   * Doc: https://api.slack.com/reference/interaction-payloads/block-suggestion
   */
  async blockSuggestion(input: BlockSuggestionInput, opts: DeliveryOptions = {}): Promise<DriverResponse> {
    const team = input.team ?? { id: input.user.teamId, domain: this.team(input.user.teamId).domain };
    const userName = input.user.name ?? input.user.id.toLowerCase();
    const payload = {
      type: "block_suggestion",
      user: { id: input.user.id, username: userName, name: userName, team_id: input.user.teamId },
      container: input.view ? { type: "view", view_id: input.view.id } : { type: "message" },
      api_app_id: this.apiAppId,
      token: this.verificationToken,
      action_id: input.actionId,
      block_id: input.blockId,
      value: input.value,
      team,
      enterprise: null,
      is_enterprise_install: false,
      ...(input.view
        ? {
            view: fullView(input.view, input.user.teamId, this.viewIds()),
          }
        : {}),
    };
    return this.interaction(payload, true, opts);
  }

  /** An Events API `event_callback` delivery of `event` (the inner event object). */
  async event<E extends { type: string }>(
    event: E,
    envelope: EventEnvelopeInput,
    opts: DeliveryOptions = {},
  ): Promise<EventResponse> {
    const body = this.eventEnvelope(event, envelope);
    const response = this.socketMode
      ? await this.overSocket("events_api", body, false, opts)
      : await this.post(JSON.stringify(body), "application/json", opts);
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
    this.needHttp("urlVerification");
    const body = JSON.stringify({ token: this.verificationToken, challenge, type: "url_verification" });
    return this.post(body, "application/json", opts);
  }

  /** Any body, signed unless `signature` says otherwise. */
  async raw(input: RawRequestInput, opts: DeliveryOptions = {}): Promise<DriverResponse> {
    this.needHttp("raw");
    return this.post(input.body, input.contentType, {
      ...opts,
      ...(input.timestampSec !== undefined ? { timestampSec: input.timestampSec } : {}),
      ...(input.signature !== undefined ? { signature: input.signature } : {}),
      ...(input.headers ? { headers: input.headers } : {}),
    });
  }

  // ------------------------------------------------------------------------------------------ internals

  /** An interactivity payload: `payload=<json>` over HTTP, an `interactive` envelope over Socket Mode. */
  private interaction(
    payload: object,
    acceptsResponsePayload: boolean,
    opts: DeliveryOptions,
  ): Promise<DriverResponse> {
    return this.socketMode
      ? this.overSocket("interactive", payload, acceptsResponsePayload, opts)
      : this.post(formPayload(payload), "application/x-www-form-urlencoded", opts);
  }

  /** One envelope on the app's socket; the ack's payload plays the part of the HTTP response body. */
  private async overSocket(
    type: "events_api" | "slash_commands" | "interactive",
    payload: object,
    acceptsResponsePayload: boolean,
    opts: DeliveryOptions,
  ): Promise<DriverResponse> {
    const socketMode = this.socketMode;
    if (!socketMode) throw new Error("the driver has no Socket Mode transport");
    const started = performance.now();
    const result = await socketMode.deliver({
      type,
      payload,
      acceptsResponsePayload,
      ...(opts.retryNum !== undefined
        ? { retryAttempt: opts.retryNum, retryReason: opts.retryReason ?? "timeout" }
        : {}),
    });
    const text = result.payload ? JSON.stringify(result.payload) : "";
    const ms = performance.now() - started;
    return { status: result.acked ? 200 : 0, body: parseAnswer(text), text, headers: {}, ms };
  }

  private needHttp(what: string): void {
    if (this.socketMode) throw new Error(`${what} is an HTTP request: Socket Mode has no request URL`);
  }

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

  private newTriggerId(): string {
    // Slack's shape: "13345224609.738474920.8088930838d88f008e0"
    const first = `${Math.floor(this.now() / 1000)}${this.uniqueSuffix(2).replace(/\D/g, "0")}`;
    return `${first}.${Date.now() % 1e9}.${randomBytes(16).toString("hex")}`;
  }

  /** The app id and a fresh view hash, as Slack puts them in every view it reports. */
  private viewIds(): { appId: string; hash: string } {
    return {
      appId: this.apiAppId,
      hash: `${Math.floor(this.now() / 1000)}.${this.uniqueSuffix(8).toLowerCase()}`,
    };
  }

  private newViewId(): string {
    return `V${this.uniqueSuffix(10)}`;
  }

  private team(teamId: string): DriverTeam {
    return this.teams[teamId] ?? { domain: `team-${teamId.toLowerCase()}` };
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
}
