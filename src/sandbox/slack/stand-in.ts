// A local stand-in for the Slack Web API. The app talks to it through the real @slack/web-api WebClient
// (slackApiUrl = standIn.url), so tests and the offline sandbox exercise the same request encoding, retry
// and rate-limit handling as production. Responses are typed with @slack/web-api's response types so the
// shapes cannot drift from what the SDK declares.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { types as slackTypes } from "@slack/bolt";
import type { WebAPICallResult } from "@slack/web-api";
import {
  bearerToken,
  firstFormFile,
  MAX_API_BODY,
  MAX_UPLOAD_BODY,
  mimeType,
  okFalse,
  parseBody,
  type Reply,
  rateLimited,
  readBody,
  recordableArgs,
  send,
  TokenBucket,
} from "./http.ts";
import { chatMethods } from "./methods/chat.ts";
import { conversationMethods } from "./methods/conversations.ts";
import { fileMethods } from "./methods/files.ts";
import {
  acceptInvite,
  changeChannelId,
  declineInvite,
  slackConnectMethods,
} from "./methods/slack-connect.ts";
import { userMethods } from "./methods/users.ts";
import { viewMethods } from "./methods/views.ts";
import { missingScope } from "./scopes.ts";
import { SocketModeStandIn } from "./socket-mode.ts";
import type { FaultSpec, RecordedCall, SharedInviteAcceptance, SlackStandInOptions } from "./types.ts";
import { Args, type MethodHandler, SlackApiError, stringOrUndefined } from "./web-api-args.ts";
import { SlackWorkspace } from "./workspace.ts";

const SERVER_ERROR_PAGE =
  '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Server Error | Slack</title></head>' +
  "<body><h1>Server Error</h1><p>It seems like there’s a problem connecting to Slack’s servers.</p></body></html>\n";

/** In-process Slack Web API on 127.0.0.1 with recorded calls, fault injection and Slack Connect helpers. */
export class SlackStandIn extends SlackWorkspace {
  private readonly botToken: string;
  private readonly requestedPort: number;
  private readonly postRate: number;
  private readonly postBurst: number;
  private readonly workspaceRate: number;
  private readonly workspaceBurst: number;
  private readonly scopes: string[];
  private readonly granted: ReadonlySet<string>;
  private readonly faults: Array<FaultSpec & { remaining: number }> = [];
  private readonly buckets = new Map<string, TokenBucket>();
  private shutdown = new AbortController();
  private server: Server | undefined;
  private readonly methods: ReadonlyMap<string, MethodHandler> = new Map([
    ...userMethods(this),
    ...conversationMethods(this),
    ...chatMethods(this),
    ...slackConnectMethods(this),
    ...viewMethods(this),
    ...fileMethods(this),
  ]);

  /** Socket Mode on the same server: apps.connections.open, the WebSocket URLs and envelope delivery. */
  readonly socketMode: SocketModeStandIn;

