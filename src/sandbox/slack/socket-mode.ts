// Slack's Socket Mode, as documented (api.slack.com/apis/socket-mode, /apis/connections/socket-implement,
// /methods/apps.connections.open) and as @slack/socket-mode reads it: an app-level token in the
// Authorization header buys a one-time WebSocket URL; the socket says `hello`; deliveries are envelopes
// with an `envelope_id` the app must ack; an unacked Events API envelope is delivered again with
// `retry_attempt`; `disconnect` (refresh_requested) asks the app to open a new URL.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { WebAPICallResult } from "@slack/web-api";
import { okFalse, type Reply } from "./http.ts";
import { acceptWebSocket, refuseUpgrade, type WebSocketConnection } from "./websocket.ts";

/** The envelope types Slack sends over Socket Mode. */
export type EnvelopeType = "events_api" | "slash_commands" | "interactive";

/** An envelope as it goes over the socket. */
export interface SocketModeEnvelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: unknown;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

/** How a delivery ended: acked (with the ack's payload, if any) or given up after every attempt. */
export interface SocketModeDeliveryResult {
  acked: boolean;
  /** The `payload` of the ack: a slash command's reply, a view_submission's response_action... */
  payload?: Record<string, unknown>;
  /** Every envelope sent for this delivery (the first one and its redeliveries). */
  envelopes: SocketModeEnvelope[];
}

/** What to send: the type, the payload, and for a test's own redelivery its attempt number. */
export interface SocketModeDeliveryInput {
  type: EnvelopeType;
  payload: unknown;
  acceptsResponsePayload?: boolean;
  retryAttempt?: number;
  retryReason?: string;
}

/** Options of the Socket Mode stand-in. */
export interface SocketModeOptions {
  /** The only app-level token accepted by apps.connections.open. */
  appToken?: string;
  /** The bot token, refused by apps.connections.open with `not_allowed_token_type`. */
  botToken: string;
  appId: string;
  /** Base of the WebSocket URLs handed out, e.g. ws://127.0.0.1:1234 (read when a URL is issued). */
  baseUrl: () => string;
  /** How long an envelope waits for its ack (Slack: 3 s). */
  ackTimeoutMs?: number;
  /** Pauses before each redelivery of an unacked Events API envelope; its length is the number of retries. */
  retryDelaysMs?: number[];
  /** How long an issued URL stays valid (Slack: it "refreshes regularly"; 30 s here). */
  ticketTtlMs?: number;
  now: () => number;
}

interface Pending {
  envelope: SocketModeEnvelope;
  resolve(payload: Record<string, unknown> | undefined): void;
}

interface Link {
  id: number;
  ws: WebSocketConnection;
}

/** Socket Mode on the Slack stand-in's server: apps.connections.open, the sockets and the envelopes. */
export class SocketModeStandIn {
  /** Every ack the app sent, known or not. */
  readonly acks: Array<{ envelope_id: string; payload?: unknown; known: boolean }> = [];
  /** How many sockets have said hello since the start. */
  helloCount = 0;
  private readonly tickets = new Map<string, number>();
  private readonly links = new Set<Link>();
  private readonly pending = new Map<string, Pending>();
  private readonly waiters = new Set<() => void>();
  private readonly ackTimeoutMs: number;
  private readonly retryDelaysMs: number[];
  private readonly ticketTtlMs: number;
  private nextLinkId = 1;
  private stopped = false;
  private readonly shutdown = new AbortController();

  constructor(private readonly options: SocketModeOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 3_000;
    this.retryDelaysMs = options.retryDelaysMs ?? [0, 60_000, 300_000];
    this.ticketTtlMs = options.ticketTtlMs ?? 30_000;
  }

  /** Open sockets that said hello and have not been asked to go. */
  get connectionCount(): number {
    return [...this.links].filter((l) => l.ws.isOpen).length;
  }

  /**
   * apps.connections.open. The app-level token must come in the Authorization header (the method page: "passing
   * it as a POST parameter will result in an error"); a bot token is the wrong token type.
   */
  openConnection(headerToken: string | undefined): Reply {
    if (!headerToken) return okFalse("missing_args");
    if (headerToken === this.options.botToken || !headerToken.startsWith("xapp-")) {
      return okFalse("not_allowed_token_type");
    }
    if (!this.options.appToken || headerToken !== this.options.appToken) return okFalse("invalid_auth");
    const ticket = randomUUID();
    this.tickets.set(ticket, this.options.now() + this.ticketTtlMs);
    const url = `${this.options.baseUrl()}/link/?ticket=${ticket}&app_id=${this.options.appId}`;
    return { status: 200, body: { ok: true, url } as WebAPICallResult };
  }

