/**
 * A local stand-in for the Finch API and Finch Connect, faithful to `@tryfinch/finch-api` 10.x.
 *
 * Every path, method, auth scheme and response shape below was read from the SDK's sources
 * (`resources/**`, `client.ts`, `core/error.ts`, `resources/webhooks.ts`), and responses are typed
 * with the SDK's own types so a drift shows up as a compile error. Error bodies follow Finch's
 * documented schema `{ code, name, finch_code?, message }` (developer.tryfinch.com, "Error Types").
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CreateAccessTokenResponse } from "@tryfinch/finch-api/resources/access-tokens";
import type { DisconnectResponse, Introspection } from "@tryfinch/finch-api/resources/account";
import type {
  SessionNewParams,
  SessionNewResponse,
  SessionReauthenticateResponse,
} from "@tryfinch/finch-api/resources/connect/sessions";
import type { CompanyBenefit } from "@tryfinch/finch-api/resources/hris/benefits/benefits";
import type { Company } from "@tryfinch/finch-api/resources/hris/company";
import type { IndividualInDirectory } from "@tryfinch/finch-api/resources/hris/directory";
import type { EmploymentDataResponse } from "@tryfinch/finch-api/resources/hris/employments";
import type { Location, Money } from "@tryfinch/finch-api/resources/hris/hris";
import type { IndividualResponse } from "@tryfinch/finch-api/resources/hris/individuals";
import type {
  PayStatement,
  PayStatementDataSyncInProgress,
  PayStatementResponse,
} from "@tryfinch/finch-api/resources/hris/pay-statements";
import type { Payment } from "@tryfinch/finch-api/resources/hris/payments";
import type { ConnectionStatusType } from "@tryfinch/finch-api/resources/shared";
import type {
  AccountUpdateEvent,
  JobCompletionEvent,
  WebhookEvent,
} from "@tryfinch/finch-api/resources/webhooks";

/** A Finch product scope, spelled as the SDK's `connect.sessions.new` accepts it. */
export type FinchProduct = SessionNewParams["products"][number];

/** Connection states the stand-in can hold: Finch's `ConnectionStatusType` plus `disconnected`. */
export type StandInConnectionStatus = ConnectionStatusType | "disconnected";

/** Authentication method of a connection, as Finch Connect names it. */
export type StandInAuthMethod = NonNullable<SessionNewParams.Integration["auth_method"]>;

/** Options for {@link FinchStandIn.start}. */
export interface FinchStandInOptions {
  clientId: string;
  clientSecret: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** The stand-in's clock (session and code expiry, payment dates, webhook timestamps). */
  now?: () => Date;
}

/** One entity (provider account) of a connection, as `introspect` lists it. */
export interface StandInEntity {
  id: string;
  name: string | null;
  source_id: string | null;
  /** Absent: the entity follows the connection's status. */
  status?: StandInConnectionStatus;
}

/** A read-only snapshot of one connection; access tokens are deliberately not part of it. */
export interface StandInConnection {
  connectionId: string;
  companyId: string;
  accountId: string;
  customerId: string | null;
  customerName: string | null;
  customerEmail: string | null;
  providerId: string;
  authMethod: StandInAuthMethod;
  clientType: "production" | "sandbox";
  connectionType: "finch" | "provider";
  status: StandInConnectionStatus;
  /** Products the access token is scoped to (requested in the session and granted). */
  products: string[];
  /** Granted products the customer's provider account lacks permission for (403). */
  deniedProducts: string[];
  /** Products whose data is still syncing (202). */
  syncingProducts: string[];
  entities: StandInEntity[];
  username: string | null;
  createdAt: string;
}

/** Overrides for {@link FinchStandIn.completeSession}. */
export interface CompleteSessionOptions {
  /** Products the token is scoped to; defaults to the session's products. */
  grantedProducts?: string[];
  /** Products the provider account may not read; defaults to none. */
  deniedProducts?: string[];
  /** Defaults to `error_permissions` when something is denied, else `connected`. */
  status?: StandInConnectionStatus;
  username?: string;
}

/** What completing Connect produced: what the browser redirect and the code exchange carry. */
export interface CompleteSessionResult {
  code: string;
  connectionId: string;
  accessToken: string;
  /** `redirect_uri?code=…`, or null when the session had no redirect_uri (embedded flow). */
  redirectUrl: string | null;
}

/** Changes applied by {@link FinchStandIn.setConnection}. */
export interface ConnectionPatch {
  status?: StandInConnectionStatus;
  products?: string[];
  deniedProducts?: string[];
  syncingProducts?: string[];
  entities?: StandInEntity[];
}

/** A scripted failure (or slowdown) for requests whose path starts with `path`. */
export interface FaultSpec {
  /** Exact path or prefix, e.g. `/employer/company` or `/employer/`. */
  path: string;
  /** Only this HTTP method (any when absent). */
  method?: string;
  /** How many matching requests fail; default 1, `Infinity` for all. */
  times?: number;
  /** HTTP status to answer; absent means only `delayMs` applies and the request then proceeds. */
  status?: number;
  /** Finch `finch_code`, e.g. `reauthenticate_user`, `account_setup_required`. */
  code?: string;
  message?: string;
  retryAfterSeconds?: number;
  delayMs?: number;
}

/** One request the stand-in answered (no headers, bodies, tokens or secrets are kept). */
export interface CallRecord {
  method: string;
  path: string;
  at: string;
  status: number;
  durationMs: number;
  /** Which credential kind the request carried, never the credential itself. */
  auth: "basic" | "bearer" | "none";
  connectionId?: string;
}

/** Emitted when Connect completes (browser or {@link FinchStandIn.completeSession}). */
export interface ConnectedEvent {
  sessionId: string;
  connectionId: string;
  customerId: string | null;
  reauthenticated: boolean;
}

/** Events the stand-in emits on {@link FinchStandIn.events}. */
export type FinchStandInEvents = {
  call: [CallRecord];
  connected: [ConnectedEvent];
  disconnected: [{ connectionId: string }];
  webhook: [{ targetUrl: string; eventType: string | undefined; status: number }];
};

/** Finch's error body (`code`, `name`, optional `finch_code`, `message`). */
export interface FinchErrorBody {
  code: number;
  name: string;
  finch_code?: string;
  message: string;
}

/** The three headers Finch signs a webhook with (a type alias so it fits the SDK's `HeadersLike`). */
export type FinchWebhookHeaders = {
  "finch-event-id": string;
  "finch-timestamp": string;
  "finch-signature": string;
};

/** `account.updated` as the SDK types it, but with `disconnected` allowed as Finch sends it. */
export type StandInAccountUpdateEvent = Omit<AccountUpdateEvent, "data"> & {
  data: Omit<AccountUpdateEvent.Data, "status"> & { status: StandInConnectionStatus };
};

/** The job events Finch sends when a sync finishes. */
export type JobCompletionEventType = NonNullable<JobCompletionEvent["event_type"]>;

/** Sandbox login Finch documents for its test providers (`good_user` / `good_pass`). */
export const SANDBOX_LOGIN = { username: "good_user", password: "good_pass" } as const;

