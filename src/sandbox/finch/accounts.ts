/** Finch's accounts as the stand-in holds them; the route handlers read and change them through this class. */
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { ProviderListResponse } from "@tryfinch/finch-api/resources/providers";
import type { JobCompletionEvent } from "@tryfinch/finch-api/resources/webhooks";
import { hashKey, parseBasic, sha256, shortId, withQuery } from "./http.ts";
import { standInProviders } from "./providers.ts";
import {
  type CodeRecord,
  type ConnectionRecord,
  defaultStatus,
  finchError,
  type RequestContext,
  type SessionRecord,
  snapshot,
  type TokenRecord,
} from "./records.ts";
import {
  type CompleteSessionOptions,
  type CompleteSessionResult,
  type ConnectionPatch,
  type FinchStandInEvents,
  type FinchStandInOptions,
  SANDBOX_LOGIN,
  type StandInAccountUpdateEvent,
  type StandInAuthMethod,
  type StandInConnection,
} from "./types.ts";
import { buildAccountUpdatedEvent, buildJobSucceededEvent } from "./webhooks.ts";

const CODE_TTL_MS = 10 * 60_000;

/** The Finch side the stand-in plays: Connect sessions, connections, tokens and codes, and their rules. */
export class FinchAccounts {
  /** Base URL to pass as the SDK's `baseURL` (FINCH_BASE_URL); ends with `/`. */
  readonly url: string;
  /** `call`, `connected`, `disconnected`, `webhook`. */
  readonly events = new EventEmitter<FinchStandInEvents>();
  readonly clientId: string;
  readonly clientSecretHash: Buffer;
  readonly now: () => Date;
  /** What GET /providers answers; Connect sessions must stay within it. */
  readonly providers: readonly ProviderListResponse[];
  readonly sessions = new Map<string, SessionRecord>();
  readonly connections = new Map<string, ConnectionRecord>();
  /** Keyed by SHA-256 of the token, so raw tokens are not kept after they are handed out. */
  readonly tokens = new Map<string, TokenRecord>();
  /** Keyed by SHA-256 of the code. */
  readonly codes = new Map<string, CodeRecord>();

  constructor(url: string, options: FinchStandInOptions) {
    this.url = url;
    this.clientId = options.clientId;
    this.clientSecretHash = sha256(options.clientSecret);
    this.now = options.now ?? (() => new Date());
    this.providers = options.providers ?? standInProviders();
  }

  /** Completes a Connect session without the browser (same effect as the Connect page). */
  completeSession(sessionId: string, options: CompleteSessionOptions = {}): CompleteSessionResult {
    const session = this.usableSession(sessionId);
    if (session === undefined) throw new Error(`No open Connect session ${sessionId}`);
    return this.finishSession(session, options);
  }

  /** The connection with this connection id or (latest for) this customer id. */
  connection(connectionIdOrCustomerId: string): StandInConnection | undefined {
    const record = this.findConnection(connectionIdOrCustomerId);
    return record === undefined ? undefined : snapshot(record);
  }

  /** Forces a connection's state, as Finch's dashboard or a provider-side change would. */
  setConnection(connectionId: string, patch: ConnectionPatch): StandInConnection {
    const record = this.connections.get(connectionId);
    if (record === undefined) throw new Error(`No connection ${connectionId}`);
    if (patch.products !== undefined) record.products = new Set(patch.products);
    if (patch.deniedProducts !== undefined) record.denied = new Set(patch.deniedProducts);
    if (patch.syncingProducts !== undefined) record.syncing = new Set(patch.syncingProducts);
    if (patch.entities !== undefined) record.entities = patch.entities.map((entity) => ({ ...entity }));
    if (patch.status !== undefined) {
      record.status = patch.status;
      record.statusPinned = true;
    } else if (!record.statusPinned) {
      record.status = defaultStatus(record.denied);
    }
    if (record.status === "disconnected") this.revokeTokens(record.connectionId);
    return snapshot(record);
  }

  /**
   * Ends a connection's first sync: data is readable, reads are fast, and the status becomes what the
   * permissions make it. Returns the webhooks Finch sends for it (Finch docs, Webhooks:
   * `job.initial_data_sync_*.succeeded` and `account.updated`), for the caller to deliver.
   */
  finishInitialSync(
    connectionId: string,
  ): [JobCompletionEvent, JobCompletionEvent, StandInAccountUpdateEvent] {
    const record = this.connections.get(connectionId);
    if (record === undefined) throw new Error(`No connection ${connectionId}`);
    record.syncing = new Set();
    record.readDelayMs = 0;
    record.liveFirstSync = false;
    if (record.status === "pending" || record.status === "processing") {
      record.status = defaultStatus(record.denied);
      record.statusPinned = false;
    }
    const ref = { ...snapshot(record), authMethod: record.authMethod };
    return [
      buildJobSucceededEvent(ref, { eventType: "job.initial_data_sync_org.succeeded", baseUrl: this.url }),
      buildJobSucceededEvent(ref, {
        eventType: "job.initial_data_sync_payroll.succeeded",
        baseUrl: this.url,
      }),
      buildAccountUpdatedEvent(ref, record.status),
    ];
  }

  usableSession(sessionId: string): SessionRecord | undefined {
    const session = this.sessions.get(sessionId);
    if (session === undefined || session.completed) return undefined;
    if (session.expiresAt <= this.now().getTime()) return undefined;
    return session;
  }