  /** An HTTP upgrade on the stand-in's server: a socket for a valid, unused ticket, else a refusal. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const ticket = url.searchParams.get("ticket") ?? "";
    const expires = this.tickets.get(ticket);
    if (this.stopped || url.pathname !== "/link/" || expires === undefined) {
      refuseUpgrade(socket, 401, "Unauthorized");
      return;
    }
    // One URL, one connection.
    this.tickets.delete(ticket);
    if (expires < this.options.now()) {
      refuseUpgrade(socket, 401, "Unauthorized");
      return;
    }
    const link: Link = { id: this.nextLinkId++, ws: undefined as unknown as WebSocketConnection };
    const ws = await acceptWebSocket(req, socket, {
      onText: (text) => this.onText(text),
      onClose: () => this.links.delete(link),
    });
    if (!ws) return;
    link.ws = ws;
    this.links.add(link);
    this.helloCount += 1;
    ws.sendText(
      JSON.stringify({
        type: "hello",
        num_connections: this.connectionCount,
        debug_info: { host: `applink-${link.id}`, approximate_connection_time: 18_060 },
        connection_info: { app_id: this.options.appId },
      }),
    );
    for (const wake of this.waiters) wake();
  }

  /**
   * Sends an envelope and waits for its ack. An Events API envelope that is not acked within the ack timeout
   * is sent again (`retry_attempt` 1, 2, ..., `retry_reason` "timeout") after each of `retryDelaysMs`;
   * commands and interactions are not retried (over HTTP Slack shows the user an error instead).
   */
  async deliver(input: SocketModeDeliveryInput): Promise<SocketModeDeliveryResult> {
    const envelopeId = randomUUID();
    const envelopes: SocketModeEnvelope[] = [];
    const retries = input.type === "events_api" ? this.retryDelaysMs : [];
    let attempt = input.retryAttempt ?? 0;
    for (let i = 0; i <= retries.length; i++) {
      if (i > 0) await sleep(retries[i - 1]!, undefined, { signal: this.shutdown.signal }).catch(() => {});
      if (this.stopped) break;
      const envelope: SocketModeEnvelope = {
        envelope_id: envelopeId,
        type: input.type,
        payload: input.payload,
        accepts_response_payload: input.acceptsResponsePayload ?? false,
        ...(input.type === "events_api"
          ? { retry_attempt: attempt, retry_reason: i === 0 ? (input.retryReason ?? "") : "timeout" }
          : {}),
      };
      envelopes.push(envelope);
      const ack = await this.sendAndAwaitAck(envelope);
      if (ack.acked) return { acked: true, ...(ack.payload ? { payload: ack.payload } : {}), envelopes };
      attempt += 1;
    }
    return { acked: false, envelopes };
  }

  /** Sends `disconnect` (refresh_requested by default) on every open socket; returns how many. */
  requestRefresh(reason: "refresh_requested" | "warning" = "refresh_requested"): number {
    let count = 0;
    for (const link of this.links) {
      if (!link.ws.isOpen) continue;
      link.ws.sendText(
        JSON.stringify({
          type: "disconnect",
          reason,
          debug_info: { host: `applink-${link.id}` },
        }),
      );
      count += 1;
    }
    return count;
  }

  /** Waits until at least `count` sockets are open (the app reconnected). */
  async waitForConnections(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connectionCount < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no Socket Mode connection within ${timeoutMs} ms`);
      await this.nextHello(left);
    }
  }

  /** Drops every socket and refuses new ones. */
  stop(): void {
    this.stopped = true;
    this.shutdown.abort();
    for (const link of this.links) link.ws.terminate();
    this.links.clear();
    for (const entry of this.pending.values()) entry.resolve(undefined);
    this.pending.clear();
    for (const wake of this.waiters) wake();
  }

  private async sendAndAwaitAck(
    envelope: SocketModeEnvelope,
  ): Promise<{ acked: boolean; payload?: Record<string, unknown> }> {
    const deadline = Date.now() + this.ackTimeoutMs;
    // Slack holds a delivery while the app has no socket open (it is reconnecting); the ack clock runs.
    while (this.connectionCount === 0 && !this.stopped) {
      const left = deadline - Date.now();
      if (left <= 0) return { acked: false };
      await this.nextHello(left);
    }
    const links = [...this.links].filter((l) => l.ws.isOpen);
    // The newest socket gets it: after a refresh that is the replacement, as with Slack.
    const link = links.at(-1);
    if (!link) return { acked: false };
    return new Promise((resolve) => {
      let done = false;
      const finish = (acked: boolean, payload?: Record<string, unknown>) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(envelope.envelope_id);
        resolve({ acked, ...(payload ? { payload } : {}) });
      };
      const timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
      this.pending.set(envelope.envelope_id, {
        envelope,
        resolve: (payload) => finish(!this.stopped, payload),
      });
      link.ws.sendText(JSON.stringify(envelope));
    });
  }

  private onText(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== "object" || message === null) return;
    const { envelope_id: envelopeId, payload } = message as { envelope_id?: unknown; payload?: unknown };
    if (typeof envelopeId !== "string") return;
    const entry = this.pending.get(envelopeId);
    this.acks.push({
      envelope_id: envelopeId,
      ...(payload !== undefined ? { payload } : {}),
      known: !!entry,
    });
    // An ack for an envelope that is not waiting (unknown, late or repeated) is ignored.
    if (!entry) return;
    const body =
      typeof payload === "object" && payload !== null && Object.keys(payload).length > 0
        ? (payload as Record<string, unknown>)
        : undefined;
    entry.resolve(body);
  }

  private nextHello(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.waiters.add(wake);
    });
  }
}

/** A token of Slack's app-level shape, for tests and sandbox mode. */
export function newAppToken(appId: string): string {
  return `xapp-1-${appId}-${Date.now()}-${randomBytes(16).toString("hex")}`;
}