const KNOWN_PRODUCTS: readonly FinchProduct[] = [
  "benefits",
  "company",
  "deduction",
  "directory",
  "documents",
  "employment",
  "individual",
  "payment",
  "pay_statement",
  "plans",
  "plans_dependents",
  "plans_enrollments",
  "recordkeeping",
  "ssn",
];
const AUTH_METHODS: readonly StandInAuthMethod[] = ["assisted", "credential", "oauth", "api_token"];

const PRODUCT_LABELS: Record<string, string> = {
  company: "Company: legal name, EIN, locations, bank accounts",
  directory: "Directory: employee names, departments, managers",
  individual: "Individual: personal details, emails, addresses",
  employment: "Employment: titles, start dates, income",
  payment: "Payments: payroll runs and totals",
  pay_statement: "Pay statements: earnings, taxes, deductions",
  benefits: "Benefits: company deductions and contributions",
  deduction: "Deductions (legacy name for benefits)",
  ssn: "Social Security numbers",
  documents: "Documents: W-4 forms",
};
const PROVIDER_NAMES: Record<string, string> = { justworks: "Justworks", gusto: "Gusto", adp_run: "ADP Run" };

const NEW_SESSION_MINUTES = 129_600; // SDK docs: new sessions default to 90 days
const REAUTH_SESSION_MINUTES = 43_200; // SDK docs: reauthentication sessions default to 30 days
const CODE_TTL_MS = 10 * 60_000;
const MAX_BODY_BYTES = 1_000_000;
const MAX_PAY_STATEMENT_REQUESTS = 10; // SDK docs: "Maximum 10 payment_ids per request"

/** Finch's `name` for a `finch_code`, from the documented error table. */
const NAME_BY_FINCH_CODE: Record<string, { name: string; status: number }> = {
  reauthenticate_user: { name: "authentication_error", status: 401 },
  account_setup_required: { name: "authentication_error", status: 401 },
  insufficient_account_permissions: { name: "error_permissions", status: 403 },
  invalid_request: { name: "bad_request", status: 400 },
  payment_required: { name: "payment_required", status: 402 },
  item_not_found: { name: "not_found_error", status: 404 },
  data_sync_in_progress: { name: "accepted", status: 202 },
};
const NAME_BY_STATUS: Record<number, string> = {
  400: "bad_request",
  401: "invalid_token_error",
  402: "payment_required",
  403: "insufficient_scope_error",
  404: "not_found_error",
  408: "client_connection_closed",
  422: "unprocessable_request_error",
  // Finch's table lists no name for 429; this mirrors the category naming of the others.
  429: "rate_limit_error",
};

interface SessionRecord {
  id: string;
  kind: "new" | "reauthenticate";
  customerId: string | null;
  customerName: string | null;
  customerEmail: string | null;
  products: string[];
  redirectUri: string | null;
  expiresAt: number;
  providerId: string;
  authMethod: StandInAuthMethod;
  sandbox: "finch" | "provider" | null;
  connectionId: string | null;
  completed: boolean;
}

interface ConnectionRecord {
  connectionId: string;
  companyId: string;
  accountId: string;
  sessionId: string | null;
  customerId: string | null;
  customerName: string | null;
  customerEmail: string | null;
  companyName: string;
  providerId: string;
  authMethod: StandInAuthMethod;
  sandbox: "finch" | "provider" | null;
  status: StandInConnectionStatus;
  /** False while the status is the default derived from denied products. */
  statusPinned: boolean;
  products: Set<string>;
  denied: Set<string>;
  syncing: Set<string>;
  entities: StandInEntity[];
  username: string | null;
  createdAt: Date;
}

interface TokenRecord {
  id: string;
  connectionId: string;
  revoked: boolean;
}

interface CodeRecord {
  connectionId: string;
  /** Held only until the code is exchanged, then dropped. */
  accessToken: string | null;
  redirectUri: string | null;
  expiresAt: number;
  used: boolean;
}

/** What a Connect page handler answers: an HTML page or a redirect. */
type PageReply = { status: number; html: string } | { location: string };

interface FaultRecord {
  spec: FaultSpec;
  remaining: number;
}

interface RequestContext {
  auth: CallRecord["auth"];
  connectionId?: string;
  /** Introspection id of the bearer token, never the token. */
  tokenId?: string;
}

/** An error that becomes one HTTP response with Finch's error body. */
class StandInHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: FinchErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

function finchError(status: number, name: string, message: string, finchCode?: string): StandInHttpError {
  return new StandInHttpError(status, errorBody(status, name, message, finchCode));
}

function errorBody(status: number, name: string, message: string, finchCode?: string): FinchErrorBody {
  return finchCode === undefined
    ? { code: status, name, message }
    : { code: status, name, finch_code: finchCode, message };
}

/** A local Finch API + Finch Connect for tests and the offline demo. */
export class FinchStandIn {
  /** Base URL to pass as the SDK's `baseURL` (FINCH_BASE_URL); ends with `/`. */
  readonly url: string;
  /** `call`, `connected`, `disconnected`, `webhook`. */
  readonly events = new EventEmitter<FinchStandInEvents>();

  readonly #server: Server;
  readonly #clientId: string;
  readonly #clientSecretHash: Buffer;
  readonly #now: () => Date;
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #connections = new Map<string, ConnectionRecord>();
  /** Keyed by SHA-256 of the token, so raw tokens are not kept after they are handed out. */
  readonly #tokens = new Map<string, TokenRecord>();
  /** Keyed by SHA-256 of the code. */
  readonly #codes = new Map<string, CodeRecord>();
  #faults: FaultRecord[] = [];
  #calls: CallRecord[] = [];

  private constructor(server: Server, url: string, options: FinchStandInOptions) {
    this.#server = server;
    this.url = url;
    this.#clientId = options.clientId;
    this.#clientSecretHash = sha256(options.clientSecret);
    this.#now = options.now ?? (() => new Date());
  }

