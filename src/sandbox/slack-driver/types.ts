/** What the Slack driver takes and returns: inputs of each request kind, answers, payload types. */
import type { BlockAction, EnvelopedEvent, ViewOutput, ViewStateValue, ViewSubmitAction } from "@slack/bolt";

/** A workspace as the driver describes it in payloads (`team_domain`, `team.domain`). */
export interface DriverTeam {
  domain: string;
  name?: string;
}

/** Options of the {@link SlackDriver}. */
export interface SlackDriverOptions {
  /** The app's request URL, e.g. http://127.0.0.1:3000/slack/events */
  url: string;
  signingSecret: string;
  /** Clock in milliseconds for timestamps (default Date.now). */
  now?: () => number;
  /** Clock of the response_url links' 30-minute window (default `now`): the sandbox's or a test's clock. */
  responseUrlNow?: () => number;
  apiAppId?: string;
  /** The installation's bot user, reported in event `authorizations`. */
  botUserId?: string;
  /** The deprecated verification token Slack still puts in payloads. */
  verificationToken?: string;
  /** Domains of the teams that appear in payloads; unknown teams get a domain derived from the id. */
  teams?: Record<string, DriverTeam>;
  /** Per-request timeout (default 10 s; Slack itself gives up after 3 s). */
  timeoutMs?: number;
  /**
   * Deliver over Socket Mode instead of HTTP: the Slack stand-in's `socketMode`. The same payloads go out as
   * envelopes on the app's WebSocket; `url` and `signingSecret` are then unused.
   */
  socketMode?: SocketModeTransport;
}

/** What the driver needs of a Socket Mode server (the Slack stand-in's `socketMode`). */
export interface SocketModeTransport {
  deliver(input: {
    type: "events_api" | "slash_commands" | "interactive";
    payload: unknown;
    acceptsResponsePayload?: boolean;
    retryAttempt?: number;
    retryReason?: string;
  }): Promise<{ acked: boolean; payload?: Record<string, unknown> }>;
}

/** Redelivery headers and timestamp override for one request. */
export interface DeliveryOptions {
  retryNum?: number;
  retryReason?: string;
  timestampSec?: number;
}

/** What the app answered. */
export interface DriverResponse {
  /** The HTTP status; over Socket Mode 200 when the envelope was acked and 0 when it never was. */
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

/** A person typing into an `external_select` (the modal's or a message's). */
export interface BlockSuggestionInput {
  user: DriverUser;
  actionId: string;
  blockId: string;
  /** What was typed so far ("" when the menu just opened and min_query_length is 0). */
  value: string;
  /** The modal the menu is in, when it is in one. */
  view?: Partial<ViewOutput> & { id: string };
  team?: { id: string; domain: string };
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