  constructor(options: SlackStandInOptions) {
    super(options);
    this.socketMode = new SocketModeStandIn({
      appToken: options.appToken,
      botToken: options.botToken,
      appId: this.appId,
      baseUrl: () => this.origin.replace(/^http/, "ws"),
      now: this.now,
      ...options.socketMode,
    });
    this.botToken = options.botToken;
    this.requestedPort = options.port ?? 0;
    this.postRate = options.postMessagePerChannelPerSecond ?? 1;
    this.postBurst = options.postMessageBurst ?? 3;
    this.workspaceRate = options.postMessageWorkspacePerSecond ?? 10;
    this.workspaceBurst = options.postMessageWorkspaceBurst ?? 30;
    this.scopes = [...options.scopes];
    this.granted = new Set(options.scopes);
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
    server.on(
      "upgrade",
      (req: IncomingMessage, socket: Duplex) => void this.socketMode.handleUpgrade(req, socket),
    );
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

  /** Closes the server and its open sockets; pending fault delays end at once. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    this.socketMode.stop();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Makes the next `times` calls to `method` fail (or be slow). */
  injectFault(fault: FaultSpec): void {
    const { status, error, retryAfterSeconds, delayMs, after } = fault;
    if (after !== undefined && (error !== undefined || retryAfterSeconds !== undefined)) {
      throw new Error("injectFault: an `after` fault does the work, so it cannot also refuse it");
    }
    if (
      after === undefined &&
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

  /**
   * The external user accepts an invite and the home team approves it: the user joins the channel, which
   * becomes externally shared. Returns the events Slack would deliver, in order.
   */
  acceptSharedInvite(inviteId: string, by: { userId: string; teamId: string }): SharedInviteAcceptance {
    return acceptInvite(this, inviteId, by);
  }

  /**
   * Slack gives a private channel a new id when it is shared over Slack Connect (the stand-in does so by itself on
   * the first invitation): moves everything to the new id and returns the `channel_id_changed` event.
   */
  changeChannelId(oldId: string, newId?: string): slackTypes.ChannelIDChangedEvent {
    return changeChannelId(this, oldId, newId);
  }

  /** The invitee's team declines; returns the `shared_channel_invite_declined` event. */
  declineSharedInvite(
    inviteId: string,
    by: { userId: string; teamId: string },
  ): slackTypes.SharedChannelInviteDeclinedEvent {
    return declineInvite(this, inviteId, by);
  }

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
    const headerToken = bearerToken(req.headers.authorization);
    const token = headerToken ?? stringOrUndefined(params.token);
    if (method === "apps.connections.open") reply ??= this.socketMode.openConnection(headerToken);
    const fault = this.takeFault(method);
    reply ??= await this.dispatch(method, params, token, fault?.after ? undefined : fault);
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
    if (fault?.after) {
      await this.loseAnswer(fault, res);
      return;
    }
    if (typeof reply.body === "string") {
      send(res, reply.status, "text/plain; charset=utf-8", reply.body, reply.headers);
    } else {
      const headers = { "x-oauth-scopes": this.scopes.join(","), ...reply.headers };
      send(res, reply.status, "application/json; charset=utf-8", JSON.stringify(reply.body), headers);
    }
  }

  /** The work is done; the app never learns it: a 5xx page, no answer at all, or a dropped connection. */
  private async loseAnswer(fault: FaultSpec, res: ServerResponse): Promise<void> {
    if (fault.after === "5xx") {
      // Slack's edge answers 5xx with an HTML page, not the JSON envelope (seen in apache/airflow#35018).
      send(res, fault.status ?? 503, "text/html; charset=utf-8", SERVER_ERROR_PAGE);
      return;
    }
    if (fault.after === "drop") {
      res.socket?.destroy();
      return;
    }
    // "timeout": hold the request until the client gives up (or the stand-in stops).
    const { signal } = this.shutdown;
    await new Promise<void>((resolve) => {
      res.once("close", () => resolve());
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    if (!res.destroyed) res.destroy();
  }

  private async dispatch(
    method: string,
    params: Record<string, unknown>,
    token: string | undefined,
    fault: FaultSpec | undefined,
  ): Promise<Reply> {
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
    const args = new Args(params);
    try {
      const needed = missingScope(this, method, args, this.granted);
      if (needed) {
        throw new SlackApiError("missing_scope", { needed, provided: this.scopes.join(",") });
      }
      if (method === "chat.postMessage") {
        const wait = this.takePostToken(String(params.channel ?? ""));
        if (wait > 0) return rateLimited(wait);
      }
      return { status: 200, body: handler(args) };
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

  /** One message per second per channel "while also maintaining a workspace-wide limit": both must allow it. */
  private takePostToken(channel: string): number {
    const perChannel = this.bucket(`channel:${channel}`, this.postBurst, this.postRate);
    const workspace = this.bucket("workspace", this.workspaceBurst, this.workspaceRate);
    // Peek first so a refusal by one bucket does not spend the other's token.
    const wait = Math.max(perChannel?.wait(this.now()) ?? 0, workspace?.wait(this.now()) ?? 0);
    if (wait > 0) return wait;
    perChannel?.take(this.now());
    workspace?.take(this.now());
    return 0;
  }

  private bucket(key: string, capacity: number, perSecond: number): TokenBucket | undefined {
    if (!Number.isFinite(perSecond)) return undefined;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(capacity, perSecond, this.now());
      this.buckets.set(key, bucket);
    }
    return bucket;
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
}