  /** Starts the HTTP server on 127.0.0.1. */
  static async start(options: FinchStandInOptions): Promise<FinchStandIn> {
    let standIn: FinchStandIn | undefined;
    const server = createServer((req, res) => {
      if (standIn === undefined) {
        res.writeHead(503).end();
        return;
      }
      void standIn.#handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    standIn = new FinchStandIn(server, `http://127.0.0.1:${port}/`, options);
    return standIn;
  }

  /** Stops the server, dropping keep-alive connections so the promise settles promptly. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  /** Requests answered so far, oldest first. */
  get calls(): readonly CallRecord[] {
    return [...this.#calls];
  }

  /** Adds a scripted fault; the oldest matching fault wins. */
  injectFault(spec: FaultSpec): void {
    this.#faults.push({ spec: { ...spec }, remaining: spec.times ?? 1 });
  }

  /** Removes every scripted fault. */
  clearFaults(): void {
    this.#faults = [];
  }

  /** Completes a Connect session without the browser (same effect as the Connect page). */
  completeSession(sessionId: string, options: CompleteSessionOptions = {}): CompleteSessionResult {
    const session = this.#usableSession(sessionId);
    if (session === undefined) throw new Error(`No open Connect session ${sessionId}`);
    return this.#finishSession(session, options);
  }

  /** The connection with this connection id or (latest for) this customer id. */
  connection(connectionIdOrCustomerId: string): StandInConnection | undefined {
    const record = this.#findConnection(connectionIdOrCustomerId);
    return record === undefined ? undefined : snapshot(record);
  }

  /** Forces a connection's state, as Finch's dashboard or a provider-side change would. */
  setConnection(connectionId: string, patch: ConnectionPatch): StandInConnection {
    const record = this.#connections.get(connectionId);
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
    if (record.status === "disconnected") this.#revokeTokens(record.connectionId);
    return snapshot(record);
  }

  /** POSTs a signed webhook to `targetUrl`, as Finch delivers one. */
  async sendWebhook(
    targetUrl: string,
    secret: string,
    event: WebhookEvent | StandInAccountUpdateEvent,
    options: { id?: string; timestamp?: number } = {},
  ): Promise<{ status: number; body: string; headers: FinchWebhookHeaders }> {
    const body = JSON.stringify(event);
    const headers = signFinchWebhook({
      secret,
      id: options.id ?? newWebhookId(),
      timestamp: options.timestamp ?? Math.floor(this.#now().getTime() / 1000),
      body,
    });
    const response = await fetch(targetUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
    const text = await response.text();
    this.events.emit("webhook", { targetUrl, eventType: event.event_type, status: response.status });
    return { status: response.status, body: text, headers };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const at = this.#now().toISOString();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const context: RequestContext = { auth: authKind(req.headers.authorization) };
    res.setHeader("Finch-Request-Id", randomUUID());
    res.once("finish", () => {
      const call: CallRecord = {
        method,
        path: url.pathname,
        at,
        status: res.statusCode,
        durationMs: Math.round(performance.now() - started),
        auth: context.auth,
        ...(context.connectionId === undefined ? {} : { connectionId: context.connectionId }),
      };
      this.#calls.push(call);
      this.events.emit("call", call);
    });
    try {
      const fault = this.#takeFault(method, url.pathname);
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (fault?.status !== undefined) throw faultError(fault);
      await this.#route(method, url, req, res, context);
    } catch (error) {
      if (error instanceof StandInHttpError) {
        sendJson(res, error.status, error.body, error.headers);
      } else {
        sendJson(res, 500, errorBody(500, "server_error", "The Finch stand-in failed to handle the request"));
      }
    }
  }

  async #route(
    method: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    context: RequestContext,
  ): Promise<void> {
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case "POST /connect/sessions":
        this.#requireClient(req);
        return sendJson(res, 200, this.#createSession(await readJson(req)));
      case "POST /connect/sessions/reauthenticate":
        this.#requireClient(req);
        return sendJson(res, 200, this.#createReauthSession(await readJson(req)));
      case "GET /connect":
        return sendPage(res, this.#connectPage(url.searchParams.get("session") ?? ""));
      case "POST /connect/complete":
        return sendPage(res, this.#connectComplete(new URLSearchParams(await readText(req))));
      case "GET /connect/cancel":
        return sendPage(res, this.#connectCancel(url.searchParams.get("session") ?? ""));
      case "POST /connect/cancel":
        return sendPage(
          res,
          this.#connectCancel(new URLSearchParams(await readText(req)).get("session") ?? ""),
        );
      case "POST /auth/token":
        return sendJson(res, 200, this.#exchangeCode(req, await readJson(req)));
      case "GET /introspect":
        return sendJson(res, 200, this.#introspect(this.#requireToken(req, context), context.tokenId));
      case "POST /disconnect":
        return sendJson(res, 200, this.#disconnect(this.#requireToken(req, context)));
      case "GET /employer/company":
      case "GET /employer/directory":
      case "POST /employer/individual":
      case "POST /employer/employment":
      case "GET /employer/payment":
      case "POST /employer/pay-statement":
      case "GET /employer/benefits":
        return this.#read(route, url, req, res, context);
      default:
        throw finchError(404, "not_found_error", `The stand-in has no route ${route}`, "item_not_found");
    }
  }

  // ---- Connect sessions -------------------------------------------------------------------

  #createSession(body: Record<string, unknown>): SessionNewResponse {
    const customerId = requireString(body, "customer_id");
    const customerName = requireString(body, "customer_name");
    const products = requireProducts(body.products, true);
    const customerEmail = optionalString(body, "customer_email");
    const redirectUri = optionalRedirectUri(body.redirect_uri);
    const minutes = optionalPositiveNumber(body, "minutes_to_expire") ?? NEW_SESSION_MINUTES;
    const sandbox = body.sandbox ?? null;
    if (sandbox !== null && sandbox !== "finch" && sandbox !== "provider") {
      throw invalidRequest("sandbox must be 'finch' or 'provider'");
    }
    if (body.manual !== undefined && body.manual !== null && typeof body.manual !== "boolean") {
      throw invalidRequest("manual must be a boolean");
    }
    const { providerId, authMethod } = parseIntegration(body.integration);
    const session: SessionRecord = {
      id: randomUUID(),
      kind: "new",
      customerId,
      customerName,
      customerEmail,
      products,
      redirectUri,
      expiresAt: this.#now().getTime() + minutes * 60_000,
      providerId,
      authMethod,
      sandbox,
      connectionId: null,
      completed: false,
    };
    this.#sessions.set(session.id, session);
    return { session_id: session.id, connect_url: this.#connectUrl(session.id) };
  }

  #createReauthSession(body: Record<string, unknown>): SessionReauthenticateResponse {
    const connectionId = requireString(body, "connection_id");
    const connection = this.#connections.get(connectionId);
    if (connection === undefined || connection.status === "disconnected") {
      throw finchError(404, "not_found_error", `Connection ${connectionId} not found`, "item_not_found");
    }
    const products =
      body.products === undefined || body.products === null
        ? [...connection.products]
        : requireProducts(body.products, true);
    const minutes = optionalPositiveNumber(body, "minutes_to_expire") ?? REAUTH_SESSION_MINUTES;
    const session: SessionRecord = {
      id: randomUUID(),
      kind: "reauthenticate",
      customerId: connection.customerId,
      customerName: connection.customerName,
      customerEmail: connection.customerEmail,
      products,
      redirectUri: optionalRedirectUri(body.redirect_uri),
      expiresAt: this.#now().getTime() + minutes * 60_000,
      providerId: connection.providerId,
      authMethod: connection.authMethod,
      sandbox: connection.sandbox,
      connectionId,
      completed: false,
    };
    this.#sessions.set(session.id, session);
    return { session_id: session.id, connect_url: this.#connectUrl(session.id) };
  }

  #connectUrl(sessionId: string): string {
    return `${this.url}connect?session=${encodeURIComponent(sessionId)}`;
  }

  #usableSession(sessionId: string): SessionRecord | undefined {
    const session = this.#sessions.get(sessionId);
    if (session === undefined || session.completed) return undefined;
    if (session.expiresAt <= this.#now().getTime()) return undefined;
    return session;
  }

  #finishSession(session: SessionRecord, options: CompleteSessionOptions): CompleteSessionResult {
    const granted = options.grantedProducts ?? session.products;
    const denied = new Set(options.deniedProducts ?? []);
    const status = options.status ?? defaultStatus(denied);
    const existing = session.connectionId === null ? undefined : this.#connections.get(session.connectionId);
    const now = this.#now();
    let record: ConnectionRecord;
    if (existing !== undefined) {
      // Reauthentication keeps every Finch id and issues a new token (Finch docs: "Reauthentication").
      existing.products = new Set(granted);
      existing.denied = denied;
      existing.status = status;
      existing.statusPinned = options.status !== undefined;
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
        statusPinned: options.status !== undefined,
        products: new Set(granted),
        denied,
        syncing: new Set(),
        entities: [{ id: randomUUID(), name: companyName, source_id: `${session.providerId}-${shortId()}` }],
        username: options.username ?? SANDBOX_LOGIN.username,
        createdAt: now,
      };
      this.#connections.set(record.connectionId, record);
    }
    session.completed = true;
    const accessToken = this.#issueToken(record.connectionId);
    const code = randomBytes(24).toString("base64url");
    this.#codes.set(hashKey(code), {
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

  #issueToken(connectionId: string): string {
    const accessToken = randomBytes(36).toString("base64url");
    this.#tokens.set(hashKey(accessToken), { id: randomUUID(), connectionId, revoked: false });
    return accessToken;
  }

  // ---- Connect pages ----------------------------------------------------------------------

  #connectPage(sessionId: string): PageReply {
    const session = this.#usableSession(sessionId);
    if (session === undefined) return { status: 404, html: notFoundPage() };
    return { status: 200, html: connectPage(session) };
  }

  #connectComplete(form: URLSearchParams): PageReply {
    const session = this.#usableSession(form.get("session") ?? "");
    if (session === undefined) return { status: 404, html: notFoundPage() };
    const username = form.get("username") ?? "";
    const password = form.get("password") ?? "";
    if (username !== SANDBOX_LOGIN.username || password !== SANDBOX_LOGIN.password) {
      return { status: 200, html: connectPage(session, "Incorrect username or password.") };
    }
    const checked = new Set(form.getAll("products"));
    // An unchecked product stands for a permission the customer's provider account lacks.
    const deniedProducts = session.products.filter((product) => !checked.has(product));
    const result = this.#finishSession(session, { deniedProducts, username });
    if (result.redirectUrl === null) return { status: 200, html: connectedPage(result.code) };
    return { location: result.redirectUrl };
  }

  #connectCancel(sessionId: string): PageReply {
    const session = this.#usableSession(sessionId);
    if (session === undefined) return { status: 404, html: notFoundPage() };
    if (session.redirectUri === null) return { status: 200, html: cancelledPage() };
    // Finch documents no cancel redirect for Connect; OAuth's `access_denied` is the closest contract.
    return {
      location: withQuery(session.redirectUri, {
        error: "access_denied",
        error_description: "The user closed Finch Connect without connecting",
      }),
    };
  }

  // ---- Tokens -----------------------------------------------------------------------------

  #exchangeCode(req: IncomingMessage, body: Record<string, unknown>): CreateAccessTokenResponse {
    // The SDK sends client_id/client_secret in the JSON body and removes the Authorization header.
    const basic = parseBasic(req.headers.authorization);
    const clientId = typeof body.client_id === "string" ? body.client_id : basic?.id;
    const clientSecret = typeof body.client_secret === "string" ? body.client_secret : basic?.secret;
    if (!this.#clientMatches(clientId, clientSecret)) {
      throw finchError(401, "invalid_client_error", "The provided application credentials are incorrect");
    }
    const code = requireString(body, "code");
    const record = this.#codes.get(hashKey(code));
    if (record === undefined || record.used || record.expiresAt <= this.#now().getTime()) {
      throw finchError(
        400,
        "invalid_grant_error",
        "The authorization code is invalid, expired or already used",
      );
    }
    const redirectUri = typeof body.redirect_uri === "string" ? body.redirect_uri : undefined;
    if (redirectUri !== undefined && record.redirectUri !== null && redirectUri !== record.redirectUri) {
      throw finchError(400, "invalid_grant_error", "redirect_uri does not match the Connect session");
    }
    const accessToken = record.accessToken;
    record.used = true;
    record.accessToken = null;
    const connection = this.#connections.get(record.connectionId);
    const token = accessToken === null ? undefined : this.#tokens.get(hashKey(accessToken));
    if (accessToken === null || connection === undefined || token === undefined || token.revoked) {
      throw finchError(400, "invalid_grant_error", "The connection behind this code was disconnected");
    }
    return {
      access_token: accessToken,
      token_type: "bearer",
      client_type: clientType(connection),
      connection_id: connection.connectionId,
      connection_type: connectionType(connection),
      entity_ids: connection.entities.map((entity) => entity.id),
      products: [...connection.products],
      provider_id: connection.providerId,
      account_id: connection.accountId,
      company_id: connection.companyId,
      customer_id: connection.customerId,
      customer_name: connection.customerName,
    };
  }

  #requireClient(req: IncomingMessage): void {
    const header = req.headers.authorization;
    if (header === undefined) {
      throw finchError(401, "unauthorized_request_error", "Missing Authorization header");
    }
    const basic = parseBasic(header);
    if (!this.#clientMatches(basic?.id, basic?.secret)) {
      throw finchError(401, "invalid_client_error", "The provided application credentials are incorrect");
    }
  }

  #clientMatches(id: string | undefined, secret: string | undefined): boolean {
    if (id === undefined || secret === undefined) return false;
    // Compare fixed-length digests so the comparison time says nothing about the secret.
    return id === this.#clientId && timingSafeEqual(sha256(secret), this.#clientSecretHash);
  }

  #requireToken(req: IncomingMessage, context: RequestContext): ConnectionRecord {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match?.[1] === undefined) {
      throw finchError(401, "unauthorized_request_error", "Missing access token in the Authorization header");
    }
    const token = this.#tokens.get(hashKey(match[1]));
    const connection = token === undefined ? undefined : this.#connections.get(token.connectionId);
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

  #revokeTokens(connectionId: string): void {
    for (const token of this.#tokens.values()) {
      if (token.connectionId === connectionId) token.revoked = true;
    }
  }