  finishSession(session: SessionRecord, options: CompleteSessionOptions): CompleteSessionResult {
    const granted = options.grantedProducts ?? session.products;
    const denied = new Set(options.deniedProducts ?? []);
    const sync = options.initialSync;
    const status = options.status ?? sync?.status ?? (sync ? "processing" : defaultStatus(denied));
    const pinned = options.status !== undefined || sync?.status !== undefined;
    const existing = session.connectionId === null ? undefined : this.connections.get(session.connectionId);
    const now = this.now();
    let record: ConnectionRecord;
    if (existing !== undefined) {
      // Reauthentication keeps every Finch id and issues a new token (Finch docs: "Reauthentication").
      existing.products = new Set(granted);
      existing.denied = denied;
      existing.status = status;
      existing.statusPinned = pinned;
      existing.username = options.username ?? existing.username;
      record = existing;
    } else {
      const companyName = session.customerName ?? "Stand-in Company";
      record = {
        connectionId: randomUUID(),
        companyId: randomUUID(),
        accountId: randomUUID(),
        sessionId: session.id,
        customerId: session.customerId,
        customerName: session.customerName,
        customerEmail: session.customerEmail,
        companyName,
        providerId: session.providerId,
        authMethod: session.authMethod,
        sandbox: session.sandbox,
        status,
        statusPinned: pinned,
        products: new Set(granted),
        denied,
        syncing: new Set(sync && initialSyncAnswer(sync, session.authMethod) === "202" ? granted : []),
        liveFirstSync: sync !== undefined && initialSyncAnswer(sync, session.authMethod) === "live",
        readDelayMs: sync?.readDelayMs ?? 0,
        entities: [{ id: randomUUID(), name: companyName, source_id: `${session.providerId}-${shortId()}` }],
        username: options.username ?? SANDBOX_LOGIN.username,
        createdAt: now,
      };
      this.connections.set(record.connectionId, record);
    }
    session.completed = true;
    const accessToken = this.issueToken(record.connectionId);
    const code = randomBytes(24).toString("base64url");
    this.codes.set(hashKey(code), {
      connectionId: record.connectionId,
      accessToken,
      redirectUri: session.redirectUri,
      expiresAt: now.getTime() + CODE_TTL_MS,
      used: false,
    });
    this.events.emit("connected", {
      sessionId: session.id,
      connectionId: record.connectionId,
      customerId: record.customerId,
      reauthenticated: existing !== undefined,
    });
    const redirectUrl = session.redirectUri === null ? null : withQuery(session.redirectUri, { code });
    return { code, connectionId: record.connectionId, accessToken, redirectUrl };
  }

  issueToken(connectionId: string): string {
    const accessToken = randomBytes(36).toString("base64url");
    this.tokens.set(hashKey(accessToken), { id: randomUUID(), connectionId, revoked: false });
    return accessToken;
  }

  requireClient(req: IncomingMessage): void {
    const header = req.headers.authorization;
    if (header === undefined) {
      throw finchError(401, "unauthorized_request_error", "Missing Authorization header");
    }
    const basic = parseBasic(header);
    if (!this.clientMatches(basic?.id, basic?.secret)) {
      throw finchError(401, "invalid_client_error", "The provided application credentials are incorrect");
    }
  }

  clientMatches(id: string | undefined, secret: string | undefined): boolean {
    if (id === undefined || secret === undefined) return false;
    // Compare fixed-length digests so the comparison time says nothing about the secret.
    return id === this.clientId && timingSafeEqual(sha256(secret), this.clientSecretHash);
  }

  requireToken(req: IncomingMessage, context: RequestContext): ConnectionRecord {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match?.[1] === undefined) {
      throw finchError(401, "unauthorized_request_error", "Missing access token in the Authorization header");
    }
    const token = this.tokens.get(hashKey(match[1]));
    const connection = token === undefined ? undefined : this.connections.get(token.connectionId);
    if (token === undefined || token.revoked || connection === undefined) {
      throw finchError(401, "invalid_token_error", "The access token is invalid");
    }
    context.connectionId = connection.connectionId;
    context.tokenId = token.id;
    if (connection.status === "disconnected") {
      throw finchError(401, "invalid_token_error", "The access token belongs to a disconnected connection");
    }
    return connection;
  }

  revokeTokens(connectionId: string): void {
    for (const token of this.tokens.values()) {
      if (token.connectionId === connectionId) token.revoked = true;
    }
  }

  findConnection(idOrCustomerId: string): ConnectionRecord | undefined {
    const byId = this.connections.get(idOrCustomerId);
    if (byId !== undefined) return byId;
    let latest: ConnectionRecord | undefined;
    for (const record of this.connections.values()) {
      if (record.customerId === idOrCustomerId) latest = record;
    }
    return latest;
  }

  connectUrl(sessionId: string): string {
    return `${this.url}connect?session=${encodeURIComponent(sessionId)}`;
  }
}

/**
 * How Finch answers reads during a connection's first sync. Finch docs: assisted connections get "an empty
 * response … 202" (integrations/integration-types); for automated ones "Finch will request data live from the
 * provider. The latency on live requests may range from seconds to minutes" (API reference, Data Syncs).
 */
export function initialSyncAnswer(
  sync: NonNullable<CompleteSessionOptions["initialSync"]>,
  authMethod: StandInAuthMethod,
): "live" | "202" {
  return sync.answer ?? (authMethod === "assisted" ? "202" : "live");
}