  // ---- Account ----------------------------------------------------------------------------

  #introspect(connection: ConnectionRecord, tokenId: string | undefined): Introspection {
    const status = introspectStatus(connection.status);
    const connectionStatus = {
      status,
      last_successful_sync: this.#lastSync(connection),
      ...(statusMessage(connection) === undefined ? {} : { message: statusMessage(connection) }),
    };
    return {
      id: tokenId ?? randomUUID(),
      client_id: this.#clientId,
      client_type: clientType(connection),
      connection_id: connection.connectionId,
      connection_status: connectionStatus,
      connection_type: connectionType(connection),
      products: [...connection.products],
      provider_id: connection.providerId,
      payroll_provider_id: connection.providerId,
      account_id: connection.accountId,
      company_id: connection.companyId,
      customer_id: connection.customerId,
      customer_name: connection.customerName,
      customer_email: connection.customerEmail,
      manual: connection.authMethod === "assisted",
      username: connection.username,
      authentication_methods: [
        {
          type: connection.authMethod,
          connection_status: connectionStatus,
          products: [...connection.products],
        },
      ],
      entities: connection.entities.map((entity) => ({
        id: entity.id,
        name: entity.name,
        source_id: entity.source_id,
        status: entity.status ?? connection.status,
      })),
    };
  }

  #lastSync(connection: ConnectionRecord): string | null {
    if (connection.status === "pending" || connection.status === "processing") return null;
    return connection.createdAt.toISOString();
  }

  #disconnect(connection: ConnectionRecord): DisconnectResponse {
    connection.status = "disconnected";
    connection.statusPinned = true;
    this.#revokeTokens(connection.connectionId);
    this.events.emit("disconnected", { connectionId: connection.connectionId });
    return { status: "success" };
  }

  // ---- HRIS reads -------------------------------------------------------------------------

  async #read(
    route: string,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
    context: RequestContext,
  ): Promise<void> {
    const connection = this.#requireToken(req, context);
    const product = PRODUCT_BY_ROUTE[route];
    if (product === undefined) throw new Error(`unmapped route ${route}`);
    const body = req.method === "POST" ? await readJson(req) : {};
    const syncing = this.#gateProduct(connection, product);
    const now = this.#now();
    switch (route) {
      case "GET /employer/company":
        if (syncing) return sendJson(res, 202, SYNCING_BODY);
        return sendJson(res, 200, fakeCompany(connection));
      case "GET /employer/directory": {
        if (syncing) return sendJson(res, 202, SYNCING_BODY);
        return sendJson(res, 200, fakeDirectory(url.searchParams));
      }
      case "POST /employer/individual":
        if (syncing) return sendJson(res, 202, SYNCING_BODY);
        return sendJson(res, 200, { responses: fakeIndividuals(connection, body) });
      case "POST /employer/employment":
        if (syncing) return sendJson(res, 202, SYNCING_BODY);
        return sendJson(res, 200, { responses: fakeEmployments(body) });
      case "GET /employer/payment":
        if (syncing) return sendJson(res, 202, SYNCING_BODY);
        return sendJson(res, 200, fakePaymentList(url.searchParams, now));
      case "POST /employer/pay-statement":
        // Finch reports pay-statement syncing per payment (the SDK's PayStatementDataSyncInProgress);
        // the HTTP status says 202 as well, so status-based and item-based checks both see it.
        return sendJson(res, syncing ? 202 : 200, { responses: fakePayStatements(body, now, syncing) });
      case "GET /employer/benefits":
        if (syncing) return sendJson(res, 202, SYNCING_BODY);
        return sendJson(res, 200, [fakeBenefit()]);
      default:
        throw new Error(`unmapped route ${route}`);
    }
  }

  /** Throws Finch's error for a product the connection may not read; true while it syncs. */
  #gateProduct(connection: ConnectionRecord, product: string): boolean {
    const aliases = product === "benefits" ? ["benefits", "deduction"] : [product];
    if (!aliases.some((alias) => connection.products.has(alias))) {
      throw finchError(
        403,
        "insufficient_scope_error",
        `The access token is not authorized for the ${product} product`,
      );
    }
    if (connection.status === "reauth") {
      throw finchError(401, "authentication_error", "Please reauthenticate user", "reauthenticate_user");
    }
    if (connection.status === "error_no_account_setup") {
      throw finchError(
        401,
        "authentication_error",
        "The employer has not finished setting up the account",
        "account_setup_required",
      );
    }
    if (aliases.some((alias) => connection.denied.has(alias))) {
      throw finchError(
        403,
        "error_permissions",
        `The connected ${providerName(connection.providerId)} account lacks permission ` +
          `to read ${product} data`,
        "insufficient_account_permissions",
      );
    }
    return (
      connection.status === "pending" ||
      connection.status === "processing" ||
      aliases.some((alias) => connection.syncing.has(alias))
    );
  }

  #findConnection(idOrCustomerId: string): ConnectionRecord | undefined {
    const byId = this.#connections.get(idOrCustomerId);
    if (byId !== undefined) return byId;
    let latest: ConnectionRecord | undefined;
    for (const record of this.#connections.values()) {
      if (record.customerId === idOrCustomerId) latest = record;
    }
    return latest;
  }

  #takeFault(method: string, path: string): FaultSpec | undefined {
    const index = this.#faults.findIndex(
      (fault) =>
        fault.remaining > 0 &&
        path.startsWith(fault.spec.path) &&
        (fault.spec.method === undefined || fault.spec.method.toUpperCase() === method),
    );
    const fault = this.#faults[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    return fault.spec;
  }
}

// ---- Webhooks ---------------------------------------------------------------------------------

/**
 * Signs a webhook body as Finch does: `v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}`,
 * keyed with the base64-decoded secret (the SDK's `webhooks.verifySignature`).
 */
export function signFinchWebhook(input: {
  secret: string;
  id: string;
  timestamp: number | Date;
  body: string;
}): FinchWebhookHeaders {
  const key = Buffer.from(input.secret, "base64");
  // The SDK rejects secrets that do not round-trip through base64; fail the same way, early.
  if (key.toString("base64") !== input.secret) throw new Error("Webhook secret is not valid base64");
  const seconds =
    input.timestamp instanceof Date
      ? Math.floor(input.timestamp.getTime() / 1000)
      : Math.floor(input.timestamp);
  const signature = createHmac("sha256", key).update(`${input.id}.${seconds}.${input.body}`).digest("base64");
  return {
    "finch-event-id": input.id,
    "finch-timestamp": String(seconds),
    "finch-signature": `v1,${signature}`,
  };
}

/** The ids a webhook body names; a {@link StandInConnection} fits. */
export type WebhookConnectionRef = Pick<StandInConnection, "connectionId" | "companyId" | "accountId"> & {
  entities?: readonly StandInEntity[];
  authMethod?: StandInAuthMethod;
};

/** An `account.updated` event for a connection's new status. */
export function buildAccountUpdatedEvent(
  connection: WebhookConnectionRef,
  status: StandInConnectionStatus,
): StandInAccountUpdateEvent {
  const entityId = connection.entities?.[0]?.id;
  return {
    account_id: connection.accountId,
    company_id: connection.companyId,
    connection_id: connection.connectionId,
    ...(entityId === undefined ? {} : { entity_id: entityId }),
    event_type: "account.updated",
    data: { status, authentication_method: { type: connection.authMethod ?? "credential" } },
  };
}

/** A job completion event, by default `job.initial_data_sync_org.succeeded`. */
export function buildJobSucceededEvent(
  connection: WebhookConnectionRef,
  options: { eventType?: JobCompletionEventType; jobId?: string; baseUrl?: string } = {},
): JobCompletionEvent {
  const jobId = options.jobId ?? randomUUID();
  const baseUrl = options.baseUrl ?? "https://api.tryfinch.com/";
  const entityId = connection.entities?.[0]?.id;
  return {
    account_id: connection.accountId,
    company_id: connection.companyId,
    connection_id: connection.connectionId,
    ...(entityId === undefined ? {} : { entity_id: entityId }),
    event_type: options.eventType ?? "job.initial_data_sync_org.succeeded",
    data: { job_id: jobId, job_url: new URL(`jobs/automated/${jobId}`, baseUrl).toString() },
  };
}

function newWebhookId(): string {
  return `msg_${randomBytes(20).toString("base64url").replace(/[-_]/g, "").slice(0, 27)}`;
}

// ---- Fake data --------------------------------------------------------------------------------

const PRODUCT_BY_ROUTE: Record<string, string> = {
  "GET /employer/company": "company",
  "GET /employer/directory": "directory",
  "POST /employer/individual": "individual",
  "POST /employer/employment": "employment",
  "GET /employer/payment": "payment",
  "POST /employer/pay-statement": "pay_statement",
  "GET /employer/benefits": "benefits",
};

const SYNCING_BODY: FinchErrorBody = {
  code: 202,
  name: "accepted",
  finch_code: "data_sync_in_progress",
  message: "The data for this product is being fetched. Please check back later.",
};

const PAY_STATEMENT_SYNCING: PayStatementDataSyncInProgress = {
  code: 202,
  finch_code: "data_sync_in_progress",
  message: "The pay statements for this payment are being fetched. Please check back later.",
  name: "accepted",
};

const OFFICE: Location = {
  line1: "100 Example Street",
  line2: "Floor 3",
  city: "New York",
  state: "NY",
  postal_code: "10001",
  country: "US",
};

interface FakePerson {
  id: string;
  firstName: string;
  lastName: string;
  department: string;
  title: string;
  managerId: string | null;
  startDate: string;
  dob: string;
  income: { amount: number; unit: "yearly" | "hourly" };
  /** Hours per bi-weekly period, for hourly workers. */
  hours: number;
  flsa: "exempt" | "non_exempt";
  subtype: "full_time" | "part_time";
  phone: string;
}

const PEOPLE: readonly FakePerson[] = [
  {
    id: "6f1c1a2e-3b4d-4c5e-8f60-7a8b9c0d1e01",
    firstName: "Ada",
    lastName: "Lovelace",
    department: "Engineering",
    title: "Chief Technology Officer",
    managerId: null,
    startDate: "2021-03-01",
    dob: "1985-12-10",
    income: { amount: 18_000_000, unit: "yearly" },
    hours: 80,
    flsa: "exempt",
    subtype: "full_time",
    phone: "+12125550101",
  },
  {
    id: "6f1c1a2e-3b4d-4c5e-8f60-7a8b9c0d1e02",
    firstName: "Grace",
    lastName: "Hopper",
    department: "Engineering",
    title: "Software Engineer",
    managerId: "6f1c1a2e-3b4d-4c5e-8f60-7a8b9c0d1e01",
    startDate: "2022-06-15",
    dob: "1990-12-09",
    income: { amount: 15_000_000, unit: "yearly" },
    hours: 80,
    flsa: "exempt",
    subtype: "full_time",
    phone: "+12125550102",
  },
  {
    id: "6f1c1a2e-3b4d-4c5e-8f60-7a8b9c0d1e03",
    firstName: "Katherine",
    lastName: "Johnson",
    department: "Operations",
    title: "Operations Analyst",
    managerId: "6f1c1a2e-3b4d-4c5e-8f60-7a8b9c0d1e01",
    startDate: "2023-01-09",
    dob: "1992-08-26",
    income: { amount: 4_500, unit: "hourly" },
    hours: 60,
    flsa: "non_exempt",
    subtype: "part_time",
    phone: "+12125550103",
  },
];

const PAYMENT_IDS = ["9a0e5b1c-2d3f-4a5b-8c6d-7e8f9a0b1c01", "9a0e5b1c-2d3f-4a5b-8c6d-7e8f9a0b1c02"] as const;
const BENEFIT_ID = "b3e1c2d4-5f6a-4b7c-8d9e-0f1a2b3c4d01";

function emailDomain(connection: ConnectionRecord): string {
  const slug = connection.companyName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `${slug || "company"}.example`;
}

function fakeCompany(connection: ConnectionRecord): Company {
  return {
    id: connection.companyId,
    legal_name: connection.companyName,
    ein: "12-3456789",
    entity: { type: "corporation", subtype: "c_corporation" },
    primary_email: `hr@${emailDomain(connection)}`,
    primary_phone_number: "+12125550100",
    departments: [
      { name: "Engineering", parent: null },
      { name: "Operations", parent: null },
    ],
    locations: [OFFICE],
    accounts: [
      {
        account_name: "Operating account",
        account_number: "XXXXXX4321",
        account_type: "checking",
        institution_name: "Stand-in Bank",
        routing_number: "021000021",
      },
    ],
  };
}

function directoryEntry(person: FakePerson): IndividualInDirectory {
  return {
    id: person.id,
    first_name: person.firstName,
    middle_name: null,
    last_name: person.lastName,
    department: { name: person.department },
    manager: person.managerId === null ? null : { id: person.managerId },
    is_active: true,
  };
}

function fakeDirectory(query: URLSearchParams): {
  individuals: IndividualInDirectory[];
  paging: { count: number; offset: number };
} {
  const offset = nonNegativeInt(query.get("offset"), "offset") ?? 0;
  const limit = nonNegativeInt(query.get("limit"), "limit") ?? PEOPLE.length;
  return {
    individuals: PEOPLE.slice(offset, offset + limit).map(directoryEntry),
    paging: { count: PEOPLE.length, offset },
  };
}

function batchRequests(
  body: Record<string, unknown>,
  idField: string,
  max?: number,
): Record<string, unknown>[] {
  const requests = body.requests;
  if (!Array.isArray(requests)) throw invalidRequest("requests must be an array");
  if (max !== undefined && requests.length > max) {
    throw invalidRequest(`requests may hold at most ${max} items`);
  }
  return requests.map((item) => {
    if (
      typeof item !== "object" ||
      item === null ||
      typeof (item as Record<string, unknown>)[idField] !== "string"
    ) {
      throw invalidRequest(`each request needs a string ${idField}`);
    }
    return item as Record<string, unknown>;
  });
}

function fakeIndividuals(connection: ConnectionRecord, body: Record<string, unknown>): IndividualResponse[] {
  return batchRequests(body, "individual_id").map((request) => {
    const id = String(request.individual_id);
    const person = PEOPLE.find((candidate) => candidate.id === id);
    if (person === undefined) {
      return { individual_id: id, code: 404, body: notFoundItem("individual_not_found", `Individual ${id}`) };
    }
    return {
      individual_id: id,
      code: 200,
      body: {
        id,
        first_name: person.firstName,
        middle_name: null,
        last_name: person.lastName,
        preferred_name: null,
        dob: person.dob,
        gender: "female",
        ethnicity: "decline_to_specify",
        marital_status: "unknown",
        emails: [{ data: `${person.firstName.toLowerCase()}@${emailDomain(connection)}`, type: "work" }],
        phone_numbers: [{ data: person.phone, type: "work" }],
        residence: { ...OFFICE, line1: "1 Residence Road", line2: null },
      },
    };
  });
}

function fakeEmployments(body: Record<string, unknown>): EmploymentDataResponse[] {
  return batchRequests(body, "individual_id").map((request) => {
    const id = String(request.individual_id);
    const person = PEOPLE.find((candidate) => candidate.id === id);
    if (person === undefined) {
      return { individual_id: id, code: 404, body: notFoundItem("individual_not_found", `Individual ${id}`) };
    }
    const income = {
      amount: person.income.amount,
      currency: "usd",
      unit: person.income.unit,
      effective_date: person.startDate,
    };
    return {
      individual_id: id,
      code: 200,
      body: {
        id,
        first_name: person.firstName,
        middle_name: null,
        last_name: person.lastName,
        title: person.title,
        department: { name: person.department },
        manager: person.managerId === null ? null : { id: person.managerId },
        employment: { type: "employee", subtype: person.subtype },
        employment_status: "active",
        is_active: true,
        start_date: person.startDate,
        end_date: null,
        latest_rehire_date: null,
        class_code: null,
        flsa_status: person.flsa,
        highly_compensated_employee: false,
        key_employee: false,
        union_code: null,
        union_local: null,
        location: OFFICE,
        income,
        income_history: [income],
        custom_fields: [],
        source_id: `jw-${id.slice(-4)}`,
      },
    };
  });
}

function notFoundItem(finchCode: string, what: string): FinchErrorBody {
  return errorBody(404, "not_found_error", `${what} could not be found`, finchCode);
}

interface FakePaymentDates {
  id: string;
  payDate: string;
  debitDate: string;
  periodStart: string;
  periodEnd: string;
}

/** Two bi-weekly payrolls: paid 7 and 21 days before `now`, so both fall in the last 90 days. */
function paymentDates(now: Date): FakePaymentDates[] {
  return PAYMENT_IDS.map((id, index) => {
    const payDate = addDays(now, -(7 + 14 * index));
    return {
      id,
      payDate: isoDate(payDate),
      debitDate: isoDate(addDays(payDate, -1)),
      periodEnd: isoDate(addDays(payDate, -2)),
      periodStart: isoDate(addDays(payDate, -15)),
    };
  });
}

function statementFor(person: FakePerson): PayStatement {
  const gross =
    person.income.unit === "yearly"
      ? Math.round(person.income.amount / 26)
      : person.income.amount * person.hours;
  const federal = Math.round(gross * 0.12);
  const state = Math.round(gross * 0.05);
  const fica = Math.round(gross * 0.0765);
  const retirement = Math.round(gross * 0.05);
  return {
    individual_id: person.id,
    type: "regular_payroll",
    payment_method: "direct_deposit",
    total_hours: person.hours,
    gross_pay: usd(gross),
    net_pay: usd(gross - federal - state - fica - retirement),
    earnings: [
      {
        name: person.income.unit === "yearly" ? "Salary" : "Regular hours",
        type: person.income.unit === "yearly" ? "salary" : "wage",
        amount: gross,
        currency: "usd",
        hours: person.hours,
      },
    ],
    taxes: [
      { name: "Federal income tax", type: "federal", employer: false, amount: federal, currency: "usd" },
      { name: "NY state income tax", type: "state", employer: false, amount: state, currency: "usd" },
      { name: "FICA", type: "fica", employer: false, amount: fica, currency: "usd" },
      { name: "FICA (employer)", type: "fica", employer: true, amount: fica, currency: "usd" },
    ],
    employee_deductions: [
      { name: "401(k)", type: "401k", pre_tax: true, amount: retirement, currency: "usd" },
    ],
    employer_contributions: [
      { name: "401(k) match", type: "401k", amount: Math.round(gross * 0.04), currency: "usd" },
    ],
  };
}

function sumCents(values: (Money | null)[]): number {
  return values.reduce((total, money) => total + (money?.amount ?? 0), 0);
}

function fakePayment(dates: FakePaymentDates): Payment {
  const statements = PEOPLE.map(statementFor);
  const taxes = statements.flatMap((statement) => statement.taxes ?? []);
  const employeeTaxes = taxes.filter((tax) => !tax.employer).reduce((t, tax) => t + (tax.amount ?? 0), 0);
  const employerTaxes = taxes.filter((tax) => tax.employer).reduce((t, tax) => t + (tax.amount ?? 0), 0);
  const contributions = statements
    .flatMap((statement) => statement.employer_contributions ?? [])
    .reduce((t, contribution) => t + (contribution.amount ?? 0), 0);
  const gross = sumCents(statements.map((statement) => statement.gross_pay));
  return {
    id: dates.id,
    pay_date: dates.payDate,
    debit_date: dates.debitDate,
    pay_period: { start_date: dates.periodStart, end_date: dates.periodEnd },
    pay_frequencies: ["bi_weekly"],
    pay_group_ids: ["c7d8e9f0-1a2b-4c3d-8e4f-5a6b7c8d9e01"],
    individual_ids: PEOPLE.map((person) => person.id),
    gross_pay: usd(gross),
    net_pay: usd(sumCents(statements.map((statement) => statement.net_pay))),
    employee_taxes: usd(employeeTaxes),
    employer_taxes: usd(employerTaxes),
    company_debit: usd(gross + employerTaxes + contributions),
  };
}

function fakePaymentList(query: URLSearchParams, now: Date): Payment[] {
  const start = query.get("start_date");
  const end = query.get("end_date");
  if (start === null || end === null || !isIsoDate(start) || !isIsoDate(end)) {
    throw invalidRequest("start_date and end_date are required, as YYYY-MM-DD");
  }
  return paymentDates(now)
    .filter((dates) => dates.payDate >= start && dates.payDate <= end)
    .map(fakePayment);
}

function fakePayStatements(
  body: Record<string, unknown>,
  now: Date,
  syncing: boolean,
): PayStatementResponse[] {
  const known = new Set(paymentDates(now).map((dates) => dates.id));
  return batchRequests(body, "payment_id", MAX_PAY_STATEMENT_REQUESTS).map((request) => {
    const paymentId = String(request.payment_id);
    if (syncing) return { payment_id: paymentId, code: 202, body: PAY_STATEMENT_SYNCING };
    if (!known.has(paymentId)) {
      return {
        payment_id: paymentId,
        code: 404,
        body: notFoundItem("payment_not_found", `Payment ${paymentId}`),
      };
    }
    const offset = typeof request.offset === "number" ? request.offset : 0;
    const limit = typeof request.limit === "number" ? request.limit : 100;
    const statements = PEOPLE.map(statementFor);
    return {
      payment_id: paymentId,
      code: 200,
      body: {
        paging: { count: statements.length, offset },
        pay_statements: statements.slice(offset, offset + limit),
      },
    };
  });
}

function fakeBenefit(): CompanyBenefit {
  return {
    benefit_id: BENEFIT_ID,
    type: "401k",
    description: "401(k) retirement plan",
    frequency: "every_paycheck",
    company_contribution: { type: "match", tiers: [{ match: 100, threshold: 400 }] },
  };
}

// ---- HTML -------------------------------------------------------------------------------------

const PAGE_STYLE =
  "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}" +
  "label{display:block;margin:.4rem 0}fieldset{border:1px solid #ccc;border-radius:8px;margin:1rem 0}" +
  ".error{color:#b00020}button{padding:.5rem 1.2rem}input[type=text],input[type=password]{width:100%}";

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><style>${PAGE_STYLE}</style>` +
    `</head><body>${body}</body></html>`
  );
}

function connectPage(session: SessionRecord, error?: string): string {
  const provider = `${providerName(session.providerId)} (Finch stand-in)`;
  const id = escapeHtml(session.id);
  const checkboxes = session.products
    .map((product) => {
      const label = PRODUCT_LABELS[product] ?? product;
      return (
        `<label><input type="checkbox" name="products" value="${escapeHtml(product)}" checked> ` +
        `${escapeHtml(label)} <code>${escapeHtml(product)}</code></label>`
      );
    })
    .join("");
  return page(
    `Connect ${provider}`,
    `<h1>${escapeHtml(provider)}</h1>` +
      `<p>${escapeHtml(session.customerName ?? "Your company")} is asking to connect to your ` +
      `${escapeHtml(providerName(session.providerId))} account.</p>` +
      (error === undefined ? "" : `<p class="error" role="alert">${escapeHtml(error)}</p>`) +
      `<form method="post" action="/connect/complete">` +
      `<input type="hidden" name="session" value="${id}">` +
      `<label>Username <input type="text" name="username" autocomplete="username" required></label>` +
      `<label>Password <input type="password" name="password" autocomplete="current-password" ` +
      `required></label>` +
      `<fieldset><legend>Permissions (uncheck what this account may not read)</legend>` +
      `${checkboxes}</fieldset>` +
      `<p><button type="submit">Connect</button> <a href="/connect/cancel?session=${id}">Cancel</a></p>` +
      `<p><small>Sandbox login: ${SANDBOX_LOGIN.username} / ${SANDBOX_LOGIN.password}</small></p>` +
      `</form>`,
  );
}

function notFoundPage(): string {
  return page(
    "Connect link not found",
    "<h1>This Connect link is not valid</h1><p>It may have expired or already been used. " +
      "Ask for a new link.</p>",
  );
}

function connectedPage(code: string): string {
  return page(
    "Connected",
    `<h1>Connected</h1><p>Authorization code: <code id="code">${escapeHtml(code)}</code></p>`,
  );
}

function cancelledPage(): string {
  return page("Cancelled", "<h1>Connection cancelled</h1><p>You can close this window.</p>");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// ---- Small helpers ----------------------------------------------------------------------------

function snapshot(record: ConnectionRecord): StandInConnection {
  return {
    connectionId: record.connectionId,
    companyId: record.companyId,
    accountId: record.accountId,
    customerId: record.customerId,
    customerName: record.customerName,
    customerEmail: record.customerEmail,
    providerId: record.providerId,
    authMethod: record.authMethod,
    clientType: clientType(record),
    connectionType: connectionType(record),
    status: record.status,
    products: [...record.products],
    deniedProducts: [...record.denied],
    syncingProducts: [...record.syncing],
    entities: record.entities.map((entity) => ({ ...entity })),
    username: record.username,
    createdAt: record.createdAt.toISOString(),
  };
}

function defaultStatus(denied: ReadonlySet<string>): StandInConnectionStatus {
  return denied.size > 0 ? "error_permissions" : "connected";
}

/** Introspect only knows Finch's statuses; a disconnected token never reaches it (401 first). */
function introspectStatus(status: StandInConnectionStatus): ConnectionStatusType {
  return status === "disconnected" ? "reauth" : status;
}

function statusMessage(connection: ConnectionRecord): string | undefined {
  switch (connection.status) {
    case "error_permissions":
      return `The connected account is missing permissions for: ${[...connection.denied].sort().join(", ")}`;
    case "reauth":
      return "The connection needs to be reauthenticated";
    case "error_no_account_setup":
      return "The employer has not finished setting up the account";
    case "pending":
    case "processing":
      return "The initial data sync has not finished";
    default:
      return undefined;
  }
}

function clientType(connection: ConnectionRecord): "production" | "sandbox" {
  return connection.sandbox === null ? "production" : "sandbox";
}

/** SDK docs: `finch` means Finch-generated data, which is what `sandbox: 'finch'` asks for. */
function connectionType(connection: ConnectionRecord): "finch" | "provider" {
  return connection.sandbox === "finch" ? "finch" : "provider";
}

function providerName(providerId: string): string {
  return (
    PROVIDER_NAMES[providerId] ??
    providerId.replace(/(^|_)(\w)/g, (_m, sep: string, c: string) => `${sep ? " " : ""}${c.toUpperCase()}`)
  );
}

function parseIntegration(value: unknown): { providerId: string; authMethod: StandInAuthMethod } {
  if (value === undefined || value === null) return { providerId: "justworks", authMethod: "credential" };
  if (typeof value !== "object") throw invalidRequest("integration must be an object");
  const integration = value as Record<string, unknown>;
  const providerId = requireString(integration, "provider", "integration.provider");
  const authMethod = integration.auth_method ?? "credential";
  if (!AUTH_METHODS.includes(authMethod as StandInAuthMethod)) {
    throw invalidRequest(`integration.auth_method must be one of ${AUTH_METHODS.join(", ")}`);
  }
  return { providerId, authMethod: authMethod as StandInAuthMethod };
}

function requireProducts(value: unknown, nonEmpty: boolean): string[] {
  if (!Array.isArray(value) || (nonEmpty && value.length === 0)) {
    throw invalidRequest("products must be a non-empty array");
  }
  for (const product of value) {
    if (!KNOWN_PRODUCTS.includes(product as FinchProduct)) {
      throw invalidRequest(`Unknown product: ${String(product)}`);
    }
  }
  return [...new Set(value as string[])];
}

function requireString(body: Record<string, unknown>, field: string, label = field): string {
  const value = body[field];
  if (typeof value !== "string" || value.trim() === "") throw invalidRequest(`${label} is required`);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalidRequest(`${field} must be a string`);
  return value;
}

function optionalPositiveNumber(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw invalidRequest(`${field} must be a positive number`);
  }
  return value;
}

function optionalRedirectUri(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || !URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw invalidRequest("redirect_uri must be an absolute http(s) URL");
  }
  return value;
}

function nonNegativeInt(raw: string | null, field: string): number | undefined {
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw invalidRequest(`${field} must be a non-negative integer`);
  return value;
}

function invalidRequest(message: string): StandInHttpError {
  return finchError(400, "bad_request", message, "invalid_request");
}

function faultError(fault: FaultSpec): StandInHttpError {
  const status = fault.status ?? 500;
  const known = fault.code === undefined ? undefined : NAME_BY_FINCH_CODE[fault.code];
  const name = known?.name ?? NAME_BY_STATUS[status] ?? "server_error";
  const message = fault.message ?? `Injected fault: ${status}${fault.code ? ` ${fault.code}` : ""}`;
  const headers: Record<string, string> =
    fault.retryAfterSeconds === undefined ? {} : { "Retry-After": String(fault.retryAfterSeconds) };
  return new StandInHttpError(status, errorBody(status, name, message, fault.code), headers);
}

function authKind(header: string | undefined): CallRecord["auth"] {
  if (header === undefined) return "none";
  if (/^basic\s/i.test(header)) return "basic";
  if (/^bearer\s/i.test(header)) return "bearer";
  return "none";
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw finchError(413, "bad_request", "Request body too large", "invalid_request");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readText(req);
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidRequest("Request body is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest("Request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

function sendPage(res: ServerResponse, reply: PageReply): void {
  if ("location" in reply) {
    res.writeHead(302, { Location: reply.location, "Cache-Control": "no-store" }).end();
    return;
  }
  res.writeHead(reply.status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(reply.html);
}

function withQuery(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function hashKey(secret: string): string {
  return sha256(secret).toString("hex");
}

function shortId(): string {
  return randomBytes(4).toString("hex");
}

function usd(amount: number): Money {
  return { amount, currency: "usd" };
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function isIsoDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(text));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
